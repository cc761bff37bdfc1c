/**
 * JSON.parse turns integers beyond 2^53 into the nearest double, silently changing a 64-bit id. Node 20
 * has no reviver source text (Node 22 does), so lines that may hold such an integer are parsed here
 * instead: the same values as JSON.parse, except integers outside the safe range become BigInt.
 */

/** True when the line may contain an integer literal of 16+ digits (a cheap, conservative check). */
export function mayHoldBigInteger(line: string): boolean {
  return BIG_INTEGER.test(line);
}
const BIG_INTEGER = /[:[,]\s*-?\d{16,}/;

/** Parses one JSON text; integers that are not safe JS integers come back as BigInt. Throws SyntaxError. */
export function parseJsonPrecise(text: string): unknown {
  const parser = new Parser(text);
  parser.ws();
  const value = parser.value();
  parser.ws();
  if (parser.pos !== text.length) parser.fail();
  return value;
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(): never {
    throw new SyntaxError(`Unexpected token in JSON at position ${this.pos}`);
  }

  ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      this.pos++;
    }
  }

  value(): unknown {
    const c = this.text[this.pos];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail();
  }

  object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.ws();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail();
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ":") this.fail();
      this.pos++;
      this.ws();
      out[key] = this.value();
      this.ws();
      const c = this.text[this.pos++];
      if (c === "}") return out;
      if (c !== ",") this.fail();
    }
  }

  array(): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.ws();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.text[this.pos++];
      if (c === "]") return out;
      if (c !== ",") this.fail();
    }
  }

  string(): string {
    // Find the closing quote, then let JSON.parse decode escapes exactly as it always does.
    const start = this.pos;
    let i = start + 1;
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(i);
      if (Number.isNaN(c)) this.fail();
      if (c === 92) i += 2;
      else if (c === 34) break;
      else i++;
    }
    this.pos = i + 1;
    return JSON.parse(t.slice(start, i + 1)) as string;
  }

  number(): number | bigint {
    const match = NUMBER.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match) return this.fail();
    const literal = match[0];
    this.pos += literal.length;
    const value = Number(literal);
    if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(value)) return BigInt(literal);
    return value;
  }
}

const LITERALS: ReadonlyArray<readonly [string, unknown]> = [
  ["true", true],
  ["false", false],
  ["null", null],
];
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/;
