import { once } from "node:events";
import { closeSync, createWriteStream, openSync, readSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectUpload, ObjectWriter } from "../../adapters/ports.ts";
import { InputError, preview, SchemaError } from "../errors.ts";
import { BatchBuilder, FieldTypeError } from "./builder.ts";
import { mayHoldBigInteger, parseJsonPrecise } from "./json.ts";
import {
  checkLocation,
  dayNumber,
  eventDay,
  type LakeLocation,
  objectKey,
  partitionPrefix,
} from "./layout.ts";
import { indexNdjson, type NdjsonIndex } from "./ndjsonIndex.ts";
import { type ParquetLayout, parquetBytes } from "./parquetStream.ts";
import { defaultClassSchema } from "./schema.ts";

/** When a file is closed and the next part of the partition started, and how big a record batch is. */
export interface ConvertLimits extends ParquetLayout {
  /** Rows per Parquet file (default 1,000,000). */
  readonly maxRowsPerFile?: number;
  /** NDJSON bytes per Parquet file, a stand-in for the uncompressed size (default 256 MiB). */
  readonly maxBytesPerFile?: number;
  /** Rows per Arrow record batch handed to the writer (default 1,024): bounds memory (README, Performance). */
  readonly batchRows?: number;
}

export interface ConvertOptions {
  /** OCSF NDJSON: a local file path, or the lines (spilled to a temp file, since sorting reads them twice). */
  readonly input: string | AsyncIterable<string>;
  /** Names the input in error messages (default: the path, or "input"). */
  readonly inputName?: string;
  /** Every event must have this `class_uid`. */
  readonly classUid: number;
  readonly customSource: string;
  readonly region: string;
  readonly accountId: string;
  /** Default: the first 16 hex digits of the input's sha256 (same input → same keys). */
  readonly windowId?: string;
  readonly writer: ObjectWriter;
  readonly limits?: ConvertLimits;
}

export interface ConvertedFile {
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
  /** `YYYYMMDD` (UTC) of every event in the file. */
  readonly eventDay: string;
}

export interface ConvertSummary {
  readonly rows: number;
  readonly files: ConvertedFile[];
  /** Partition prefixes written, ascending: `ext/<source>/region=<r>/accountId=<a>/eventDay=<YYYYMMDD>`. */
  readonly partitions: string[];
  readonly bytes: number;
  readonly windowId: string;
}

export const DEFAULT_LIMITS: Readonly<
  Required<Pick<ConvertLimits, "maxRowsPerFile" | "maxBytesPerFile" | "batchRows">>
> = {
  maxRowsPerFile: 1_000_000,
  maxBytesPerFile: 256 * 1024 * 1024,
  batchRows: 1_024,
};

/**
 * Converts OCSF NDJSON of one class into ZSTD Parquet files in the Security Lake layout
 * (`ext/<source>/region=<r>/accountId=<a>/eventDay=<YYYYMMDD>/<windowId>-<part>.parquet`).
 *
 * Afterwards, on success: every event is in exactly one file, in the partition of its `time`'s UTC day,
 * files hold rows sorted by `time` (ties in input order), and keys depend only on the window id and the
 * data, so a retry overwrites the same objects. Empty input writes nothing (`rows: 0`).
 * On failure (bad JSON, another class, a wrong type, a write error): throws `InputError`/`SchemaError`
 * naming `input:line` and the field path, after aborting the open upload and deleting the files this run
 * had already committed — nothing partial is left.
 *
 * Memory does not hold the events: a first pass keeps ~24 bytes per event (offset, length,
 * line, time); the second reads events in time order from the file and streams record batches of
 * `batchRows` rows into the Parquet writer.
 */
