import { CompactReader, CompactWriter, CType, ThriftError } from "./thrift.ts";

/**
 * Parts of a finished Parquet file's tail that readers do not need, which arrow-rs (inside parquet-wasm)
 * writes with no setting to leave them out. Each is optional in the format (parquet.thrift), so the file
 * stays spec-valid without it:
 * - `arrowSchema`: the `ARROW:schema` key-value entry (~84 KB for Authentication, any row count). Only
 *   Arrow readers use it, to restore Arrow types the Parquet schema cannot state; ours need none (the
 *   timestamps' UTC adjustment is in the Parquet logical type). DuckDB and Athena read the Parquet schema.
 * - `pageIndex`: the offset index (and column index, when page statistics are on) that sits between the
 *   last row group and the footer, and the ColumnChunk fields that point at it: pruning by page needs
 *   it, and a file with one or a few row groups of mostly-null columns gains nothing from that.
 * - `encodingStats` / `sizeStatistics`: ColumnMetaData 13 (`encoding_stats`) and 16 (`size_statistics`),
 *   per-chunk planning hints that readers fall back from when absent.
 */
export interface FooterTrim {
  readonly arrowSchema?: boolean;
  readonly pageIndex?: boolean;
  readonly encodingStats?: boolean;
  readonly sizeStatistics?: boolean;
}

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"
const ARROW_SCHEMA_KEY = "ARROW:schema";

// parquet.thrift field ids used here.
const FILE_ROW_GROUPS = 4;
const FILE_KEY_VALUE = 5;
const ROW_GROUP_COLUMNS = 1;
const CHUNK_META = 3;
const CHUNK_OFFSET_INDEX_OFFSET = 4;
const CHUNK_OFFSET_INDEX_LENGTH = 5;
const CHUNK_COLUMN_INDEX_OFFSET = 6;
const CHUNK_COLUMN_INDEX_LENGTH = 7;
const META_ENCODING_STATS = 13;
const META_SIZE_STATISTICS = 16;
const KV_KEY = 1;

/** Where the footer is, read from the last 8 bytes of a Parquet file. */
export function footerStart(fileLength: number, tail: Uint8Array): number {
  const n = tail.length;
  if (n < 8 || MAGIC.some((b, i) => tail[n - 4 + i] !== b)) {
    throw new ThriftError("not a Parquet file (no PAR1 at the end)");
  }
  const length = new DataView(tail.buffer, tail.byteOffset + n - 8, 4).getUint32(0, true);
  return fileLength - 8 - length;
}

/**
 * The byte range [start, end) the page index occupies, when every index the footer points at lies in
 * one gap-free run that ends where the footer begins (how arrow-rs lays it out); otherwise undefined,
 * and the page index must stay (something else might share that range).
 */
export function pageIndexRange(
  meta: Uint8Array,
  footerAt: number,
): { start: number; end: number } | undefined {
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  let total = 0;
  let complete = true;
  const r = new CompactReader(meta);
  walkChunks(r, (chunk) => {
    for (const [offset, length] of [chunk.offsetIndex, chunk.columnIndex]) {
      if (offset === undefined && length === undefined) continue;
      if (offset === undefined || length === undefined || offset < 0 || length < 0) {
        complete = false;
        continue;
      }
      start = Math.min(start, offset);
      end = Math.max(end, offset + length);
      total += length;
    }
  });
  if (!complete || total === 0 || end !== footerAt || end - start !== total) return undefined;
  return { start, end };
}

interface ChunkRefs {
  offsetIndex: [number | undefined, number | undefined];
  columnIndex: [number | undefined, number | undefined];
}

/** Reads FileMetaData, calling `visit` with the page-index fields of every ColumnChunk. */
function walkChunks(r: CompactReader, visit: (chunk: ChunkRefs) => void): void {
  r.beginStruct();
  for (let f = r.field(); f; f = r.field()) {
    if (f.id !== FILE_ROW_GROUPS || f.type !== CType.List) {
      r.skip(f.type);
      continue;
    }
    const groups = r.list();
    for (let g = 0; g < groups.size; g++) {
      r.beginStruct();
      for (let gf = r.field(); gf; gf = r.field()) {
        if (gf.id !== ROW_GROUP_COLUMNS || gf.type !== CType.List) {
          r.skip(gf.type);
          continue;
        }
        const chunks = r.list();
        for (let c = 0; c < chunks.size; c++) visit(readChunkRefs(r));
      }
      r.endStruct();
    }
  }
  r.endStruct();
}

