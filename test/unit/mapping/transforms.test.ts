import { describe, expect, it } from "vitest";
import type { TransformStep } from "../../../functions/core/mapping/mappingFile.ts";
import { compileTransforms, normalizeIp } from "../../../functions/core/mapping/transforms.ts";

const run = (steps: TransformStep | TransformStep[], value: unknown) =>
  compileTransforms(Array.isArray(steps) ? steps : [steps])?.(value);

describe("transforms", () => {
  it.each<[TransformStep | TransformStep[], unknown, unknown]>([
    ["lowercase", "SUCCESS", "success"],
    ["uppercase", "high", "HIGH"],
    ["trim", "  x ", "x"],
    ["lowercase", 5, 5],
    ["to_string", 5, "5"],
    ["to_string", true, "true"],
    ["to_string", { a: 1 }, '{"a":1}'],
    ["to_int", "42", 42],
    ["to_int", " -7 ", -7],
    ["to_int", 3.5, undefined],
    ["to_int", "3.5", undefined],
    ["to_int", "12abc", undefined],
    ["to_int", "99999999999999999999", undefined],
    ["to_float", "3.25", 3.25],
    ["to_float", "1e3", 1000],
    ["to_float", "abc", undefined],
    ["to_bool", "true", true],
    ["to_bool", 0, false],
    ["to_bool", "yes", undefined],
    ["ip", "198.51.100.7", "198.51.100.7"],
    ["ip", " 2001:DB8::1 ", "2001:db8::1"],
    ["ip", "[2001:db8::2]", "2001:db8::2"],
    ["ip", "123.456.789.0", undefined],
    ["ip", "redacted", undefined],
    ["ip", 12, undefined],
    ["time", "2024-01-15T17:15:10Z", 1705338910000],
    ["time", "nope", undefined],
    ["epoch_s", 1705338910, 1705338910000],
    ["epoch_ms", "1705338910234", 1705338910234],
    ["iso8601", "2024-01-15 17:15:10", 1705338910000],
    ["json", { a: [1] }, '{"a":[1]}'],
    ["first", ["a", "b"], "a"],
    ["first", "a", "a"],
    ["array", "a", ["a"]],
    ["array", ["a"], ["a"]],
    ["key_values", { env: "prod", n: 1 }, ["env=prod", "n=1"]],
    ["key_values", "x", undefined],
    [{ split: "," }, "a, b,,c", ["a", "b", "c"]],
    [{ join: "|" }, ["a", 1], "a|1"],
    [{ prefix: "okta:" }, "x", "okta:x"],
    [["trim", "uppercase"], " low ", "LOW"],
    [["to_int", "to_string"], "007", "7"],
    [["ip", "uppercase"], "bad", undefined],
  ])("%j of %j → %j", (steps, input, expected) => {
    expect(run(steps, input)).toEqual(expected);
  });

  it("has no transform for an empty list", () => {
    expect(compileTransforms([])).toBeUndefined();
  });

  it("normalizeIp keeps valid v4 as is", () => {
    expect(normalizeIp("203.0.113.9")).toBe("203.0.113.9");
  });
});
