/**
 * Conversion benchmark: OCSF Authentication NDJSON → ZSTD Parquet, ours (convertOcsf) against DuckDB doing
 * the same work (read_json with our exact fixed column list → COPY … (FORMAT parquet, COMPRESSION zstd))
 * on the same file in the same run. Each side runs in its own child process so peak RSS is its own.
 * Two corpora (bench/corpus.ts): `synthetic` (values mostly unique; the throughput and 1M-event figures)
 * and `realistic` (vendor fixtures cycled with fresh ids and times, values repeat as in audit logs; the
 * bytes-per-file figures at 1k/10k/100k events, where each size is written as one file by both sides).
 * On the realistic corpus a third child runs the Convert Lambda's path — staged 64 MiB parts, the S3
 * writer that buffers each object for its one PutObject, default limits — for its peak RSS (memory sizing).
 *
 *   npx tsx bench/convert.ts [--events 100000,1000000] [--realistic-events 1000,10000,100000]
 *   (or: npx seclake bench --only convert …)
 *
 * Prints one JSON document with events/s, peak RSS, output bytes per side and the ratios
 * (ours / DuckDB): throughput ≥ 1.0, RSS ≤ 512 MB per converting thread, bytes ≤ 1.1 are the targets.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ColumnNode } from "../functions/core/parquet/schema.ts";
import { type Corpus, corpusInput, WORK } from "./corpus.ts";

const HERE = fileURLToPath(import.meta.url);

export interface SideResult {
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakRssMB: number;
  /** user + system CPU time of the child (the machine may be shared: CPU time is the steadier figure). */
  readonly cpuSeconds: number;
  readonly bytes: number;
  readonly files: number;
}

export interface ConvertBenchResult {
  readonly corpus: Corpus;
  readonly events: number;
  readonly inputBytes: number;
  readonly bytesPerEvent: number;
  readonly ours: SideResult;
  readonly duckdb: SideResult;
  /** Realistic corpus only: the Convert Lambda's path with default limits (see the file comment). */
  readonly convertStep?: SideResult;
  readonly ratios: {
    readonly throughput: number;
    readonly cpu: number;
    readonly peakRss: number;
    readonly bytes: number;
  };
}

type Side = "ours" | "ours-one-file" | "duckdb" | "step";

/**
 * Runs the benchmark: the synthetic corpus at `sizes` (default 100,000 and 1,000,000 events, our default
 * limits), then the realistic corpus at `realisticSizes` (default 1,000, 10,000 and 100,000, one file each).
 */
export async function runConvertBench(
  sizes: readonly number[] = [100_000, 1_000_000],
  realisticSizes: readonly number[] = [1_000, 10_000, 100_000],
): Promise<ConvertBenchResult[]> {
  const runs: [Corpus, number][] = [
    ...sizes.map((n): [Corpus, number] => ["synthetic", n]),
    ...realisticSizes.map((n): [Corpus, number] => ["realistic", n]),
  ];
  const results: ConvertBenchResult[] = [];
  for (const [corpus, events] of runs) {
    const input = await corpusInput(corpus, events);
    const inputBytes = statSync(input).size;
    const out = (side: string) => join(WORK, `${corpus}-${side}-${events}`);
    const realistic = corpus === "realistic";
    const ours = await measure(realistic ? "ours-one-file" : "ours", input, out("ours"), events);
    const duckdb = await measure("duckdb", input, out("duckdb"), events);
    const convertStep = realistic ? await measure("step", input, out("step"), events) : undefined;
    results.push({
      corpus,
      events,
      inputBytes,
      bytesPerEvent: Math.round(inputBytes / events),
      ours,
      duckdb,
      ...(convertStep ? { convertStep } : {}),
      ratios: {
        throughput: round(ours.eventsPerSecond / duckdb.eventsPerSecond),
        cpu: round(ours.cpuSeconds / duckdb.cpuSeconds),
        peakRss: round(ours.peakRssMB / duckdb.peakRssMB),
        bytes: round(ours.bytes / duckdb.bytes),
      },
    });
  }
  return results;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

interface ChildReport {
  maxRssKB: number;
  cpuSeconds: number;
  /** Set by a child whose output is not on disk (the convert step's writer keeps it in memory). */
  bytes?: number;
  files?: number;
}

async function measure(side: Side, input: string, out: string, events: number): Promise<SideResult> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ["--import", "tsx", HERE, "--child", side, input, out], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.on("data", (d) => {
    stdout += String(d);
  });
  const [code] = await once(child, "exit");
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`bench child ${side} failed with exit code ${code}`);
  const report = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as ChildReport;
  const files = listParquet(out);
  return {
    seconds: round(seconds),
    eventsPerSecond: Math.round(events / seconds),
    peakRssMB: Math.round(report.maxRssKB / 1024),
    cpuSeconds: round(report.cpuSeconds),
    bytes: report.bytes ?? files.reduce((n, f) => n + statSync(f).size, 0),
    files: report.files ?? files.length,
  };
}

function listParquet(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    if (name.endsWith(".parquet")) out.push(join(dir, name));
  }
  return out;
}

