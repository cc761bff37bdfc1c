import { readdirSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { USED_PROFILES } from "../../../functions/core/ocsf/profiles.ts";
import { ocsf } from "../../../functions/core/ocsf/schema.ts";
import type { OcsfAttribute, OcsfClass, OcsfObject } from "../../../functions/core/ocsf/types.ts";
import { validateEvent } from "../../../functions/core/ocsf/validate.ts";

/**
 * The validator is generated code (one function per class and object). This oracle states the same rules
 * the plain way, straight from the schema, and both must find issues at the same paths on thousands of
 * mutated golden events: wrong types, nulls, holes, unknown keys, missing required attributes, bad enum
 * ids and captions.
 */
function oraclePaths(event: Record<string, unknown>): Set<string> {
  const paths = new Set<string>();
  const cls = ocsf.findClass(event.class_uid as number) as OcsfClass;
  const profiles = new Set<string>();
  const declared = (event.metadata as { profiles?: unknown } | undefined)?.profiles;
  if (Array.isArray(declared)) {
    declared.forEach((p, i) => {
      if (typeof p !== "string") return;
      if ((USED_PROFILES as readonly string[]).includes(p) && cls.profiles.includes(p)) profiles.add(p);
      else paths.add(`metadata.profiles[${i}]`);
    });
  }
  const walk = (obj: Record<string, unknown>, owner: OcsfClass | OcsfObject, prefix: string) => {
    for (const key of Object.keys(obj)) {
      const attr = owner.attributes[key];
      if (!attr || (attr.profile && !profiles.has(attr.profile))) {
        paths.add(prefix + key);
        continue;
      }
      const v = obj[key];
      if (v === undefined) continue;
      if (attr.is_array) {
        if (!Array.isArray(v)) paths.add(prefix + key);
        // A plain loop: a hole is an element too (JSON writes it as null).
        else for (let i = 0; i < v.length; i++) check(v[i], attr, `${prefix}${key}[${i}]`);
        continue;
      }
      check(v, attr, prefix + key);
      if (attr.enum && Number.isInteger(v)) {
        const entry = attr.enum[String(v)];
        if (!entry) paths.add(prefix + key);
        else if (attr.sibling && v !== 99) {
          const caption = obj[attr.sibling];
          if (caption !== undefined && caption !== entry.caption) paths.add(prefix + attr.sibling);
        }
      }
    }
    for (const attr of Object.values(owner.attributes)) {
      if (attr.requirement !== "required" || obj[attr.name] !== undefined) continue;
      if (attr.profile && !profiles.has(attr.profile)) continue;
      paths.add(prefix + attr.name);
    }
    const c = (owner as OcsfObject).constraints;
    const here = prefix === "" ? "$" : prefix.slice(0, -1);
    if (c?.at_least_one && !c.at_least_one.some((n) => obj[n] !== undefined)) paths.add(here);
    if (c?.just_one && c.just_one.filter((n) => obj[n] !== undefined).length !== 1) paths.add(here);
  };
  const check = (v: unknown, attr: OcsfAttribute, path: string) => {
    if (v === null || v === undefined) {
      paths.add(path);
      return;
    }
    const type = ocsf.type(attr.type);
    const ok = (() => {
      switch (ocsf.baseType(attr)) {
        case "string_t":
          if (typeof v !== "string") return false;
          if (attr.type !== "string_t" && type?.max_len !== undefined && v.length > type.max_len)
            return false;
          if (attr.type === "ip_t") return isIP(v) !== 0;
          return type?.regex === undefined || new RegExp(type.regex).test(v);
        case "integer_t": {
          const [min, max] = type?.range ?? [-2147483648, 2147483647];
          return Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
        }
        case "long_t":
          return Number.isSafeInteger(v);
        case "float_t":
          return typeof v === "number" && Number.isFinite(v);
        case "boolean_t":
          return typeof v === "boolean";
        case "json_t":
          return true;
        case "object_t": {
          if (typeof v !== "object" || Array.isArray(v)) return false;
          const child =
            attr.object_type === "object" ? undefined : ocsf.findObject(attr.object_type as string);
          if (child) walk(v as Record<string, unknown>, child, `${path}.`);
          return true;
        }
        default:
          return false;
      }
    })();
    if (!ok) paths.add(path);
  };
  walk(event, cls, "");
  const activity = event.activity_id;
  if (
    typeof activity === "number" &&
    event.type_uid !== undefined &&
    event.type_uid !== cls.class_uid * 100 + activity
  ) {
    paths.add("type_uid");
  }
  return paths;
}

const goldenRoot = fileURLToPath(new URL("../../golden/", import.meta.url));

function goldenEvents(): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const source of readdirSync(goldenRoot, { withFileTypes: true })) {
    if (!source.isDirectory()) continue;
    for (const file of readdirSync(join(goldenRoot, source.name)).filter((f) => f.endsWith(".ndjson"))) {
      for (const line of readFileSync(join(goldenRoot, source.name, file), "utf8").split("\n")) {
        if (line.trim() !== "") events.push(JSON.parse(line));
      }
    }
  }
  return events;
}

/** Every [parent, key] in the event (keys of objects and indexes of arrays). */
function slots(value: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []) {
  if (Array.isArray(value)) {
    value.forEach((el, i) => {
      out.push([value, i]);
      slots(el, out);
    });
  } else if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value)) {
      out.push([value as Record<string, unknown>, key]);
      slots((value as Record<string, unknown>)[key], out);
    }
  }
  return out;
}

const ODD_VALUES: unknown[] = [null, "", "text", 1.5, -1, 0, 99, 2 ** 40, 2 ** 60, true, [], {}, [1, null]];
ODD_VALUES.push({ uid: 1 }, "10.0.0.1", "not-an-ip", "x".repeat(300), Number.NaN);

describe("generated validator against a plain oracle", () => {
  it("finds issues at the same paths on mutated golden events", () => {
    const events = goldenEvents();
    expect(events.length).toBeGreaterThan(100);
    let seed = 20261125;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    let withIssues = 0;
    for (let n = 0; n < 3000; n++) {
      const event = structuredClone(pick(events));
      for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
        const [parent, key] = pick(slots(event));
        const r = random();
        if (r < 0.25 && !Array.isArray(parent)) delete parent[key as string];
        else if (r < 0.4 && !Array.isArray(parent)) parent[`x_${String(key)}`] = 1;
        else if (r < 0.5 && Array.isArray(parent)) parent[parent.length + 1] = {};
        else (parent as Record<string, unknown>)[key as string] = pick(ODD_VALUES);
      }
      if (!Number.isInteger(event.class_uid) || !ocsf.findClass(event.class_uid as number)) continue;
      const found = new Set(validateEvent(event).map((i) => i.path));
      const expected = oraclePaths(event);
      if (expected.size > 0) withIssues++;
      // The validator stops at 20 issues; below that it must report exactly the oracle's paths.
      if (expected.size < 20) expect([...found].sort(), JSON.stringify(event)).toEqual([...expected].sort());
      else for (const path of found) expect(expected.has(path)).toBe(true);
    }
    expect(withIssues).toBeGreaterThan(1500);
  });
});
