import { describe, expect, it } from "vitest";
import { metricSeries } from "../../../functions/core/cost/metrics.ts";
import {
  atLoop,
  fitLoops,
  type LoopSample,
  loopUsageOf,
  type Scoped,
} from "../../../functions/core/cost/usage.ts";
import { EVERY_RUN } from "../../../functions/core/metrics.ts";

/** A sample whose every quantity is `at(events)`. */
function sample(events: number, at: (events: number) => Scoped): LoopSample {
  return { events, usage: loopUsageOf(() => at(events)) };
}

describe("fitLoops", () => {
  it("recovers fixed-per-loop, fixed-per-source and per-event parts from two loop sizes", () => {
    const at = (events: number) => ({ loop: 3 + 0.002 * events, source: 7 + 0.5 * events });
    const fit = fitLoops([sample(1000, at), sample(10_000, at)]);
    expect(fit.transitions.perLoop).toBeCloseTo(3, 9);
    expect(fit.transitions.perSource).toBeCloseTo(7, 9);
    expect(fit.transitions.perEvent).toBeCloseTo(0.502, 9);
    expect(fit.roles.convert.s3.put.perEvent).toBeCloseTo(0.502, 9);
    expect(atLoop(fit.lakeBytes, 5000, 2)).toBeCloseTo(3 + 7 * 2 + 0.502 * 5000, 6);
  });

  it("takes a slope or an intercept that noise makes negative as zero", () => {
    const fit = fitLoops([
      sample(1000, () => ({ loop: 5, source: 1 })),
      sample(10_000, () => ({ loop: 4, source: 1000 })),
    ]);
    expect(fit.transitions.perEvent).toBeCloseTo(999 / 9000, 9);
    expect(fit.transitions.perLoop).toBeCloseTo(4.5, 9);
    expect(fit.transitions.perSource).toBe(0);
  });

  it("needs two loop sizes", () => {
    const at = () => ({ loop: 1, source: 1 });
    expect(() => fitLoops([sample(1000, at), sample(1000, at)])).toThrow(/two loop sizes/);
  });
});

describe("metricSeries", () => {
  it("counts one metric per name: every metric is per connector, whatever its classes and sources", () => {
    // The four published every run ($1.20 a month); the rest only in hours they are not zero.
    expect(metricSeries(EVERY_RUN, 6, 6)).toBe(4);
    expect(metricSeries([...EVERY_RUN, "EventsFetched", "EventsQuarantined"], 3, 3)).toBe(5);
    expect(metricSeries([], 6, 6)).toBe(0);
  });
});
