import { describe, expect, it } from "vitest";
import type { FaultHook } from "../../functions/local/runtime.ts";
import { runExecution } from "../../functions/local/runtime.ts";
import { assertExactlyOnce } from "./faultMatrix.ts";
import { drain, InjectedCrash, lakeSnapshot, openWorld } from "./harness.ts";

const CONNECTOR = "okta";

/**
 * Security Lake's permissions boundary denies DeleteObject and AbortMultipartUpload to the provider
 * role, so a window that failed after Convert wrote part of its Parquet cannot clean up. It must instead
 * write exactly the same objects again: the resumed window must come from its staged pages (not a new
 * fetch, whose paging or late events could change the file plan), and Convert must be deterministic.
 */
describe("a window that failed after writing to the lake", () => {
  it("resumes from its staged pages, without asking the source again, and rewrites the same objects byte for byte", async () => {
    // Prepare: the second custom source's Convert fails after the first one's Parquet is written.
    const world = await openWorld(CONNECTOR);
    let converted = 0;
    let failedWindow: string | undefined;
    const crash: FaultHook = (state, phase, input) => {
      if (state !== "ConvertSource" || phase !== "after" || failedWindow) return;
      converted += 1;
      if (converted === 2) {
        failedWindow = (input as { window: { windowId: string } }).window.windowId;
        throw new InjectedCrash("after the second ConvertSource");
      }
    };
    try {
      const first = await runExecution(world.runtime, { executionId: "exec-fails", fault: crash });
      expect(first.status).toBe("FAILED");
      const written = await lakeSnapshot(world.out);
      const ofWindow = [...written.keys()].filter((k) => k.includes(`/${failedWindow}-`));
      expect(ofWindow.length).toBeGreaterThan(0);

      // Act: count source calls made while Fetch works on the resumed window.
      let resumedFetch = false;
      let sourceCalls = 0;
      const deps = world.runtime.deps;
      const watched = {
        ...world.runtime,
        deps: {
          ...deps,
          connector: () => {
            if (resumedFetch) sourceCalls += 1;
            return deps.connector();
          },
        },
      };
      const watch: FaultHook = (state, phase, input) => {
        if (state !== "Fetch") return;
        const window = (input as { window: { windowId: string; resumed: boolean } }).window;
        resumedFetch = phase === "before" && window.resumed && window.windowId === failedWindow;
      };
      const reports = await drain({ ...world, runtime: watched }, watch);

      // Assess
      expect(reports.every((r) => r.status === "SUCCEEDED")).toBe(true);
      expect(sourceCalls, "the resumed window was not fetched again").toBe(0);
      const after = await lakeSnapshot(world.out);
      // Every object the failed attempt wrote is still there, with the same bytes (overwritten, never deleted).
      for (const key of ofWindow) expect(after.get(key), key).toBe(written.get(key));
      await assertExactlyOnce(CONNECTOR, world);
    } finally {
      await world.close();
    }
  });
});
