import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { LocalParameterStore } from "../../functions/adapters/localParameterStore.ts";
import { SsmParameterStore } from "../../functions/adapters/ssmParameterStore.ts";
import type { ParameterStore } from "../../functions/core/ports.ts";

/** An in-memory SSM behind aws-sdk-client-mock: versions, Overwrite:false, ParameterNotFound. */
function fakeSsm(): SSMClient {
  const client = new SSMClient({ region: "us-east-1" });
  const params = new Map<string, { value: string; version: number }>();
  const error = (name: string) => Object.assign(new Error(name), { name });
  const mock = mockClient(client);
  mock.on(GetParameterCommand).callsFake((input: { Name: string }) => {
    const p = params.get(input.Name);
    if (!p) throw error("ParameterNotFound");
    return { Parameter: { Name: input.Name, Value: p.value, Version: p.version } };
  });
  mock.on(PutParameterCommand).callsFake((input: { Name: string; Value: string; Overwrite?: boolean }) => {
    const p = params.get(input.Name);
    if (p && !input.Overwrite) throw error("ParameterAlreadyExists");
    const version = (p?.version ?? 0) + 1;
    params.set(input.Name, { value: input.Value, version });
    return { Version: version };
  });
  mock.on(DeleteParameterCommand).callsFake((input: { Name: string }) => {
    if (!params.delete(input.Name)) throw error("ParameterNotFound");
    return {};
  });
  return client;
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const stores: [string, () => Promise<ParameterStore>][] = [
  [
    "LocalParameterStore",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "seclake-params-"));
      dirs.push(dir);
      return new LocalParameterStore(join(dir, "parameters.json"));
    },
  ],
  ["SsmParameterStore", async () => new SsmParameterStore(fakeSsm(), { sleep: async () => {} })],
];

describe.each(stores)("%s", (_, make) => {
  let store: ParameterStore;
  beforeEach(async () => {
    store = await make();
  });

  it("numbers versions from 1 and returns the stored value", async () => {
    expect(await store.get("/p")).toBeUndefined();
    expect(await store.put("/p", "a")).toEqual({ value: "a", version: 1 });
    expect(await store.put("/p", "b")).toEqual({ value: "b", version: 2 });
    expect(await store.get("/p")).toEqual({ value: "b", version: 2 });
  });

  it("writes conditionally: null means must not exist, a number must match", async () => {
    await store.put("/p", "a", { expectedVersion: null });
    await expect(store.put("/p", "x", { expectedVersion: null })).rejects.toThrow(
      /CheckpointError|another execution/,
    );
    await expect(store.put("/p", "x", { expectedVersion: 7 })).rejects.toMatchObject({
      name: "CheckpointError",
    });
    expect(await store.put("/p", "b", { expectedVersion: 1 })).toEqual({ value: "b", version: 2 });
    expect(await store.get("/p")).toEqual({ value: "b", version: 2 });
  });

  it("lets exactly one of two racing conditional writers win", async () => {
    await store.put("/p", "a");
    const results = await Promise.allSettled([
      store.put("/p", "from-1", { expectedVersion: 1 }),
      store.put("/p", "from-2", { expectedVersion: 1 }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
    expect((await store.get("/p"))?.version).toBe(2);
  });
});
