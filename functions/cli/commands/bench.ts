import { InputError } from "../../core/errors.ts";

/**
 * `seclake bench [--events N[,M…]] [--only mapping|convert]`: mapping throughput per source
 * (bench/mapping.ts: mapping and end to end, beside the JSON.parse floor and the parse + serialize floor
 * of the same events, measured in the same run) and conversion throughput,
 * peak RSS and output size against DuckDB doing the same work in the same run (bench/convert.ts),
 * printed as JSON `{ "mapping": [...], "convert": ... }`. The mapping part uses the first size.
 */
export async function run(opts: Record<string, string | boolean | undefined>): Promise<number> {
  const sizes = String(opts.events ?? "100000")
    .split(",")
    .map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new InputError(
      `--events: expected positive integers (e.g. 100000,1000000), got ${String(opts.events)}`,
    );
  }
  const only = String(opts.only ?? "all");
  if (!["all", "mapping", "convert"].includes(only)) {
    throw new InputError(`--only: expected mapping or convert, got ${only}`);
  }
  const report: Record<string, unknown> = {};
  if (only !== "convert") {
    const { runMappingBench } = await import("../../../bench/mapping.ts");
    report.mapping = runMappingBench(sizes[0] as number);
  }
  if (only !== "mapping") {
    const { runConvertBench } = await import("../../../bench/convert.ts");
    report.convert = await runConvertBench(sizes);
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return 0;
}
