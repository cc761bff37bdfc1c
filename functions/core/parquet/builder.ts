import {
  Bool,
  type Data,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  RecordBatch,
  Struct,
  Timestamp,
  TimeUnit,
  Utf8,
} from "apache-arrow";
import { preview } from "../errors.ts";
import {
  arrowField,
  type ClassSchema,
  type ColumnNode,
  type LeafColumn,
  type ListColumn,
  type StructColumn,
} from "./schema.ts";

/**
 * A value in an event does not fit its column. `path` is the column's OCSF path with `[]` for list
 * elements; `indices` fills those brackets (outermost first) so the message names the exact element.
 */
export class FieldTypeError extends Error {
  readonly indices: number[] = [];
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly got: unknown,
  ) {
    super(`${path}: expected ${expected}`);
  }

  /** `observables[2].value: expected string, got 5` */
  describe(): string {
    let i = 0;
    const path = this.path.replace(/\[\]/g, () => `[${this.indices[i++] ?? ""}]`);
    const got = this.got === undefined ? "" : `, got ${preview(this.got)}`;
    return `${path}: expected ${this.expected}${got}`;
  }
}

/**
 * Fills Arrow buffers column by column straight from parsed events (no apache-arrow builders): a row
 * costs work only for the values it has, because an untouched slot is already null in a zero-filled
 * validity bitmap, and a null struct leaves its whole subtree null for free (TOOLCHAIN-NOTES.md).
 * Buffers are allocated at a column's first value and reused from batch to batch.
 */
export class BatchBuilder {
  private readonly root: StructBuilder;
  private readonly zeros = new ZeroPool();
  private rows = 0;
  private flushed = false;

  constructor(readonly schema: ClassSchema) {
    this.root = new StructBuilder(schema.root, this.zeros);
  }

  get length(): number {
    return this.rows;
  }

  /** Adds one event (a parsed JSON object). On a FieldTypeError the batch must be discarded. */
  append(event: unknown): void {
    if (this.flushed) {
      this.root.reset();
      this.flushed = false;
    }
    this.root.set(event, this.rows);
    this.rows++;
  }

  /**
   * The rows appended since the last flush as one record batch; the builder is then empty again. The
   * batch shares the builder's buffers: serialise it (e.g. to IPC) before the next `append`.
   */
  flush(): RecordBatch {
    if (this.flushed) this.root.reset();
    this.zeros.reset();
    const data = this.root.finish(this.rows);
    const batch = new RecordBatch(this.schema.arrow, data as Data<Struct>);
    this.flushed = true;
    this.rows = 0;
    return batch;
  }
}

/**
 * Columns with no value in a batch still need buffers of the batch's length. They share one zero-filled
 * block, each with its own window: identical views at one offset made apache-arrow write a corrupt IPC
 * stream (TOOLCHAIN-NOTES.md), so windows never coincide. Nothing ever writes into the block.
 */
class ZeroPool {
  private block = new ArrayBuffer(1 << 20);
  private used = 0;

  reset(): void {
    this.used = 0;
  }

  window(bytes: number): { buffer: ArrayBuffer; offset: number } {
    const size = (Math.max(bytes, 1) + 7) & ~7;
    if (this.used + size > this.block.byteLength) {
      this.block = new ArrayBuffer(Math.max(this.block.byteLength * 2, size * 64));
      this.used = 0;
    }
    const offset = this.used;
    this.used += size;
    return { buffer: this.block, offset };
  }

  bytes(n: number): Uint8Array {
    const w = this.window(n);
    return new Uint8Array(w.buffer, w.offset, n);
  }

  int32(n: number): Int32Array {
    const w = this.window(n * 4);
    return new Int32Array(w.buffer, w.offset, n);
  }

  float64(n: number): Float64Array {
    const w = this.window(n * 8);
    return new Float64Array(w.buffer, w.offset, n);
  }

  bigint64(n: number): BigInt64Array {
    const w = this.window(n * 8);
    return new BigInt64Array(w.buffer, w.offset, n);
  }
}

abstract class ColumnBuilder {
  protected validity: Uint8Array = EMPTY;
  protected valid = 0;
  /** Highest slot index with a value + 1 (slots only ever grow within a batch). */
  protected used = 0;

  constructor(protected readonly zeros: ZeroPool) {}

  abstract set(value: unknown, index: number): void;
  abstract finish(length: number): Data;
  abstract reset(): void;

  protected markValid(index: number): void {
    if (index >= this.validity.length << 3) this.validity = grow(this.validity, (index >> 3) + 1);
    const byte = index >> 3;
    this.validity[byte] = (this.validity[byte] as number) | (1 << (index & 7));
    this.valid++;
    this.used = index + 1;
  }

