import { preview } from "../errors.ts";
import { USED_PROFILES } from "../ocsf/profiles.ts";
import { IpcBatchSink, schemaMessage } from "./ipc.ts";
import type { ClassSchema, ColumnNode, LeafColumn, ListColumn, StructColumn } from "./schema.ts";

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
    /** Replaces "expected …, got …" when the problem is not a type. */
    readonly problem?: string,
  ) {
    super(`${path}: ${problem ?? `expected ${expected}`}`);
  }

  /** `observables[2].value: expected string, got 5` */
  describe(): string {
    let i = 0;
    const path = this.path.replace(/\[\]/g, () => `[${this.indices[i++] ?? ""}]`);
    if (this.problem) return `${path}: ${this.problem}`;
    return `${path}: expected ${this.expected}, got ${preview(this.got)}`;
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
  private readonly schemaMessage: Uint8Array;
  private rows = 0;
  private flushed = false;
  private last: Uint8Array | undefined;

  constructor(readonly schema: ClassSchema) {
    this.root = new StructBuilder(schema.root);
    this.schemaMessage = schemaMessage(schema.arrow);
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
   * The rows appended since the last flush as an Arrow IPC stream (schema + one record batch); the
   * builder is then empty again. The bytes are valid until the next `flush` (their memory is reused).
   */
  flush(): Uint8Array {
    if (this.flushed) this.root.reset();
    const sink = new IpcBatchSink();
    this.root.emitChildren(this.rows, sink);
    const stream = sink.toStream(this.schemaMessage, this.rows, this.last);
    this.last = stream;
    this.flushed = true;
    this.rows = 0;
    return stream;
  }
}

abstract class ColumnBuilder {
  protected validity: Uint8Array = EMPTY;
  protected valid = 0;
  /** Highest slot index with a value + 1 (slots only ever grow within a batch). */
  protected used = 0;

  abstract set(value: unknown, index: number): void;
  /** Writes this column's field node and buffers (validity first) for `length` slots. */
  abstract emit(length: number, sink: IpcBatchSink): void;
  abstract reset(): void;

  protected markValid(index: number): void {
    if (index >= this.validity.length << 3) this.validity = grow(this.validity, (index >> 3) + 1);
    const byte = index >> 3;
    this.validity[byte] = (this.validity[byte] as number) | (1 << (index & 7));
    this.valid++;
    this.used = index + 1;
  }

  /** Field node + validity buffer; returns false when every slot is null (the caller then emits zeros). */
  protected emitHead(length: number, sink: IpcBatchSink): boolean {
    sink.node(length, length - this.valid);
    const bytes = (length + 7) >> 3;
    if (this.valid === 0) {
      sink.zeros(bytes);
      return false;
    }
    if (this.validity.length < bytes) this.validity = grow(this.validity, bytes);
    sink.buffer(this.validity.subarray(0, bytes));
    return true;
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

function builderFor(node: ColumnNode): ColumnBuilder {
  switch (node.kind) {
    case "struct":
      return new StructBuilder(node);
    case "list":
      return new ListBuilder(node);
    case "utf8":
      return new Utf8Builder(node);
    case "json":
      return new JsonBuilder(node);
    case "int32":
      return new Int32Builder(node);
    case "int64":
      return new Int64Builder(node);
    case "timestamp":
      return new TimestampBuilder(node);
    case "float64":
      return new Float64Builder(node);
    case "bool":
      return new BoolBuilder(node);
  }
}

/** Emits an all-null column of `length` slots (and its subtree): zeros only, nothing copied. */
function emitNull(node: ColumnNode, length: number, sink: IpcBatchSink): void {
  sink.node(length, length);
  sink.zeros((length + 7) >> 3);
  switch (node.kind) {
    case "struct":
      for (const child of node.children) emitNull(child, length, sink);
      return;
    case "list":
      sink.zeros(4 * (length + 1));
      emitNull(node.element, 0, sink);
      return;
    case "utf8":
    case "json":
      sink.zeros(4 * (length + 1));
      sink.zeros(0);
      return;
    case "int32":
      sink.zeros(4 * length);
      return;
    case "int64":
    case "timestamp":
    case "float64":
      sink.zeros(8 * length);
      return;
    case "bool":
      sink.zeros((length + 7) >> 3);
      return;
  }
}

class StructBuilder extends ColumnBuilder {
  private readonly byName = new Map<string, ColumnBuilder>();
  private readonly children: ColumnBuilder[];

  constructor(private readonly node: StructColumn) {
    super();
    this.children = node.children.map((child) => builderFor(child));
    node.children.forEach((child, i) => {
      this.byName.set(child.name, this.children[i] as ColumnBuilder);
    });
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
          "",
          undefined,
          `not an attribute of this class in OCSF 1.1.0 (core + ${USED_PROFILES.join("/")} profiles)`,
        );
      }
      child.set(item, index);
    }
  }

  emit(length: number, sink: IpcBatchSink): void {
    if (!this.emitHead(length, sink)) {
      for (const child of this.node.children) emitNull(child, length, sink);
      return;
    }
    this.emitChildren(length, sink);
  }

  /** The children only: the record batch itself is the root struct, with no node of its own. */
  emitChildren(length: number, sink: IpcBatchSink): void {
    for (const child of this.children) child.emit(length, sink);
  }

  reset(): void {
    if (this.valid === 0) return;
    this.resetValidity();
    for (const c of this.children) c.reset();
  }
}