/** DuckDB's type for one of our columns, so read_json produces exactly our schema. */
export function duckType(node: ColumnNode): string {
  switch (node.kind) {
    case "utf8":
    case "json":
      return "VARCHAR";
    case "int32":
      return "INTEGER";
    case "int64":
      return "BIGINT";
    case "float64":
      return "DOUBLE";
    case "bool":
      return "BOOLEAN";
    case "timestamp":
      return "TIMESTAMPTZ";
    case "list":
      return `${duckType(node.element)}[]`;
    case "struct":
      return `STRUCT(${node.children.map((c) => `"${c.name}" ${duckType(c)}`).join(", ")})`;
  }
}

/** Our side; `oneFile` lifts the 256 MiB roll so each size is one file (100k realistic events: 274 MB). */
async function childOurs(input: string, out: string, oneFile: boolean): Promise<void> {
  const { convertOcsf } = await import("../functions/core/parquet/convert.ts");
  const { LocalObjectWriter } = await import("../functions/adapters/localObjectWriter.ts");
  await convertOcsf({
    input,
    classUid: 3002,
    ...BENCH_LOCATION,
    writer: new LocalObjectWriter(out),
    ...(oneFile ? { limits: { maxBytesPerFile: 2 ** 31 } } : {}),
  });
}

const BENCH_LOCATION = {
  customSource: "bench-auth",
  region: "us-east-1",
  accountId: "123456789012",
  windowId: "bench",
} as const;

/** Staged parts are cut at this many bytes, as the Map step cuts them (PART_BYTES in handlers/map.ts). */
const STAGED_PART_BYTES = 64 * 1024 * 1024;

/**
 * The Convert Lambda's path: the input as staged parts read whole (a fresh buffer per read, as each
 * GetObject gives), the S3 writer buffering each object for one PutObject (its client drops the body),
 * default limits. Returns what was "uploaded".
 */
async function childStep(input: string): Promise<{ bytes: number; files: number }> {
  const { convertOcsf } = await import("../functions/core/parquet/convert.ts");
  const { S3ObjectWriter } = await import("../functions/adapters/s3ObjectWriter.ts");
  const parts = partRanges(input, STAGED_PART_BYTES);
  let bytes = 0;
  let files = 0;
  const client = {
    send: async (command: { input: { Body: Uint8Array } }) => {
      bytes += command.input.Body.length;
      files++;
      return {};
    },
  };
  const fd = openSync(input, "r");
  try {
    await convertOcsf({
      input: {
        parts: parts.map((_, i) => `part-${i}`),
        read: async (key) => {
          const [start, end] = parts[Number(key.slice(5))] as [number, number];
          const buf = Buffer.allocUnsafe(end - start);
          readSync(fd, buf, 0, buf.length, start);
          return buf;
        },
      },
      classUid: 3002,
      ...BENCH_LOCATION,
      writer: new S3ObjectWriter({ client: client as never, bucket: "bench-lake" }),
    });
  } finally {
    closeSync(fd);
  }
  return { bytes, files };
}

/** Byte ranges of `path` of at most `max` bytes each (or one line), cut after a newline. */
function partRanges(path: string, max: number): [number, number][] {
  const size = statSync(path).size;
  const fd = openSync(path, "r");
  const probe = Buffer.allocUnsafe(1 << 20);
  const out: [number, number][] = [];
  try {
    let start = 0;
    while (start < size) {
      let end = Math.min(size, start + max);
      if (end < size) {
        // Back up to the last newline before the limit.
        const from = Math.max(start, end - probe.length);
        const n = readSync(fd, probe, 0, end - from, from);
        const nl = probe.subarray(0, n).lastIndexOf(10);
        if (nl < 0) throw new Error(`${path}: a line longer than 1 MiB at byte ${from}`);
        end = from + nl + 1;
      }
      out.push([start, end]);
      start = end;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

async function childDuckdb(input: string, out: string): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const { defaultClassSchema } = await import("../functions/core/parquet/schema.ts");
  const schema = defaultClassSchema(3002);
  const columns = schema.root.children
    .map((c) => `'${c.name}': '${duckType(c).replaceAll("'", "''")}'`)
    .join(", ");
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  await connection.run(
    `COPY (SELECT * FROM read_json('${input}', format = 'newline_delimited', columns = {${columns}})) ` +
      `TO '${join(out, "duckdb.parquet")}' (FORMAT parquet, COMPRESSION zstd)`,
  );
  connection.closeSync();
  db.closeSync();
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === "--child") {
    const [, side, input, out] = argv as [string, Side, string, string];
    let written: { bytes: number; files: number } | undefined;
    if (side === "duckdb") await childDuckdb(input, out);
    else if (side === "step") written = await childStep(input);
    else await childOurs(input, out, side === "ours-one-file");
    const usage = process.resourceUsage();
    const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
    process.stdout.write(`${JSON.stringify({ maxRssKB: usage.maxRSS, cpuSeconds, ...written })}\n`);
    return;
  }
  const sizes = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0
      ? String(argv[at + 1])
          .split(",")
          .map(Number)
      : undefined;
  };
  const report = await runConvertBench(sizes("--events"), sizes("--realistic-events"));
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === HERE) await main(process.argv.slice(2));
