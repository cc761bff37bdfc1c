import { ConfigError } from "../errors.ts";
import { USED_PROFILES } from "../ocsf/profiles.ts";
import { ocsf } from "../ocsf/schema.ts";
import type { OcsfAttribute, OcsfClass, OcsfObject } from "../ocsf/types.ts";
import { type ConsumeNode, GuardedScope } from "./consumption.ts";
import type { FieldSpec, FieldSpecObject, TableSpec } from "./mappingFile.ts";
import { formatKeyPath } from "./mappingFile.ts";
import {
  compileGetter,
  compileSetter,
  type Getter,
  getterSource,
  isObject,
  isPresent,
  parsePath,
  type Segment,
  setterSource,
} from "./paths.ts";
import { compileTransforms } from "./transforms.ts";

/** Writes the fields of one spec list from `src` into `out`. */
export type FieldsFn = (src: unknown, out: Record<string, unknown>) => void;

/** Attributes the engine fills; a mapping file writing one is a load error (mappings/README.md). */
const ENGINE_TOP = new Set([
  "class_uid",
  "class_name",
  "category_uid",
  "category_name",
  "type_uid",
  "type_name",
]);
ENGINE_TOP.add("time").add("raw_data").add("unmapped");
const ENGINE_METADATA = new Set(["version", "product", "uid", "original_time", "profiles"]);

/** A compiled lookup table: exact keys, then `*` patterns in file order; results cached per key. */
export class Table {
  private readonly exact = new Map<string, unknown>();
  private readonly patterns: { re: RegExp; value: unknown }[] = [];
  private readonly cache = new Map<string, unknown>();
  readonly fallback: unknown;

  constructor(spec: TableSpec) {
    for (const [key, value] of Object.entries(spec.values)) {
      if (key.includes("*")) this.patterns.push({ re: wildcard(key), value });
      else this.exact.set(key, value);
    }
    this.fallback = spec.default;
  }

  /** The value for `key` (looked up by its text), the default, or undefined. */
  lookup(key: unknown): unknown {
    if (typeof key !== "string" && typeof key !== "number" && typeof key !== "boolean") return this.fallback;
    const text = String(key);
    const hit = this.exact.get(text);
    if (hit !== undefined) return hit;
    if (this.patterns.length === 0) return this.fallback;
    if (this.cache.has(text)) return this.cache.get(text);
    let found = this.fallback;
    for (const p of this.patterns) {
      if (p.re.test(text)) {
        found = p.value;
        break;
      }
    }
    // Event types are a small set; the bound only protects against a hostile stream of distinct keys.
    if (this.cache.size < 10_000) this.cache.set(text, found);
    return found;
  }
}

/** `user.authentication.*` → an anchored RegExp in which `*` matches any run of characters. */
export function wildcard(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s");
}

/** Where in the schema a target points: the owner of the last attribute and the attribute. */
interface Resolved {
  attr: OcsfAttribute | undefined;
  /** True when the path ends in `[n]` (an element of an array attribute). */
  element: boolean;
  /** False below json_t / `object` attributes, where any key is allowed. */
  typed: boolean;
}

export interface CompileContext {
  readonly file: string;
  readonly cls: OcsfClass;
  readonly profiles: readonly string[];
  readonly tables: ReadonlyMap<string, Table>;
  readonly consumed: ConsumeNode;
}

/**
 * Compiles `fields` (target → spec) for `owner` (the class, or an object type inside `each`/`pick`).
 * Every target is checked against the schema; errors are ConfigError naming file and key.
 */