  protected nullBitmap(length: number): Uint8Array {
    const bytes = (length + 7) >> 3;
    if (this.valid === 0) return this.zeros.bytes(bytes);
    if (this.validity.length < bytes) this.validity = grow(this.validity, bytes);
    return this.validity.subarray(0, bytes);
  }

  protected resetValidity(): void {
    if (this.used > 0) this.validity.fill(0, 0, (this.used + 7) >> 3);
    this.valid = 0;
    this.used = 0;
  }
}

const EMPTY = new Uint8Array(0);

function grow<T extends Uint8Array | Int32Array | Float64Array>(array: T, atLeast: number): T {
  let size = Math.max(array.length * 2, 1024);
  while (size < atLeast) size *= 2;
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}

function builderFor(node: ColumnNode, zeros: ZeroPool): ColumnBuilder {
  switch (node.kind) {
    case "struct":
      return new StructBuilder(node, zeros);
    case "list":
      return new ListBuilder(node, zeros);
    case "utf8":
      return new Utf8Builder(node, zeros);
    case "json":
      return new JsonBuilder(node, zeros);
    case "int32":
      return new Int32Builder(node, zeros);
    case "int64":
      return new Int64Builder(node, zeros, new Int64());
    case "timestamp":
      return new TimestampBuilder(node, zeros);
    case "float64":
      return new Float64Builder(node, zeros);
    case "bool":
      return new BoolBuilder(node, zeros);
  }
}

class StructBuilder extends ColumnBuilder {
  private readonly byName = new Map<string, ColumnBuilder>();
  private readonly children: ColumnBuilder[];
  private readonly type: Struct;

  constructor(
    private readonly node: StructColumn,
    zeros: ZeroPool,
  ) {
    super(zeros);
    this.children = node.children.map((child) => builderFor(child, zeros));
    node.children.forEach((child, i) => {
      this.byName.set(child.name, this.children[i] as ColumnBuilder);
    });
    this.type = new Struct(node.children.map(arrowField));
  }

  set(value: unknown, index: number): void {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new FieldTypeError(this.node.path || "(event)", "an object", value);
    }
    this.markValid(index);
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      if (item === null || item === undefined) continue;
      const child = this.byName.get(key);
      if (child === undefined) {
        const at = this.node.path ? `${this.node.path}.${key}` : key;
        throw new FieldTypeError(
          at,
          "no such attribute in the OCSF class schema (core + used profiles)",
          undefined,
        );
      }
      child.set(item, index);
    }
  }

  finish(length: number): Data {
    const children = this.children.map((c) => c.finish(length));
    return makeData({
      type: this.type,
      length,
      nullCount: length - this.valid,
      nullBitmap: this.nullBitmap(length),
      children,
    });
  }

  reset(): void {
    this.resetValidity();
    for (const c of this.children) c.reset();
  }
}

class ListBuilder extends ColumnBuilder {
  private readonly child: ColumnBuilder;
  private readonly type: List;
  private slots = new Int32Array(0);
  private ends = new Int32Array(0);
  private count = 0;
  private childLength = 0;

  constructor(
    private readonly node: ListColumn,
    zeros: ZeroPool,
  ) {
    super(zeros);
    this.child = builderFor(node.element, zeros);
    this.type = new List(arrowField(node.element));
  }

  set(value: unknown, index: number): void {
    if (!Array.isArray(value)) throw new FieldTypeError(this.node.path, "an array", value);
    this.markValid(index);
    let at = this.childLength;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item !== null && item !== undefined) {
        try {
          this.child.set(item, at);
        } catch (error) {
          if (error instanceof FieldTypeError) error.indices.unshift(i);
          throw error;
        }
      }
      at++;
    }
    this.childLength = at;
    if (this.count === this.slots.length) {
      this.slots = grow(this.slots, this.count + 1);
      this.ends = grow(this.ends, this.count + 1);
    }
    this.slots[this.count] = index;
    this.ends[this.count] = at;
    this.count++;
  }

  finish(length: number): Data {
    const child = this.child.finish(this.childLength);
    let offsets: Int32Array;
    if (this.count === 0) {
      offsets = this.zeros.int32(length + 1);
    } else {
      offsets = new Int32Array(length + 1);
      let end = 0;
      let k = 0;
      for (let i = 0; i < length; i++) {
        if (k < this.count && this.slots[k] === i) end = this.ends[k++] as number;
        offsets[i + 1] = end;
      }
    }
    return makeData({
      type: this.type,
      length,
      nullCount: length - this.valid,
      nullBitmap: this.nullBitmap(length),
      valueOffsets: offsets,
      child,
    });
  }

  reset(): void {
    this.resetValidity();
    this.count = 0;
    this.childLength = 0;
    this.child.reset();
  }
}

