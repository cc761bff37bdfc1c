import { closeSync, openSync, readSync } from "node:fs";
import { InputError, preview, SchemaError } from "../errors.ts";
import type { ObjectUpload, ObjectWriter } from "../ports.ts";
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
import { indexNdjson, type NdjsonIndex, PartIndexer } from "./ndjsonIndex.ts";
import { fileLayout, type ParquetLayout, parquetBytes } from "./parquetStream.ts";
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

/**
 * NDJSON held as parts, e.g. the objects the Map step staged (each up to ~64 MiB), read whole. Events
 * are in part order, then line order (the tie-break for equal `time`s). Pass 1 reads every part once;
 * pass 2 reads them again through a cache of whole parts, so time-ordered input reads each part twice
 * in all and memory stays within the cache bound (plus the part in use); any order still works.
 */
export interface StagedParts {
  /** Part keys, in input order; errors name `<key>:<line in that part>`. */
  readonly parts: readonly string[];
  /** The whole part; rejects when it cannot be read. */
  read(key: string): Promise<Uint8Array>;
  /** Parts the pass-2 cache keeps (default 3). */
  readonly maxCachedParts?: number;
  /** Bytes the pass-2 cache keeps (default 256 MiB); the part being read stays even when larger. */
  readonly maxCachedBytes?: number;
}