export function compileFields(
  fields: Record<string, FieldSpec>,
  owner: OcsfClass | OcsfObject,
  ctx: CompileContext,
  consume: ConsumeNode,
  keyPrefix: readonly PropertyKey[],
  topLevel: boolean,
): FieldsFn {
  const steps: Step[] = [];
  for (const [target, spec] of Object.entries(fields)) {
    const keyPath = [...keyPrefix, target];
    const fail = (message: string): never => {
      throw new ConfigError(`${ctx.file}: ${formatKeyPath(keyPath)}: ${message}`);
    };
    let segments: Segment[];
    try {
      segments = parsePath(target);
    } catch (error) {
      return fail((error as Error).message);
    }
    if (topLevel) checkEngineOwned(segments, fail);
    const resolved = resolveTarget(owner, segments, ctx, fail);
    const fn = compileSpec(spec, segments, resolved, ctx, consume, keyPath, fail);
    const from = typeof spec === "string" ? spec : plainCopy(spec);
    steps.push(from === undefined ? { fn } : { fn, from: parsePath(from), to: segments });
  }
  return sequence(steps);
}

/** One compiled field; a plain copy also carries its source and target paths, to be inlined. */
interface Step {
  readonly fn: FieldsFn;
  readonly from?: Segment[];
  readonly to?: Segment[];
}

/** The source path of `{ from: <one path> }` with nothing else (a plain copy), else undefined. */
function plainCopy(spec: FieldSpecObject): string | undefined {
  if (typeof spec.from !== "string") return undefined;
  for (const key in spec) if (key !== "from") return undefined;
  return spec.from;
}

/**
 * Runs the steps in order as one generated function. Plain copies, most fields of a mapping, are
 * inlined (read the path, keep a value that is present and not an empty array, store it), which saves
 * three calls per field; the others call their compiled closure. The inlined copy does what that
 * closure does for a spec with `from` alone (engine.test.ts, "plain copies"; the golden files).
 */
function sequence(steps: readonly Step[]): FieldsFn {
  if (steps.length === 0) return () => {};
  if (steps.length === 1) return (steps[0] as Step).fn;
  const code = steps.map((step, i) =>
    step.from && step.to
      ? `${getterSource(step.from, "s", "v")}
         if (v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0)) ${setterSource(step.to, "o", "v")}`
      : `f[${i}](s, o);`,
  );
  const fns = steps.map((step) => step.fn);
  return new Function("f", `return function fields(s, o) {\nlet v;\n${code.join("\n")}\n};`)(fns) as FieldsFn;
}

function checkEngineOwned(segments: readonly Segment[], fail: (m: string) => never): void {
  const [first, second] = segments;
  if (typeof first === "string" && ENGINE_TOP.has(first) && !(first === "time" && segments.length > 1)) {
    fail(`"${first}" is filled by the engine and must not be written in a mapping file`);
  }
  if (
    first === "metadata" &&
    (segments.length === 1 || (typeof second === "string" && ENGINE_METADATA.has(second)))
  ) {
    fail(
      `"metadata${segments.length > 1 ? `.${String(second)}` : ""}" is filled by the engine; write metadata.<attribute> for the others`,
    );
  }
}

function resolveTarget(
  root: OcsfClass | OcsfObject,
  segments: readonly Segment[],
  ctx: CompileContext,
  fail: (m: string) => never,
): Resolved {
  let owner: OcsfClass | OcsfObject | undefined = root;
  let attr: OcsfAttribute | undefined;
  let element = false;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as Segment;
    if (typeof seg === "number") {
      if (!attr?.is_array) fail(`[${seg}] indexes "${attr?.name ?? "?"}", which is not an array`);
      element = true;
      continue;
    }
    if (attr) {
      if (attr.is_array && !element)
        fail(`"${attr.name}" is an array: write ${attr.name}[n].${seg} or use each`);
      const base = ocsf.baseType(attr);
      if (base === "json_t" || attr.object_type === "object")
        return { attr: undefined, element: false, typed: false };
      if (base !== "object_t" || !attr.object_type) fail(`"${attr.name}" is a ${attr.type}, not an object`);
      owner = ocsf.findObject(attr.object_type as string);
      if (!owner) fail(`unknown object type ${attr.object_type}`);
    }
    const found: OcsfAttribute | undefined = (owner as OcsfClass | OcsfObject).attributes[seg];
    const where =
      "class_uid" in (owner as OcsfClass)
        ? `${ctx.cls.name} (${ctx.cls.class_uid})`
        : `object ${owner?.name}`;
    if (!found) fail(`${where} has no attribute "${seg}" in OCSF 1.1.0`);
    const profile = (found as OcsfAttribute).profile;
    if (profile && !ctx.profiles.includes(profile)) {
      fail(
        `"${seg}" belongs to the ${profile} profile; add it to profiles: (allowed: ${USED_PROFILES.join(", ")})`,
      );
    }
    attr = found;
    element = false;
  }
  return { attr, element, typed: true };
}

