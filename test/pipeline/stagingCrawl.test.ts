import { describe, expect, it } from "vitest";
import { generatedCorpus, sortEvents } from "../../functions/local/mockApis/index.ts";
import type { FaultHook } from "../../functions/local/runtime.ts";
import { drain, openWorld } from "./harness.ts";

const DAY_A = Date.parse("2024-05-01T10:00:00.000Z");
const DAY_B = Date.parse("2024-05-02T10:00:00.000Z");

/** 40 Okta events on one day and 20 on the next: with maxEvents 20, two windows on day A, one on day B. */
const corpus = sortEvents([
  ...generatedCorpus("okta", { count: 40, startMs: DAY_A, burst: 0 }),
  ...generatedCorpus("okta", { count: 20, startMs: DAY_B, burst: 0, seed: 11, idOffset: 10_000 }),
]);

function crawlerRunning(): Error {
  const error = new Error("injected: the crawler is running");
  error.name = "Glue.CrawlerRunningException";
  return error;
}

/** Per loop of the executions: did it start the staging crawler? */
function crawledPerLoop(states: readonly string[]): boolean[] {
  const loops: boolean[] = [];
  for (const state of states) {
    if (state === "LoadCheckpoint") loops.push(false);
    if (state === "StartCrawler") loops[loops.length - 1] = true;
  }
  return loops;
}

describe("the staging crawl runs only when a window adds a table (DESIGN.md §2.4)", () => {
  it("a source's first day crawls; a later day is added to the catalogue without a crawl; files in a known day need nothing", async () => {
    // Prepare
    const world = await openWorld("okta", { corpus, maxEvents: 20 });
    try {
      // Act
      const reports = await drain(world);
      const again = await drain(world);
      // Assess
      const states = reports.flatMap((r) => r.states);
      expect(crawledPerLoop(states).slice(0, 3)).toEqual([true, false, false]);
      expect(states.filter((s) => s === "NoCrawlNeeded").length).toBe(2);
      // Security Lake's crawler of the source likewise starts only after the windows that added a day.
      expect(states.filter((s) => s === "ConvertSource").length).toBe(3);
      expect(states.filter((s) => s === "StartLakeCrawler").length).toBe(2);
      expect(world.runtime.crawler.started).toBe(crawledPerLoop(states).filter(Boolean).length);
      expect(again.flatMap((r) => r.states)).not.toContain("StartCrawler");
      expect(again.flatMap((r) => r.states)).not.toContain("StartLakeCrawler");
      // Staged OCSF is partitioned by event day; both windows of day A put their parts in one folder.
      const staged = (await world.runtime.staging.list("staging/ocsf/okta-auth/")).map((o) => o.key);
      for (const key of staged) {
        expect(key).toMatch(
          /^staging\/ocsf\/okta-auth\/eventDay=2024050[12]\/[0-9TZ]+-[0-9a-f]{12}-\d+\.ndjson$/,
        );
      }
      const windowsOfDayA = new Set(
        staged
          .filter((k) => k.includes("eventDay=20240501/"))
          .map((k) =>
            k
              .split("/")
              .at(-1)
              ?.replace(/-\d+\.ndjson$/, ""),
          ),
      );
      expect(windowsOfDayA.size).toBe(2);
      const catalog = await world.runtime.crawler.catalog();
      const table = Object.values(catalog)
        .flat()
        .find((t) => t.name === "okta_auth");
      // Day B came in through the catalogue (one request), not a crawl.
      expect(table?.partitions).toEqual(["eventDay=20240501", "eventDay=20240502"]);
    } finally {
      await world.close();
    }
  });

  it("a day the catalogue refuses is left to the crawler, without holding the window back", async () => {
    const world = await openWorld("okta", { corpus, maxEvents: 20 });
    try {
      const refused = Object.assign(new Error("injected: not authorized"), { name: "AccessDeniedException" });
      Object.assign(world.runtime.deps, { catalog: { addPartitions: () => Promise.reject(refused) } });
      const reports = await drain(world);
      expect(reports.every((r) => r.status === "SUCCEEDED")).toBe(true);
      expect(crawledPerLoop(reports.flatMap((r) => r.states)).slice(0, 3)).toEqual([true, false, true]);
    } finally {
      await world.close();
    }
  });

  it("a crawl already running is waited for, not a failure, whether the retries win or run out", async () => {
    for (const always of [false, true]) {
      // Prepare: the staging crawler is busy at the first start (or at every one).
      const world = await openWorld("okta", { corpus, maxEvents: 20 });
      let starts = 0;
      const busy: FaultHook = (state, phase) => {
        if (state === "StartCrawler" && phase === "before" && (always || starts++ === 0))
          throw crawlerRunning();
      };
      try {
        // Act
        const reports = await drain(world, busy);
        // Assess
        expect(reports.every((r) => r.status === "SUCCEEDED")).toBe(true);
        const states = reports.flatMap((r) => r.states);
        expect(states).not.toContain("RecordFailure");
        expect(states).toContain("GetCrawler");
        const rows = (await world.runtime.staging.list("ext/okta-auth/")).length;
        expect(rows).toBeGreaterThan(0);
      } finally {
        await world.close();
      }
    }
  });
});