function readChunkRefs(r: CompactReader): ChunkRefs {
  const refs: ChunkRefs = { offsetIndex: [undefined, undefined], columnIndex: [undefined, undefined] };
  r.beginStruct();
  for (let f = r.field(); f; f = r.field()) {
    if (f.type === CType.I64 || f.type === CType.I32) {
      const v = r.zigzag();
      if (f.id === CHUNK_OFFSET_INDEX_OFFSET) refs.offsetIndex[0] = v;
      else if (f.id === CHUNK_OFFSET_INDEX_LENGTH) refs.offsetIndex[1] = v;
      else if (f.id === CHUNK_COLUMN_INDEX_OFFSET) refs.columnIndex[0] = v;
      else if (f.id === CHUNK_COLUMN_INDEX_LENGTH) refs.columnIndex[1] = v;
    } else r.skip(f.type);
  }
  r.endStruct();
  return refs;
}

/** FileMetaData (the Thrift bytes between the data and the length + magic) with `trim`'s parts left out. */
export function trimFileMetaData(meta: Uint8Array, trim: FooterTrim): Uint8Array {
  const r = new CompactReader(meta);
  const w = new CompactWriter();
  copyStruct(r, w, (id, type) => {
    if (id === FILE_ROW_GROUPS && type === CType.List)
      return () => copyList(r, w, () => copyRowGroup(r, w, trim));
    if (id === FILE_KEY_VALUE && type === CType.List && trim.arrowSchema) return keyValues(r, w);
    return "copy";
  });
  if (r.pos !== meta.length) throw new ThriftError(`${meta.length - r.pos} bytes after FileMetaData`);
  return w.finish();
}

/**
 * What to do with one field: copy it as it is, drop it, write its value with a function (after the
 * header, which is kept), or `custom`: a function that writes header and value itself, or nothing.
 */
type FieldPlan = "copy" | "drop" | (() => void) | { custom: () => void };

function copyStruct(r: CompactReader, w: CompactWriter, plan: (id: number, type: CType) => FieldPlan): void {
  r.beginStruct();
  w.beginStruct();
  for (let f = r.field(); f; f = r.field()) {
    const what = plan(f.id, f.type);
    if (what === "drop") r.skip(f.type);
    else if (what === "copy") {
      const at = r.pos;
      r.skip(f.type);
      w.field(f.id, f.type);
      w.raw(r.bytes.subarray(at, r.pos));
    } else if (typeof what === "function") {
      w.field(f.id, f.type);
      what();
    } else what.custom();
  }
  r.endStruct();
  w.endStruct();
}

function copyList(r: CompactReader, w: CompactWriter, element: () => void): void {
  const { type, size } = r.list();
  w.list(type, size);
  for (let i = 0; i < size; i++) element();
}

function copyRowGroup(r: CompactReader, w: CompactWriter, trim: FooterTrim): void {
  copyStruct(r, w, (id, type) =>
    id === ROW_GROUP_COLUMNS && type === CType.List
      ? () => copyList(r, w, () => copyChunk(r, w, trim))
      : "copy",
  );
}

function copyChunk(r: CompactReader, w: CompactWriter, trim: FooterTrim): void {
  const trimsMeta = trim.encodingStats || trim.sizeStatistics;
  copyStruct(r, w, (id, type) => {
    if (trim.pageIndex && id >= CHUNK_OFFSET_INDEX_OFFSET && id <= CHUNK_COLUMN_INDEX_LENGTH) return "drop";
    if (id === CHUNK_META && type === CType.Struct && trimsMeta) {
      return () =>
        copyStruct(r, w, (metaId) =>
          (metaId === META_ENCODING_STATS && trim.encodingStats) ||
          (metaId === META_SIZE_STATISTICS && trim.sizeStatistics)
            ? "drop"
            : "copy",
        );
    }
    return "copy";
  });
}

