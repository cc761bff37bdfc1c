import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../functions/adapters/localObjectStore.ts";
import { S3ObjectStore } from "../../functions/adapters/s3ObjectStore.ts";
import { S3InboxConnector } from "../../functions/adapters/sources/s3Inbox.ts";
import {
  type Checkpoint,
  nextCheckpoint,
  openWindow,
  parseCheckpoint,
  serializeCheckpoint,
} from "../../functions/core/checkpoint/index.ts";
import { loadSourceMappings, MapRun, mapRecord } from "../../functions/core/mapping/index.ts";
import type { ObjectStore } from "../../functions/core/ports.ts";
import { dspmInboxCorpus, type InboxFile } from "../../functions/local/mockApis/index.ts";
import { MemoryStore, memorySink } from "../helpers/connectors.ts";
import { fakeS3 } from "../helpers/fakeS3.ts";

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

  it("quarantines a malformed line or an undecodable object with bucket/key:line, and the rest flows on", async () => {
    // Prepare: a truncated line in the middle of one file, and a gzip file cut short.
    const store = await makeStore();
    const [good, bad, last] = dspmInboxCorpus({ files: 3, eventsPerFile: 3 });
    if (!good || !bad || !last) throw new Error("corpus");
    const truncated = '{"alert_id": "syn-broken"';
    await fill(store, [
      good,
      { ...bad, lines: [bad.lines[0] ?? "", truncated, bad.lines[2] ?? "", "[1, 2]"] },
    ]);
    const cut = gzipSync(`${last.lines.join("\n")}\n`).subarray(0, 20);
    await store.put(last.key.replace(/\.ndjson(\.gz)?$/, ".ndjson.gz"), cut);
    const connector = new S3InboxConnector({ store, prefix: "dspm/", bucket: "syn-inbox" });
    // Act
    const window = openWindow(undefined, NOW);
    const { store: out, sink } = memorySink();
    const result = await connector.fetch(window, { maxEvents: 100 }, sink);
    const run = new MapRun(loadSourceMappings("zscaler-dspm"));
    for (const line of out.lines()) run.push(line);
    // Assess: the good lines mapped, three records quarantined with their origin, the cursor at the end.
    expect(run.counts).toMatchObject({ mapped: { "2001": 5 }, quarantined: 3 });
    expect(run.quarantine.map((q) => [q.file, q.line, q.reason.message.split(" (")[0], q.raw])).toEqual([
      [`syn-inbox/${bad.key}`, 2, "not JSON", truncated],
      [`syn-inbox/${bad.key}`, 4, "expected one JSON object per line", "[1, 2]"],
      [`syn-inbox/${last.key.replace(/\.ndjson(\.gz)?$/, ".ndjson.gz")}`, undefined, "unreadable object", ""],
    ]);
    expect(result.next.cursor).toBe(last.key.replace(/\.ndjson(\.gz)?$/, ".ndjson.gz"));
  });
});

describe("the mock S3 inbox corpus", () => {
  it("holds Zscaler DSPM alerts that the zscaler-dspm mapping maps, every one", () => {
    const mappings = loadSourceMappings("zscaler-dspm");
    const lines = dspmInboxCorpus().flatMap((file) => file.lines);
    const kinds = lines.map((line) => mapRecord(mappings, line).kind);
    expect(lines.length).toBeGreaterThan(0);
    expect(kinds.filter((k) => k !== "mapped")).toEqual([]);
  });
});
