import { type RecordBatch, RecordBatchStreamWriter } from "apache-arrow";
import * as pq from "parquet-wasm";

/** Parquet layout knobs; the defaults are what Security Lake and Athena read well. */
export interface ParquetLayout {
  /** Rows per row group (default 65,536: ~2–5 MB compressed for OCSF events, far under 256 MB). */
  readonly rowGroupRows?: number;
  /** Uncompressed data page limit in bytes (default 1 MiB, the ceiling). */
  readonly dataPageBytes?: number;
  /** Column-chunk min/max/null-count statistics (default on; costs ~3% time, see README Performance). */
  readonly statistics?: boolean;
}

export const DEFAULT_ROW_GROUP_ROWS = 65_536;

/**
 * Writer properties: ZSTD on every column, Parquet format v1 pages (what Athena's and Glue's readers
 * handle everywhere), no dictionary (with ~900 mostly-null columns every column would get a dictionary
 * page per row group and the file doubles: TOOLCHAIN-NOTES.md). parquet-wasm writes Arrow timestamp(ms)
 * as INT64 TIMESTAMP(MILLIS) and lists as the standard 3-level LIST because our list children are
 * named "element".
 */
export function writerProperties(layout: ParquetLayout = {}): pq.WriterProperties {
  return new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.ZSTD)
    .setDictionaryEnabled(false)
    .setWriterVersion(pq.WriterVersion.V1)
    .setMaxRowGroupSize(layout.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS)
    .setDataPageSizeLimit(layout.dataPageBytes ?? 1024 * 1024)
    .setStatisticsEnabled(
      layout.statistics === false ? pq.EnabledStatistics.None : pq.EnabledStatistics.Chunk,
    )
    .setCreatedBy("seclake-pipelines (parquet-wasm 0.8.0)")
    .build();
}

/** Hands one Arrow JS record batch to wasm memory through an IPC stream (the batch is copied once). */
function toWasm(batch: RecordBatch): pq.RecordBatch {
  const ipc = RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
  const table = pq.Table.fromIPCStream(ipc);
  const out = table.recordBatch(0);
  table.free();
  if (!out) throw new Error("parquet-wasm returned no record batch for a non-empty IPC stream");
  return out;
}

/**
 * Streams record batches into one Parquet file's bytes. Batches are pulled one at a time, only when the
 * writer wants the next one, so memory holds one batch plus the row group being encoded — never the file.
 */
export async function* parquetBytes(
  batches: AsyncIterator<RecordBatch>,
  layout: ParquetLayout = {},
): AsyncGenerator<Uint8Array> {
  const input = new ReadableStream<pq.RecordBatch>(
    {
      async pull(controller) {
        const next = await batches.next();
        if (next.done) controller.close();
        else controller.enqueue(toWasm(next.value));
      },
    },
    { highWaterMark: 0 },
  );
  const output = (await pq.transformParquetStream(
    input,
    writerProperties(layout),
  )) as ReadableStream<Uint8Array>;
  const reader = output.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
