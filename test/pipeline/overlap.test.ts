import { describe, expect, it } from "vitest";
import type { RecordingTelemetry } from "../../functions/adapters/observability.ts";
import { generatedCorpus } from "../../functions/local/mockApis/index.ts";
import { runExecution } from "../../functions/local/runtime.ts";
import { assertExactlyOnce } from "./faultMatrix.ts";
import { drain, fixture, InjectedCrash, LAG_SECONDS, openWorld, readCheckpoint } from "./harness.ts";

const CONNECTOR = "onelogin";

/** A promise the test resolves, and one that resolves when the paused execution reached the gate. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function gate() {
  return { reached: deferred(), release: deferred() };
}

describe("overlapping executions of one connector", () => {
  it("a second execution started while the first holds the window ends successfully, says so, and commits nothing", async () => {
    // Prepare: A pauses inside Fetch, holding the pending window under a one-hour lease.
    const world = await openWorld(CONNECTOR, { leaseSeconds: 3600 });
    const g = gate();
    try {
      const a = runExecution(world.runtime, {
        executionId: "exec-A",
        fault: async (state, phase) => {
          if (state === "Fetch" && phase === "before") {
            g.reached.resolve();
            await g.release.promise;
          }
        },
      });
      await g.reached.promise;
      // Act
      const b = await runExecution(world.runtime, { executionId: "exec-B" });
      g.release.resolve();
      const ra = await a;
      // Assess: a schedule tick during a long execution is not a failure (no alarm), and it is counted.
      expect(b.status).toBe("SUCCEEDED");
      expect(b.output).toMatchObject({
        outcome: "another-execution-at-work",
        heldBy: { executionId: "exec-A" },
        loops: 1,
      });
      expect(b.states).not.toContain("Fetch");
      expect(b.states).not.toContain("Commit");
      expect(b.states).not.toContain("RecordFailure");
      const telemetry = world.runtime.telemetry as RecordingTelemetry;
      expect(telemetry.metrics.filter((m) => m.name === "OverlappingExecutions")).toHaveLength(1);
      expect(ra.status).toBe("SUCCEEDED");
      await drain(world);
      await assertExactlyOnce(CONNECTOR, world);
    } finally {
      await world.close();
    }
  });

  it("an execution whose lease ran out loses the window: the taker commits, the late one's Commit fails", async () => {
    const fx = fixture(CONNECTOR);
    const world = await openWorld(CONNECTOR, { leaseSeconds: 60 });
    const g = gate();
    try {
      // A converts, then stalls before Commit past its lease.
      const a = runExecution(world.runtime, {
        executionId: "exec-slow",
        fault: async (state, phase) => {
          if (state === "Commit" && phase === "before") {
            g.reached.resolve();
            await g.release.promise;
          }
        },
      });
      await g.reached.promise;
      const b = await runExecution(
        { ...world.runtime, deps: { ...world.runtime.deps, now: () => new Date(fx.nowMs + 61_000) } },
        { executionId: "exec-taker" },
      );
      g.release.resolve();
      const ra = await a;
      expect(b.status).toBe("SUCCEEDED");
      expect(ra.status).toBe("FAILED");
      expect(ra.error?.Error).toBe("CheckpointError");
      // The loser's RecordFailure left the taker's state alone.
      expect((await readCheckpoint(world))?.pending).toBeNull();
      // The taker's clock ran 61 s later, so its last window ends 61 s later.
      await assertExactlyOnce(
        CONNECTOR,
        world,
        new Date(fx.nowMs + 61_000 - LAG_SECONDS * 1000).toISOString(),
      );
    } finally {
      await world.close();
    }
  });

  it("an execution killed outright (no RecordFailure) blocks others until its lease ends, then is resumed", async () => {
    const fx = fixture(CONNECTOR);
    const world = await openWorld(CONNECTOR, { leaseSeconds: 600 });
    try {
      let killed = false;
      const dead = await runExecution(world.runtime, {
        executionId: "exec-killed",
        fault: (state, phase) => {
          if (!killed && state === "Map" && phase === "after") {
            killed = true;
            throw new InjectedCrash("kill after Map");
          }
          if (state === "RecordFailure") throw new InjectedCrash("the process is gone");
        },
      });
      expect(dead.status).toBe("FAILED");
      const held = await readCheckpoint(world);
      expect(held?.pending?.executionId).toBe("exec-killed");
      expect(held?.pending?.failedAt).toBeUndefined();

      const early = await runExecution(world.runtime, { executionId: "exec-early" });
      expect(early.status).toBe("SUCCEEDED");
      expect(early.output).toMatchObject({ heldBy: { executionId: "exec-killed" } });

      const afterLease = {
        ...world.runtime,
        deps: { ...world.runtime.deps, now: () => new Date(fx.nowMs + 601_000) },
      };
      const windows: unknown[] = [];
      const resumed = await runExecution(afterLease, {
        executionId: "exec-resume",
        onEvent: (event) => {
          if (event.type === "StateExited" && "state" in event && event.state.name === "LoadCheckpoint") {
            windows.push((event.state.output as { claim: { window: unknown } }).claim.window);
          }
        },
      });
      expect(resumed.status).toBe("SUCCEEDED");
      expect(windows[0]).toMatchObject({ windowId: held?.pending?.windowId, resumed: true });
      await assertExactlyOnce(
        CONNECTOR,
        world,
        new Date(fx.nowMs + 601_000 - LAG_SECONDS * 1000).toISOString(),
      );
    } finally {
      await world.close();
    }
  });
});

describe("state payloads", () => {
  it("stay far under the 256 KB Step Functions limit at maxEvents 10,000 (OneLogin: 50 events a page)", async () => {
    const world = await openWorld(CONNECTOR, {
      maxEvents: 10_000,
      corpus: generatedCorpus("onelogin", { count: 10_500, seed: 3 }),
    });
    try {
      const reports = await drain(world);
      const telemetry = world.runtime.telemetry as RecordingTelemetry;
      const fetched = telemetry.metrics.filter((m) => m.name === "EventsFetched").map((m) => m.value);
      expect(Math.max(...fetched)).toBe(10_000);
      const largest = Math.max(...reports.map((r) => r.maxPayloadBytes));
      expect(largest).toBeLessThan(64 * 1024);
    } finally {
      await world.close();
    }
  }, 120_000);
});
