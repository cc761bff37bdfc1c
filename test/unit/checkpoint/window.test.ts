import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Checkpoint,
  isBehind,
  makeWindow,
  nextCheckpoint,
  openWindow,
  withPending,
} from "../../../functions/core/checkpoint/index.ts";

const NOW = Date.parse("2024-06-01T12:00:00.000Z");

describe("openWindow", () => {
  it("starts the first run at now − 24 h and ends at now − 60 s by default", () => {
    const w = openWindow(undefined, NOW);
    expect(w.since).toBe("2024-05-31T12:00:00.000Z");
    expect(w.until).toBe("2024-06-01T11:59:00.000Z");
    expect(w.boundaryIds).toEqual([]);
  });

  it("caps a window at maxWindow and never opens one that ends before it starts", () => {
    const cp: Checkpoint = { version: 1, since: "2024-05-01T00:00:00.000Z", boundaryIds: [], pending: null };
    expect(openWindow(cp, NOW, { maxWindowSeconds: 3600 }).until).toBe("2024-05-01T01:00:00.000Z");
    const fresh: Checkpoint = { ...cp, since: "2024-06-01T11:59:30.000Z" };
    const w = openWindow(fresh, NOW, { lagSeconds: 60 });
    expect(w.until).toBe(w.since);
  });

  it("resumes a pending window exactly, with its id", () => {
    const cp: Checkpoint = {
      version: 1,
      since: "2024-05-01T00:00:00.000Z",
      boundaryIds: ["ab"],
      pending: null,
    };
    const first = openWindow(cp, NOW);
    const pending = withPending(cp, first, "exec-1");
    const resumed = openWindow(pending, NOW + 3_600_000);
    expect(resumed).toEqual(first);
  });

  it("property: since ≤ until ≤ now − lag, until − since ≤ maxWindow, and ids are deterministic", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: -90 * 86_400_000, max: 86_400_000 }),
        fc.integer({ min: 0, max: 3600 }),
        fc.integer({ min: 1, max: 7 * 86_400 }),
        (now, offset, lagSeconds, maxWindowSeconds) => {
          const since = new Date(Math.max(0, now + offset)).toISOString();
          const cp: Checkpoint = { version: 1, since, boundaryIds: [], pending: null };
          const w = openWindow(cp, now, { lagSeconds, maxWindowSeconds });
          const [s, u] = [Date.parse(w.since), Date.parse(w.until)];
          expect(s).toBe(Date.parse(since));
          expect(u).toBeGreaterThanOrEqual(s);
          if (u > s) expect(u).toBeLessThanOrEqual(now - lagSeconds * 1000);
          expect(u - s).toBeLessThanOrEqual(maxWindowSeconds * 1000);
          expect(openWindow(cp, now, { lagSeconds, maxWindowSeconds }).windowId).toBe(w.windowId);
        },
      ),
    );
  });

  it("property: successive windows tile time without gaps or overlaps up to now − lag", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.integer({ min: 0, max: 7_200_000 }), { minLength: 1, maxLength: 20 }),
        (maxWindowMinutes, steps) => {
          let now = NOW;
          let cp: Checkpoint | undefined;
          let end: number | undefined;
          const ids = new Set<string>();
          for (const step of steps) {
            now += step;
            const w = openWindow(cp, now, { maxWindowSeconds: maxWindowMinutes * 60 });
            if (end !== undefined) expect(Date.parse(w.since)).toBe(end);
            if (w.until !== w.since) {
              expect(ids.has(w.windowId)).toBe(false);
              ids.add(w.windowId);
            }
            end = Date.parse(w.until);
            cp = nextCheckpoint({ since: w.until, boundaryIds: [], cursor: null });
          }
        },
      ),
    );
  });

  it("tells a backfill (a full window or more behind) from a caught-up checkpoint", () => {
    const at = (since: string): Checkpoint => ({ version: 1, since, boundaryIds: [], pending: null });
    expect(isBehind(at("2024-05-01T00:00:00.000Z"), NOW)).toBe(true);
    expect(isBehind(at("2024-06-01T11:00:00.000Z"), NOW)).toBe(false);
    expect(isBehind(at("2024-06-01T10:58:00.000Z"), NOW, { maxWindowSeconds: 3600 })).toBe(true);
    const pending = withPending(
      at("2024-06-01T11:00:00.000Z"),
      openWindow(at("2024-06-01T11:00:00.000Z"), NOW),
      "x",
    );
    expect(isBehind(pending, NOW)).toBe(true);
  });

  it("gives different windows different ids and the same window the same id", () => {
    const a = makeWindow("2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z");
    expect(makeWindow("2024-01-01T00:00:00.000Z", "2024-01-01T01:00:00.000Z").windowId).toBe(a.windowId);
    expect(makeWindow("2024-01-01T00:00:00Z", "2024-01-01T01:00:01Z").windowId).not.toBe(a.windowId);
    expect(makeWindow("2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z", ["x"]).windowId).not.toBe(a.windowId);
    expect(a.windowId).toMatch(/^20240101T000000000Z-[0-9a-f]{12}$/);
  });
});
