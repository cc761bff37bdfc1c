import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { StaticSecretsProvider } from "../../functions/adapters/envSecrets.ts";
import { LocalObjectStore } from "../../functions/adapters/localObjectStore.ts";
import { loadSourceMappings, mapRecord } from "../../functions/core/mapping/index.ts";
import { type PipelineCheckpoint, parsePipelineCheckpoint } from "../../functions/core/pipeline/claim.ts";
import type { ObjectStore } from "../../functions/core/ports.ts";
import type { InboxAlertFile } from "../../functions/local/dspmInbox.ts";
import { inboxEventTime, localInboxFiles, writeInbox } from "../../functions/local/inboxes.ts";
import {
  type ApiKind,
  type FaultRule,
  FIELDS,
  generatedCorpus,
  type MockEvent,
  sampleCorpus,
  sortEvents,
  startMockApi,
} from "../../functions/local/mockApis/index.ts";
import {
  type ExecutionReport,
  type FaultHook,
  LOCAL_CONNECTORS,
  LOCAL_INBOX_BUCKET,
  type LocalConnectorSpec,
  type LocalRuntime,
  localRuntime,
  runExecution,
} from "../../functions/local/runtime.ts";

/**
 * The pipeline tests' shared world: one small corpus per connector (the shared samples, a little
 * generated volume with a same-millisecond burst, and one event per connector built to fail mapping),
 * the outcome every event must have (computed once, independently of the pipeline, with mapRecord), and
 * a case runner that drives the real ASL until the connector is drained.
 */

export const LAG_SECONDS = 300;
/** Small enough that every connector needs several windows (the More? loop runs). */
export const TEST_MAX_EVENTS = 30;

export interface Expected {
  /** metadata.uid → class_uid, for every event that must reach the lake. */
  readonly mapped: ReadonlyMap<string, number>;
  /** Canonical raw JSON of every event that must be quarantined. */
  readonly quarantined: ReadonlySet<string>;
  readonly skipped: number;
}

export interface ConnectorFixture {
  readonly spec: LocalConnectorSpec;
  readonly corpus?: readonly MockEvent[];
  readonly inbox?: readonly InboxAlertFile[];
  readonly expected: Expected;
  /** The clock: one lag after the last event, so the last window ends just after it. */
  readonly nowMs: number;
  /** What the final checkpoint must say. */
  readonly checkpoint: { readonly since: string; readonly cursor?: string };
}

export function spec(name: string): LocalConnectorSpec {
  const found = LOCAL_CONNECTORS.find((s) => s.name === name);
  if (!found) throw new Error(`no connector ${name}`);
  return found;
}

/** Canonical form of one raw event's JSON, for comparing what was served with what was quarantined. */
export function canonical(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw));
  } catch {
    return raw.trim();
  }
}

/** An event the connector accepts (id and time are fine) but the mapping must quarantine. */
function badEvent(kind: ApiKind, template: MockEvent): MockEvent {
  const body: Record<string, unknown> = { ...template.body };
  const idField = FIELDS[kind].id;
  const id = kind === "onelogin" ? 990_999_001 : `syn-bad-${kind}-0001`;
  body[idField] = id;
  // Values no lossless conversion can fix (the engine converts 5 → "5", so numbers would map).
  if (kind === "sailpoint") body.actor = { name: { first: "syn" } };
  if (kind === "okta") body.client = { ipAddress: 42 };
  if (kind === "onelogin") body.user_name = ["syn"];
  return { id: String(id), timeMs: template.timeMs, body };
}

function expectedOf(source: string, raws: readonly string[]): Expected {
  const mappings = loadSourceMappings(source);
  const mapped = new Map<string, number>();
  const quarantined = new Set<string>();
  let skipped = 0;
  for (const raw of raws) {
    const outcome = mapRecord(mappings, raw);
    if (outcome.kind === "mapped") {
      const uid = String((outcome.event.metadata as { uid: unknown }).uid);
      if (mapped.has(uid)) throw new Error(`fixture: two events map to metadata.uid ${uid}`);
      mapped.set(uid, outcome.classUid);
    } else if (outcome.kind === "quarantined") quarantined.add(canonical(raw));
    else skipped += 1;
  }
  return { mapped, quarantined, skipped };
}

const fixtures = new Map<string, ConnectorFixture>();

