import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../functions/adapters/localObjectStore.ts";
import type { ObjectStore } from "../../functions/adapters/ports.ts";
import { S3ObjectStore } from "../../functions/adapters/s3ObjectStore.ts";
import { S3InboxConnector } from "../../functions/adapters/sources/s3Inbox.ts";
import {
  type Checkpoint,
  nextCheckpoint,
  openWindow,
  parseCheckpoint,
  serializeCheckpoint,
} from "../../functions/core/checkpoint/index.ts";
import { SourceApiError } from "../../functions/core/errors.ts";
import { loadSourceMappings, mapRecord } from "../../functions/core/mapping/index.ts";
import { MemoryStore, memorySink } from "../helpers/connectors.ts";
import { fakeS3 } from "../helpers/fakeS3.ts";
import { dspmInboxCorpus, type InboxFile } from "../mock-apis/index.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const NOW = Date.parse("2024-03-05T00:00:00.000Z");

async function fill(store: ObjectStore, files: readonly InboxFile[]) {
  for (const f of files) {
    const text = `${f.lines.join("\n")}\n`;
    await store.put(f.key, f.gzip ? gzipSync(text) : text);
  }
}

/** Runs the inbox until it reports nothing more, returning every delivered line and the final checkpoint. */
async function drain(store: ObjectStore, prefix: string, maxEvents: number, start?: Checkpoint) {
  const connector = new S3InboxConnector({ store, prefix });
  let cp: Checkpoint | undefined = start;
  const lines: string[] = [];
  let runs = 0;
  for (;;) {
    runs += 1;
    const window = openWindow(cp, NOW);
    const { store: out, sink } = memorySink(new MemoryStore(), `${window.windowId}/`);
    const result = await connector.fetch(window, { maxEvents }, sink);
    lines.push(...out.lines());
    cp = parseCheckpoint(serializeCheckpoint(nextCheckpoint(result.next)));
    if (!result.hasMore) return { lines, checkpoint: cp, runs };
  }
}

const stores: [string, () => Promise<ObjectStore>][] = [
  [
    "a directory (file://)",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "seclake-inbox-test-"));
      dirs.push(dir);
      return new LocalObjectStore(dir);
    },
  ],
  ["S3 (s3://)", async () => new S3ObjectStore(fakeS3(3).client, "inbox-bucket")],
];

describe.each(stores)("S3 inbox connector over %s", (_name, makeStore) => {
  it("reads every object after the cursor in key order, gzip or not, splitting at maxEvents on object boundaries", async () => {
    const files = dspmInboxCorpus({ files: 7, eventsPerFile: 25 });
    const store = await makeStore();
    await fill(store, files);
    await store.put("elsewhere/x.ndjson", '{"not":"inbox"}\n');
    const { lines, checkpoint, runs } = await drain(store, "dspm/", 60);
    expect(lines).toEqual(files.flatMap((f) => f.lines));
    expect(runs).toBe(3);
    expect(checkpoint.cursor).toBe(files.at(-1)?.key);

    // A later drop (key after the cursor) is the only thing the next run reads.
    const late = dspmInboxCorpus({ files: 9, eventsPerFile: 2, seed: 5 }).slice(8);
    await fill(store, late);
    const again = await drain(store, "dspm/", 60, checkpoint);
    expect(again.lines).toEqual(late.flatMap((f) => f.lines));
  });

  it("stops at a malformed line with file:line and does not move the cursor past it", async () => {
    const store = await makeStore();
    const [good, bad] = dspmInboxCorpus({ files: 2, eventsPerFile: 3 });
    if (!good || !bad) throw new Error("corpus");
    await fill(store, [
      good,
      { ...bad, lines: [bad.lines[0] ?? "", '{"alert_id": "syn-broken"', bad.lines[2] ?? ""] },
    ]);
    const connector = new S3InboxConnector({ store, prefix: "dspm/" });
    const window = openWindow(undefined, NOW);
    const error = await connector
      .fetch(window, { maxEvents: 100 }, memorySink().sink)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceApiError);
    expect(String((error as Error).message)).toBe(
      `s3-inbox: ${bad.key}:2: not JSON (${jsonError('{"alert_id": "syn-broken"')})`,
    );
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

describe("the mock S3 inbox corpus", () => {
  it("holds Zscaler DSPM alerts that the zscaler-dspm mapping maps, every one", () => {
    const mappings = loadSourceMappings("zscaler-dspm");
    const lines = dspmInboxCorpus().flatMap((file) => file.lines);
    const kinds = lines.map((line) => mapRecord(mappings, line).kind);
    expect(lines.length).toBeGreaterThan(0);
    expect(kinds.filter((k) => k !== "mapped")).toEqual([]);
  });
});
