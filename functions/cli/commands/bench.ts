import { InputError } from "../../core/errors.ts";

/**
 * `seclake bench [--events N[,M…]]`: conversion throughput, peak RSS and output size against DuckDB
 * doing the same work in the same run (bench/convert.ts), printed as JSON.
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
  const { runConvertBench } = await import("../../../bench/convert.ts");
  process.stdout.write(`${JSON.stringify({ convert: await runConvertBench(sizes) }, null, 2)}\n`);
  return 0;
}