function compileSpec(
  raw: FieldSpec,
  segments: Segment[],
  resolved: Resolved,
  ctx: CompileContext,
  consume: ConsumeNode,
  keyPath: PropertyKey[],
  fail: (m: string) => never,
): FieldsFn {
  const value = compileSpecValue(raw, segments, resolved, ctx, consume, keyPath, fail);
  const set = compileSetter(segments);
  return (src, out) => {
    const v = value(src);
    if (v !== undefined) set(out, v);
  };
}

/** What a spec writes at its target for a source object (undefined: nothing), with its `when`. */
function compileSpecValue(
  raw: FieldSpec,
  segments: Segment[],
  resolved: Resolved,
  ctx: CompileContext,
  consume: ConsumeNode,
  keyPath: PropertyKey[],
  fail: (m: string) => never,
): (src: unknown) => unknown {
  if (typeof raw === "string" || raw.when === undefined) {
    return compileValueOf(raw, segments, resolved, ctx, consume, keyPath, fail);
  }
  const { key, test: when } = conditionOf(raw.when, fail);
  // What a conditional field reads counts as read only for events (or elements) where it applied.
  const value = compileValueOf(
    raw,
    segments,
    resolved,
    ctx,
    new GuardedScope(consume, `when#${key}`, when),
    keyPath,
    fail,
  );
  return (src) => (when(src) ? value(src) : undefined);
}

/**
 * The test of a `when` condition, cached by its spec text: many fields share one (Okta: "next to a valid
 * IP"), so it is evaluated once per source object and event.
 */
function conditionOf(
  spec: NonNullable<FieldSpecObject["when"]>,
  fail: (m: string) => never,
): { key: string; test: (src: unknown) => boolean } {
  const key = JSON.stringify(spec);
  let when = whenTests.get(key);
  if (!when) {
    const test = compileWhen(
      spec,
      (p) => {
        try {
          return parsePath(p);
        } catch (error) {
          return fail((error as Error).message);
        }
      },
      fail,
    );
    let lastSrc: unknown;
    let lastRun = -1;
    let lastResult = false;
    when = (src: unknown) => {
      if (src !== lastSrc || lastRun !== mapRun) {
        lastResult = test(src);
        lastSrc = src;
        lastRun = mapRun;
      }
      return lastResult;
    };
    whenTests.set(key, when);
  }
  return { key, test: when };
}

/** Compiled `when` tests by their spec text, shared by every class. */
const whenTests = new Map<string, (src: unknown) => boolean>();
/** Bumped by every mapRecord: a `when` result is reused only within one event's mapping. */
let mapRun = 0;
export function startMapRun(): void {
  mapRun = (mapRun + 1) | 0;
}

/** The test of a `when` condition (mappings/README.md); it reads but does not count as mapping. */
function compileWhen(
  when: NonNullable<FieldSpecObject["when"]>,
  parseSource: (p: string) => Segment[],
  fail: (m: string) => never,
): (src: unknown) => boolean {
  if (typeof when === "string" || Array.isArray(when)) {
    const getters = (typeof when === "string" ? [when] : when).map((p) => compileGetter(parseSource(p)));
    return (src) => getters.every((g) => isPresent(g(src)));
  }
  const get = compileGetter(parseSource(when.path));
  let transform: ReturnType<typeof compileTransforms>;
  try {
    transform = compileTransforms(
      when.transform === undefined ? [] : Array.isArray(when.transform) ? when.transform : [when.transform],
    );
  } catch (error) {
    return fail((error as Error).message);
  }
  const allowed = when.in ? new Set(when.in.map((v) => String(v))) : undefined;
  return (src) => {
    let v = get(src);
    if (!isPresent(v)) return false;
    if (transform) v = transform(v);
    if (!isPresent(v)) return false;
    return allowed ? allowed.has(String(v)) : true;
  };
}

