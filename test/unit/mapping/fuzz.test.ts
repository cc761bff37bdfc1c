import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  listSources,
  loadSourceMappings,
  mapRecord,
  type SourceMappings,
} from "../../../functions/core/mapping/engine.ts";
import { MapRun } from "../../../functions/core/mapping/stream.ts";
import { validateEvent } from "../../../functions/core/ocsf/validate.ts";
import { makeMappingsDir, SYN_AUTH, SYN_GROUP, SYN_SOURCE, synEvent } from "../../helpers/mappingDir.ts";

/** Property tests: whatever arrives, the mapper never throws, counts every line once, and emits only valid OCSF. */
const fixturesRoot = new URL("../../fixtures/", import.meta.url).pathname;
const synDir = makeMappingsDir({
  "syn/_source.yaml": SYN_SOURCE,
  "syn/authentication.yaml": SYN_AUTH,
  "syn/group_management.yaml": SYN_GROUP,
});

interface Subject {
  name: string;
  mappings: SourceMappings;
  templates: Record<string, unknown>[];
}

function fixtureEvents(source: string): Record<string, unknown>[] {
  let files: string[] = [];
  try {
    files = readdirSync(join(fixturesRoot, source)).filter((f) => f.endsWith(".ndjson"));
  } catch {
    return [];
  }
  const out: Record<string, unknown>[] = [];
  for (const f of files) {
    for (const line of readFileSync(join(fixturesRoot, source, f), "utf8").split("\n")) {
      try {
        const v = JSON.parse(line);
        if (v && typeof v === "object" && !Array.isArray(v)) out.push(v);
      } catch {}
    }
  }
  return out;
}

const subjects: Subject[] = [
  { name: "syn", mappings: loadSourceMappings("syn", { dir: synDir }), templates: [synEvent()] },
  {
    name: "syn+base",
    mappings: loadSourceMappings("syn", { dir: synDir, baseEvent: true }),
    templates: [synEvent()],
  },
  ...listSources().map((s) => ({ name: s, mappings: loadSourceMappings(s), templates: fixtureEvents(s) })),
].filter((s) => s.templates.length > 0);

/** Every leaf and inner path of a JSON value, as key lists. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) out.push(...paths(value[i], [...prefix, i]));
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v));
  const obj = { ...(value as Record<string, unknown>) };
  obj[head as string] = replaceAt(obj[head as string], rest, replacement);
  return obj;
}

/** Maps `lines` through a MapRun and checks the invariants that must hold for any input. */
function checkRun(mappings: SourceMappings, lines: string[]): void {
  const run = new MapRun(mappings);
  lines.forEach((line, i) => {
    const outcome = run.push(line, i + 1);
    if (outcome?.kind === "mapped") {
      expect(validateEvent(outcome.event)).toEqual([]);
      // The ocsf pass-through keeps the producer's raw_data (if any); mapped sources keep the line.
      const raw = mappings.passThrough ? (JSON.parse(line) as { raw_data?: unknown }).raw_data : line.trim();
      expect(outcome.event.raw_data).toBe(raw);
    }
  });
  const { counts } = run;
  const mapped = Object.values(counts.mapped).reduce((a, b) => a + b, 0);
  expect(counts.in).toBe(lines.filter((l) => l.trim() !== "").length);
  expect(mapped + counts.skipped + counts.quarantined).toBe(counts.in);
  expect(run.quarantine).toHaveLength(counts.quarantined);
  expect([...run.outputs.values()].reduce((a, l) => a + l.length, 0)).toBe(mapped);
}

const jsonLine = fc.jsonValue().map((v) => JSON.stringify(v));
const anyText = fc.string({ unit: "binary", maxLength: 200 });
const wrongValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.constant(""),
  fc.constant("redacted"),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
);

describe.each(subjects)("mapper robustness: $name", ({ mappings, templates }) => {
  it("never throws on random JSON or random text, and counts each line once", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(jsonLine, anyText), { maxLength: 20 }), (lines) => {
        checkRun(mappings, lines);
      }),
      { numRuns: 150 },
    );
  });

  it("never throws on truncated lines", () => {
    const lines = templates.map((t) => JSON.stringify(t));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: lines.length - 1 }), fc.nat(), (i, cut) => {
        const line = lines[i] as string;
        checkRun(mappings, [line.slice(0, cut % (line.length + 1))]);
      }),
      { numRuns: 200 },
    );
  });

  it("never emits an invalid event when any field has a wrong type", () => {
    const cases = templates.flatMap((t) => paths(t).map((p) => ({ t, p })));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: cases.length - 1 }), wrongValue, (i, replacement) => {
        const { t, p } = cases[i] as { t: Record<string, unknown>; p: (string | number)[] };
        checkRun(mappings, [JSON.stringify(replaceAt(t, p, replacement))]);
      }),
      { numRuns: 400 },
    );
  });

  it("returns an outcome for non-string raw values", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(["mapped", "skipped", "quarantined"]).toContain(mapRecord(mappings, value).kind);
      }),
      { numRuns: 100 },
    );
  });
});