export async function convertOcsf(options: ConvertOptions): Promise<ConvertSummary> {
  checkLocation({ ...options, windowId: options.windowId ?? "default" });
  const schema = defaultClassSchema(options.classUid);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  if (typeof options.input === "string") {
    return convertFile(options.input, options.inputName ?? options.input, schema.classUid, options, limits);
  }
  const dir = await mkdtemp(join(tmpdir(), "seclake-convert-"));
  try {
    const path = join(dir, "input.ndjson");
    await spill(options.input, path);
    return await convertFile(path, options.inputName ?? "input", schema.classUid, options, limits);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type Limits = typeof DEFAULT_LIMITS & ConvertLimits;

async function convertFile(
  path: string,
  name: string,
  classUid: number,
  options: ConvertOptions,
  limits: Limits,
): Promise<ConvertSummary> {
  const index = indexNdjson(path, name);
  const location: LakeLocation = {
    customSource: options.customSource,
    region: options.region,
    accountId: options.accountId,
    windowId: options.windowId ?? index.sha256.slice(0, 16),
  };
  checkLocation(location);
  const plan = planFiles(index, location, limits);
  const files: ConvertedFile[] = [];
  const reader = new LineReader(path);
  let upload: ObjectUpload | undefined;
  try {
    for (const file of plan) {
      upload = await options.writer.begin(file.key, { contentType: "application/vnd.apache.parquet" });
      const batches = eventBatches(file.rows, index, reader, name, classUid, limits.batchRows);
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      for await (const chunk of parquetBytes(batches, limits)) {
        // parquet-wasm yields many small pieces; hand the writer ~1 MiB at a time.
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= 1 << 20) {
          await upload.write(Buffer.concat(pending, pendingBytes));
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pendingBytes > 0) await upload.write(Buffer.concat(pending, pendingBytes));
      const bytes = await upload.commit();
      upload = undefined;
      files.push({ key: file.key, rows: file.rows.length, bytes, eventDay: file.eventDay });
    }
  } catch (error) {
    await upload?.abort().catch(() => undefined);
    for (const written of files) await options.writer.delete(written.key).catch(() => undefined);
    throw error;
  } finally {
    reader.close();
  }
  const partitions = [...new Set(plan.map((f) => partitionPrefix(location, f.eventDay)))];
  return {
    rows: index.count,
    files,
    partitions,
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    windowId: location.windowId,
  };
}

interface PlannedFile {
  readonly key: string;
  readonly eventDay: string;
  /** Index entries in the order they are written (time, then line). */
  readonly rows: Uint32Array;
}

/**
 * Groups events by UTC day, orders each day by (time, line) and cuts it into files at the row and
 * byte limits. Everything is decided from the index before the first byte is written, so the number
 * of files and their keys are a pure function of the input and the limits.
 */
function planFiles(index: NdjsonIndex, location: LakeLocation, limits: Limits): PlannedFile[] {
  // Typed arrays, counted first: a JS array per day would cost ~16 bytes per event more at peak.
  const counts = new Map<number, number>();
  for (let i = 0; i < index.count; i++) {
    const day = dayNumber(index.times[i] as number);
    counts.set(day, (counts.get(day) ?? 0) + 1);
  }
  const byDay = new Map<number, { rows: Uint32Array; filled: number }>();
  for (const [day, n] of counts) byDay.set(day, { rows: new Uint32Array(n), filled: 0 });
  for (let i = 0; i < index.count; i++) {
    const slot = byDay.get(dayNumber(index.times[i] as number)) as { rows: Uint32Array; filled: number };
    slot.rows[slot.filled++] = i;
  }
  const times = index.times;
  const plan: PlannedFile[] = [];
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    const rows = (byDay.get(day) as { rows: Uint32Array }).rows;
    if (!isSorted(rows, times)) rows.sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
    const dayText = eventDay(day);
    let part = 0;
    let start = 0;
    while (start < rows.length) {
      let end = start;
      let bytes = 0;
      while (end < rows.length && end - start < limits.maxRowsPerFile) {
        const size = index.lengths[rows[end] as number] as number;
        if (end > start && bytes + size > limits.maxBytesPerFile) break;
        bytes += size;
        end++;
      }
      plan.push({
        key: objectKey(location, dayText, part),
        eventDay: dayText,
        rows: rows.subarray(start, end),
      });
      part++;
      start = end;
    }
  }
  return plan;
}

function isSorted(rows: Uint32Array, times: Float64Array): boolean {
  for (let i = 1; i < rows.length; i++) {
    if ((times[rows[i] as number] as number) < (times[rows[i - 1] as number] as number)) return false;
  }
  return true;
}

/** Parses, checks and builds the events of one file into record batches, lazily (one batch at a time). */
async function* eventBatches(
  rows: Uint32Array,
  index: NdjsonIndex,
  reader: LineReader,
  name: string,
  classUid: number,
  batchRows: number,
): AsyncGenerator<Uint8Array> {
  const builder = new BatchBuilder(defaultClassSchema(classUid));
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    const line = index.lines[i] as number;
    const text = reader.read(index.offsets[i] as number, index.lengths[i] as number);
    let event: unknown;
    try {
      event = mayHoldBigInteger(text) ? parseJsonPrecise(text) : JSON.parse(text);
    } catch (error) {
      throw new InputError(`${name}:${line}: not valid JSON (${(error as Error).message})`);
    }
    const got = (event as { class_uid?: unknown }).class_uid;
    if (got !== classUid) {
      throw new SchemaError(
        `${name}:${line}: class_uid: expected ${classUid} (one class per custom source), got ${preview(got)}`,
      );
    }
    if ((event as { time?: unknown }).time !== index.times[i]) {
      // The first pass read `time` with a byte scanner; a duplicated key could make them disagree.
      throw new SchemaError(`${name}:${line}: time: ambiguous (is the key repeated?)`);
    }
    try {
      builder.append(event);
    } catch (error) {
      if (error instanceof FieldTypeError) throw new SchemaError(`${name}:${line}: ${error.describe()}`);
      throw error;
    }
    if (builder.length === batchRows) yield builder.flush();
  }
  if (builder.length > 0) yield builder.flush();
}

/** Random-access reads of lines, through an 8 MiB window so that time-ordered input reads sequentially. */
class LineReader {
  private readonly fd: number;
  private buf = Buffer.allocUnsafe(8 << 20);
  private start = 0;
  private end = 0;

  constructor(path: string) {
    this.fd = openSync(path, "r");
  }

  read(offset: number, length: number): string {
    if (offset < this.start || offset + length > this.end) {
      if (length > this.buf.length) this.buf = Buffer.allocUnsafe(length);
      const n = readSync(this.fd, this.buf, 0, this.buf.length, offset);
      this.start = offset;
      this.end = offset + n;
    }
    const at = offset - this.start;
    return this.buf.toString("utf8", at, at + length);
  }

  close(): void {
    closeSync(this.fd);
  }
}

async function spill(lines: AsyncIterable<string>, path: string): Promise<void> {
  const out = createWriteStream(path);
  try {
    for await (const line of lines) {
      const text = line.endsWith("\n") ? line : `${line}\n`;
      if (!out.write(text)) await once(out, "drain");
    }
  } finally {
    out.end();
    await once(out, "close");
  }
}
