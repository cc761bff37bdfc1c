/**
 * Dot paths of mapping files: `actor.alternateId`, `target[0].id`, `attributes."source.name"`.
 * Parsed once at load time into segments; getters and setters are closures over the segments, so no path
 * string is split per event.
 */
export type Segment = string | number;

/** Splits a path into keys and indexes; throws Error with a short reason on bad syntax. */
export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  const n = path.length;
  let expectKey = true;
  while (i < n) {
    const ch = path[i];
    if (ch === "[") {
      const close = path.indexOf("]", i);
      const digits = close < 0 ? "" : path.slice(i + 1, close);
      if (!/^\d+$/.test(digits)) throw new Error(`bad index in path ${JSON.stringify(path)}`);
      segments.push(Number(digits));
      i = close + 1;
      expectKey = false;
      continue;
    }
    if (ch === ".") {
      if (expectKey) throw new Error(`empty key in path ${JSON.stringify(path)}`);
      i++;
      expectKey = true;
      continue;
    }
    if (!expectKey) throw new Error(`expected "." or "[" at ${i} in path ${JSON.stringify(path)}`);
    if (ch === '"') {
      const close = path.indexOf('"', i + 1);
      if (close < 0) throw new Error(`unclosed quote in path ${JSON.stringify(path)}`);
      segments.push(path.slice(i + 1, close));
      i = close + 1;
    } else {
      let j = i;
      while (j < n && path[j] !== "." && path[j] !== "[") j++;
      segments.push(path.slice(i, j));
      i = j;
    }
    expectKey = false;
  }
  if (expectKey || segments.length === 0) throw new Error(`path ${JSON.stringify(path)} ends without a key`);
  return segments;
}

export type Getter = (root: unknown) => unknown;

/** A getter for `segments`: undefined when any step is missing or of the wrong kind. */
export function compileGetter(segments: readonly Segment[]): Getter {
  if (segments.length === 1 && typeof segments[0] === "string") {
    const k = segments[0];
    return (root) => (isObject(root) ? root[k] : undefined);
  }
  if (segments.length === 2 && typeof segments[0] === "string" && typeof segments[1] === "string") {
    const [a, b] = segments;
    return (root) => {
      if (!isObject(root)) return undefined;
      const x = root[a];
      return isObject(x) ? x[b] : undefined;
    };
  }
  const segs = [...segments];
  return (root) => {
    let cur: unknown = root;
    for (const seg of segs) {
      if (typeof seg === "number") {
        if (!Array.isArray(cur)) return undefined;
        cur = cur[seg];
      } else {
        if (!isObject(cur)) return undefined;
        cur = cur[seg];
      }
    }
    return cur;
  };
}

export type Setter = (root: Record<string, unknown>, value: unknown) => void;

/** A setter that creates the objects and arrays on the way (`resources[0].name`). */
export function compileSetter(segments: readonly Segment[]): Setter {
  if (segments.length === 1) {
    const k = segments[0] as string;
    return (root, value) => {
      root[k] = value;
    };
  }
  if (segments.length === 2 && typeof segments[0] === "string" && typeof segments[1] === "string") {
    const [a, b] = segments;
    return (root, value) => {
      const x = root[a];
      if (x !== null && typeof x === "object" && !Array.isArray(x)) (x as Record<string, unknown>)[b] = value;
      else root[a] = { [b]: value };
    };
  }
  const segs = [...segments];
  const last = segs.length - 1;
  return (root, value) => {
    let cur: Record<string | number, unknown> = root;
    for (let i = 0; i < last; i++) {
      const seg = segs[i] as Segment;
      let next = cur[seg];
      if (next === undefined || next === null || typeof next !== "object") {
        next = typeof segs[i + 1] === "number" ? [] : {};
        cur[seg] = next;
      }
      cur = next as Record<string | number, unknown>;
    }
    cur[segs[last] as Segment] = value;
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Present = carries information: not undefined, null or "". */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}
