import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { InputError } from "../errors.ts";

/**
 * Where each event of NDJSON input is and when it happened: the part it is in (0 for a single file),
 * byte offset and length in that part, 1-based line number in that part and the top-level `time`
 * (epoch ms). 28 bytes per event, so 1M events cost ~28 MB while the events themselves stay where they
 * are; the conversion reads them again in time order.
 */
export interface NdjsonIndex {
  readonly count: number;
  readonly parts: Uint32Array;
  readonly offsets: Float64Array;
  readonly lengths: Uint32Array;
  readonly lines: Uint32Array;
  readonly times: Float64Array;
  /** sha256 (hex) of the input's bytes (the parts' bytes in order): the default window id is derived from it. */
  readonly sha256: string;
}

const CHUNK = 4 << 20;

/**
 * Reads an NDJSON file once, without JSON.parse: splits lines, skips blank ones, and finds each event's
 * top-level `time` with a byte scanner. Throws `InputError` naming `name:line` when a line is not a
 * JSON object with an integer `time`.
 */
export function indexNdjson(path: string, name: string): NdjsonIndex {
  const index = new IndexBuilder();
  const fd = openSync(path, "r");
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let carry = 0; // bytes of an unfinished line at the start of buf
    let base = 0; // file offset of buf[0]
    for (;;) {
      if (carry === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      const read = readSync(fd, buf, carry, buf.length - carry, base + carry);
      if (read > 0) index.hash.update(buf.subarray(carry, carry + read));
      const end = carry + read;
      const eof = read === 0;
      const start = index.scan(buf, end, eof, base, 0, name);
      if (eof) break;
      carry = end - start;
      buf.copy(buf, 0, start, end);
      base += start;
    }
  } finally {
    closeSync(fd);
  }
  return index.finish();
}

/**
 * The same index over input held as parts (e.g. staged objects), added whole and in order: line
 * numbers restart at 1 in each part, and errors name `<part name>:<line>`.
 */
export class PartIndexer {
  private readonly index = new IndexBuilder();
  private part = 0;

  /** Indexes every line of the next part (its last line may lack the newline). */
  add(bytes: Uint8Array, name: string): void {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    this.index.hash.update(buf);
    this.index.line = 0;
    this.index.scan(buf, buf.length, true, 0, this.part++, name);
  }

  finish(): NdjsonIndex {
    return this.index.finish();
  }
}

/** The index's columns, grown by doubling, and the line scanner that fills them. */
class IndexBuilder {
  readonly hash: Hash = createHash("sha256");
  /** Lines seen so far in the current part or file. */
  line = 0;
  private cap = 1024;
  private count = 0;
  private parts = new Uint32Array(this.cap);
  private offsets = new Float64Array(this.cap);
  private lengths = new Uint32Array(this.cap);
  private lines = new Uint32Array(this.cap);
  private times = new Float64Array(this.cap);

  /**
   * Indexes the lines of buf[0, end) that end there (also the last, unterminated one when `eof`); `base`
   * is the offset of buf[0] in the part. Returns where the unfinished line starts (`end` when none).
   */
  scan(buf: Buffer, end: number, eof: boolean, base: number, part: number, name: string): number {
    let start = 0;
    for (;;) {
      let nl = buf.indexOf(10, start);
      if (nl < 0 || nl >= end) {
        if (!eof || start >= end) break;
        nl = end; // last line without a trailing newline
      }
      this.line++;
      let stop = nl;
      if (stop > start && buf[stop - 1] === 13) stop--;
      if (!isBlank(buf, start, stop)) {
        const time = topLevelTime(buf, start, stop);
        if (Number.isNaN(time)) throw badLine(name, this.line, buf.toString("utf8", start, stop));
        this.push(part, base + start, stop - start, time);
      }
      start = nl + 1;
    }
    return Math.min(start, end);
  }

  private push(part: number, offset: number, length: number, time: number): void {
    if (this.count === this.cap) {
      this.cap *= 2;
      this.parts = growU32(this.parts, this.cap);
      this.offsets = growF64(this.offsets, this.cap);
      this.lengths = growU32(this.lengths, this.cap);
      this.lines = growU32(this.lines, this.cap);
      this.times = growF64(this.times, this.cap);
    }
    const i = this.count++;
    this.parts[i] = part;
    this.offsets[i] = offset;
    this.lengths[i] = length;
    this.lines[i] = this.line;
    this.times[i] = time;
  }

  finish(): NdjsonIndex {
    const { count, parts, offsets, lengths, lines, times } = this;
    return { count, parts, offsets, lengths, lines, times, sha256: this.hash.digest("hex") };
  }
}

function isBlank(buf: Buffer, start: number, stop: number): boolean {
  for (let i = start; i < stop; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** Explains why a line has no usable `time`: not JSON, not an object, or `time` missing or wrong. */
function badLine(name: string, line: number, text: string): InputError {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (error) {
    return new InputError(`${name}:${line}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    return new InputError(`${name}:${line}: expected a JSON object (one OCSF event per line)`);
  }
  const time = (event as { time?: unknown }).time;
  const got = time === undefined ? "nothing" : JSON.stringify(time).slice(0, 80);
  return new InputError(`${name}:${line}: time: expected integer epoch milliseconds, got ${got}`);
}

function isWs(c: number | undefined): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * The integer value of the top-level key `time` of the JSON object in buf[start, stop), or NaN. Tracks
 * nesting and skips strings (so `time` inside `raw_data` or a nested object never matches); the value
 * must be a plain integer literal.
 */
export function topLevelTime(buf: Uint8Array, start: number, stop: number): number {
  let i = start;
  while (i < stop && isWs(buf[i])) i++;
  if (buf[i] !== 0x7b) return Number.NaN;
  let depth = 0;
  let expectKey = false;
  for (; i < stop; i++) {
    const c = buf[i];
    if (c === 0x22) {
      const s = i + 1;
      let j = s;
      for (;;) {
        j = buf.indexOf(0x22, j);
        if (j < 0 || j >= stop) return Number.NaN;
        let k = j - 1;
        while (buf[k] === 0x5c) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j++;
      }
      if (
        depth === 1 &&
        expectKey &&
        j - s === 4 &&
        buf[s] === 0x74 &&
        buf[s + 1] === 0x69 &&
        buf[s + 2] === 0x6d &&
        buf[s + 3] === 0x65
      ) {
        return integerAfterColon(buf, j + 1, stop);
      }
      expectKey = false;
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      expectKey = depth === 1;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2c && depth === 1) {
      expectKey = true;
    }
  }
  return Number.NaN;
}

function integerAfterColon(buf: Uint8Array, from: number, stop: number): number {
  let p = from;
  while (p < stop && isWs(buf[p])) p++;
  if (buf[p] !== 0x3a) return Number.NaN;
  p++;
  while (p < stop && isWs(buf[p])) p++;
  let sign = 1;
  if (buf[p] === 0x2d) {
    sign = -1;
    p++;
  }
  let value = 0;
  let digits = 0;
  for (; p < stop; p++) {
    const d = (buf[p] as number) - 0x30;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
    digits++;
  }
  if (digits === 0 || digits > 15) return Number.NaN;
  const next = buf[p];
  if (next !== 0x2c && next !== 0x7d && !isWs(next)) return Number.NaN;
  return sign * value;
}

function growF64(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

function growU32(a: Uint32Array, n: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}
