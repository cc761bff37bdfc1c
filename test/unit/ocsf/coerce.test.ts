import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadSourceMappings, mapRecord } from "../../../functions/core/mapping/engine.ts";
import { coerce, fillCaptionsAndValidate } from "../../../functions/core/ocsf/validate.ts";
import { makeMappingsDir, SYN_AUTH, SYN_GROUP, SYN_SOURCE, synEvent } from "../../helpers/mappingDir.ts";

const BASES = ["string_t", "integer_t", "long_t", "float_t", "boolean_t", "json_t", "object_t"];

describe("coerce: lossless conversions only", () => {
  it.each([
    [0, "string_t", "0"],
    [42.5, "string_t", "42.5"],
    [true, "string_t", "true"],
    ["17", "integer_t", 17],
    ["-3", "integer_t", -3],
    ["0", "long_t", 0],
    ["1700000000000", "long_t", 1700000000000],
    ["2.5", "float_t", 2.5],
    ["-0.125", "float_t", -0.125],
    ["true", "boolean_t", true],
    ["false", "boolean_t", false],
  ])("%j → %s gives %j", (value, base, expected) => {
    expect(coerce(value, base)).toBe(expected);
  });

  it.each([
    ["1.5", "integer_t", "a fraction into an integer"],
    ["007", "integer_t", "leading zeros would be lost"],
    ["-0", "integer_t", "the sign would be lost"],
    ["+4", "integer_t", "a sign that does not print back"],
    ["1e3", "integer_t", "exponent notation"],
    ["9007199254740993", "long_t", "beyond the exact range of a double"],
    ["2.50", "float_t", "a trailing zero would be lost"],
    ["True", "boolean_t", "only true/false"],
    [1, "boolean_t", "numbers are not booleans"],
    [Number.NaN, "string_t", "not finite"],
    [{ a: 1 }, "string_t", "an object into a string"],
    [[1], "string_t", "an array into a string"],
    [null, "string_t", "null"],
    ["x", "json_t", "json takes anything already"],
  ] as [unknown, string, string][])("%j → %s is refused (%s)", (value, base) => {
    expect(coerce(value, base)).toBeUndefined();
  });

  it("every conversion prints back as the original (property)", () => {
    const values = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.string(),
      fc.integer().map(String),
      fc.double({ noNaN: true }).map(String),
      fc.constantFrom("true", "false", "0", "-0", "01", "1.0", "1.10"),
    );
    fc.assert(
      fc.property(values, fc.constantFrom(...BASES), (value, base) => {
        const out = coerce(value, base);
        if (out === undefined) return;
        if (base === "string_t") expect(out).toBe(String(value));
        else if (base === "boolean_t") expect(String(out)).toBe(value);
        else expect(String(out)).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("coercion in the mapping engine", () => {
  const dir = makeMappingsDir({
    "syn/_source.yaml": SYN_SOURCE,
    "syn/authentication.yaml": SYN_AUTH,
    "syn/group_management.yaml": SYN_GROUP,
  });
  const mappings = loadSourceMappings("syn", { dir });

  it("a number where the attribute is a string is converted, once, and counted", () => {
    const outcome = mapRecord(mappings, JSON.stringify(synEvent({ displayMessage: 42 })));
    expect(outcome).toMatchObject({ kind: "mapped", coerced: 1, event: { message: "42" } });
  });

  it("a fraction into an integer, or an object into a string, is still quarantined with path and reason", () => {
    const outcome = mapRecord(mappings, JSON.stringify(synEvent({ displayMessage: { text: "x" } })));
    expect(outcome).toMatchObject({ kind: "quarantined", reason: { path: "message" } });
  });

  it("never changes a value that already has the right type: every golden event passes through untouched", () => {
    const root = new URL("../../golden/", import.meta.url).pathname;
    let events = 0;
    for (const source of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const file of readdirSync(join(root, source.name)).filter((f) => f.endsWith(".ndjson"))) {
        for (const line of readFileSync(join(root, source.name, file), "utf8").split("\n")) {
          if (line === "") continue;
          const event = JSON.parse(line) as Record<string, unknown>;
          const copy = structuredClone(event);
          const coerced = { count: 0 };
          expect(fillCaptionsAndValidate(copy, coerced)).toEqual([]);
          expect(coerced.count).toBe(0);
          expect(copy).toEqual(event);
          events++;
        }
      }
    }
    expect(events).toBeGreaterThan(100);
  });
});
