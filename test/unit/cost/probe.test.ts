import { describe, expect, it } from "vitest";
import type { LoopSample, Scoped } from "../../../functions/core/cost/usage.ts";
import { runCostProbe } from "../../../functions/local/costProbe.ts";

describe("the cost probe (the real state machine, locally)", () => {
  it("measures positive quantities that grow with the events of a loop", async () => {
    // Act
    const m = await runCostProbe({ source: "okta", sizes: [300, 3000] });
    // Assess
    const [small, large] = m.samples;
    if (!small || !large) throw new Error("two samples expected");
    expect(large.events).toBeGreaterThan(small.events);
    expect(small.events).toBeGreaterThan(0);
    const grows = (pick: (s: LoopSample) => Scoped) => {
      const a = pick(small);
      const b = pick(large);
      expect(a.loop + a.source).toBeGreaterThan(0);
      expect(b.loop + b.source).toBeGreaterThan(a.loop + a.source);
    };
    grows((s) => s.usage.stagedBytes.raw);
    grows((s) => s.usage.stagedBytes.ocsf);
    grows((s) => s.usage.lakeBytes);
    grows((s) => s.usage.roles.map.seconds);
    grows((s) => s.usage.roles.convert.seconds);
    grows((s) => s.usage.roles.fetch.vendorPages);
    grows((s) => s.usage.roles.fetch.s3.put);
    // One invocation of each function a loop, one Convert per custom source with data.
    for (const role of ["loadCheckpoint", "fetch", "map", "commit"] as const) {
      expect(large.usage.roles[role].invocations).toEqual({ loop: 1, source: 0 });
    }
    expect(large.usage.roles.convert.invocations).toEqual({ loop: 0, source: 1 });
    expect(m.perLoop.transitions.perLoop).toBeGreaterThan(0);
    expect(m.perLoop.transitions.perSource).toBeGreaterThan(0);
    expect(m.perLoop.roles.convert.s3.put.perSource).toBeGreaterThan(0);
    expect(m.perLoop.secretCalls.perLoop).toBeGreaterThan(0);
    // A new day of a table that exists is one catalogue request, no staging crawl (Security Lake's
    // crawler, where configured, starts once per source); the next run into the same day starts none.
    expect(m.crawl.newDay.stagingCrawls).toBe(0);
    expect(m.crawl.newDay.lakeCrawlsPerSource).toBe(1);
    expect(m.crawl.sameDay).toEqual({ stagingCrawls: 0, lakeCrawlsPerSource: 0 });
    expect(m.metricsEmitted).toContain("EventsMapped");
  });
});
