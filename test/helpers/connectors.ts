import { gunzipSync } from "node:zlib";
import { StaticSecretsProvider } from "../../functions/adapters/envSecrets.ts";
import type { HttpDeps, RetryPolicy } from "../../functions/adapters/sources/http.ts";
import { OktaConnector } from "../../functions/adapters/sources/okta.ts";
import { OneLoginConnector } from "../../functions/adapters/sources/onelogin.ts";
import { ObjectStorePageSink } from "../../functions/adapters/sources/pageSink.ts";
import { SailPointConnector } from "../../functions/adapters/sources/sailpoint.ts";
import type { SourceConnector, SourceLogger } from "../../functions/adapters/sources/types.ts";
import type { ObjectInfo, ObjectStore } from "../../functions/core/ports.ts";
import type { ApiKind, MockApi } from "../../functions/local/mockApis/index.ts";

/** A Map-backed ObjectStore (the contract suite covers the real ones). */
export class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.objects.set(key, typeof body === "string" ? new TextEncoder().encode(body) : body);
  }
  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key);
  }
  async list(prefix: string): Promise<ObjectInfo[]> {
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort()
      .map((key) => ({ key, size: 0 }));
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  /** Every line of every page under `prefix`, read back with an independent gunzip. */
  lines(prefix = ""): string[] {
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort()
      .flatMap((k) =>
        gunzipSync(this.objects.get(k) as Uint8Array)
          .toString("utf8")
          .split("\n")
          .filter((l) => l !== ""),
      );
  }
}

export function memorySink(store = new MemoryStore(), prefix = "run/") {
  return {
    store,
    sink: new ObjectStorePageSink(store, (i) => `${prefix}page-${String(i).padStart(5, "0")}.ndjson.gz`),
  };
}

/** A fake clock whose sleep advances it instantly and records every wait. */
export function fakeTime(startMs: number) {
  const t = { now: startMs, sleeps: [] as number[] };
  return {
    t,
    now: () => t.now,
    sleep: async (ms: number) => {
      t.sleeps.push(ms);
      t.now += ms;
    },
  };
}

/** Records log lines as text, to scan for secrets. */
export function recordingLogger(): SourceLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m, extra) => lines.push(JSON.stringify({ m, ...extra })),
    warn: (m, extra) => lines.push(JSON.stringify({ m, ...extra })),
  };
}

export function connectorFor(
  kind: ApiKind,
  mock: MockApi,
  http: Partial<HttpDeps> = {},
  retry: Partial<RetryPolicy> = {},
  credentials = mock.credentials,
): SourceConnector {
  const deps = {
    secrets: new StaticSecretsProvider({ ...credentials } as Record<string, string>),
    http,
    retry,
  };
  const config = { baseUrl: mock.baseUrl, secretId: `seclake/${kind}` };
  if (kind === "sailpoint") return new SailPointConnector(config, deps);
  if (kind === "okta") return new OktaConnector(config, deps);
  return new OneLoginConnector(config, deps);
}
