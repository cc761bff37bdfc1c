import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../../functions/adapters/localObjectStore.ts";
import { LocalQueue } from "../../../functions/adapters/localQueue.ts";
import { rawPageSink } from "../../../functions/adapters/sources/pageSink.ts";
import {
  type PushMessages,
  pushMessagesKey,
  QueueConnector,
  type Unwrapped,
} from "../../../functions/adapters/sources/queue.ts";
import { makeWindow } from "../../../functions/core/checkpoint/window.ts";
import { Ledger, ledgerHour } from "../../../functions/core/pipeline/ledger.ts";

const T0 = Date.parse("2024-05-01T10:00:00.000Z");

/** A stand-in envelope: {"id", "t", "detail"}; anything else is not an event of the source. */
function unwrap(body: string): Unwrapped {
  try {
    const e = JSON.parse(body) as { id?: string; t?: number; detail?: Record<string, unknown> };
    if (!e.id || e.t === undefined || !e.detail) return { ok: false, reason: "not an envelope" };
    return { ok: true, id: e.id, timeMs: e.t, event: e.detail };
  } catch {
    return { ok: false, reason: "not JSON" };
  }
}

const message = (n: number) =>
  JSON.stringify({ id: `e${n}`, t: T0 + n * 1000, detail: { uuid: `e${n}`, n } });

async function world(bodies: string[], extra: { duplicateEvery?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "seclake-queue-connector-"));
  const staging = new LocalObjectStore(dir);
  const queue = new LocalQueue({
    path: join(dir, "queue.json"),
    visibilitySeconds: 7200,
    maxReceiveCount: 5,
    now: () => T0,
    ...extra,
  });
  for (const body of bodies) await queue.send(body);
  const connector = new QueueConnector({
    queue,
    staging,
    connector: "okta-push",
    unwrap,
    receivers: 3,
    waitSeconds: 0,
  });
  const window = makeWindow("2024-05-01T10:00:00.000Z", "2024-05-01T11:00:00.000Z", [], "4");
  const fetch = (maxEvents: number) =>
    connector.fetch(window, { maxEvents }, rawPageSink(staging, "okta-push", window.windowId));
  const staged = async (keys: readonly string[]) => {
    const lines: string[] = [];
    for (const key of keys) {
      const text = gunzipSync((await staging.get(key)) ?? new Uint8Array()).toString("utf8");
      lines.push(...text.split("\n").filter(Boolean));
    }
    return lines.map((l) => (JSON.parse(l) as { uuid: string }).uuid).sort();
  };
  const messages = async () =>
    JSON.parse(
      Buffer.from((await staging.get(pushMessagesKey("okta-push", window.windowId))) ?? []).toString("utf8"),
    ) as PushMessages;
  return { staging, queue, window, fetch, staged, messages };
}

describe("QueueConnector: Fetch for push connectors", () => {
  it("takes at most maxEvents messages with parallel receivers, stages the vendor events, keeps receipts and ids", async () => {
    const w = await world(Array.from({ length: 25 }, (_, i) => message(i)));
    const result = await w.fetch(20);
    expect(result).toMatchObject({ fetched: 20, hasMore: true, dropped: { duplicates: 0, poison: 0 } });
    // A sequence number in the cursor: the next window's id differs even with the same time bounds.
    expect(result.next).toEqual({ since: w.window.until, boundaryIds: [], cursor: "5" });
    const uuids = await w.staged(result.keys);
    expect(uuids).toHaveLength(20);
    const m = await w.messages();
    expect(m.receipts).toHaveLength(20);
    expect(Object.values(m.ids).flat().sort()).toEqual(uuids);
    expect(Object.keys(m.ids)).toEqual([ledgerHour(T0)]);
    // Nothing deleted: the rest and the taken ones (in flight) are still in the queue.
    expect((await w.queue.depth()).messages).toBe(25);
    const rest = await w.fetch(20);
    expect(rest).toMatchObject({ fetched: 5, hasMore: false });
  });

  it("stages a second delivery of one event once, and keeps both receipts for the delete after Commit", async () => {
    const w = await world([message(1), message(2), message(2)], { duplicateEvery: 2 });
    const result = await w.fetch(100);
    expect(await w.staged(result.keys)).toEqual(["e1", "e2"]);
    expect(result.dropped?.duplicates).toBe(2);
    expect((await w.messages()).receipts).toHaveLength(4);
  });

  it("drops and deletes at once a message whose event a committed window delivered (the ledger)", async () => {
    const w = await world([message(1), message(2)]);
    await new Ledger(w.staging, "okta-push").record("earlier-window", { [ledgerHour(T0 + 1000)]: ["e1"] });
    const result = await w.fetch(100);
    expect(await w.staged(result.keys)).toEqual(["e2"]);
    expect(result.dropped?.duplicates).toBe(1);
    expect((await w.queue.depth()).messages).toBe(1);
  });

  it("makes a message that is not an event visible again, so it reaches the dead-letter queue, and goes on", async () => {
    const w = await world([message(1), "not json", JSON.stringify({ id: "x" })]);
    const result = await w.fetch(100);
    expect(await w.staged(result.keys)).toEqual(["e1"]);
    // Each poison message is received until the redrive count moves it: 5 receives each.
    expect(result.dropped?.poison).toBe(10);
    expect(await w.queue.depth()).toMatchObject({
      deadLetters: 2,
      deadLetterBodies: ["not json", '{"id":"x"}'],
    });
  });
});
