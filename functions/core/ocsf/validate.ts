import { isIP } from "node:net";
import { USED_PROFILES } from "./profiles.ts";
import { ocsf } from "./schema.ts";
import type { OcsfAttribute, OcsfClass, OcsfObject } from "./types.ts";

export interface ValidationIssue {
  /** Where in the event: `actor.user.uid`, `resources[0].owner`. `$` is the event itself. */
  readonly path: string;
  readonly message: string;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** Stop after this many issues: one bad event must not produce megabytes of reasons. */
const MAX_ISSUES = 20;

/** Compiled per string type once: regex and max length from the schema's `types`. */
interface StringCheck {
  readonly re?: RegExp;
  readonly maxLen?: number;
  readonly ip?: boolean;
}
const stringChecks = new Map<string, StringCheck>();

function stringCheck(type: string): StringCheck {
  let check = stringChecks.get(type);
  if (check) return check;
  const def = ocsf.type(type);
  if (type === "ip_t") check = { ip: true, maxLen: def?.max_len };
  // string_t's 65535 is the Parquet page guidance, not a semantic limit; raw_data may be longer.
  else if (type === "string_t" || !def) check = {};
  else check = { re: def.regex ? new RegExp(def.regex) : undefined, maxLen: def.max_len };
  stringChecks.set(type, check);
  return check;
}

interface Walk {
  readonly profiles: ReadonlySet<string>;
  readonly issues: ValidationIssue[];
}

/**
 * Checks one event against the pinned OCSF 1.1.0 schema. Returns every problem found (at most 20), each
 * with the attribute path; an empty list means the event is valid: known class, required attributes
 * present (profile ones only for declared profiles), types and ranges right, enum ids known and captions
 * consistent, type_uid = class_uid * 100 + activity_id, no attribute the class or object does not define.
 */
export function validateEvent(event: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
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

  const profiles = new Set<string>();
  const metadata = ev.metadata as Record<string, unknown> | undefined;
  const declared = metadata && typeof metadata === "object" ? metadata.profiles : undefined;
  if (Array.isArray(declared)) {
    declared.forEach((p, i) => {
      if (typeof p !== "string") return;
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
    });
  }
  const walk: Walk = { profiles, issues };
  checkObject(ev, cls, "", walk);

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
  if (ev.category_uid !== undefined && ev.category_uid !== cls.category_uid) {
    issues.push({
      path: "category_uid",
      message: `${cls.name} is in category ${cls.category_uid}, got ${show(ev.category_uid)}`,
    });
  }
  return issues.slice(0, MAX_ISSUES);
}

function checkObject(
  value: Record<string, unknown>,
  owner: OcsfClass | OcsfObject,
  prefix: string,
  walk: Walk,
): void {
  const attrs = owner.attributes;
  for (const key of Object.keys(value)) {
    if (walk.issues.length >= MAX_ISSUES) return;
    const path = prefix + key;
    const attr = attrs[key];
    if (!attr) {
      walk.issues.push({
        path,
        message: `${ownerLabel(owner)} has no attribute "${key}" in OCSF ${ocsf.version} (extensions go in unmapped)`,
      });
      continue;
    }
    if (attr.profile && !walk.profiles.has(attr.profile)) {
      walk.issues.push({
        path,
        message: `"${key}" belongs to the ${attr.profile} profile, which metadata.profiles does not declare`,
      });
      continue;
    }
    const v = value[key];
    if (v === null || v === undefined) {
      walk.issues.push({ path, message: "null is not a value; leave the attribute out" });
      continue;
    }
    if (attr.is_array) {
      if (!Array.isArray(v)) {
        walk.issues.push({
          path,
          message: `expected an array of ${attr.object_type ?? attr.type}, got ${show(v)}`,
        });
        continue;
      }
      for (let i = 0; i < v.length; i++) checkValue(v[i], attr, `${path}[${i}]`, walk);
    } else {
      checkValue(v, attr, path, walk);
      if (attr.enum && typeof v === "number") checkEnum(value, attr, v, path, walk);
    }
  }
  for (const name in attrs) {
    const attr = attrs[name] as OcsfAttribute;
    if (attr.requirement !== "required" || value[name] !== undefined) continue;
    if (attr.profile && !walk.profiles.has(attr.profile)) continue;
    walk.issues.push({ path: prefix + name, message: `required by ${ownerLabel(owner)} but missing` });
  }
  const constraints = (owner as OcsfObject).constraints;
  if (constraints) {
    const where = prefix === "" ? "$" : prefix.slice(0, -1);
    if (constraints.at_least_one && !constraints.at_least_one.some((n) => value[n] !== undefined)) {
      walk.issues.push({
        path: where,
        message: `${ownerLabel(owner)} needs at least one of ${constraints.at_least_one.join(", ")}`,
      });
    }
    if (constraints.just_one && constraints.just_one.filter((n) => value[n] !== undefined).length !== 1) {
      walk.issues.push({
        path: where,
        message: `${ownerLabel(owner)} needs exactly one of ${constraints.just_one.join(", ")}`,
      });
    }
  }
}

function checkEnum(
  owner: Record<string, unknown>,
  attr: OcsfAttribute,
  id: number,
  path: string,
  walk: Walk,
): void {
  const entry = attr.enum?.[String(id)];
  if (!entry) {
    walk.issues.push({
      path,
      message: `${id} is not a valid ${attr.name} (${Object.keys(attr.enum ?? {}).join(", ")})`,
    });
    return;
  }
  if (!attr.sibling) return;
  const caption = owner[attr.sibling];
  if (caption === undefined || id === 99) return;
  if (caption !== entry.caption) {
    const at = path.slice(0, path.length - attr.name.length) + attr.sibling;
    walk.issues.push({
      path: at,
      message: `expected "${entry.caption}" for ${attr.name} ${id}, got ${show(caption)}`,
    });
  }
}

function checkValue(v: unknown, attr: OcsfAttribute, path: string, walk: Walk): void {
  const problem = valueProblem(v, attr, path, walk);
  if (problem !== undefined) walk.issues.push({ path, message: problem });
}

/** Why `v` is not a valid `attr` value, or undefined (objects are checked recursively into `walk`). */
function valueProblem(v: unknown, attr: OcsfAttribute, path: string, walk: Walk): string | undefined {
  if (v === null || v === undefined) return "null is not a value; leave the attribute out";
  const base = ocsf.baseType(attr);
  switch (base) {
    case "string_t": {
      if (typeof v !== "string") return `expected a string (${attr.type}), got ${show(v)}`;
      const check = stringCheck(attr.type);
      if (check.maxLen !== undefined && v.length > check.maxLen) {
        return `${attr.type} is at most ${check.maxLen} characters, got ${v.length}`;
      }
      if (check.ip && isIP(v) === 0) return `expected an IP address, got ${show(v)}`;
      if (check.re && !check.re.test(v)) return `not a valid ${attr.type}: ${show(v)}`;
      return undefined;
    }
    case "integer_t": {
      if (typeof v !== "number" || !Number.isInteger(v)) return `expected an integer, got ${show(v)}`;
      const range = ocsf.type(attr.type)?.range;
      const [min, max] = range ?? [INT32_MIN, INT32_MAX];
      if (v < min || v > max) return `${attr.type} must be within [${min}, ${max}], got ${v}`;
      return undefined;
    }
    case "long_t":
      if (typeof v !== "number" || !Number.isSafeInteger(v)) {
        const unit = attr.type === "timestamp_t" ? " (epoch milliseconds)" : "";
        return `expected an integer${unit}, got ${show(v)}`;
      }
      return undefined;
    case "float_t":
      if (typeof v !== "number" || !Number.isFinite(v)) return `expected a number, got ${show(v)}`;
      return undefined;
    case "boolean_t":
      if (typeof v !== "boolean") return `expected true or false, got ${show(v)}`;
      return undefined;
    case "json_t":
      return undefined;
    case "object_t": {
      if (typeof v !== "object" || Array.isArray(v))
        return `expected an object (${attr.object_type}), got ${show(v)}`;
      if (!attr.object_type || attr.object_type === "object") return undefined;
      const child = ocsf.findObject(attr.object_type);
      if (child) checkObject(v as Record<string, unknown>, child, `${path}.`, walk);
      return undefined;
    }
    default:
      return `unknown OCSF type ${attr.type}`;
  }
}

function ownerLabel(owner: OcsfClass | OcsfObject): string {
  return "class_uid" in owner ? `${owner.name} (${(owner as OcsfClass).class_uid})` : `object ${owner.name}`;
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
