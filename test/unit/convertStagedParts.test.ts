import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalObjectWriter } from "../../functions/adapters/localObjectWriter.ts";
import { InputError, SchemaError } from "../../functions/core/errors.ts";
import { type ConvertOptions, convertOcsf, type StagedParts } from "../../functions/core/parquet/convert.ts";
import type { ObjectUpload, ObjectWriter } from "../../functions/core/ports.ts";
import { ocsfPartKey } from "../../functions/handlers/map.ts";
import { listFiles } from "../helpers/parquetReadBack.ts";

const root = mkdtempSync(join(tmpdir(), "seclake-parts-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

const LOCATION = { customSource: "okta-auth", region: "us-east-1", accountId: "123456789012" } as const;
const DAY = Date.UTC(2024, 2, 9);

/** A bucket in memory; `failOnCommit` makes the n-th commit (1-based) fail, as a write error would. */
class MemoryWriter implements ObjectWriter {
  readonly objects = new Map<string, Buffer>();
  readonly commits: { key: string; body: Buffer }[] = [];
  private begun = 0;
  constructor(public failOnCommit?: number) {}

  async begin(key: string): Promise<ObjectUpload> {
    const n = ++this.begun;
    let chunks: Buffer[] = [];
    return {
      write: async (chunk) => {
        chunks.push(Buffer.from(chunk));
      },
      commit: async () => {
        if (n === this.failOnCommit) throw new Error("synthetic write failure");
        const body = Buffer.concat(chunks);
        this.objects.set(key, body);
        this.commits.push({ key, body });
        return body.length;
      },
      abort: async () => {
        chunks = [];
      },
    };
  }
}

/** Events over two UTC days with a few values each: `time`s shuffled, in order, or swapped in blocks of 4. */
function events(n: number, order: "shuffled" | "ordered" | "nearly" = "shuffled"): string[] {
  return Array.from({ length: n }, (_, i) => {
    const slot = order === "ordered" ? i : order === "nearly" ? i ^ 4 : (i * 17) % n;
    return JSON.stringify({
      class_uid: 3002,
      time: DAY + slot * 3_000_000,
      metadata: { uid: `syn-${i}`, version: "1.1.0" },
      user: { name: `user${i % 5}`, groups: [{ name: "a" }] },
      is_mfa: i % 2 === 0,
    });
  });
}

/** Splits lines into parts of `per` lines, each ending in a newline; part keys as the Map step names them. */
function stage(lines: string[], per: number) {
  const bodies = new Map<string, Buffer>();
  for (let p = 0; p * per < lines.length; p++) {
    const key = ocsfPartKey("okta-auth", "20240309", "w1", p);
    bodies.set(key, Buffer.from(`${lines.slice(p * per, (p + 1) * per).join("\n")}\n`));
  }
  const reads: string[] = [];
  const input = (extra: Partial<StagedParts> = {}): StagedParts => ({
    parts: [...bodies.keys()],
    read: async (key) => {
      reads.push(key);
      const body = bodies.get(key);
      if (!body) throw new Error(`missing ${key}`);
      // A fresh copy, as each GetObject gives.
      return new Uint8Array(body);
    },
    ...extra,
  });
  return { bodies, reads, input };
}

async function convertParts(input: StagedParts, extra: Partial<ConvertOptions> = {}) {
  const writer = new MemoryWriter();
  const summary = await convertOcsf({ input, classUid: 3002, ...LOCATION, writer, ...extra });
  return { writer, summary };
}

/** The same lines converted from one file with the local writer: keys → bytes. */
async function convertFile(lines: string[], extra: Partial<ConvertOptions> = {}) {
  const path = join(root, `input-${runs}.ndjson`);
  const out = join(root, `out-${runs++}`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  const summary = await convertOcsf({
    input: path,
    classUid: 3002,
    ...LOCATION,
    writer: new LocalObjectWriter(out),
    ...extra,
  });
  const bytes = new Map(listFiles(out).map((k) => [k, readFileSync(join(out, k))] as const));
  return { summary, bytes };
}

const limits = { maxRowsPerFile: 9, batchRows: 4 };

describe("convertOcsf with staged parts", () => {
  it("gives the same files, byte for byte, as one file of the same events (out of order across parts)", async () => {
    const lines = events(40);
    const { input } = stage(lines, 7);
    const parts = await convertParts(input(), { limits });
    const file = await convertFile(lines, { limits });
    expect(parts.summary).toEqual(file.summary);
    expect(parts.summary.files.length).toBeGreaterThan(2);
    expect(parts.summary.partitions).toHaveLength(2);
    expect([...parts.writer.objects.keys()].sort()).toEqual([...file.bytes.keys()]);
    for (const [key, body] of file.bytes) expect(parts.writer.objects.get(key)?.equals(body), key).toBe(true);
  });

  it("reads each part exactly twice when the events are in time order", async () => {
    const { input, reads, bodies } = stage(events(40, "ordered"), 7);
    await convertParts(input(), { windowId: "w1", limits });
    const keys = [...bodies.keys()];
    expect(reads).toEqual([...keys, ...keys]);
  });

  it("evicts from a tiny part cache, reads more and still writes the same bytes", async () => {
    const lines = events(40, "nearly");
    const roomy = stage(lines, 7);
    const tiny = stage(lines, 7);
    const a = await convertParts(roomy.input(), { windowId: "w1", limits });
    const b = await convertParts(tiny.input({ maxCachedBytes: 1 }), { windowId: "w1", limits });
    const oneAtATime = stage(lines, 7);
    const c = await convertParts(oneAtATime.input({ maxCachedParts: 1 }), { windowId: "w1", limits });
    expect(roomy.reads).toHaveLength(2 * 6);
    expect(tiny.reads.length).toBeGreaterThan(roomy.reads.length);
    expect(oneAtATime.reads.length).toBe(tiny.reads.length);
    for (const other of [b, c]) {
      expect(other.summary).toEqual(a.summary);
      for (const [key, body] of a.writer.objects)
        expect(other.writer.objects.get(key)?.equals(body)).toBe(true);
    }
  });

  it("writes byte-identical Parquet for the same input (deterministic bytes)", async () => {
    const { input } = stage(events(40), 7);
    const a = await convertParts(input(), { windowId: "w1" });
    const b = await convertParts(input(), { windowId: "w1" });
    expect(a.writer.commits.length).toBeGreaterThan(0);
    expect(b.writer.commits.map((c) => c.key)).toEqual(a.writer.commits.map((c) => c.key));
    for (const [i, c] of b.writer.commits.entries()) {
      expect(c.body.equals(a.writer.commits[i]?.body as Buffer)).toBe(true);
    }
  });

  it.each([
    ["JSON that pass 1 cannot see is broken", '{"class_uid":3002,"time":5,', InputError, /not valid JSON/],
    ["a line without time", JSON.stringify({ class_uid: 3002 }), InputError, /time: expected integer/],
    [
      "another class",
      JSON.stringify({ class_uid: 3001, time: DAY }),
      SchemaError,
      /class_uid: expected 3002/,
    ],
  ])("names <part key>:<line> for %s", async (_name, bad, type, message) => {
    const lines = events(12);
    lines.splice(9, 0, bad); // part 1 (lines 6-11 of the input), its 4th line
    const { input } = stage(lines, 6);
    const attempt = convertParts(input(), { windowId: "w1" });
    await expect(attempt).rejects.toBeInstanceOf(type);
    await expect(attempt).rejects.toThrow(
      new RegExp(`^staging/ocsf/okta-auth/eventDay=20240309/w1-1\\.ndjson:4: ${message.source}`),
    );
  });

  it("fails naming the part when it changed between the two reads", async () => {
    const { input } = stage(events(12), 6);
    let reads = 0;
    const staged = input();
    const attempt = convertParts(
      {
        ...staged,
        read: async (key) => {
          const body = await staged.read(key);
          return ++reads > 2 ? body.subarray(1) : body;
        },
      },
      { windowId: "w1" },
    );
    await expect(attempt).rejects.toThrow(/w1-0\.ndjson: changed between the two reads/);
  });

  it("creates nothing under the temp directory", async () => {
    const empty = join(root, "empty-tmp");
    mkdirSync(empty);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = empty;
    try {
      expect(tmpdir()).toBe(empty);
      const { input } = stage(events(40), 7);
      const { summary } = await convertParts(input(), { windowId: "w1" });
      expect(summary.rows).toBe(40);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(readdirSync(empty)).toEqual([]);
  });

  it("writes nothing for no parts", async () => {
    const { writer, summary } = await convertParts({ parts: [], read: async () => new Uint8Array() });
    expect(summary).toMatchObject({ rows: 0, files: [] });
    expect(writer.objects.size).toBe(0);
  });
});

describe("convertOcsf failure without removeOnFailure (the lake cannot delete)", () => {
  it("leaves committed files, rethrows, and a retry rewrites the same keys with the same bytes", async () => {
    const { input } = stage(events(40), 7);
    const options = { classUid: 3002, ...LOCATION, windowId: "w1", limits };
    const bucket = new MemoryWriter(2);
    await expect(convertOcsf({ input: input(), writer: bucket, ...options })).rejects.toThrow(
      /synthetic write failure/,
    );
    expect(bucket.commits).toHaveLength(1);
    const first = bucket.commits[0] as { key: string; body: Buffer };
    expect(bucket.objects.get(first.key)).toBe(first.body);

    bucket.failOnCommit = undefined;
    const { files } = await convertOcsf({ input: input(), writer: bucket, ...options });
    const retried = bucket.commits.slice(1);
    expect(retried.map((c) => c.key)).toEqual(files.map((f) => f.key));
    expect(retried[0]?.key).toBe(first.key);
    expect(retried[0]?.body.equals(first.body)).toBe(true);
    expect([...bucket.objects.keys()].sort()).toEqual(files.map((f) => f.key).sort());
  });

  it("with removeOnFailure removes what it had committed", async () => {
    const { input } = stage(events(40), 7);
    const bucket = new MemoryWriter(3);
    const removed: string[] = [];
    const attempt = convertOcsf({
      input: input(),
      classUid: 3002,
      ...LOCATION,
      windowId: "w1",
      writer: bucket,
      limits,
      removeOnFailure: async (key) => {
        removed.push(key);
        bucket.objects.delete(key);
      },
    });
    await expect(attempt).rejects.toThrow(/synthetic write failure/);
    expect(removed).toEqual(bucket.commits.map((c) => c.key));
    expect(removed).toHaveLength(2);
    expect(bucket.objects.size).toBe(0);
  });
});

describe("convertOcsf lakePrefix", () => {
  it("builds every key and partition under the source's location", async () => {
    const { input } = stage(events(40), 7);
    const { summary } = await convertParts(input(), { windowId: "w1", lakePrefix: "ext/okta-auth/1.0/" });
    expect(summary.partitions).toEqual([
      "ext/okta-auth/1.0/region=us-east-1/accountId=123456789012/eventDay=20240309",
      "ext/okta-auth/1.0/region=us-east-1/accountId=123456789012/eventDay=20240310",
    ]);
    for (const file of summary.files)
      expect(file.key.startsWith("ext/okta-auth/1.0/region=us-east-1/")).toBe(true);
    expect(summary.files[0]?.key).toBe(
      "ext/okta-auth/1.0/region=us-east-1/accountId=123456789012/eventDay=20240309/w1-0.parquet",
    );
  });

  it.each(["ext/okta-auth", "/ext/okta-auth/", "ext/../okta-auth/", "ext/okta auth/", "ext//okta-auth/", ""])(
    "rejects the prefix %j before reading, naming the field",
    async (lakePrefix) => {
      const reads: string[] = [];
      const attempt = convertParts(
        {
          parts: ["p"],
          read: async (k) => {
            reads.push(k);
            return new Uint8Array();
          },
        },
        { windowId: "w1", lakePrefix },
      );
      await expect(attempt).rejects.toBeInstanceOf(InputError);
      await expect(attempt).rejects.toThrow(/^prefix \(lakePrefix\): expected a key prefix/);
      expect(reads).toEqual([]);
    },
  );
});