function compileValueOf(
  raw: FieldSpec,
  segments: Segment[],
  resolved: Resolved,
  ctx: CompileContext,
  consume: ConsumeNode,
  keyPath: PropertyKey[],
  fail: (m: string) => never,
): (src: unknown) => unknown {
  const spec: FieldSpecObject = typeof raw === "string" ? { from: raw } : raw;
  const parseSource = (path: string): Segment[] => {
    try {
      return parsePath(path);
    } catch (error) {
      return fail((error as Error).message);
    }
  };

  if (spec.first !== undefined)
    return compileFirst(spec.first, segments, resolved, ctx, consume, keyPath, fail);

  if (spec.object !== undefined) {
    const attr = resolved.attr;
    if (resolved.typed && (!attr?.object_type || (attr.is_array && !resolved.element))) {
      fail(`object needs an object target (an object attribute or an element such as ${attr?.name}[0])`);
    }
    const sourcePath = parseSource(spec.object);
    const get = compileGetter(sourcePath);
    // Paths in `fields` are relative to the object: reading them reads below its path.
    const objectConsume = consume.add(sourcePath, false);
    const childFields = spec.fields ?? {};
    const child = resolved.typed
      ? compileFields(
          childFields,
          ocsf.object(attr?.object_type as string),
          ctx,
          objectConsume,
          [...keyPath, "fields"],
          false,
        )
      : compileUntyped(childFields, ctx, objectConsume, [...keyPath, "fields"]);
    return (src) => {
      const value = get(src);
      if (!isObject(value)) return undefined;
      const obj: Record<string, unknown> = {};
      child(value, obj);
      return hasKeys(obj) ? obj : undefined;
    };
  }

  if (spec.each !== undefined || spec.pick !== undefined || spec.entries !== undefined) {
    const attr = resolved.attr;
    const objectType = attr?.object_type;
    const isArrayTarget = attr?.is_array === true && !resolved.element;
    if (spec.pick !== undefined) {
      if (resolved.typed && (!objectType || (attr?.is_array && !resolved.element))) {
        fail(`pick needs an object target (an object attribute or an element such as ${attr?.name}[0])`);
      }
    } else if (resolved.typed && (!objectType || !isArrayTarget)) {
      fail(`${spec.each !== undefined ? "each" : "entries"} needs an array-of-objects target`);
    }
    const childOwner = resolved.typed ? ocsf.object(objectType as string) : undefined;
    const sourcePath = parseSource((spec.each ?? spec.pick ?? spec.entries) as string);
    const getArray = compileGetter(sourcePath);
    const compiledWhere = spec.where ? compileWhere(spec.where, parseSource) : undefined;
    const where = compiledWhere?.test;
    // Reads count only for the elements the mapping takes: all of them (each), the first match (pick), or
    // those that pass `where`. The where fields themselves are read only where they select.
    let elementConsume: ConsumeNode;
    if (spec.entries !== undefined) elementConsume = consume.add(sourcePath);
    else if (spec.pick !== undefined || where) {
      elementConsume = consume.select(sourcePath, where ?? (() => true), spec.pick !== undefined);
    } else elementConsume = consume.each(sourcePath);
    for (const p of compiledWhere?.paths ?? []) elementConsume.add(p);
    const childFields = spec.fields ?? {};
    const child = childOwner
      ? compileFields(childFields, childOwner, ctx, elementConsume, [...keyPath, "fields"], false)
      : compileUntyped(childFields, ctx, elementConsume, [...keyPath, "fields"]);

    if (spec.pick !== undefined) {
      return (src) => {
        const list = getArray(src);
        if (!Array.isArray(list)) return undefined;
        for (const el of list) {
          if (where && !where(el)) continue;
          const obj: Record<string, unknown> = {};
          child(el, obj);
          return hasKeys(obj) ? obj : undefined;
        }
        return undefined;
      };
    }
    if (spec.entries !== undefined) {
      return (src) => {
        const map = getArray(src);
        if (!isObject(map)) return undefined;
        const result: Record<string, unknown>[] = [];
        for (const key in map) {
          const obj: Record<string, unknown> = {};
          child({ key, value: map[key] }, obj);
          if (hasKeys(obj)) result.push(obj);
        }
        return result.length > 0 ? result : undefined;
      };
    }
    return (src) => {
      const list = getArray(src);
      if (!Array.isArray(list)) return undefined;
      const result: Record<string, unknown>[] = [];
      for (const el of list) {
        if (where && !where(el)) continue;
        const obj: Record<string, unknown> = {};
        child(el, obj);
        if (hasKeys(obj)) result.push(obj);
      }
      return result.length > 0 ? result : undefined;
    };
  }

  return compileValueBody(spec, ctx, consume, fail);
}

