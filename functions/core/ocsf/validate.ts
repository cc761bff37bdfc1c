import { isIP } from "node:net";
import { type AttrInfo, type OwnerInfo, ownerInfo } from "./compiled.ts";
import { USED_PROFILES } from "./profiles.ts";
import { ocsf } from "./schema.ts";

export interface ValidationIssue {
  /** Where in the event: `actor.user.uid`, `resources[0].owner`. `$` is the event itself. */
  readonly path: string;
  readonly message: string;
}

/** Stop after this many issues: one bad event must not produce megabytes of reasons. */
const MAX_ISSUES = 20;

interface Walk {
  readonly profiles: ReadonlySet<string>;
  readonly issues: ValidationIssue[];
  /** Fill caption siblings of enum ids while walking (the mapper's single pass). */
  readonly fill: boolean;
  /** Convert values of the wrong JSON type where no information is lost (`coerce`), counting them. */
  readonly coerce: { count: number } | undefined;
}

/**
 * Checks one event against the pinned OCSF 1.1.0 schema. Returns the problems found (at most 20), each
 * with the attribute path; an empty list means the event is valid: known class; required attributes
 * present (profile ones only for profiles declared in metadata.profiles); string, integer (with range),
 * long, float, boolean, json, object and array types right, recursively; enum ids known and their caption
 * siblings consistent (99 Other may carry its own caption); type_uid = class_uid * 100 + activity_id;
 * class_uid and category_uid enums (the class's own); at_least_one / just_one object constraints; no attribute the class or object
 * does not define, and profile attributes only for declared profiles that USED_PROFILES lists.
 */
export function validateEvent(event: unknown): ValidationIssue[] {
  return check(event, false, undefined);
}

/**
 * `validateEvent` that first fills the caption sibling of every enum id it passes (activity_name,
 * severity, status, user.type, class_name, type_name …) from the schema, in the same walk. A caption
 * already next to id 99 (Other) is kept. The mapping engine's one pass over each event. With `coerced`,
 * a value of the wrong JSON type is converted where no information is lost (`coerce`), in place, and
 * `coerced.count` counts the values converted. Only values the inline type tests reject take that path,
 * so an event whose values already have the right types costs nothing more.
 */
export function fillCaptionsAndValidate(
  event: Record<string, unknown>,
  coerced?: { count: number },
): ValidationIssue[] {
  return check(event, true, coerced);
}

/** The engine's counter, reused for every event (fillCaptionsAndValidate with `coerced`). */
export const engineCoerced = { count: 0 };

function check(event: unknown, fill: boolean, coerce: { count: number } | undefined): ValidationIssue[] {
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    return [{ path: "$", message: "expected a JSON object" }];
  }
  const ev = event as Record<string, unknown>;
  const classUid = ev.class_uid;
  if (typeof classUid !== "number" || !Number.isInteger(classUid)) {
    return [{ path: "class_uid", message: `expected an integer class_uid, got ${show(classUid)}` }];
  }
  const cls = ocsf.findClass(classUid);
  if (!cls) return [{ path: "class_uid", message: `OCSF ${ocsf.version} has no class ${classUid}` }];

  const issues: ValidationIssue[] = [];
  const profiles = new Set<string>();
  const metadata = ev.metadata;
  const declared =
    metadata !== null && typeof metadata === "object"
      ? (metadata as Record<string, unknown>).profiles
      : undefined;
  if (Array.isArray(declared)) {
    for (let i = 0; i < declared.length; i++) {
      const p = declared[i];
      if (typeof p !== "string") continue;
      if (!(USED_PROFILES as readonly string[]).includes(p)) {
        issues.push({
          path: `metadata.profiles[${i}]`,
          message: `profile "${p}" is not used by this project (${USED_PROFILES.join(", ")})`,
        });
      } else if (!cls.profiles.includes(p)) {
        issues.push({
          path: `metadata.profiles[${i}]`,
          message: `${cls.name} does not support the ${p} profile`,
        });
      } else {
        profiles.add(p);
      }
    }
  }
  const walk: Walk = { profiles, issues, fill, coerce };
  checkObject(ev, ownerInfo(cls), "", walk);

  const activity = ev.activity_id;
  if (
    typeof activity === "number" &&
    ev.type_uid !== undefined &&
    ev.type_uid !== classUid * 100 + activity
  ) {
    issues.push({
      path: "type_uid",
      message: `expected ${classUid * 100 + activity} (class_uid * 100 + activity_id), got ${show(ev.type_uid)}`,
    });
  }
  return issues.length > MAX_ISSUES ? issues.slice(0, MAX_ISSUES) : issues;
}

