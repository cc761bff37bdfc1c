import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StaticSecretsProvider } from "../../functions/adapters/envSecrets.ts";
import { type RecordingTelemetry, recordingTelemetry } from "../../functions/adapters/observability.ts";
import { loadSourceMappings, mapRecord } from "../../functions/core/mapping/index.ts";
import type { MockEvent } from "../../functions/local/mockApis/index.ts";
import { postOnce } from "../../functions/local/partnerBus.ts";
import {
  type ExecutionReport,
  type FaultHook,
  LOCAL_LAKE,
  localEventSource,
  localRuntime,
  runExecution,
  type TaskState,
} from "../../functions/local/runtime.ts";
import { localPushQueue, pushCorpus } from "../../functions/local/session.ts";
import {
  canonical,
  InjectedCrash,
  LAG_SECONDS,
  readCheckpoint,
  readLake,
  readQuarantine,
  spec,
} from "./harness.ts";

/**
 * Push connectors against the real ASL (DESIGN.md §2.1): every event the partner bus pushed reaches the
 * lake exactly once whatever the crash, the redelivery or the duplicate, and messages that are not events
 * end in the dead-letter queue without holding the rest back.
 */

const CONNECTOR = spec("okta-push");
const VISIBILITY_MS = 7200 * 1000;
const generated = pushCorpus(70);
const template = generated[5] as MockEvent;
/** Besides good events: one the mapping must quarantine, and one of a type no mapping takes (skipped). */
const corpus: MockEvent[] = [
  ...generated,
  {
    ...template,
    id: "push-bad-1",
    body: { ...template.body, uuid: "push-bad-1", displayMessage: { not: "a string" } },
  },
  {
    ...template,
    id: "push-unmapped-1",
    body: { ...template.body, uuid: "push-unmapped-1", eventType: "system.example.unmapped" },
  },
];
const expected = (() => {
  const mappings = loadSourceMappings("okta");
  const uids = new Set<string>();
  const quarantined = new Set<string>();
  for (const e of corpus) {
    const raw = JSON.stringify(e.body);
    const outcome = mapRecord(mappings, raw);
    if (outcome.kind === "mapped") uids.add(String((outcome.event.metadata as { uid: unknown }).uid));
    if (outcome.kind === "quarantined") quarantined.add(canonical(raw));
  }
  return { uids, quarantined };
})();

async function openPushWorld(options: { maxEvents?: number } = {}) {
  const out = await mkdtemp(join(tmpdir(), "seclake-push-"));
  let queueNow = Date.parse("2025-01-01T00:00:00.000Z");
  const queue = localPushQueue(out, CONNECTOR.name, () => queueNow);
  await postOnce(queue, corpus, {
    kind: "okta",
    source: localEventSource(CONNECTOR),
    accountId: LOCAL_LAKE.accountId,
    region: LOCAL_LAKE.region,
    markerPath: join(out, "state", "partner-bus.json"),
  });
  const telemetry = recordingTelemetry();
  const runtime = localRuntime(CONNECTOR, {
    out,
    baseUrl: "",
    secrets: new StaticSecretsProvider({}),
    now: () => new Date("2025-01-01T00:00:00.000Z"),
    maxEvents: options.maxEvents ?? 20,
    lagSeconds: LAG_SECONDS,
    // As deployed: a live execution's window is never taken over (failed ones are, at once).
    pendingLeaseSeconds: 7200,
    queue,
    telemetry,
  });
  let executions = 0;
  const run = (fault?: FaultHook) =>
    runExecution(runtime, {
      executionId: `arn:aws:states:us-east-1:123456789012:execution:push:${++executions}`,
      ...(fault ? { fault } : {}),
    });
  /** Executions until one ends with nothing more; after a failed one, time passes past the visibility timeout. */
  const drain = async (fault?: FaultHook): Promise<ExecutionReport[]> => {
    const reports: ExecutionReport[] = [];
    for (let i = 0; i < 15; i += 1) {
      const report = await run(fault);
      reports.push(report);
      if (report.status === "FAILED") queueNow += VISIBILITY_MS + 1000;
      const more = (report.output as { commit?: { hasMore?: boolean } } | undefined)?.commit?.hasMore;
      if (report.status === "SUCCEEDED" && !more) {
        // Undeleted messages come back once their visibility ends: the last executions must drop them.
        queueNow += VISIBILITY_MS + 1000;
        const after = await run(fault);
        reports.push(after);
        if (after.status === "SUCCEEDED" && (await queue.depth()).messages === 0) return reports;
      }
    }
    throw new Error(`not drained: ${reports.map((r) => r.error?.Error ?? r.status).join(", ")}`);
  };
  return {
    out,
    runtime,
    queue,
    telemetry: telemetry as RecordingTelemetry,
    run,
    drain,
    advance: (ms: number) => (queueNow += ms),
    close: () => rm(out, { recursive: true, force: true }),
  };
}