/**
 * The value a scalar spec (`from` with transforms, table, default and `absent`, or a static `value`)
 * yields for a source object, or undefined: what the field writes, without the write.
 */
function compileValueBody(
  spec: FieldSpecObject,
  ctx: CompileContext,
  consume: ConsumeNode,
  fail: (m: string) => never,
): (src: unknown) => unknown {
  const parseSource = (path: string): Segment[] => {
    try {
      return parsePath(path);
    } catch (error) {
      return fail((error as Error).message);
    }
  };
  if (spec.value !== undefined) {
    const value = spec.value;
    if (value !== null && typeof value === "object") {
      // Objects are copied per event: later fields may write into them.
      const text = JSON.stringify(value);
      return () => JSON.parse(text);
    }
    return () => value;
  }

  const fromPaths = spec.from === undefined ? [] : Array.isArray(spec.from) ? spec.from : [spec.from];
  const getters: Getter[] = fromPaths.map((p) => {
    const segs = parseSource(p);
    consume.add(segs);
    return compileGetter(segs);
  });
  let transform: ReturnType<typeof compileTransforms>;
  try {
    const steps =
      spec.transform === undefined ? [] : Array.isArray(spec.transform) ? spec.transform : [spec.transform];
    transform = compileTransforms(steps);
  } catch (error) {
    return fail((error as Error).message);
  }
  let table: Table | undefined;
  if (spec.table !== undefined) {
    table = ctx.tables.get(spec.table);
    if (!table) fail(`no table "${spec.table}" (tables: ${[...ctx.tables.keys()].join(", ") || "none"})`);
  }
  const fallback = spec.default;
  const absent = spec.absent ? new Set(spec.absent.map((v) => String(v))) : undefined;
  // `absent` values (Okta's "null" text, "unknown") count as missing, so `from` lists, defaults and tables
  // treat them so.
  const filtered: Getter[] = absent
    ? getters.map((g) => (src: unknown) => {
        const v = g(src);
        return (typeof v === "string" || typeof v === "number" || typeof v === "boolean") &&
          absent.has(String(v))
          ? undefined
          : v;
      })
    : getters;
  const read = filtered.length === 1 ? (filtered[0] as Getter) : firstPresent(filtered);
  const value = (src: unknown): unknown => {
    let v = read(src);
    if (isPresent(v)) {
      if (transform) v = transform(v);
      if (table && v !== undefined && v !== null) v = table.lookup(v);
    } else if (table && fallback === undefined) {
      // An absent key still takes the table's default (an unknown outcome is "Unknown", not missing).
      v = table.fallback;
    } else {
      v = undefined;
    }
    if (v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0)) v = fallback;
    return v;
  };
  return value;
}

/**
 * `first`: ordered alternatives for one target; the first that yields a value wins. What an alternative
 * reads counts as read (for `unmapped`) only in the events, or elements, where it was the one chosen, so
 * a fallback never hides a field it did not use. The guard is kept per key (`GuardedScope`), so checking
 * it walks only the keys the alternative reads.
 */