function checkObject(value: Record<string, unknown>, info: OwnerInfo, prefix: string, walk: Walk): void {
  let checker = info.checker as Checker | undefined;
  if (!checker) {
    checker = compileChecker(info);
    info.checker = checker;
  }
  checker(value, prefix, walk);
}

type Checker = (value: Record<string, unknown>, prefix: string, walk: Walk) => void;

/** What generated checkers call for everything but the common valid case. */
const runtime = {
  /** The checker of an object attribute's type, or null for `object` (any keys). */
  childChecker: (a: AttrInfo): Checker | null => {
    const child = a.child();
    if (!child) return null;
    child.checker ??= compileChecker(child);
    return child.checker as Checker;
  },
  checkValue,
  checkEnum,
  checkObject,
  constraints,
  notArray: (a: AttrInfo, v: unknown) =>
    `expected an array of ${a.attr.object_type ?? a.attr.type}, got ${show(v)}`,
  unknown: (label: string, key: string) =>
    `${label} has no attribute "${key}" in OCSF ${ocsf.version} (extensions go in unmapped)`,
};

/**
 * One function per class or object, generated from the schema on first use: a `switch` over the
 * attribute names with literal property loads and the type test of each attribute inlined, so a valid
 * value costs a comparison or two instead of a map lookup and a dispatch on its type. Anything that
 * fails the inline test goes to `checkValue`, which words the issue, so both paths report the same
 * issues in the same order. Names and captions come from the pinned schema and are quoted as JSON.
 */
function compileChecker(info: OwnerInfo): Checker {
  const attrs = [...info.attrs.values()];
  const q = JSON.stringify;
  const cases: string[] = [];
  attrs.forEach((a, j) => {
    const body: string[] = [];
    if (a.profile !== undefined) {
      const message = `"${a.name}" belongs to the ${a.profile} profile, which metadata.profiles does not declare`;
      body.push(
        `if (!walk.profiles.has(${q(a.profile)})) { issues.push({ path: prefix + key, message: ${q(message)} }); continue; }`,
      );
    }
    body.push(`${a.enumValues ? "let" : "const"} v = value[${q(a.name)}];`, "if (v === undefined) continue;");
    if (a.attr.is_array) {
      body.push(
        `if (!Array.isArray(v)) { issues.push({ path: prefix + key, message: rt.notArray(A[${j}], v) }); continue; }`,
        `for (let i = 0; i < v.length; i++) { const e = v[i]; ${valueCheck(a, j, "e", "i", "v")} }`,
      );
    } else {
      // The slow path may coerce the value in place: then the enum test reads what is there now.
      const reread = a.enumValues ? `v = value[${q(a.name)}];` : "";
      body.push(valueCheck(a, j, "v", "-1", "value", reread));
      if (a.enumValues) body.push(enumCheck(a, j));
    }
    cases.push(`case ${q(a.name)}: { ${body.join(" ")} break; }`);
  });
  const required = info.required.map((a) => {
    const missing = `value[${q(a.name)}] === undefined`;
    const applies = a.profile === undefined ? "" : ` && walk.profiles.has(${q(a.profile)})`;
    return `if (${missing}${applies}) issues.push({ path: prefix + ${q(a.name)}, message: ${q(`required by ${info.label} but missing`)} });`;
  });
  const source = [
    "const issues = walk.issues;",
    "for (const key in value) {",
    `  if (issues.length >= ${MAX_ISSUES}) return;`,
    "  switch (key) {",
    ...cases,
    `    default: issues.push({ path: prefix + key, message: rt.unknown(L, key) });`,
    "  }",
    "}",
    ...required,
    info.atLeastOne || info.justOne ? "rt.constraints(value, info, prefix, walk);" : "",
  ].join("\n");
  const make = new Function(
    "A",
    "K",
    "rt",
    "L",
    "info",
    `return function check(value, prefix, walk) {\n${source}\n};`,
  );
  return make(attrs, new Array(attrs.length), runtime, info.label, info) as Checker;
}

/**
 * The enum test of an `*_id` attribute and its caption sibling, inlined: the captions are literals in a
 * `switch`, and the sibling is written with a literal key (a named store keeps the event's fast
 * properties). Unknown ids and, when only validating, a wrong caption go to `checkEnum`, which words
 * the issue.
 */
