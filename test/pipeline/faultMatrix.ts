import { describe, expect, it } from "vitest";
import type { FaultHook, TaskState } from "../../functions/local/runtime.ts";
import { localCustomSources } from "../../functions/local/runtime.ts";
import {
  type CaseOptions,
  type CaseWorld,
  canonical,
  drain,
  fixture,
  InjectedCrash,
  lakeSnapshot,
  openWorld,
  readCheckpoint,
  readLake,
  readQuarantine,
  spec,
} from "./harness.ts";

/**
 * The crash-safety matrix of one connector, run against the real ASL: a failure injected before and
 * after each step (Fetch, Map, the crawl, Convert of each custom source, Commit), and a throttling storm;
 * then executions are re-run until the connector is drained. Every case must end with each served event
 * in the lake exactly once, quarantine holding exactly the bad events, and the checkpoint at the last
 * delivered event.
 */

interface Target {
  readonly state: TaskState;
  readonly phase: "before" | "after";
  readonly customSource?: string;
}

export function crashTargets(connector: string): Target[] {
  const fx = fixture(connector);
  const classes = new Set(fx.expected.mapped.values());
  const sources = localCustomSources(spec(connector)).filter((s) => classes.has(s.classUid));
  const both = (state: TaskState, customSource?: string): Target[] =>
    (["before", "after"] as const).map((phase) => ({
      state,
      phase,
      ...(customSource ? { customSource } : {}),
    }));
  return [
    { state: "LoadCheckpoint", phase: "after" },
    ...both("Fetch"),
    ...both("Map"),
    ...both("StartCrawler"),
    { state: "GetCrawler", phase: "after" },
    ...sources.flatMap((s) => both("ConvertSource", s.name)),
    ...both("Commit"),
  ];
}

/** Fails the first time the target is reached, and records that it did. */
function crashOnce(target: Target): { hook: FaultHook; fired: () => boolean } {
  let fired = false;
  const hook: FaultHook = (state, phase, input) => {
    if (fired || state !== target.state || phase !== target.phase) return;
    if (target.customSource) {
      const source = (input as { source?: { customSource?: string } }).source?.customSource;
      if (source !== target.customSource) return;
    }
    fired = true;
    throw new InjectedCrash(`${phase} ${state}${target.customSource ? ` (${target.customSource})` : ""}`);
  };
  return { hook, fired: () => fired };
}

/** The invariants every case must end with. */
export async function assertExactlyOnce(
  connector: string,
  world: CaseWorld,
  checkpointSince = fixture(connector).checkpoint.since,
): Promise<void> {
  const fx = fixture(connector);
  // Every event of the source was delivered (at least once) by the source.
  const all = fx.corpus
    ? fx.corpus.map((e) => JSON.stringify(e.body))
    : (fx.inbox ?? []).flatMap((f) => f.lines);
  expect(world.served().size).toBe(new Set(all.map(canonical)).size);

  const rows = await readLake(world.out);
  const uids = rows.map((r) => r.uid);
  expect(uids.length, "no metadata.uid twice in the lake").toBe(new Set(uids).size);
  expect(new Set(uids)).toEqual(new Set(fx.expected.mapped.keys()));
  const classOf = new Map(world.runtime.env.customSources.map((s) => [s.name, s.classUid]));
  for (const row of rows) {
    expect(row.classUid).toBe(fx.expected.mapped.get(row.uid));
    expect(classOf.get(row.customSource), `${row.uid} in ${row.customSource}`).toBe(row.classUid);
  }

  const quarantined = await readQuarantine(world);
  expect(quarantined.length, "no quarantined event twice").toBe(new Set(quarantined).size);
  expect(new Set(quarantined)).toEqual(fx.expected.quarantined);

  const checkpoint = await readCheckpoint(world);
  expect(checkpoint?.pending).toBeNull();
  expect(checkpoint?.since).toBe(checkpointSince);
  if (fx.checkpoint.cursor !== undefined) expect(checkpoint?.cursor).toBe(fx.checkpoint.cursor);
}

export interface MatrixOptions {
  /** The throttling storm of this connector (mock 429s, or S3 SlowDown on the inbox). */
  readonly storm: CaseOptions;
}

export function faultMatrix(connector: string, options: MatrixOptions): void {
  describe(`${connector}: crash safety against the real ASL`, () => {
    it("has bad events to quarantine and more events than one window takes", () => {
      const fx = fixture(connector);
      expect(fx.expected.quarantined.size).toBeGreaterThan(0);
      expect(fx.expected.mapped.size).toBeGreaterThan(30);
    });

    it.each(crashTargets(connector))(
      "crash $phase $state $customSource, then re-run until drained",
      async (target) => {
        // Prepare
        const world = await openWorld(connector);
        const crash = crashOnce(target);
        try {
          // Act
          const reports = await drain(world, crash.hook);
          // Assess
          expect(crash.fired(), "the fault was reached").toBe(true);
          const failed = reports.filter((r) => r.status === "FAILED");
          expect(failed.map((r) => r.error?.Error)).toEqual(["InjectedCrash"]);
          expect(failed[0]?.states).toContain("RecordFailure");
          await assertExactlyOnce(connector, world);
          for (const r of reports) expect(r.maxPayloadBytes).toBeLessThan(32 * 1024);
        } finally {
          await world.close();
        }
      },
    );

    it("rides out a throttling storm by retrying, and a second run with no new events writes nothing", async () => {
      const world = await openWorld(connector, options.storm);
      try {
        const reports = await drain(world);
        expect(reports.every((r) => r.status === "SUCCEEDED")).toBe(true);
        expect(reports.flatMap((r) => r.retries)).toContain("Fetch");
        await assertExactlyOnce(connector, world);

        const before = await lakeSnapshot(world.out);
        const again = await drain(world);
        expect(again).toHaveLength(1);
        expect(again[0]?.states).not.toContain("ConvertSource");
        expect(await lakeSnapshot(world.out)).toEqual(before);
        await assertExactlyOnce(connector, world);
      } finally {
        await world.close();
      }
    });
  });
}