type World = Awaited<ReturnType<typeof openPushWorld>>;

async function assertExactlyOnce(world: World): Promise<void> {
  const rows = await readLake(world.out);
  const uids = rows.map((r) => r.uid);
  expect(uids.length, "no event twice in the lake").toBe(new Set(uids).size);
  expect(new Set(uids)).toEqual(expected.uids);
  // A mappable-but-invalid event is quarantined like any other, once; it is not a poison message.
  const quarantined = await readQuarantine({ out: world.out, runtime: world.runtime } as never);
  expect(quarantined.length).toBe(new Set(quarantined).size);
  expect(new Set(quarantined)).toEqual(expected.quarantined);
  expect(expected.quarantined.size).toBe(1);
  const depth = await world.queue.depth();
  expect(depth.messages, "every message deleted").toBe(0);
  // The two messages that are not Okta events, and only they, are in the dead-letter queue.
  expect(depth.deadLetters).toBe(2);
  expect((await readCheckpoint({ out: world.out, runtime: world.runtime } as never))?.pending).toBeNull();
}

describe("push connector: okta-push through the local partner bus and queue", () => {
  it("drains the queue into the lake exactly once; duplicates are dropped, poison goes to the DLQ; a second run adds nothing", async () => {
    const world = await openPushWorld();
    try {
      const reports = await world.drain();
      expect(reports.every((r) => r.status === "SUCCEEDED")).toBe(true);
      expect(reports.flatMap((r) => r.states)).toContain("Acknowledge");
      await assertExactlyOnce(world);
      // The vendor's resent event, SQS's double delivery and the message back after its delete.
      expect(world.telemetry.total("DuplicatesDropped")).toBeGreaterThanOrEqual(2);
      expect(world.telemetry.total("PoisonMessages")).toBeGreaterThan(0);

      const before = (await readLake(world.out)).length;
      const again = await world.run();
      expect(again.status).toBe("SUCCEEDED");
      expect(again.states).not.toContain("ConvertSource");
      expect((await readLake(world.out)).length).toBe(before);
    } finally {
      await world.close();
    }
  });

  const targets: { state: TaskState; phase: "before" | "after" }[] = [
    { state: "LoadCheckpoint", phase: "after" },
    { state: "Fetch", phase: "before" },
    { state: "Fetch", phase: "after" },
    { state: "Map", phase: "after" },
    { state: "ConvertSource", phase: "before" },
    { state: "ConvertSource", phase: "after" },
    { state: "Commit", phase: "before" },
    { state: "Commit", phase: "after" },
    // Between Commit and the deletion of the window's messages.
    { state: "Acknowledge", phase: "before" },
    { state: "Acknowledge", phase: "after" },
  ];

  it.each(targets)(
    "crash $phase $state (the second time it is reached), then run until drained",
    async (target) => {
      const world = await openPushWorld();
      let reached = 0;
      const crash: FaultHook = (state, phase) => {
        if (state === target.state && phase === target.phase && ++reached === 2) {
          throw new InjectedCrash(`${phase} ${state}`);
        }
      };
      try {
        const reports = await world.drain(crash);
        expect(reached, "the fault was reached").toBeGreaterThanOrEqual(2);
        const failed = reports.filter((r) => r.status === "FAILED");
        // A failed acknowledgement does not fail the committed window: it goes on and the ledger drops the redelivery.
        if (target.state === "Acknowledge") {
          expect(failed).toEqual([]);
          if (target.phase === "before")
            expect(world.telemetry.total("DuplicatesDropped")).toBeGreaterThan(2);
        } else {
          expect(failed.map((r) => r.error?.Error)).toEqual(["InjectedCrash"]);
        }
        await assertExactlyOnce(world);
      } finally {
        await world.close();
      }
    },
  );

  it("a message's visibility ending while its window runs, and two executions at once, change nothing", async () => {
    const world = await openPushWorld();
    try {
      const expire: FaultHook = (state, phase) => {
        if (state === "Map" && phase === "after") world.advance(VISIBILITY_MS + 1000);
      };
      const [first, second] = await Promise.all([world.run(expire), world.run(expire)]);
      const outcomes = [first, second].map((r) => (r?.output as { outcome?: string } | undefined)?.outcome);
      expect(outcomes).toContain("another-execution-at-work");
      await world.drain(expire);
      await assertExactlyOnce(world);
    } finally {
      await world.close();
    }
  });
});