function enumCheck(a: AttrInfo, j: number): string {
  const q = JSON.stringify;
  const slow = `rt.checkEnum(value, A[${j}], v, prefix, walk);`;
  const cases = [...(a.enumValues ?? [])]
    .filter(([id]) => Number.isInteger(id))
    .map(([id, caption]) => `case ${id}: cap = ${q(caption)}; break;`);
  const sibling = a.attr.sibling;
  const caption = sibling
    ? `else if (v === 99) { if (walk.fill) { const s = value[${q(sibling)}]; if (typeof s !== "string" || s === "") value[${q(sibling)}] = cap; } }
       else if (walk.fill) value[${q(sibling)}] = cap;
       else { const s = value[${q(sibling)}]; if (s !== undefined && s !== cap) ${slow} }`
    : "";
  return `if (Number.isInteger(v)) { let cap; switch (v) { ${cases.join(" ")} } if (!cap) ${slow} ${caption} }`;
}

/**
 * The inline test that accepts a valid value of `a` (held in the variable `v`), else `checkValue`, which
 * words the issue (or coerces the value, written back into `container` at `key` or `index`); objects
 * recurse. Regex, IP and length-limited strings always take `checkValue`.
 */
function valueCheck(a: AttrInfo, j: number, v: string, index: string, container: string, after = ""): string {
  const slow = `{ rt.checkValue(${v}, A[${j}], prefix, key, ${index}, walk, ${container}); ${after} }`;
  let ok: string | undefined;
  switch (a.base) {
    case "string_t":
      if (!a.regex && !a.ip && a.maxLen === undefined) ok = `typeof ${v} === "string"`;
      break;
    case "integer_t":
      ok = `Number.isInteger(${v}) && ${v} >= ${a.min} && ${v} <= ${a.max}`;
      break;
    case "long_t":
      ok = `Number.isSafeInteger(${v})`;
      break;
    case "float_t":
      ok = `Number.isFinite(${v})`;
      break;
    case "boolean_t":
      ok = `typeof ${v} === "boolean"`;
      break;
    case "json_t":
      ok = `${v} !== null && ${v} !== undefined`;
      break;
    case "object_t": {
      const path = index === "-1" ? 'prefix + key + "."' : `prefix + key + "[" + ${index} + "]."`;
      // The child's checker is looked up once per attribute (K), not per value.
      return `if (${v} !== null && typeof ${v} === "object" && !Array.isArray(${v})) { let k = K[${j}]; if (k === undefined) k = K[${j}] = rt.childChecker(A[${j}]); if (k !== null) k(${v}, ${path}, walk); } else ${slow}`;
    }
  }
  return ok === undefined ? slow : `if (!(${ok})) ${slow}`;
}

function constraints(value: Record<string, unknown>, info: OwnerInfo, prefix: string, walk: Walk): void {
  const issues = walk.issues;
  if (info.atLeastOne && !info.atLeastOne.some((n) => value[n] !== undefined)) {
    issues.push({
      path: prefix === "" ? "$" : prefix.slice(0, -1),
      message: `${info.label} needs at least one of ${info.atLeastOne.join(", ")}`,
    });
  }
  if (info.justOne && info.justOne.filter((n) => value[n] !== undefined).length !== 1) {
    issues.push({
      path: prefix === "" ? "$" : prefix.slice(0, -1),
      message: `${info.label} needs exactly one of ${info.justOne.join(", ")}`,
    });
  }
}

/**
 * Words the issue with an enum id that the generated test did not accept: an id the enum does not list,
 * or (when only validating) a caption sibling that is not the id's caption. Filling captions is inlined.
 */
function checkEnum(
  owner: Record<string, unknown>,
  a: AttrInfo,
  id: number,
  prefix: string,
  walk: Walk,
): void {
  const entry = a.enumValues?.get(id);
  if (!entry) {
    walk.issues.push({
      path: prefix + a.name,
      message: `${id} is not a valid ${a.name} (${Object.keys(a.attr.enum ?? {}).join(", ")})`,
    });
    return;
  }
  const sibling = a.attr.sibling;
  if (!sibling || id === 99) return;
  const caption = owner[sibling];
  if (caption !== undefined && caption !== entry) {
    walk.issues.push({
      path: prefix + sibling,
      message: `expected "${entry}" for ${a.name} ${id}, got ${show(caption)}`,
    });
  }
}