class Utf8Builder extends ColumnBuilder {
  private static readonly type = new Utf8();
  protected slots = new Int32Array(0);
  protected strings: string[] = [];

  constructor(
    protected readonly node: LeafColumn,
    zeros: ZeroPool,
  ) {
    super(zeros);
  }

  set(value: unknown, index: number): void {
    if (typeof value !== "string") throw new FieldTypeError(this.node.path, "a string", value);
    this.add(value, index);
  }

  protected add(text: string, index: number): void {
    const n = this.strings.length;
    if (n === this.slots.length) this.slots = grow(this.slots, n + 1);
    this.slots[n] = index;
    this.strings.push(text);
    this.markValid(index);
  }

  finish(length: number): Data {
    const n = this.strings.length;
    if (n === 0) {
      return makeData({
        type: Utf8Builder.type,
        length,
        nullCount: length,
        nullBitmap: this.zeros.bytes((length + 7) >> 3),
        valueOffsets: this.zeros.int32(length + 1),
        data: this.zeros.bytes(0),
      });
    }
    // One UTF-8 encode per column; per-string byte lengths only when something is not ASCII.
    const joined = n === 1 ? (this.strings[0] as string) : this.strings.join("");
    const data = Buffer.from(joined, "utf8");
    const ascii = data.length === joined.length;
    const offsets = new Int32Array(length + 1);
    let end = 0;
    let k = 0;
    for (let i = 0; i < length; i++) {
      if (k < n && this.slots[k] === i) {
        const s = this.strings[k++] as string;
        end += ascii ? s.length : Buffer.byteLength(s, "utf8");
      }
      offsets[i + 1] = end;
    }
    return makeData({
      type: Utf8Builder.type,
      length,
      nullCount: length - this.valid,
      nullBitmap: this.nullBitmap(length),
      valueOffsets: offsets,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    });
  }

  reset(): void {
    this.resetValidity();
    this.strings = [];
  }
}

class JsonBuilder extends Utf8Builder {
  override set(value: unknown, index: number): void {
    const shape = this.node.shape;
    if (shape === "object" && (typeof value !== "object" || Array.isArray(value))) {
      throw new FieldTypeError(this.node.path, "an object", value);
    }
    if (shape === "objects" && !Array.isArray(value)) {
      throw new FieldTypeError(this.node.path, "an array of objects", value);
    }
    this.add(stringifyJson(value), index);
  }
}

/** JSON text of a value; BigInt (from the precise parser) is written as its exact integer literal. */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const text = JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? `\u0000${v}\u0000` : v));
    return text.replace(/"\\u0000(-?\d+)\\u0000"/g, "$1");
  }
}

class Int32Builder extends ColumnBuilder {
  private static readonly type = new Int32();
  private data = new Int32Array(0);

  constructor(
    private readonly node: LeafColumn,
    zeros: ZeroPool,
  ) {
    super(zeros);
  }

  set(value: unknown, index: number): void {
    if (typeof value !== "number" || (value | 0) !== value) {
      throw new FieldTypeError(this.node.path, "a 32-bit integer", value);
    }
    if (index >= this.data.length) this.data = grow(this.data, index + 1);
    this.data[index] = value;
    this.markValid(index);
  }

  finish(length: number): Data {
    if (this.valid === 0) {
      return makeData({
        type: Int32Builder.type,
        length,
        nullCount: length,
        nullBitmap: this.zeros.bytes((length + 7) >> 3),
        data: this.zeros.int32(length),
      });
    }
    if (this.data.length < length) this.data = grow(this.data, length);
    return makeData({
      type: Int32Builder.type,
      length,
      nullCount: length - this.valid,
      nullBitmap: this.nullBitmap(length),
      data: this.data.subarray(0, length),
    });
  }

  reset(): void {
    this.resetValidity();
  }
}

const TWO_32 = 4294967296;

/** 64-bit values kept as pairs of int32 halves (little-endian), so numbers need no BigInt per value. */
class Int64Builder extends ColumnBuilder {
  protected halves = new Int32Array(0);

  constructor(
    protected readonly node: LeafColumn,
    zeros: ZeroPool,
    private readonly type: Int64 | Timestamp,
  ) {
    super(zeros);
  }

