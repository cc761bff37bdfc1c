import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { defaultMappingsDir, loadSourceMappings, mapRecord } from "../../functions/core/mapping/engine.ts";

/**
 * The golden files must show every event type a mapping routes (issue: "golden files cover each mapped
 * event type"). For these sources `synthetic.ndjson` promises at least one event per exact `match` entry,
 * mapped to the class whose file lists it. Wildcard entries are not checked (they name no single type).
 * Other sources can join this list once their synthetic fixtures make the same promise.
 */
const SOURCES = ["sailpoint", "onelogin"];

const fixturesRoot = join(new URL(".", import.meta.url).pathname, "../fixtures");

/** `match` entries of every class file of a source, with the class_uid that file declares. */
function matchedTypes(source: string): { type: string; classUid: number; file: string }[] {
  const dir = join(defaultMappingsDir(), source);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") && f !== "_source.yaml")
    .flatMap((file) => {
      const doc = parseYaml(readFileSync(join(dir, file), "utf8")) as { class_uid: number; match: unknown[] };
      return doc.match
        .map(String)
        .filter((type) => !type.includes("*"))
        .map((type) => ({ type, classUid: doc.class_uid, file }));
    });
}

describe.each(SOURCES)("event type coverage: %s", (source) => {
  it("maps one synthetic event or more for every matched event type", () => {
    // Prepare
    const mappings = loadSourceMappings(source);
    const seen = new Set<string>();

    // Act
    for (const line of readFileSync(join(fixturesRoot, source, "synthetic.ndjson"), "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const raw = JSON.parse(line) as unknown;
      const outcome = mapRecord(mappings, raw);
      if (outcome.kind !== "mapped") continue;
      // The routed type is one of the event's type values (event_type may list several paths).
      for (const getType of mappings.getTypes) seen.add(`${String(getType(raw))} → ${outcome.classUid}`);
    }

    // Assess
    const expected = matchedTypes(source).map(({ type, classUid }) => `${type} → ${classUid}`);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.filter((key) => !seen.has(key))).toEqual([]);
  });
});
