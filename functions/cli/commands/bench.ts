import { InputError } from "../../core/errors.ts";

const REALISTIC_EVENTS = "1000,10000,100000";

/**
 * `seclake bench [--events N[,M…]] [--realistic-events N[,M…]|none] [--only mapping|convert|levers]`:
 * mapping throughput per source (bench/mapping.ts: mapping and end to end, beside the JSON.parse floor
 * and the parse + serialize floor of the same events, measured in the same run); conversion throughput,
 * peak RSS and output size against DuckDB doing the same work in the same run, on the synthetic corpus at
 * `--events` and on the realistic corpus at `--realistic-events` events per file, with the Convert
 * Lambda's peak RSS (bench/convert.ts); and, with `--only levers` alone, the bytes of each Parquet size
 * lever on the realistic corpus (bench/parquetLevers.ts). Printed as JSON
 * `{ "mapping": [...], "convert": [...], "levers": [...] }`. The mapping part uses the first size.
 */
export async function run(opts: Record<string, string | boolean | undefined>): Promise<number> {
  const sizes = sizeList("--events", String(opts.events ?? "100000"));
  const realisticText = String(opts.realisticEvents ?? REALISTIC_EVENTS);
  const realistic = realisticText === "none" ? [] : sizeList("--realistic-events", realisticText);
  const only = String(opts.only ?? "all");
  if (!["all", "mapping", "convert", "levers"].includes(only)) {
    throw new InputError(`--only: expected mapping, convert or levers, got ${only}`);
  }
  const report: Record<string, unknown> = {};
  if (only === "all" || only === "mapping") {
    const { runMappingBench } = await import("../../../bench/mapping.ts");
    report.mapping = runMappingBench(sizes[0] as number);
  }
  if (only === "all" || only === "convert") {
    const { runConvertBench } = await import("../../../bench/convert.ts");
    report.convert = await runConvertBench(sizes, realistic);
  }
  if (only === "levers") {
    const { runLeversBench } = await import("../../../bench/parquetLevers.ts");
    report.levers = await runLeversBench(realistic);
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

function sizeList(flag: string, text: string): number[] {
  const sizes = text.split(",").map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new InputError(`${flag}: expected positive integers (e.g. 100000,1000000), got ${text}`);
  }
  return sizes;
}
