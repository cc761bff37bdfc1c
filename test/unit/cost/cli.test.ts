import { describe, expect, it } from "vitest";
import { parseVolumes } from "../../../functions/cli/commands/cost.ts";
import { parseArgs } from "../../../functions/cli/main.ts";
import { InputError } from "../../../functions/core/errors.ts";

describe("seclake cost arguments", () => {
  it("takes volumes as numbers, 1e6, 10k or 1M", () => {
    expect(parseVolumes("10000,1e5,10k,1M,2.5M")).toEqual([10_000, 100_000, 10_000, 1_000_000, 2_500_000]);
  });

  it.each(["", "abc", "0", "-5", "10,,20"])("rejects %j", (text) => {
    expect(() => parseVolumes(text)).toThrow(InputError);
  });

  it("declares its options with the issue's defaults", () => {
    const parsed = parseArgs(["cost"]);
    expect(parsed?.command.name).toBe("cost");
    expect(parsed?.options).toMatchObject({
      eventsPerDay: "10000,100000,1000000,10000000",
      schedule: "rate(1 hour)",
      source: "okta",
    });
    expect(parseArgs(["cost", "--json", "--source", "sailpoint"])?.options).toMatchObject({
      json: true,
      source: "sailpoint",
    });
  });
});