  set(value: unknown, index: number): void {
    if (typeof value === "number" && Number.isSafeInteger(value)) this.put(value, index);
    else if (typeof value === "bigint" && BigInt.asIntN(64, value) === value) this.putBig(value, index);
    else throw new FieldTypeError(this.node.path, "a 64-bit integer", value);
  }

  protected put(value: number, index: number): void {
    if (2 * index + 1 >= this.halves.length) this.halves = grow(this.halves, 2 * index + 2);
    const hi = Math.floor(value / TWO_32);
    this.halves[2 * index] = value - hi * TWO_32;
    this.halves[2 * index + 1] = hi;
    this.markValid(index);
  }

  private putBig(value: bigint, index: number): void {
    if (2 * index + 1 >= this.halves.length) this.halves = grow(this.halves, 2 * index + 2);
    new BigInt64Array(this.halves.buffer, this.halves.byteOffset)[index] = value;
    this.markValid(index);
  }

  finish(length: number): Data {
    if (this.valid === 0) {
      return makeData({
        type: this.type,
        length,
        nullCount: length,
        nullBitmap: this.zeros.bytes((length + 7) >> 3),
        data: this.zeros.bigint64(length),
      } as never);
    }
    if (this.halves.length < 2 * length) this.halves = grow(this.halves, 2 * length);
    return makeData({
      type: this.type,
      length,
      nullCount: length - this.valid,
      nullBitmap: this.nullBitmap(length),
      data: new BigInt64Array(this.halves.buffer, this.halves.byteOffset, length),
    } as never);
  }

  reset(): void {
    this.resetValidity();
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

class TimestampBuilder extends Int64Builder {
  constructor(node: LeafColumn, zeros: ZeroPool) {
    super(node, zeros, new Timestamp(TimeUnit.MILLISECOND, "UTC"));
  }

  override set(value: unknown, index: number): void {
    const ms = typeof value === "string" && RFC3339.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) throw new FieldTypeError(this.node.path, "an RFC 3339 date-time string", value);
    this.put(ms, index);
  }
}

class Float64Builder extends ColumnBuilder {
  private static readonly type = new Float64();
  private data = new Float64Array(0);

  constructor(
    private readonly node: LeafColumn,
    zeros: ZeroPool,
  ) {
    super(zeros);
  }

  set(value: unknown, index: number): void {
    let n: number;
    if (typeof value === "number") n = value;
    else if (typeof value === "bigint") n = Number(value);
    else throw new FieldTypeError(this.node.path, "a number", value);
    if (index >= this.data.length) this.data = grow(this.data, index + 1);
    this.data[index] = n;
    this.markValid(index);
  }

  finish(length: number): Data {
    if (this.valid === 0) {
      return makeData({
        type: Float64Builder.type,
        length,
        nullCount: length,
        nullBitmap: this.zeros.bytes((length + 7) >> 3),
        data: this.zeros.float64(length),
      });
    }
    if (this.data.length < length) this.data = grow(this.data, length);
    return makeData({
      type: Float64Builder.type,
      length,
      nullCount: length - this.valid,
      nullBitmap: this.nullBitmap(length),
      data: this.data.subarray(0, length),
    });
  }

  reset(): void {
    this.resetValidity();
  }
}

class BoolBuilder extends ColumnBuilder {
  private static readonly type = new Bool();
  private bits = new Uint8Array(0);

  constructor(
    private readonly node: LeafColumn,
    zeros: ZeroPool,
  ) {
    super(zeros);
  }

  set(value: unknown, index: number): void {
    if (typeof value !== "boolean") throw new FieldTypeError(this.node.path, "a boolean", value);
    if (index >= this.bits.length << 3) this.bits = grow(this.bits, (index >> 3) + 1);
    if (value) this.bits[index >> 3] = (this.bits[index >> 3] as number) | (1 << (index & 7));
    this.markValid(index);
  }

  finish(length: number): Data {
    const bytes = (length + 7) >> 3;
    if (this.valid === 0) {
      return makeData({
        type: BoolBuilder.type,
        length,
        nullCount: length,
        nullBitmap: this.zeros.bytes(bytes),
        data: this.zeros.bytes(bytes),
      });
    }
    if (this.bits.length < bytes) this.bits = grow(this.bits, bytes);
    return makeData({
      type: BoolBuilder.type,
      length,
      nullCount: length - this.valid,
      nullBitmap: this.nullBitmap(length),
      data: this.bits.subarray(0, bytes),
    });
  }

  reset(): void {
    if (this.used > 0) this.bits.fill(0, 0, (this.used + 7) >> 3);
    this.resetValidity();
  }
}
