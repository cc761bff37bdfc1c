import { describe, expect, it } from "vitest";
import { benchMapping, generateLines } from "../../bench/mapping.ts";

// Checks what the benchmark measures, not how fast: rates depend on the machine and are never asserted.
describe("mapping benchmark", () => {
  it("generates events with fresh ids by cycling the fixtures", () => {
    const lines = generateLines("zscaler-dspm", 20);
    const ids = lines.map((l) => JSON.parse(l).alert_id);
    expect(new Set(ids).size).toBe(20);
    expect(ids[0]).toBe("synalert-0001-b0");
  });

  it("maps every generated event and reports rates and memory", () => {
    const result = benchMapping("zscaler-dspm", 300);
    expect(result).toMatchObject({
      source: "zscaler-dspm",
      events: 300,
      mapped: 300,
      skipped: 0,
      quarantined: 0,
    });
    for (const rate of [
      result.eventsPerSecond,
      result.endToEndEventsPerSecond,
      result.parseFloorEventsPerSecond,
      result.outputFloorEventsPerSecond,
    ]) {
      expect(Number.isFinite(rate) && rate > 0).toBe(true);
    }
    // Mapping parses and then does more, so it can never beat parsing alone.
    expect(result.eventsPerSecond).toBeLessThan(result.parseFloorEventsPerSecond);
    expect(result.outputBytes).toBeGreaterThan(result.inputBytes);
    expect(result.peakRssMb).toBeGreaterThan(0);
  });
});
