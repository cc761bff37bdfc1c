import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ocsf } from "../../../functions/core/ocsf/schema.ts";

/**
 * Okta-specific checks the generic golden harness cannot make: every eventType a class file routes has an
 * activity of its own (a typo would silently fall to the table default, 0 Unknown) and is backed by at
 * least one golden event of that class, and no eventType is routed by two files.
 */
const here = new URL(".", import.meta.url).pathname;
const mappingsDir = join(here, "../../../mappings/okta");

interface ClassFile {
  class_uid: number;
  match: string[];
  tables: { activity: { values: Record<string, number> } };
}

const classFiles = readdirSync(mappingsDir)
  .filter((f) => f.endsWith(".yaml") && !f.startsWith("_"))
  .sort()
  .map((file) => ({ file, spec: parseYaml(readFileSync(join(mappingsDir, file), "utf8")) as ClassFile }));

function goldenEventCodes(classUid: number): Set<string> {
  const text = readFileSync(join(here, `${ocsf.class(classUid).name}.ndjson`), "utf8");
  const codes = new Set<string>();
  for (const line of text.split("\n")) {
    if (!line) continue;
    const event = JSON.parse(line) as { class_uid: number; metadata: { event_code: string } };
    expect(event.class_uid).toBe(classUid);
    codes.add(event.metadata.event_code);
  }
  return codes;
}

describe("okta event types", () => {
  it("routes at least 25 event types, each by exactly one class file, with exact names", () => {
    const seen = new Map<string, string>();
    for (const { file, spec } of classFiles) {
      for (const type of spec.match) {
        expect(type, `${file}: wildcards would route types no fixture covers`).not.toContain("*");
        expect(seen.get(type), `${type} is routed by ${seen.get(type)} and ${file}`).toBeUndefined();
        seen.set(type, file);
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(25);
  });

  it.each(classFiles)(
    "$file: the activity table has exactly the routed types, with ids of the class",
    ({ spec }) => {
      const activities = spec.tables.activity.values;
      expect(Object.keys(activities).sort()).toEqual([...spec.match].sort());
      const allowed = Object.keys(ocsf.class(spec.class_uid).attributes.activity_id?.enum ?? {}).map(Number);
      for (const id of Object.values(activities)) expect(allowed).toContain(id);
    },
  );

  it.each(classFiles)("$file: every routed type has a golden event", ({ spec }) => {
    const codes = goldenEventCodes(spec.class_uid);
    expect(spec.match.filter((type) => !codes.has(type))).toEqual([]);
  });
});