function compileFirst(
  alternatives: FieldSpec[],
  segments: Segment[],
  resolved: Resolved,
  ctx: CompileContext,
  consume: ConsumeNode,
  keyPath: PropertyKey[],
  fail: (m: string) => never,
): (src: unknown) => unknown {
  const id = ++firstSpecs;
  // Which alternative each source object (the event, or an element) took in the current event.
  let run = -1;
  let n = 0;
  const srcs: unknown[] = [];
  const chosen: number[] = [];
  const chosenNow = (src: unknown): number => {
    if (run !== mapRun) return -1;
    for (let i = 0; i < n; i++) if (srcs[i] === src) return chosen[i] as number;
    return -1;
  };
  const values = alternatives.map((alt, k) =>
    compileSpecValue(
      alt,
      segments,
      resolved,
      ctx,
      new GuardedScope(consume, `first#${id}#${k}`, (owner) => chosenNow(owner) === k),
      [...keyPath, "first", k],
      fail,
    ),
  );
  return (src) => {
    for (let k = 0; k < values.length; k++) {
      const value = (values[k] as (src: unknown) => unknown)(src);
      if (value === undefined) continue;
      if (run !== mapRun) {
        run = mapRun;
        n = 0;
      }
      srcs[n] = src;
      chosen[n] = k;
      n++;
      return value;
    }
    return undefined;
  };
}

let firstSpecs = 0;

/** Fields under json_t/object targets: no schema to check against, same semantics. */
function compileUntyped(
  fields: Record<string, FieldSpec>,
  ctx: CompileContext,
  consume: ConsumeNode,
  keyPath: PropertyKey[],
): FieldsFn {
  const fns: FieldsFn[] = [];
  for (const [target, spec] of Object.entries(fields)) {
    const fail = (message: string): never => {
      throw new ConfigError(`${ctx.file}: ${formatKeyPath([...keyPath, target])}: ${message}`);
    };
    let segments: Segment[];
    try {
      segments = parsePath(target);
    } catch (error) {
      return fail((error as Error).message);
    }
    fns.push(
      compileSpec(
        spec,
        segments,
        { attr: undefined, element: false, typed: false },
        ctx,
        consume,
        [...keyPath, target],
        fail,
      ),
    );
  }
  return (src, out) => {
    for (const fn of fns) fn(src, out);
  };
}

/** `{ path: value | [values] }` → a test that holds when every path holds one of its values. */
export function compileWhere(
  where: Record<string, unknown>,
  parseSource: (p: string) => Segment[],
): { test: (el: unknown) => boolean; paths: Segment[][] } {
  const paths: Segment[][] = [];
  const tests = Object.entries(where).map(([path, expected]) => {
    const segs = parseSource(path);
    paths.push(segs);
    const get = compileGetter(segs);
    const allowed = new Set((Array.isArray(expected) ? expected : [expected]).map((v) => String(v)));
    return (el: unknown) => {
      const v = get(el);
      return (
        (typeof v === "string" || typeof v === "number" || typeof v === "boolean") && allowed.has(String(v))
      );
    };
  });
  const test =
    tests.length === 1 ? (tests[0] as (el: unknown) => boolean) : (el: unknown) => tests.every((t) => t(el));
  return { test, paths };
}

function firstPresent(getters: Getter[]): Getter {
  return (src) => {
    for (const g of getters) {
      const v = g(src);
      if (isPresent(v)) return v;
    }
    return undefined;
  };
}

function hasKeys(obj: Record<string, unknown>): boolean {
  for (const _ in obj) return true;
  return false;
}

/** Checks a class file's profiles against USED_PROFILES and the class's own profile list. */
export function checkProfiles(profiles: readonly string[], cls: OcsfClass, file: string): void {
  for (const [i, p] of profiles.entries()) {
    if (!(USED_PROFILES as readonly string[]).includes(p)) {
      throw new ConfigError(
        `${file}: profiles[${i}]: "${p}" is not a used profile (${USED_PROFILES.join(", ")})`,
      );
    }
    if (!cls.profiles.includes(p)) {
      throw new ConfigError(`${file}: profiles[${i}]: ${cls.name} does not support the ${p} profile`);
    }
  }
}