/** The connector's fixture, built once per test file. */
export function fixture(name: string): ConnectorFixture {
  const cached = fixtures.get(name);
  if (cached) return cached;
  const s = spec(name);
  let built: ConnectorFixture;
  if (s.kind === "s3-inbox") {
    const inbox = localInboxFiles(s.mappingSource, true);
    const lines = inbox.flatMap((f) => f.lines);
    const times = lines.map(inboxEventTime).filter(Number.isFinite);
    const nowMs = Math.max(...times) + LAG_SECONDS * 1000 + 1;
    built = {
      spec: s,
      inbox,
      expected: expectedOf(s.mappingSource, lines),
      nowMs,
      checkpoint: {
        since: new Date(nowMs - LAG_SECONDS * 1000).toISOString(),
        cursor: inbox.at(-1)?.key ?? "",
      },
    };
  } else {
    const kind = s.kind as ApiKind;
    const generated = generatedCorpus(kind, { count: 40, burst: 12, seed: 7 });
    const template = generated[10];
    if (!template) throw new Error("generated corpus too small");
    const corpus = sortEvents([...sampleCorpus(kind), ...generated, badEvent(kind, template)]);
    const lastMs = Math.max(...corpus.map((e) => e.timeMs));
    built = {
      spec: s,
      corpus,
      expected: expectedOf(
        s.mappingSource,
        corpus.map((e) => JSON.stringify(e.body)),
      ),
      nowMs: lastMs + LAG_SECONDS * 1000 + 1,
      checkpoint: { since: new Date(lastMs + 1).toISOString() },
    };
  }
  fixtures.set(name, built);
  return built;
}

export interface CaseOptions {
  readonly fault?: FaultHook;
  /** Mock API faults (throttling storms). */
  readonly apiFaults?: readonly FaultRule[];
  /** Wraps the inbox store (S3 throttling). */
  readonly wrapInbox?: (store: ObjectStore) => ObjectStore;
  readonly maxEvents?: number;
  readonly leaseSeconds?: number;
  /** Serve this corpus instead of the fixture's (API connectors); the clock follows its last event. */
  readonly corpus?: readonly MockEvent[];
  readonly out?: string;
}

export interface CaseWorld {
  readonly out: string;
  readonly runtime: LocalRuntime;
  /** Distinct raw events the source delivered (mock-served, or the inbox's lines), canonical. */
  served(): Set<string>;
  close(): Promise<void>;
}

