import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Checkpoint,
  MAX_BOUNDARY_IDS,
  nextCheckpoint,
  openWindow,
  type SourceEvent,
  serializeCheckpoint,
  WindowCollector,
} from "../../../functions/core/checkpoint/index.ts";
import { SourceApiError } from "../../../functions/core/errors.ts";

const T0 = Date.parse("2024-01-15T00:00:00.000Z");

const ev = (id: string, timeMs: number): SourceEvent => ({ id, timeMs, raw: JSON.stringify({ id, timeMs }) });

/**
 * An in-memory source that behaves like the real APIs at their worst: inclusive on BOTH bounds, sorted
 * by (time, id), served in pages of `pageSize`.
 */
function* pagesOf(events: readonly SourceEvent[], since: string, until: string, pageSize: number) {
  const [s, u] = [Date.parse(since), Date.parse(until)];
  const hits = events.filter((e) => e.timeMs >= s && e.timeMs <= u);
  for (let i = 0; i < hits.length; i += pageSize) yield hits.slice(i, i + pageSize);
}

/** One run: what the connectors do with a collector. */
function run(
  events: readonly SourceEvent[],
  cp: Checkpoint | undefined,
  now: number,
  maxEvents: number,
  pageSize: number,
  maxWindowSeconds = 3600,
) {
  const window = openWindow(cp, now, { maxWindowSeconds, initialLookbackSeconds: 86_400 });
  const collector = new WindowCollector("test", window, maxEvents);
  const taken: SourceEvent[] = [];
  outer: for (const page of pagesOf(events, window.since, window.until, pageSize)) {
    for (const e of page) {
      const verdict = collector.offer(e);
      if (verdict === "stop") break outer;
      if (verdict === "take") taken.push(e);
    }
    if (collector.canStopAfterPage()) break;
  }
  const { progress, hasMore } = collector.finish();
  return { taken, next: nextCheckpoint(progress), hasMore, window };
}

/** Runs until the source is drained up to now − lag; returns everything delivered, in order. */
function drain(
  events: readonly SourceEvent[],
  now: number,
  maxEvents: number,
  pageSize: number,
  maxWindowSeconds?: number,
) {
  let cp: Checkpoint | undefined;
  const all: SourceEvent[] = [];
  for (let i = 0; i < 10_000; i += 1) {
    const r = run(events, cp, now, maxEvents, pageSize, maxWindowSeconds);
    all.push(...r.taken);
    expect(serializeCheckpoint(r.next).length).toBeLessThan(2500);
    const done = !r.hasMore && r.window.until === r.next.since && Date.parse(r.next.since) >= now - 60_000;
    cp = r.next;
    if (done) return all;
  }
  throw new Error("did not drain");
}

const sortEvents = (list: SourceEvent[]) =>
  list.sort((a, b) => a.timeMs - b.timeMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

describe("WindowCollector", () => {
  it("keeps events at the checkpoint's millisecond that were not yet delivered (no strict >)", () => {
    const events = sortEvents([ev("a", T0 + 5), ev("b", T0 + 5), ev("c", T0 + 5), ev("d", T0 + 9)]);
    const now = T0 + 3_600_000;
    const cp: Checkpoint = { version: 1, since: new Date(T0).toISOString(), boundaryIds: [], pending: null };
    const first = run(events, cp, now, 2, 10);
    expect(first.taken.map((e) => e.id)).toEqual(["a", "b"]);
    expect(first.hasMore).toBe(true);
    expect(first.next.since).toBe(new Date(T0 + 5).toISOString());
    const second = run(events, first.next, now, 10, 10);
    expect(second.taken.map((e) => e.id)).toEqual(["c", "d"]);
  });

  it("drops an id the API repeats across a page boundary", () => {
    const window = openWindow(undefined, T0 + 86_400_000);
    const c = new WindowCollector("test", window, 100);
    const t = Date.parse(window.since) + 10;
    expect([c.offer(ev("x", t)), c.offer(ev("x", t)), c.offer(ev("y", t))]).toEqual(["take", "skip", "take"]);
  });

  it("excludes the window's upper bound even when the API includes it", () => {
    const window = openWindow(undefined, T0 + 86_400_000);
    const c = new WindowCollector("test", window, 100);
    expect(c.offer(ev("edge", Date.parse(window.until)))).toBe("skip");
  });

  it("fails loudly on events out of time order instead of checkpointing past them", () => {
    const window = openWindow(undefined, T0 + 86_400_000);
    const c = new WindowCollector("test", window, 100);
    const t = Date.parse(window.since) + 1000;
    c.offer(ev("a", t));
    expect(() => c.offer(ev("b", t - 1))).toThrow(SourceApiError);
  });

  it("stops inside a small same-millisecond group with its ids as the boundary", () => {
    const events = sortEvents([ev("a", T0 + 7), ev("b", T0 + 7), ev("c", T0 + 7)]);
    const cp: Checkpoint = { version: 1, since: new Date(T0).toISOString(), boundaryIds: [], pending: null };
    const first = run(events, cp, T0 + 3_600_000, 2, 1);
    expect(first.next.boundaryIds).toHaveLength(2);
    expect(first.hasMore).toBe(true);
  });

  it("delivers a millisecond holding more ids than the checkpoint can carry in one run", () => {
    const burst = Array.from({ length: MAX_BOUNDARY_IDS * 3 }, (_, i) =>
      ev(`syn-${String(i).padStart(4, "0")}`, T0 + 7),
    );
    const events = sortEvents([ev("before", T0 + 1), ...burst, ev("after", T0 + 8)]);
    const now = T0 + 3_600_000;
    const cp: Checkpoint = { version: 1, since: new Date(T0).toISOString(), boundaryIds: [], pending: null };
    // maxEvents falls inside the burst once it already holds more ids than a checkpoint may carry.
    const first = run(events, cp, now, MAX_BOUNDARY_IDS + 50, 50);
    expect(first.taken.length).toBe(1 + burst.length);
    expect(first.next.boundaryIds).toEqual([]);
    expect(first.next.since).toBe(new Date(T0 + 8).toISOString());
    expect(run(events, first.next, now, MAX_BOUNDARY_IDS + 50, 50).taken.map((e) => e.id)).toEqual(["after"]);
  });

  it("property: the union of runs is every event exactly once, in order, whatever maxEvents and page size", () => {
    const eventsArb = fc
      .array(
        fc.record({
          // Few distinct milliseconds, so many events share one, across pages and windows.
          offset: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 3 * 3_600_000 })),
          copies: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 250 })),
        }),
        { minLength: 0, maxLength: 30 },
      )
      .map((groups) => {
        const list: SourceEvent[] = [];
        let n = 0;
        for (const g of groups) {
          for (let i = 0; i < g.copies; i += 1)
            list.push(ev(`syn-${(n++).toString(36)}`, T0 + 3_600_000 + g.offset));
        }
        return sortEvents(list);
      });
    fc.assert(
      fc.property(
        eventsArb,
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 60, max: 7200 }),
        (events, maxEvents, pageSize, maxWindowSeconds) => {
          const now = T0 + 6 * 3_600_000;
          const got = drain(events, now, maxEvents, pageSize, maxWindowSeconds);
          expect(got.map((e) => e.id)).toEqual(events.map((e) => e.id));
        },
      ),
      { numRuns: 150 },
    );
  });
});
