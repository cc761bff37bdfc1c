import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTime } from "../../../functions/core/mapping/time.ts";

describe("parseTime", () => {
  it.each([
    ["2024-01-15T17:15:10.234Z", Date.UTC(2024, 0, 15, 17, 15, 10, 234)],
    ["2024-01-15T17:15:10Z", Date.UTC(2024, 0, 15, 17, 15, 10)],
    ["2024-01-15T17:15:10.234+02:00", Date.UTC(2024, 0, 15, 15, 15, 10, 234)],
    ["2024-01-15T17:15:10-0530", Date.UTC(2024, 0, 15, 22, 45, 10)],
    ["2024-01-15T17:15:10.234", Date.UTC(2024, 0, 15, 17, 15, 10, 234)],
    ["2024-01-15 17:15:10.234", Date.UTC(2024, 0, 15, 17, 15, 10, 234)],
    ["2024-04-02 19:17:37.621000000", Date.UTC(2024, 3, 2, 19, 17, 37, 621)],
    ["2024-04-02T19:17:37.621999999Z", Date.UTC(2024, 3, 2, 19, 17, 37, 621)],
    ["2024-04-02 19:17:37.6", Date.UTC(2024, 3, 2, 19, 17, 37, 600)],
    ["2024-02-29", Date.UTC(2024, 1, 29)],
    [1705338910, 1705338910000],
    [1705338910.5, 1705338910500],
    [1705338910234, 1705338910234],
    ["1705338910", 1705338910000],
    ["1705338910234", 1705338910234],
  ])("%j → %d", (input, expected) => {
    expect(parseTime(input)).toBe(expected);
  });

  it.each([
    "redacted",
    "",
    "yesterday",
    "2023-02-29T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-01-15T25:00:00Z",
    "2024-01-15T17:15:10+25:00",
    "2024-01-15T17:15:10.1234567890Z",
  ])("rejects %j", (input) => {
    expect(parseTime(input)).toBeUndefined();
  });

  it("rejects non-scalars and non-finite numbers", () => {
    for (const v of [null, undefined, {}, [], true, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(parseTime(v)).toBeUndefined();
    }
  });

  it("honours an explicit format", () => {
    expect(parseTime(1705338910, "epoch_ms")).toBe(1705338910);
    expect(parseTime("1705338910", "epoch_s")).toBe(1705338910000);
    expect(parseTime("1705338910", "iso8601")).toBeUndefined();
    expect(parseTime("2024-01-15T17:15:10Z", "epoch_s")).toBeUndefined();
    expect(parseTime("2024-01-15T17:15:10Z", "iso8601")).toBe(Date.UTC(2024, 0, 15, 17, 15, 10));
  });

  it("reads YYYY-MM-DDTHH:MM:SS.sssZ digit by digit exactly as the general ISO path does", () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, "0"));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0")),
        two(19),
        two(39),
        two(29),
        two(69),
        two(69),
        fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, "0")),
        (y, mo, d, h, mi, s, ms) => {
          const text = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}`;
          // "+00:00" takes the regex path; "Z" the digit-by-digit one.
          expect(parseTime(`${text}Z`)).toBe(parseTime(`${text}+00:00`));
        },
      ),
      { numRuns: 2000 },
    );
    expect(parseTime("2024-01-15T17:15:1x.234Z")).toBeUndefined();
    expect(parseTime("2024-02-30T17:15:10.234Z")).toBeUndefined();
    expect(parseTime("2024-01-15T24:00:00.000Z")).toBe(Date.UTC(2024, 0, 16));
  });
});
