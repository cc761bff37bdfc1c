import { describe, expect, it } from "vitest";
import type { RecordingTelemetry } from "../../functions/adapters/observability.ts";
import { assertExactlyOnce } from "./faultMatrix.ts";
import { drain, openWorld, readCheckpoint } from "./harness.ts";

const CONNECTOR = "onelogin";

/** A Glue error as the aws-sdk service integration names it. */
function glueError(code: string): Error {
  const error = new Error(`injected ${code}`);
  error.name = `Glue.${code}`;
  return error;
}

describe("Security Lake's crawler start is best effort", () => {
  it.each(["EntityNotFoundException", "AccessDeniedException"])(
    "a %s at its start neither fails nor holds back the window: it commits, and the failure is counted",
    async (code) => {
      // Prepare: every start of a Security Lake crawler fails (a crawler in another account, or deleted).
      const world = await openWorld(CONNECTOR);
      try {
        // Act
        const reports = await drain(world, (state, phase) => {
          if (state === "StartLakeCrawler" && phase === "before") throw glueError(code);
        });
        // Assess
        expect(reports.every((r) => r.status === "SUCCEEDED")).toBe(true);
        expect(reports.flatMap((r) => r.states)).toContain("LakeCrawlerNotStarted");
        expect(reports.flatMap((r) => r.states)).not.toContain("RecordFailure");
        const telemetry = world.runtime.telemetry as RecordingTelemetry;
        const failed = telemetry.metrics.filter((m) => m.name === "LakeCrawlerStartFailed");
        const starts = reports.flatMap((r) => r.states).filter((s) => s === "StartLakeCrawler").length;
        expect(failed.length).toBe(starts);
        expect(failed.length).toBeGreaterThan(0);
        expect((await readCheckpoint(world))?.pending).toBeNull();
        await assertExactlyOnce(CONNECTOR, world);
      } finally {
        await world.close();
      }
    },
  );
});