/** The key-value list without `ARROW:schema`; the whole field goes when nothing else is left. */
function keyValues(r: CompactReader, w: CompactWriter): FieldPlan {
  return {
    custom: () => {
      const { type, size } = r.list();
      const kept: Uint8Array[] = [];
      for (let i = 0; i < size; i++) {
        const at = r.pos;
        const key = readKey(r);
        if (key !== ARROW_SCHEMA_KEY) kept.push(r.bytes.subarray(at, r.pos));
      }
      if (kept.length === 0) return;
      w.field(FILE_KEY_VALUE, CType.List);
      w.list(type, kept.length);
      for (const entry of kept) w.raw(entry);
    },
  };
}

/** Reads one KeyValue struct whole and returns its key. */
function readKey(r: CompactReader): string | undefined {
  let key: string | undefined;
  r.beginStruct();
  for (let f = r.field(); f; f = r.field()) {
    if (f.id === KV_KEY && f.type === CType.Binary) key = new TextDecoder().decode(r.binary());
    else r.skip(f.type);
  }
  r.endStruct();
  return key;
}

/**
 * The new end of a Parquet file whose last bytes are `tail` (starting at file offset `tailAt`): the bytes
 * to write in place of `tail`. Returns `tail` itself when nothing is trimmed or the footer is not wholly
 * in `tail`; the page index goes only when it is wholly in `tail` too. Offsets before it do not move.
 */
export function trimTail(tail: Uint8Array, tailAt: number, trim: FooterTrim): Uint8Array[] {
  if (!(trim.arrowSchema || trim.pageIndex || trim.encodingStats || trim.sizeStatistics)) return [tail];
  const fileLength = tailAt + tail.length;
  const metaAt = footerStart(fileLength, tail);
  if (metaAt < tailAt) return [tail];
  const meta = tail.subarray(metaAt - tailAt, tail.length - 8);
  const index = trim.pageIndex ? pageIndexRange(meta, metaAt) : undefined;
  const dropIndex = index !== undefined && index.start >= tailAt;
  const trimmed = trimFileMetaData(meta, { ...trim, pageIndex: dropIndex });
  const end = new Uint8Array(8);
  new DataView(end.buffer).setUint32(0, trimmed.length, true);
  end.set(MAGIC, 4);
  const keep = (dropIndex ? index.start : metaAt) - tailAt;
  return [tail.subarray(0, keep), trimmed, end];
}

/** Bytes held back at the end of the stream: a footer and page index of many row groups fit in it. */
export const DEFAULT_TAIL_BYTES = 8 * 1024 * 1024;

/**
 * Passes a Parquet byte stream through, holding back its last `tailBytes` (whole chunks) so that the
 * footer, which comes last, can be trimmed before it is written: memory holds the tail, never the file.
 * When the footer turns out larger than what was held, or cannot be read, the file is passed on
 * untrimmed: it is what parquet-wasm wrote, valid, only bigger.
 */
export async function* trimParquetStream(
  chunks: AsyncIterable<Uint8Array>,
  trim: FooterTrim,
  tailBytes = DEFAULT_TAIL_BYTES,
): AsyncGenerator<Uint8Array> {
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  let written = 0;
  for await (const chunk of chunks) {
    held.push(chunk);
    heldBytes += chunk.length;
    while (heldBytes - (held[0] as Uint8Array).length >= tailBytes) {
      const first = held.shift() as Uint8Array;
      heldBytes -= first.length;
      written += first.length;
      yield first;
    }
  }
  if (heldBytes === 0) return;
  const tail = held.length === 1 ? (held[0] as Uint8Array) : Buffer.concat(held, heldBytes);
  held.length = 0;
  let parts: Uint8Array[];
  try {
    parts = trimTail(tail, written, trim);
  } catch (error) {
    if (!(error instanceof ThriftError)) throw error;
    parts = [tail];
  }
  for (const part of parts) if (part.length > 0) yield part;
}