class ListBuilder extends ColumnBuilder {
  private readonly child: ColumnBuilder;
  private slots = new Int32Array(0);
  private ends = new Int32Array(0);
  private count = 0;
  private childLength = 0;

  constructor(private readonly node: ListColumn) {
    super();
    this.child = builderFor(node.element);
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

  emit(length: number, sink: IpcBatchSink): void {
    if (!this.emitHead(length, sink)) {
      sink.zeros(4 * (length + 1));
      emitNull(this.node.element, 0, sink);
      return;
    }
    const offsets = new Int32Array(length + 1);
    let end = 0;
    let k = 0;
    for (let i = 0; i < length; i++) {
      if (k < this.count && this.slots[k] === i) end = this.ends[k++] as number;
      offsets[i + 1] = end;
    }
    sink.buffer(offsets);
    this.child.emit(this.childLength, sink);
  }

  reset(): void {
    if (this.valid === 0) return;
    this.resetValidity();
    this.count = 0;
    this.childLength = 0;
    this.child.reset();
  }
}

class Utf8Builder extends ColumnBuilder {
  protected slots = new Int32Array(0);
  protected strings: string[] = [];

  constructor(protected readonly node: LeafColumn) {
    super();
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

  emit(length: number, sink: IpcBatchSink): void {
    if (!this.emitHead(length, sink)) {
      sink.zeros(4 * (length + 1));
      sink.zeros(0);
      return;
    }
    // One UTF-8 encode per column; per-string byte lengths only when something is not ASCII.
    const n = this.strings.length;
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
    sink.buffer(offsets);
    sink.buffer(data);
  }

  reset(): void {
    if (this.valid === 0) return;
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
  private data = new Int32Array(0);

  constructor(private readonly node: LeafColumn) {
    super();
  }

  set(value: unknown, index: number): void {
    if (typeof value !== "number" || (value | 0) !== value) {
      throw new FieldTypeError(this.node.path, "a 32-bit integer", value);
    }
    if (index >= this.data.length) this.data = grow(this.data, index + 1);
    this.data[index] = value;
    this.markValid(index);
  }

  emit(length: number, sink: IpcBatchSink): void {
    if (!this.emitHead(length, sink)) {
      sink.zeros(4 * length);
      return;
    }
    if (this.data.length < length) this.data = grow(this.data, length);
    sink.buffer(this.data.subarray(0, length));
  }

  reset(): void {
    this.resetValidity();
  }
}

const TWO_32 = 4294967296;

/** 64-bit values kept as pairs of int32 halves (little-endian), so numbers need no BigInt per value. */
class Int64Builder extends ColumnBuilder {
  protected halves = new Int32Array(0);

  constructor(protected readonly node: LeafColumn) {
    super();
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

  emit(length: number, sink: IpcBatchSink): void {
    if (!this.emitHead(length, sink)) {
      sink.zeros(8 * length);
      return;
    }
    if (this.halves.length < 2 * length) this.halves = grow(this.halves, 2 * length);
    sink.buffer(this.halves.subarray(0, 2 * length));
  }

  reset(): void {
    this.resetValidity();
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** The datetime profile's `*_dt`: an RFC 3339 string in, epoch milliseconds out (timestamp(ms, UTC)). */
class TimestampBuilder extends Int64Builder {
  override set(value: unknown, index: number): void {
    const ms = typeof value === "string" && RFC3339.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) throw new FieldTypeError(this.node.path, "an RFC 3339 date-time string", value);
    this.put(ms, index);
  }
}

class Float64Builder extends ColumnBuilder {
  private data = new Float64Array(0);

  constructor(private readonly node: LeafColumn) {
    super();
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

  emit(length: number, sink: IpcBatchSink): void {
    if (!this.emitHead(length, sink)) {
      sink.zeros(8 * length);
      return;
    }
    if (this.data.length < length) this.data = grow(this.data, length);
    sink.buffer(this.data.subarray(0, length));
  }

  reset(): void {
    this.resetValidity();
  }
}

class BoolBuilder extends ColumnBuilder {
  private bits = new Uint8Array(0);

  constructor(private readonly node: LeafColumn) {
    super();
  }

  set(value: unknown, index: number): void {
    if (typeof value !== "boolean") throw new FieldTypeError(this.node.path, "a boolean", value);
    if (index >= this.bits.length << 3) this.bits = grow(this.bits, (index >> 3) + 1);
    if (value) this.bits[index >> 3] = (this.bits[index >> 3] as number) | (1 << (index & 7));
    this.markValid(index);
  }

  emit(length: number, sink: IpcBatchSink): void {
    const bytes = (length + 7) >> 3;
    if (!this.emitHead(length, sink)) {
      sink.zeros(bytes);
      return;
    }
    if (this.bits.length < bytes) this.bits = grow(this.bits, bytes);
    sink.buffer(this.bits.subarray(0, bytes));
  }

  reset(): void {
    if (this.used > 0) this.bits.fill(0, 0, (this.used + 7) >> 3);
    this.resetValidity();
  }
}