function checkValue(
  v: unknown,
  a: AttrInfo,
  prefix: string,
  key: string,
  index: number,
  walk: Walk,
  container: Record<string, unknown> | unknown[],
): void {
  const problem = valueProblem(v, a, prefix, key, index, walk);
  if (problem === undefined) return;
  if (walk.coerce) {
    const converted = coerce(v, a.base);
    if (converted !== undefined && valueProblem(converted, a, prefix, key, index, walk) === undefined) {
      if (index < 0) (container as Record<string, unknown>)[key] = converted;
      else (container as unknown[])[index] = converted;
      walk.coerce.count++;
      return;
    }
  }
  walk.issues.push({ path: pathOf(prefix, key, index), message: problem });
}

/**
 * The value of base type `base` that `v` stands for when the conversion loses nothing, else undefined
 * (mappings/README.md "Types"): a finite number or a boolean into a string type; a canonical decimal
 * integer string (no sign but "-", no leading zero, no fraction) into an integer or long; a canonical
 * decimal number string into a float; "true"/"false" into a boolean. Each converted value prints back
 * as the original (`String(converted) === v`, or `Number(converted) === v`), so nothing is rounded or
 * reformatted. Objects, arrays, fractions into integers and other texts are never converted.
 */
export function coerce(v: unknown, base: string): unknown {
  switch (base) {
    case "string_t":
      if ((typeof v === "number" && Number.isFinite(v)) || typeof v === "boolean") return String(v);
      return undefined;
    case "integer_t":
    case "long_t":
      if (typeof v === "string" && CANONICAL_INTEGER.test(v)) {
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : undefined;
      }
      return undefined;
    case "float_t":
      if (typeof v === "string" && CANONICAL_NUMBER.test(v)) {
        const n = Number(v);
        return Number.isFinite(n) && String(n) === v ? n : undefined;
      }
      return undefined;
    case "boolean_t":
      return v === "true" ? true : v === "false" ? false : undefined;
    default:
      return undefined;
  }
}

const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;
const CANONICAL_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/;

/** Paths are built only when needed: on an issue, or to descend into an object. */
function pathOf(prefix: string, key: string, index: number): string {
  return index < 0 ? prefix + key : `${prefix}${key}[${index}]`;
}

/** Why `v` is not a valid value of `a`, or undefined (objects are checked recursively into `walk`). */
function valueProblem(
  v: unknown,
  a: AttrInfo,
  prefix: string,
  key: string,
  index: number,
  walk: Walk,
): string | undefined {
  if (v === null || v === undefined) return "null is not a value; leave the attribute out";
  switch (a.base) {
    case "string_t":
      if (typeof v !== "string") return `expected a string (${a.attr.type}), got ${show(v)}`;
      if (a.maxLen !== undefined && v.length > a.maxLen) {
        return `${a.attr.type} is at most ${a.maxLen} characters, got ${v.length}`;
      }
      if (a.ip && isIP(v) === 0) return `expected an IP address, got ${show(v)}`;
      if (a.regex && !a.regex.test(v)) return `not a valid ${a.attr.type}: ${show(v)}`;
      return undefined;
    case "integer_t":
      if (typeof v !== "number" || !Number.isInteger(v)) return `expected an integer, got ${show(v)}`;
      if (v < a.min || v > a.max) return `${a.attr.type} must be within [${a.min}, ${a.max}], got ${v}`;
      return undefined;
    case "long_t":
      if (typeof v !== "number" || !Number.isSafeInteger(v)) {
        const unit = a.attr.type === "timestamp_t" ? " (epoch milliseconds)" : "";
        return `expected an integer${unit}, got ${show(v)}`;
      }
      return undefined;
    case "float_t":
      return typeof v === "number" && Number.isFinite(v) ? undefined : `expected a number, got ${show(v)}`;
    case "boolean_t":
      return typeof v === "boolean" ? undefined : `expected true or false, got ${show(v)}`;
    case "json_t":
      return undefined;
    case "object_t": {
      if (typeof v !== "object" || Array.isArray(v))
        return `expected an object (${a.attr.object_type}), got ${show(v)}`;
      const child = a.child();
      if (child) checkObject(v as Record<string, unknown>, child, `${pathOf(prefix, key, index)}.`, walk);
      return undefined;
    }
    default:
      return `unknown OCSF type ${a.attr.type}`;
  }
}

function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
