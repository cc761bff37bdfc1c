/**
 * Splits a JSON array into the exact source text of each element, so events are stored byte for byte
 * as the API sent them (JSON.parse + stringify would reformat numbers, escapes and lose big integers).
 * The text must already be valid JSON (the caller parsed it first).
 */
export function rawArrayElements(text: string, key?: string): string[] {
  let i = skipWs(text, 0);
  if (key !== undefined) {
    if (text[i] !== "{") throw new Error("expected a JSON object");
    i = skipWs(text, i + 1);
    for (;;) {
      if (text[i] === "}") throw new Error(`no "${key}" array`);
      const keyEnd = skipString(text, i);
      const name = JSON.parse(text.slice(i, keyEnd)) as string;
      i = skipWs(text, skipWs(text, keyEnd) + 1); // past ':'
      if (name === key) break;
      i = skipWs(text, skipValue(text, i));
      if (text[i] === ",") i = skipWs(text, i + 1);
    }
  }
  if (text[i] !== "[") throw new Error(key ? `"${key}" is not an array` : "expected a JSON array");
  const out: string[] = [];
  i = skipWs(text, i + 1);
  if (text[i] === "]") return out;
  for (;;) {
    const end = skipValue(text, i);
    out.push(text.slice(i, end));
    i = skipWs(text, end);
    if (text[i] === "]") return out;
    i = skipWs(text, i + 1); // past ','
  }
}

function skipWs(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t"))
    i++;
  return i;
}

function skipString(text: string, i: number): number {
  i += 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else i += 1;
  }
  throw new Error("unterminated string");
}

function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    while (i < text.length) {
      const ch = text[i];
      if (ch === '"') {
        i = skipString(text, i);
        continue;
      }
      if (ch === "{" || ch === "[") depth++;
      else if (ch === "}" || ch === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new Error("unterminated value");
  }
  while (i < text.length && !",}] \n\r\t".includes(text[i] as string)) i++;
  return i;
}

/**
 * One line of NDJSON for an element: unchanged unless the API pretty-printed it, in which case the
 * whitespace between tokens is removed (a raw newline can never sit inside a JSON string).
 */
export function oneLine(raw: string): string {
  if (!/[\n\r]/.test(raw)) return raw;
  let out = "";
  for (let i = 0; i < raw.length; ) {
    const c = raw[i] as string;
    if (c === '"') {
      const end = skipString(raw, i);
      out += raw.slice(i, end);
      i = end;
    } else {
      if (c !== " " && c !== "\n" && c !== "\r" && c !== "\t") out += c;
      i++;
    }
  }
  return out;
}
