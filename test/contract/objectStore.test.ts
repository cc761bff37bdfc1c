import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../functions/adapters/localObjectStore.ts";
import { S3ObjectStore } from "../../functions/adapters/s3ObjectStore.ts";
import { InputError } from "../../functions/core/errors.ts";
import type { ObjectStore } from "../../functions/core/ports.ts";
import { fakeS3 } from "../helpers/fakeS3.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const stores: [string, () => Promise<ObjectStore>][] = [
  [
    "LocalObjectStore",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "seclake-store-"));
      dirs.push(dir);
      return new LocalObjectStore(dir);
    },
  ],
  ["S3ObjectStore", async () => new S3ObjectStore(fakeS3(2).client, "bucket")],
];

const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

describe.each(stores)("ObjectStore contract: %s", (_name, make) => {
  it("puts and gets bytes and strings; a missing key is undefined", async () => {
    const store = await make();
    await store.put("staging/raw/okta/w1/page-00001.ndjson.gz", new Uint8Array([0x1f, 0x8b, 0, 255]));
    await store.put("a/b.txt", "héllo");
    expect([...((await store.get("staging/raw/okta/w1/page-00001.ndjson.gz")) ?? [])]).toEqual([
      0x1f, 0x8b, 0, 255,
    ]);
    expect(text(await store.get("a/b.txt"))).toBe("héllo");
    expect(await store.get("a/missing")).toBeUndefined();
  });

  it("overwrites an object in place (a retried window rewrites its keys)", async () => {
    const store = await make();
    await store.put("k/x", "one");
    await store.put("k/x", "two");
    expect(text(await store.get("k/x"))).toBe("two");
    expect((await store.list("k/")).map((o) => o.key)).toEqual(["k/x"]);
  });

  it("lists in UTF-8 byte order under a prefix, strictly after startAfter, up to limit, across pages", async () => {
    const store = await make();
    const keys = ["in/b", "in/a", "in/c/d", "in/é", "in/z", "in/ab", "other/a", "inx"];
    for (const k of keys) await store.put(k, k);
    expect((await store.list("in/")).map((o) => o.key)).toEqual([
      "in/a",
      "in/ab",
      "in/b",
      "in/c/d",
      "in/z",
      "in/é",
    ]);
    expect((await store.list("in/", { startAfter: "in/ab" })).map((o) => o.key)).toEqual([
      "in/b",
      "in/c/d",
      "in/z",
      "in/é",
    ]);
    expect((await store.list("in/", { startAfter: "in/a", limit: 3 })).map((o) => o.key)).toEqual([
      "in/ab",
      "in/b",
      "in/c/d",
    ]);
    expect((await store.list("in")).map((o) => o.key)).toContain("inx");
    expect(await store.list("nothing/")).toEqual([]);
    expect((await store.list("in/a"))[0]).toEqual({ key: "in/a", size: 4 });
  });

  it("deletes, and deleting a missing key is not an error", async () => {
    const store = await make();
    await store.put("d/x", "1");
    await store.delete("d/x");
    await store.delete("d/x");
    expect(await store.get("d/x")).toBeUndefined();
    expect(await store.list("d/")).toEqual([]);
  });

  it("rejects keys that escape or cannot be objects", async () => {
    const store = await make();
    for (const bad of ["", "/abs", "a/../b", "a//b", "dir/"]) {
      await expect(store.put(bad, "x")).rejects.toThrow(InputError);
    }
  });
});

describe("LocalObjectStore specifics", () => {
  it("leaves no temporary file behind and never lists one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "seclake-store-"));
    dirs.push(dir);
    const store = new LocalObjectStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put("p/x", `v${i}`)));
    expect(await readdir(join(dir, "p"))).toEqual(["x"]);
    expect(text(await store.get("p/x"))).toMatch(/^v\d+$/);
  });
});

describe("S3ObjectStore specifics", () => {
  it("pages with ContinuationToken and sends StartAfter only on the first request", async () => {
    const { client, mock } = fakeS3(2);
    const store = new S3ObjectStore(client, "bucket");
    for (const k of ["p/1", "p/2", "p/3", "p/4", "p/5"]) await store.put(k, k);
    expect((await store.list("p/", { startAfter: "p/1" })).map((o) => o.key)).toEqual([
      "p/2",
      "p/3",
      "p/4",
      "p/5",
    ]);
    const calls = mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({ Bucket: "bucket", Prefix: "p/", StartAfter: "p/1" });
    expect(calls[1]?.StartAfter).toBeUndefined();
    expect(calls[1]?.ContinuationToken).toBeDefined();
  });
});