export interface ConvertOptions {
  /** OCSF NDJSON: a local file path (read at random in pass 2), or staged parts. */
  readonly input: string | StagedParts;
  /** Names a file input in error messages (default: the path); staged parts are named by their keys. */
  readonly inputName?: string;
  /** Every event must have this `class_uid`. */
  readonly classUid: number;
  readonly customSource: string;
  readonly region: string;
  readonly accountId: string;
  /** Default: the first 16 hex digits of the input's sha256 (same input → same keys). */
  readonly windowId?: string;
  /** The source's location in the lake bucket, ending in "/" (default `ext/<customSource>/`). */
  readonly lakePrefix?: string;
  readonly writer: ObjectWriter;
  /**
   * Removes a committed file when a later one fails (a local directory: nothing partial is presented as
   * done). Absent for the lake, where the provider role may not delete: see `convertOcsf`.
   */
  readonly removeOnFailure?: (key: string) => Promise<void>;
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
  /** Partition prefixes written, ascending: `<lakePrefix>region=<r>/accountId=<a>/eventDay=<YYYYMMDD>`. */
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

const DEFAULT_CACHED_PARTS = 3;
const DEFAULT_CACHED_BYTES = 256 * 1024 * 1024;

/**
 * Converts OCSF NDJSON of one class into ZSTD Parquet files in the Security Lake layout
 * (`<lakePrefix>region=<r>/accountId=<a>/eventDay=<YYYYMMDD>/<windowId>-<part>.parquet`).
 *
 * Afterwards, on success: every event is in exactly one file, in the partition of its `time`'s UTC day,
 * files hold rows sorted by `time` (ties in input order). Empty input writes nothing (`rows: 0`).
 * Keys and file contents are a pure function of the input, the window id and the limits (the Parquet
 * bytes are deterministic), so a retry of the same window overwrites exactly the same objects with the
 * same bytes.
 * On failure (bad JSON, another class, a wrong type, a read or write error): throws, naming `input:line`
 * (`<part key>:<line>` for staged parts) and the field path, after aborting the open upload. With
 * `removeOnFailure`, the files this run had already committed are removed too (nothing partial is left);
 * without it (the lake, where deletes are denied), they stay and nothing is deleted: the retry rewrites
 * them as above.
 *
 * Memory does not hold the events: a first pass keeps ~28 bytes per event (part, offset, length,
 * line, time); the second reads events in time order from the file or the part cache and streams record
 * batches of `batchRows` rows into the Parquet writer. Nothing is written to local disk but the output.
 */
export async function convertOcsf(options: ConvertOptions): Promise<ConvertSummary> {
  checkLocation(locationOf(options, options.windowId ?? "default"));
  const schema = defaultClassSchema(options.classUid);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const input =
    typeof options.input === "string"
      ? fileInput(options.input, options.inputName ?? options.input)
      : await stagedInput(options.input);
  try {
    return await convertIndexed(input, schema.classUid, options, limits);
  } finally {
    input.close();
  }
}

type Limits = typeof DEFAULT_LIMITS & ConvertLimits;

function locationOf(options: ConvertOptions, windowId: string): LakeLocation {
  const { customSource, region, accountId, lakePrefix } = options;
  return {
    customSource,
    region,
    accountId,
    windowId,
    ...(lakePrefix === undefined ? {} : { prefix: lakePrefix }),
  };
}

async function convertIndexed(
  input: IndexedInput,
  classUid: number,
  options: ConvertOptions,
  limits: Limits,
): Promise<ConvertSummary> {
  const { index } = input;
  const location = locationOf(options, options.windowId ?? index.sha256.slice(0, 16));
  checkLocation(location);
  const plan = planFiles(index, location, limits);
  const files: ConvertedFile[] = [];
  let upload: ObjectUpload | undefined;
  try {
    for (const file of plan) {
      upload = await options.writer.begin(file.key, { contentType: "application/vnd.apache.parquet" });
      const batches = eventBatches(file.rows, input, classUid, limits.batchRows);
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      for await (const chunk of parquetBytes(batches, fileLayout(limits, file.rows.length))) {
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
    const remove = options.removeOnFailure;
    if (remove) for (const written of files) await remove(written.key).catch(() => undefined);
    throw error;
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
  input: IndexedInput,
  classUid: number,
  batchRows: number,
): AsyncGenerator<Uint8Array> {
  const { index } = input;
  const builder = new BatchBuilder(defaultClassSchema(classUid));
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    let text = input.text(i);
    if (typeof text !== "string") text = await text;
    let event: unknown;
    try {
      event = mayHoldBigInteger(text) ? parseJsonPrecise(text) : JSON.parse(text);
    } catch (error) {
      throw new InputError(`${input.where(i)}: not valid JSON (${(error as Error).message})`);
    }
    const got = (event as { class_uid?: unknown }).class_uid;
    if (got !== classUid) {
      throw new SchemaError(
        `${input.where(i)}: class_uid: expected ${classUid} (one class per custom source), got ${preview(got)}`,
      );
    }
    if ((event as { time?: unknown }).time !== index.times[i]) {
      // The first pass read `time` with a byte scanner; a duplicated key could make them disagree.
      throw new SchemaError(`${input.where(i)}: time: ambiguous (is the key repeated?)`);
    }
    try {
      builder.append(event);
    } catch (error) {
      if (error instanceof FieldTypeError) throw new SchemaError(`${input.where(i)}: ${error.describe()}`);
      throw error;
    }
    if (builder.length === batchRows) yield builder.flush();
  }
  if (builder.length > 0) yield builder.flush();
}

/** The input after pass 1: its index, and how pass 2 reads an event back. */
interface IndexedInput {
  readonly index: NdjsonIndex;
  /** Entry i's text: a string when its bytes are at hand, a promise when they must be read first. */
  text(i: number): string | Promise<string>;
  /** `<input>:<line>` of entry i, for error messages. */
  where(i: number): string;
  close(): void;
}

function fileInput(path: string, name: string): IndexedInput {
  const index = indexNdjson(path, name);
  const reader = new LineReader(path);
  return {
    index,
    text: (i) => reader.read(index.offsets[i] as number, index.lengths[i] as number),
    where: (i) => `${name}:${index.lines[i]}`,
    close: () => reader.close(),
  };
}

async function stagedInput(staged: StagedParts): Promise<IndexedInput> {
  const indexer = new PartIndexer();
  const sizes: number[] = [];
  for (const key of staged.parts) {
    const bytes = await staged.read(key);
    sizes.push(bytes.length);
    indexer.add(bytes, key);
  }
  const index = indexer.finish();
  const cache = new PartCache(staged, sizes);
  const slice = (buf: Buffer, i: number) => {
    const at = index.offsets[i] as number;
    return buf.toString("utf8", at, at + (index.lengths[i] as number));
  };
  return {
    index,
    text: (i) => {
      const part = index.parts[i] as number;
      const held = cache.held(part);
      return held ? slice(held, i) : cache.load(part).then((buf) => slice(buf, i));
    },
    where: (i) => `${staged.parts[index.parts[i] as number]}:${index.lines[i]}`,
    close: () => cache.clear(),
  };
}

/**
 * Whole parts for pass 2, least recently used evicted beyond the part or byte bound (the part just
 * loaded always stays). Rows of one part mostly follow each other, so the last part is checked first.
 */
class PartCache {
  private readonly parts = new Map<number, Buffer>();
  private bytes = 0;
  private last = -1;
  private lastBuf: Buffer | undefined;
  private readonly maxParts: number;
  private readonly maxBytes: number;

  constructor(
    private readonly staged: StagedParts,
    private readonly sizes: readonly number[],
  ) {
    this.maxParts = Math.max(1, staged.maxCachedParts ?? DEFAULT_CACHED_PARTS);
    this.maxBytes = staged.maxCachedBytes ?? DEFAULT_CACHED_BYTES;
  }

  /** The part's bytes when cached (now the most recently used), else undefined. */
  held(part: number): Buffer | undefined {
    if (part === this.last) return this.lastBuf;
    const buf = this.parts.get(part);
    if (buf) this.use(part, buf);
    return buf;
  }

  async load(part: number): Promise<Buffer> {
    const key = this.staged.parts[part] as string;
    const bytes = await this.staged.read(key);
    if (bytes.length !== this.sizes[part]) {
      // The index's offsets hold only for the bytes pass 1 saw.
      throw new Error(
        `${key}: changed between the two reads (${this.sizes[part]} bytes, then ${bytes.length})`,
      );
    }
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    this.parts.set(part, buf);
    this.bytes += buf.length;
    this.use(part, buf);
    for (const [old, oldBuf] of this.parts) {
      if (old === part || (this.parts.size <= this.maxParts && this.bytes <= this.maxBytes)) break;
      this.parts.delete(old);
      this.bytes -= oldBuf.length;
    }
    return buf;
  }

  clear(): void {
    this.parts.clear();
    this.bytes = 0;
    this.last = -1;
    this.lastBuf = undefined;
  }

  /** Moves the part to the most recently used end (Map order is insertion order). */
  private use(part: number, buf: Buffer): void {
    this.parts.delete(part);
    this.parts.set(part, buf);
    this.last = part;
    this.lastBuf = buf;
  }
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
