/**
 * Output bytes of each Parquet size lever, one at a time, on the realistic Authentication corpus
 * (bench/realistic.ts) or the synthetic one (bench/synthetic.ts), one file per size. Writer-property
 * levers re-encode the same events; footer levers post-process the `before` file's bytes (footer.ts).
 * In-process, each file held in memory (~7 MB at 100k events); about a minute for the default sizes.
 *
 *   npx tsx bench/parquetLevers.ts [--events 1000,10000,100000] [--corpus realistic|synthetic] [--levers <substring>]
 *   (or, realistic corpus: npx seclake bench --only levers [--realistic-events …])
 */
import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import * as pq from "parquet-wasm";
import { BatchBuilder } from "../functions/core/parquet/builder.ts";
import { DEFAULT_LIMITS } from "../functions/core/parquet/convert.ts";
import { type FooterTrim, trimTail } from "../functions/core/parquet/footer.ts";
import {
  DEFAULT_FOOTER_TRIM,
  encodeParquet,
  fileLayout,
  writerProperties,
} from "../functions/core/parquet/parquetStream.ts";
import { defaultClassSchema } from "../functions/core/parquet/schema.ts";
import { type Corpus, corpusInput } from "./corpus.ts";

const HERE = fileURLToPath(import.meta.url);

/**
 * The settings every lever is measured against: those shipped before the levers were weighed (dictionary
 * with a 256 KiB limit on every column, `time` included, chunk statistics, format v1 pages, arrow-rs's
 * whole footer). Each lever changes one thing; "now shipped" is what convertOcsf writes today.
 */
const before = (): pq.WriterPropertiesBuilder =>
  new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.ZSTD)
    .setDictionaryEnabled(true)
    .setDictionaryPageSizeLimit(256 * 1024)
    .setWriterVersion(pq.WriterVersion.V1)
    .setMaxRowGroupSize(131_072)
    .setDataPageSizeLimit(1024 * 1024)
    .setStatisticsEnabled(pq.EnabledStatistics.Chunk)
    .setCreatedBy("seclake-pipelines (parquet-wasm 0.8.0)");

type Properties = () => pq.WriterProperties;

const WRITER_LEVERS: Readonly<Record<string, Properties>> = {
  "dictionary off": () => before().setDictionaryEnabled(false).build(),
  "dictionary 1 MiB": () =>
    before()
      .setDictionaryPageSizeLimit(1024 * 1024)
      .build(),
  "statistics off": () => before().setStatisticsEnabled(pq.EnabledStatistics.None).build(),
  "page statistics": () => before().setStatisticsEnabled(pq.EnabledStatistics.Page).build(),
  "writer version 2": () => before().setWriterVersion(pq.WriterVersion.V2).build(),
  "data pages 8 MiB": () =>
    before()
      .setDataPageSizeLimit(8 * 1024 * 1024)
      .build(),
  "time: no dictionary": () => before().setColumnDictionaryEnabled("time", false).build(),
  "time: delta encoding, no dictionary": () =>
    before()
      .setColumnDictionaryEnabled("time", false)
      .setColumnEncoding("time", pq.Encoding.DELTA_BINARY_PACKED)
      .build(),
  "raw_data: no dictionary": () => before().setColumnDictionaryEnabled("raw_data", false).build(),
  "raw_data: DELTA_LENGTH_BYTE_ARRAY, no dictionary": () =>
    before()
      .setColumnDictionaryEnabled("raw_data", false)
      .setColumnEncoding("raw_data", pq.Encoding.DELTA_LENGTH_BYTE_ARRAY)
      .build(),
  "created_by empty": () => before().setCreatedBy("").build(),
  "ARROW:schema set empty (setKeyValueMetadata)": () =>
    before()
      .setKeyValueMetadata(new Map([["ARROW:schema", ""]]))
      .build(),
};

const FOOTER_LEVERS: Readonly<Record<string, FooterTrim>> = {
  "footer: drop ARROW:schema": { arrowSchema: true },
  "footer: drop page index": { pageIndex: true },
  "footer: drop encoding_stats": { encodingStats: true },
  "footer: drop size_statistics": { sizeStatistics: true },
  "footer: all four": { arrowSchema: true, pageIndex: true, encodingStats: true, sizeStatistics: true },
};

export interface LeverResult {
  readonly lever: string;
  readonly events: number;
  readonly bytes: number;
  /** bytes / the file written with the `before` settings at the same size. */
  readonly vsBefore: number;
}

/** Encodes the corpus of `events` events into one Parquet file with `properties`, in memory. */
async function encodeFile(input: string, properties: pq.WriterProperties): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of encodeParquet(batchesOf(input), properties)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* batchesOf(input: string): AsyncGenerator<Uint8Array> {
  const builder = new BatchBuilder(defaultClassSchema(3002));
  const lines = createInterface({ input: createReadStream(input), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line === "") continue;
    builder.append(JSON.parse(line));
    if (builder.length === DEFAULT_LIMITS.batchRows) yield builder.flush();
  }
  if (builder.length > 0) yield builder.flush();
}

const size = (parts: readonly Uint8Array[]) => parts.reduce((n, part) => n + part.length, 0);

/**
 * Every lever (or those `only` keeps) at every size, each against `before`, then "now shipped": the
 * writer properties and footer trim convertOcsf uses for a file of that many rows.
 */
export async function runLeversBench(
  sizes: readonly number[] = [1000, 10_000, 100_000],
  corpus: Corpus = "realistic",
  only: (lever: string) => boolean = () => true,
): Promise<LeverResult[]> {
  const out: LeverResult[] = [];
  for (const events of sizes) {
    const input = await corpusInput(corpus, events);
    const base = await encodeFile(input, before().build());
    out.push(result("before", events, base.length, base.length));
    for (const [lever, properties] of Object.entries(WRITER_LEVERS)) {
      if (!only(lever)) continue;
      out.push(result(lever, events, (await encodeFile(input, properties())).length, base.length));
    }
    for (const [lever, trim] of Object.entries(FOOTER_LEVERS)) {
      if (only(lever)) out.push(result(lever, events, size(trimTail(base, 0, trim)), base.length));
    }
    const now = await encodeFile(input, writerProperties(fileLayout({}, events)));
    out.push(result("now shipped", events, size(trimTail(now, 0, DEFAULT_FOOTER_TRIM)), base.length));
  }
  return out;
}

function result(lever: string, events: number, bytes: number, baseline: number): LeverResult {
  return { lever, events, bytes, vsBefore: Math.round((bytes / baseline) * 1000) / 1000 };
}

if (process.argv[1] && resolve(process.argv[1]) === HERE) {
  const flag = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const sizes = flag("--events")?.split(",").map(Number);
  const corpus = (flag("--corpus") ?? "realistic") as Corpus;
  const match = flag("--levers");
  const only = match === undefined ? undefined : (lever: string) => lever.includes(match);
  for (const r of await runLeversBench(sizes, corpus, only)) process.stdout.write(`${JSON.stringify(r)}\n`);
}
