/**
 * Just enough of Thrift's compact protocol to walk a Parquet footer and copy it with some fields left
 * out: read field headers and scalars, skip any value whole, and re-encode field headers (a field id is
 * written as a delta from the previous one, so dropping a field changes the header of the next).
 * Spec: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
 */

/** Compact-protocol type codes (a field's BoolTrue/BoolFalse type carries its value). */
export const CType = {
  Stop: 0,
  BoolTrue: 1,
  BoolFalse: 2,
  Byte: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  Double: 7,
  Binary: 8,
  List: 9,
  Set: 10,
  Map: 11,
  Struct: 12,
} as const;
export type CType = number;

export class ThriftError extends Error {}

/** Structs and containers deeper than this are refused (a footer nests ~6 levels; this bounds recursion). */
const MAX_DEPTH = 64;

export interface FieldHeader {
  readonly id: number;
  readonly type: CType;
}

export class CompactReader {
  pos: number;
  private lastId: number[] = [];
  private current = 0;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
  ) {
    this.pos = start;
  }

  private byte(): number {
    if (this.pos >= this.bytes.length) throw new ThriftError(`truncated at byte ${this.pos}`);
    return this.bytes[this.pos++] as number;
  }

  /** An unsigned LEB128 varint as a number (exact below 2^53: file offsets and lengths are). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ThriftError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A zigzag varint (i16, i32, i64) as a number; exact up to 2^53, which file offsets stay below. */
  zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  binary(): Uint8Array {
    const length = this.varint();
    const end = this.pos + length;
    if (end > this.bytes.length) throw new ThriftError(`binary of ${length} bytes runs past the end`);
    const out = this.bytes.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  beginStruct(): void {
    if (this.lastId.length >= MAX_DEPTH) throw new ThriftError("nesting too deep");
    this.lastId.push(this.current);
    this.current = 0;
  }

  endStruct(): void {
    this.current = this.lastId.pop() ?? 0;
  }

  /** The next field's header, or undefined at the struct's stop byte (which is consumed). */
  field(): FieldHeader | undefined {
    const b = this.byte();
    if (b === CType.Stop) return undefined;
    const delta = b >> 4;
    const id = delta === 0 ? this.zigzag() : this.current + delta;
    this.current = id;
    return { id, type: b & 0x0f };
  }

  /** A list or set header: element type and count. */
  list(): { type: CType; size: number } {
    const b = this.byte();
    const size = b >> 4 === 15 ? this.varint() : b >> 4;
    return { type: b & 0x0f, size };
  }

  /** Skips one value of `type` (a field's bool has no body; a bool element is one byte). */
  skip(type: CType, depth = 0, inField = true): void {
    if (depth > MAX_DEPTH) throw new ThriftError("nesting too deep");
    switch (type) {
      case CType.BoolTrue:
      case CType.BoolFalse:
        if (!inField) this.byte();
        return;
      case CType.Byte:
        this.byte();
        return;
      case CType.I16:
      case CType.I32:
      case CType.I64:
        this.varint();
        return;
      case CType.Double:
        this.advance(8);
        return;
      case CType.Binary:
        this.binary();
        return;
      case CType.List:
      case CType.Set: {
        const { type: element, size } = this.list();
        for (let i = 0; i < size; i++) this.skip(element, depth + 1, false);
        return;
      }
      case CType.Map: {
        const size = this.varint();
        if (size === 0) return;
        const kinds = this.byte();
        for (let i = 0; i < size; i++) {
          this.skip(kinds >> 4, depth + 1, false);
          this.skip(kinds & 0x0f, depth + 1, false);
        }
        return;
      }
      case CType.Struct:
        this.beginStruct();
        for (let f = this.field(); f; f = this.field()) this.skip(f.type, depth + 1);
        this.endStruct();
        return;
      default:
        throw new ThriftError(`unknown compact type ${type} at byte ${this.pos - 1}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.bytes.length) throw new ThriftError(`truncated at byte ${this.pos}`);
    this.pos += n;
  }
}

/** Builds compact-protocol bytes: field headers re-encoded, values copied or written. */
export class CompactWriter {
  private parts: number[] = [];
  private chunks: Uint8Array[] = [];
  private lastId: number[] = [];
  private current = 0;

  private flushBytes(): void {
    if (this.parts.length > 0) {
      this.chunks.push(Uint8Array.from(this.parts));
      this.parts = [];
    }
  }

  byte(b: number): void {
    this.parts.push(b & 0xff);
  }

  varint(n: number): void {
    let v = n;
    while (v >= 0x80) {
      this.parts.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.parts.push(v);
  }

  zigzag(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  /** Appends bytes as they are (a value copied from a reader). */
  raw(bytes: Uint8Array): void {
    this.flushBytes();
    this.chunks.push(bytes);
  }

  binary(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.raw(bytes);
  }

  beginStruct(): void {
    this.lastId.push(this.current);
    this.current = 0;
  }

  /** Writes the stop byte and returns to the enclosing struct's field ids. */
  endStruct(): void {
    this.byte(CType.Stop);
    this.current = this.lastId.pop() ?? 0;
  }

  field(id: number, type: CType): void {
    const delta = id - this.current;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.zigzag(id);
    }
    this.current = id;
  }

  list(type: CType, size: number): void {
    if (size < 15) this.byte((size << 4) | type);
    else {
      this.byte(0xf0 | type);
      this.varint(size);
    }
  }

  finish(): Uint8Array {
    this.flushBytes();
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.chunks = [];
    return out;
  }
}
