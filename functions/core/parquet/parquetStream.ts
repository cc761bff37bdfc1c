import * as pq from "parquet-wasm";
import { type FooterTrim, trimParquetStream } from "./footer.ts";

/** Parquet layout knobs; the defaults are what Security Lake and Athena read well. */
export interface ParquetLayout {
  /** Rows per row group (default 131,072: ~6–8 MB compressed for OCSF events, far under 256 MB). */
  readonly rowGroupRows?: number;
  /** Uncompressed data page limit in bytes (default 1 MiB, the ceiling). */
  readonly dataPageBytes?: number;
  /** Column-chunk min/max/null-count statistics (default on; costs ~3% time, see README Performance). */
  readonly statistics?: boolean;
  /** Dictionary page limit per column chunk, or 0 for no dictionary (default 256 KiB, see writerProperties). */
  readonly dictionaryPageBytes?: number;
  /** Files of fewer rows are written without dictionaries (default 20,000; see `fileLayout`). */
  readonly dictionaryMinRows?: number;
  /** Footer parts left out of every file (default DEFAULT_FOOTER_TRIM; `{}` keeps arrow-rs's footer). */
  readonly footerTrim?: FooterTrim;
}

export const DEFAULT_ROW_GROUP_ROWS = 131_072;
export const DEFAULT_DICTIONARY_PAGE_BYTES = 256 * 1024;
export const DEFAULT_DICTIONARY_MIN_ROWS = 20_000;
/** All four: each measured smaller and none is needed by DuckDB or Athena (README, Parquet bytes). */
export const DEFAULT_FOOTER_TRIM: FooterTrim = {
  arrowSchema: true,
  pageIndex: true,
  encodingStats: true,
  sizeStatistics: true,
};

/**
 * The layout of one file of `rows` rows. Dictionaries only pay beyond ~20,000 rows: arrow-rs writes a
 * dictionary page into every column chunk, all-null ones included (~50 B each, 1,000+ per file), and
 * below that size ZSTD finds the repeats within a page anyway. Measured with bench/parquetLevers.ts:
 * no dictionaries were 7–13% smaller at 1k–10k rows on both corpora and still smaller at 20k (−0.4%
 * synthetic, −3.9% realistic), but larger from 25k on the synthetic corpus (+22% at 100k) and at 100k
 * on the realistic one (+1.5%) (README, Parquet bytes).
 */
export function fileLayout(layout: ParquetLayout, rows: number): ParquetLayout {
  return rows < (layout.dictionaryMinRows ?? DEFAULT_DICTIONARY_MIN_ROWS)
    ? { ...layout, dictionaryPageBytes: 0 }
    : layout;
}

/**
 * Writer properties: ZSTD on every column, Parquet format v1 pages (what Athena's and Glue's readers
 * handle everywhere), chunk statistics, and dictionary encoding with a 256 KiB dictionary limit.
 * parquet-wasm can only set dictionaries per top-level column (its ColumnPath is one segment), so the
 * choice is global: with the 1 MiB default every high-cardinality column builds a big dictionary before
 * falling back to plain (the file grows ~10%, and ~2x per TOOLCHAIN-NOTES.md with smaller row groups);
 * with none, medium-cardinality columns (user names, IPs, enum captions) lose ~20%. 256 KiB measured
 * smallest on the benchmark's events (README, Performance). `time` (an int64 in every class), top-level
 * and new in every event, is written DELTA_BINARY_PACKED without a dictionary (1–3% smaller files from
 * 10k rows). parquet-wasm
 * writes Arrow timestamp(ms) as INT64 TIMESTAMP(MILLIS) and lists as the standard 3-level LIST because
 * our list children are named "element".
 */
export function writerProperties(layout: ParquetLayout = {}): pq.WriterProperties {
  return writerPropertiesBuilder(layout).build();
}

/** The builder behind `writerProperties`, for a caller that adds a setting (tests). */
export function writerPropertiesBuilder(layout: ParquetLayout = {}): pq.WriterPropertiesBuilder {
  const dictionary = layout.dictionaryPageBytes ?? DEFAULT_DICTIONARY_PAGE_BYTES;
  return new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.ZSTD)
    .setDictionaryEnabled(dictionary > 0)
    .setDictionaryPageSizeLimit(dictionary || DEFAULT_DICTIONARY_PAGE_BYTES)
    .setColumnDictionaryEnabled("time", false)
    .setColumnEncoding("time", pq.Encoding.DELTA_BINARY_PACKED)
    .setWriterVersion(pq.WriterVersion.V1)
    .setMaxRowGroupSize(layout.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS)
    .setDataPageSizeLimit(layout.dataPageBytes ?? 1024 * 1024)
    .setStatisticsEnabled(
      layout.statistics === false ? pq.EnabledStatistics.None : pq.EnabledStatistics.Chunk,
    )
    .setCreatedBy("seclake-pipelines (parquet-wasm 0.8.0)");
}

/** Hands one record batch (an Arrow IPC stream) to wasm memory; the bytes are copied once. */
function toWasm(ipc: Uint8Array): pq.RecordBatch {
  const table = pq.Table.fromIPCStream(ipc);
  const out = table.recordBatch(0);
  table.free();
  if (!out) throw new Error("parquet-wasm returned no record batch for a non-empty IPC stream");
  return out;
}

/**
 * Streams record batches (each an Arrow IPC stream of one batch) into one Parquet file's bytes, its
 * footer trimmed as `layout.footerTrim` says (footer.ts: only the file's tail is held back for that).
 */
export function parquetBytes(
  batches: AsyncIterator<Uint8Array>,
  layout: ParquetLayout = {},
): AsyncGenerator<Uint8Array> {
  return trimParquetStream(
    encodeParquet(batches, writerProperties(layout)),
    layout.footerTrim ?? DEFAULT_FOOTER_TRIM,
  );
}

/**
 * The Parquet bytes parquet-wasm writes for `batches` with `properties` (consumed). Batches are pulled one
 * at a time, only when the writer wants the next one, so memory holds one batch plus the row group being
 * encoded — never the file.
 */
export async function* encodeParquet(
  batches: AsyncIterator<Uint8Array>,
  properties: pq.WriterProperties,
): AsyncGenerator<Uint8Array> {
  // An error thrown while building a batch reaches wasm as a stream error and comes back as an opaque
  // "Dyn casting error"; keep the original and rethrow it instead.
  let failure: unknown;
  const input = new ReadableStream<pq.RecordBatch>(
    {
      async pull(controller) {
        try {
          const next = await batches.next();
          if (next.done) controller.close();
          else controller.enqueue(toWasm(next.value));
        } catch (error) {
          failure ??= error;
          controller.error(error);
        }
      },
    },
    { highWaterMark: 0 },
  );
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    const output = await pq.transformParquetStream(input, properties);
    reader = (output as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield value;
    }
  } catch (error) {
    throw failure ?? error;
  } finally {
    reader?.releaseLock();
  }
  if (failure) throw failure;
}
