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
  for (const seg of segments) {
    if (seg === "__proto__" || seg === "constructor" || seg === "prototype") {
      throw new Error(`path ${JSON.stringify(path)} uses the reserved key "${seg}"`);
    }
  }
  return segments;
}

export type Getter = (root: unknown) => unknown;

const literal = (seg: Segment) => (typeof seg === "number" ? String(seg) : JSON.stringify(seg));

/**
 * JavaScript statements that put in variable `into` the value at `segments` below variable `from`, or
 * undefined when any step is missing or of the wrong kind. Keys are quoted as JSON: segments come from
 * parsed mapping paths, and no event text reaches generated code.
 */
export function getterSource(segments: readonly Segment[], from: string, into: string): string {
  let code = "";
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i] as Segment;
    const test =
      typeof seg === "number"
        ? `Array.isArray(${into})`
        : `${into} !== null && typeof ${into} === "object" && !Array.isArray(${into})`;
    code = `if (${test}) { ${into} = ${into}[${literal(seg)}]; ${code} } else ${into} = undefined;`;
  }
  return `${into} = ${from}; ${code}`;
}

/**
 * A getter for `segments`: undefined when any step is missing or of the wrong kind. Generated like the
 * setters below (literal keys), so each path has its own property-load sites.
 */
export function compileGetter(segments: readonly Segment[]): Getter {
  return new Function("r", `let x; ${getterSource(segments, "r", "x")} return x;`) as Getter;
}

export type Setter = (root: Record<string, unknown>, value: unknown) => void;

/**
 * A block that stores `value` at `segments` below `root`, creating the objects and arrays on the way
 * (`resources[0].name`).
 */
export function setterSource(segments: readonly Segment[], root: string, value: string): string {
  const body: string[] = [`let x = ${root}, y;`];
  for (let i = 0; i < segments.length - 1; i++) {
    const here = `[${literal(segments[i] as Segment)}]`;
    const fresh = typeof segments[i + 1] === "number" ? "[]" : "{}";
    body.push(
      `y = x${here};`,
      `if (y === null || typeof y !== "object") { y = ${fresh}; x${here} = y; }`,
      "x = y;",
    );
  }
  body.push(`x[${literal(segments[segments.length - 1] as Segment)}] = ${value};`);
  return `{ ${body.join(" ")} }`;
}

/**
 * A setter that creates the objects and arrays on the way (`resources[0].name`).
 *
 * Generated as one small function per path with the keys as string literals (the segments are parsed
 * and JSON-quoted; no event text reaches the generator). Why: V8 turns an object into a slow dictionary
 * after about a dozen properties added through computed keys (`obj[key] = v`), and an OCSF event has 20-40
 * top-level attributes; literal keys are named stores, so events keep fast properties, which makes
 * validation and JSON.stringify of every event about twice as fast.
 */
export function compileSetter(segments: readonly Segment[]): Setter {
  return new Function("r", "v", setterSource(segments, "r", "v")) as Setter;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Present = carries information: not undefined, null or "". */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}