/** Starts the connector's source (mock API or inbox) and a runtime over a fresh directory. */
export async function openWorld(name: string, options: CaseOptions = {}): Promise<CaseWorld> {
  const fx = fixture(name);
  const out = options.out ?? (await mkdtemp(join(tmpdir(), `seclake-pipeline-${name}-`)));
  const nowMs = options.corpus
    ? Math.max(...options.corpus.map((e) => e.timeMs)) + LAG_SECONDS * 1000 + 1
    : fx.nowMs;
  const common = {
    out,
    now: () => new Date(nowMs),
    maxEvents: options.maxEvents ?? TEST_MAX_EVENTS,
    lagSeconds: LAG_SECONDS,
    pendingLeaseSeconds: options.leaseSeconds ?? 0,
    http: { sleep: async () => {} },
  };
  if (fx.inbox) {
    const store = new LocalObjectStore(join(out, "inbox"));
    await writeInbox(store, fx.inbox);
    const runtime = localRuntime(fx.spec, {
      ...common,
      baseUrl: `s3://${LOCAL_INBOX_BUCKET}/${fx.spec.inboxPrefix ?? ""}`,
      secrets: new StaticSecretsProvider({}),
      inboxStore: options.wrapInbox ? options.wrapInbox(store) : store,
    });
    const lines = new Set(fx.inbox.flatMap((f) => f.lines).map(canonical));
    return {
      out,
      runtime,
      served: () => lines,
      close: () => rm(out, { recursive: true, force: true }),
    };
  }
  const mock = await startMockApi(fx.spec.kind as ApiKind, {
    corpus: options.corpus ?? fx.corpus ?? [],
    ...(options.apiFaults ? { faults: options.apiFaults } : {}),
  });
  const credentials = Object.fromEntries(
    Object.entries(mock.credentials).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  const runtime = localRuntime(fx.spec, {
    ...common,
    baseUrl: mock.baseUrl,
    secrets: new StaticSecretsProvider(credentials),
  });
  return {
    out,
    runtime,
    served: () => new Set(mock.served().map((e) => canonical(JSON.stringify(e.body)))),
    close: async () => {
      await mock.close();
      await rm(out, { recursive: true, force: true });
    },
  };
}

let executionCounter = 0;

/** Runs executions until one succeeds with nothing more to fetch (at most `limit`). */
export async function drain(world: CaseWorld, fault?: FaultHook, limit = 12): Promise<ExecutionReport[]> {
  const reports: ExecutionReport[] = [];
  for (let i = 0; i < limit; i += 1) {
    executionCounter += 1;
    const report = await runExecution(world.runtime, {
      executionId: `arn:aws:states:us-east-1:123456789012:execution:test:${executionCounter}`,
      ...(fault ? { fault } : {}),
    });
    reports.push(report);
    const more = (report.output as { commit?: { hasMore?: boolean } } | undefined)?.commit?.hasMore;
    if (report.status === "SUCCEEDED" && !more) return reports;
  }
  throw new Error(
    `not drained after ${limit} executions: ${reports.map((r) => r.error?.Error ?? r.status).join(", ")}`,
  );
}

/** A failure nothing retries: the execution takes the Catch → RecordFailure → Fail path. */
export class InjectedCrash extends Error {
  constructor(where: string) {
    super(`injected crash ${where}`);
    this.name = "InjectedCrash";
  }
}

let duck: Promise<DuckDBInstance> | undefined;

export interface LakeRow {
  readonly uid: string;
  readonly classUid: number;
  readonly customSource: string;
}

/** Every row of the lake, read back from the Parquet files with DuckDB (an independent reader). */
export async function readLake(out: string): Promise<LakeRow[]> {
  const files = await new LocalObjectStore(out).list("ext/");
  if (files.filter((f) => f.key.endsWith(".parquet")).length === 0) return [];
  duck ??= DuckDBInstance.create(":memory:");
  const connection = await (await duck).connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT metadata.uid AS uid, class_uid, filename FROM read_parquet('${out}/ext/*/*/*/*/*.parquet', union_by_name = true)`,
    );
    return reader.getRowObjects().map((row) => ({
      uid: String(row.uid),
      classUid: Number(row.class_uid),
      customSource: String(row.filename).slice(`${out}/ext/`.length).split("/")[0] ?? "",
    }));
  } finally {
    connection.closeSync();
  }
}

/** The canonical raw events in every quarantine file of the connector. */
export async function readQuarantine(world: CaseWorld): Promise<string[]> {
  const store = new LocalObjectStore(world.out);
  const raws: string[] = [];
  for (const object of await store.list(`staging/quarantine/${world.runtime.env.connector}/`)) {
    const text = new TextDecoder().decode(await store.get(object.key));
    for (const line of text.split("\n")) {
      if (line !== "") raws.push(canonical((JSON.parse(line) as { raw: string }).raw));
    }
  }
  return raws;
}

export async function readCheckpoint(world: CaseWorld): Promise<PipelineCheckpoint | undefined> {
  const stored = await world.runtime.parameters.get(world.runtime.env.checkpointParameter);
  return stored ? parsePipelineCheckpoint(stored.value, "checkpoint") : undefined;
}

/** Files under ext/ with their bytes, to prove a run wrote nothing. */
export async function lakeSnapshot(out: string): Promise<Map<string, string>> {
  const store = new LocalObjectStore(out);
  const snapshot = new Map<string, string>();
  for (const object of await store.list("ext/")) {
    snapshot.set(
      object.key,
      Buffer.from((await readFile(join(out, object.key))) as Uint8Array).toString("base64"),
    );
  }
  return snapshot;
}

/** S3 answering SlowDown (503) to the first `n` inbox listings, as the SDK surfaces it after its own retries. */
export function throttledListings(store: ObjectStore, n: number): ObjectStore {
  let calls = 0;
  return {
    put: (key, body, options) => store.put(key, body, options),
    get: (key) => store.get(key),
    delete: (key) => store.delete(key),
    list: async (prefix, options) => {
      calls += 1;
      if (calls <= n) {
        throw Object.assign(new Error("Please reduce your request rate."), {
          name: "SlowDown",
          $metadata: { httpStatusCode: 503 },
        });
      }
      return store.list(prefix, options);
    },
  };
}
