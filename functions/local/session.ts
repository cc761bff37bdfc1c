import { join } from "node:path";
import { StaticSecretsProvider } from "../adapters/envSecrets.ts";
import { LocalObjectStore } from "../adapters/localObjectStore.ts";
import { LocalQueue } from "../adapters/localQueue.ts";
import type { Telemetry } from "../adapters/observability.ts";
import type { HttpDeps } from "../adapters/sources/http.ts";
import type { ClaimResult, ConvertResult, FetchResult, MapResult } from "../handlers/contract.ts";
import { localInboxFiles, writeInbox } from "./inboxes.ts";
import {
  defaultCorpus,
  generatedCorpus,
  type MockApi,
  type MockEvent,
  startMockApi,
} from "./mockApis/index.ts";
import { type PushKind, postOnce } from "./partnerBus.ts";
import {
  type EventLog,
  type ExecutionReport,
  LOCAL_INBOX_BUCKET,
  LOCAL_LAKE,
  type LocalConnectorSpec,
  type LocalRuntime,
  localEventSource,
  localRuntime,
  runExecution,
} from "./runtime.ts";

/**
 * One `seclake local` session for one connector: its mock API (or inbox) on loopback, its runtime over
 * `<out>`, and executions run until the connector has nothing more to fetch.
 */

/** The fixed clock of the embedded default: window ids (and so every key) repeat run after run. */
export const LOCAL_NOW = new Date("2025-01-01T00:00:00.000Z");

/** Events per loop of the embedded default. */
export const LOCAL_MAX_EVENTS = 250;

export interface ConnectorTotals {
  executions: number;
  /** Windows claimed: the state machine's loops (More? → LoadCheckpoint), over all executions. */
  windows: number;
  /** Staging crawls started (a crawl only when a window adds a day or a custom source: DESIGN.md §2.4). */
  crawls: number;
  /** Starts of Security Lake's crawlers (one per custom source and new day, where configured). */
  lakeCrawls: number;
  fetched: number;
  skipped: number;
  quarantined: number;
  /** Per custom source: class, events mapped, rows and Parquet files written by this session. */
  sources: Map<string, { classUid: number; mapped: number; rows: number; files: number; bytes: number }>;
}

export interface SessionOptions {
  readonly out: string;
  readonly progress?: (line: string) => void;
  readonly telemetry?: Telemetry;
  /** Generated events per API on top of the samples (default 2,000, as the mocks serve). */
  readonly generated?: number;
  readonly http?: Partial<HttpDeps>;
}

export interface LocalSession {
  readonly spec: LocalConnectorSpec;
  readonly runtime: LocalRuntime;
  readonly mock: MockApi | undefined;
  /** Push connectors: the queue their local partner bus feeds. */
  readonly queue?: LocalQueue;
  close(): Promise<void>;
}

/**
 * The queue of a local push connector, as infra configures SQS: visibility = the pending-window lease
 * (7,200 s), redrive to the dead-letter queue after 5 receives; with SQS's at-least-once deliveries
 * (a message twice in one receive now and then, one back after its delete).
 */
export function localPushQueue(out: string, connector: string, now?: () => number): LocalQueue {
  return new LocalQueue({
    path: join(out, "state", "queues", `${connector}.json`),
    visibilitySeconds: 7200,
    maxReceiveCount: 5,
    duplicateEvery: 97,
    redeliverAfterDelete: new Set(["local-00000007", "local-00000500"]),
    ...(now ? { now } : {}),
  });
}

/** What the local partner bus pushes: Okta events distinct from the pull connector's (their own ids). */
export function pushCorpus(count: number): MockEvent[] {
  return generatedCorpus("okta", {
    count,
    seed: 23,
    idOffset: 500_000,
    startMs: Date.parse("2024-12-31T20:00:00.000Z"),
  });
}

export async function openSession(spec: LocalConnectorSpec, options: SessionOptions): Promise<LocalSession> {
  const common = {
    out: options.out,
    now: () => LOCAL_NOW,
    // Small loops, as an hourly schedule makes: many windows, few of them adding a day to staging.
    maxEvents: LOCAL_MAX_EVENTS,
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    ...(options.http ? { http: options.http } : {}),
  };
  if (spec.kind === "s3-inbox") {
    const inboxStore = new LocalObjectStore(join(options.out, "inbox"));
    await writeInbox(inboxStore, localInboxFiles(spec.mappingSource));
    const runtime = localRuntime(spec, {
      ...common,
      baseUrl: `s3://${LOCAL_INBOX_BUCKET}/${spec.inboxPrefix ?? ""}`,
      secrets: new StaticSecretsProvider({}),
      inboxStore,
    });
    return { spec, runtime, mock: undefined, close: async () => {} };
  }
  if (spec.mode === "push") {
    const queue = localPushQueue(options.out, spec.name);
    // A killed run's messages are in flight; the next run starts as if their visibility had expired.
    await queue.expireInFlight();
    await postOnce(queue, pushCorpus(options.generated ?? 2000), {
      kind: spec.kind as PushKind,
      source: localEventSource(spec),
      accountId: LOCAL_LAKE.accountId,
      region: LOCAL_LAKE.region,
      markerPath: join(options.out, "state", "partner-bus", `${spec.name}.json`),
    });
    const runtime = localRuntime(spec, {
      ...common,
      baseUrl: "",
      secrets: new StaticSecretsProvider({}),
      queue,
    });
    return { spec, runtime, mock: undefined, queue, close: async () => {} };
  }
  const mock = await startMockApi(spec.kind, { corpus: defaultCorpus(spec.kind, options.generated ?? 2000) });
  const credentials = Object.fromEntries(
    Object.entries(mock.credentials).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  try {
    const runtime = localRuntime(spec, {
      ...common,
      baseUrl: mock.baseUrl,
      secrets: new StaticSecretsProvider(credentials),
    });
    return { spec, runtime, mock, close: () => mock.close() };
  } catch (error) {
    await mock.close();
    throw error;
  }
}

/** Runs executions until one ends without more to fetch; stops at the first failed execution. */
export async function drainConnector(
  session: LocalSession,
  options: { progress?: (line: string) => void; maxExecutions?: number } = {},
): Promise<{ totals: ConnectorTotals; last: ExecutionReport }> {
  const totals: ConnectorTotals = {
    executions: 0,
    windows: 0,
    crawls: 0,
    lakeCrawls: 0,
    fetched: 0,
    skipped: 0,
    quarantined: 0,
    sources: new Map(),
  };
  const name = session.spec.name;
  const { crawler, lakeCrawler } = session.runtime;
  const crawlsBefore = crawler.started;
  const lakeCrawlsBefore = lakeCrawler.started;
  for (let n = 1; ; n += 1) {
    const report = await runExecution(session.runtime, {
      executionId: `arn:aws:states:us-east-1:123456789012:execution:seclake-local-${name}:run-${n}`,
      onEvent: (event) => observe(event, totals, name, options.progress),
    });
    totals.executions += 1;
    totals.crawls = crawler.started - crawlsBefore;
    totals.lakeCrawls = lakeCrawler.started - lakeCrawlsBefore;
    const more = (report.output as { commit?: { hasMore?: boolean } } | undefined)?.commit?.hasMore;
    if (report.status === "FAILED" || !more || n >= (options.maxExecutions ?? 50)) {
      return { totals, last: report };
    }
  }
}

function observe(event: EventLog, totals: ConnectorTotals, name: string, progress?: (line: string) => void) {
  if (event.type === "StateRetried" && "state" in event) {
    progress?.(`[${name}] ${event.state.name}: retrying`);
    return;
  }
  if (event.type === "StateFailed" && "state" in event) {
    progress?.(`[${name}] ${event.state.name}: failed: ${event.Error}`);
    return;
  }
  if (event.type !== "StateExited" || !("state" in event)) return;
  const { name: state, output } = event.state;
  let detail: string | undefined;
  switch (state) {
    case "LoadCheckpoint": {
      const claim = (output as { claim: ClaimResult }).claim;
      if ("heldBy" in claim) {
        detail = `another execution (${claim.heldBy.executionId}) holds window ${claim.heldBy.windowId}; nothing to do`;
        break;
      }
      const w = claim.window;
      totals.windows += 1;
      detail = `${w.resumed ? "resumed" : "window"} ${w.windowId} [${w.since}, ${w.until})`;
      break;
    }
    case "Fetch": {
      const f = (output as { fetch: FetchResult }).fetch;
      totals.fetched += f.counts.events;
      detail = `${f.counts.events} events in ${f.counts.pages} pages${f.hasMore ? ", more to come" : ""}`;
      break;
    }
    case "Map": {
      const m = (output as { map: MapResult }).map;
      totals.skipped += m.counts.skipped;
      totals.quarantined += m.counts.quarantined;
      for (const s of m.sources) {
        const t = entry(totals, s.customSource, s.classUid);
        t.mapped += s.events;
      }
      const mapped = m.sources.map((s) => `${s.customSource} ${s.events}`).join(", ") || "nothing";
      detail = `mapped ${mapped}; skipped ${m.counts.skipped}, quarantined ${m.counts.quarantined}`;
      break;
    }
    case "ConvertSource": {
      const o = output as { source: { customSource: string; classUid: number }; converted: ConvertResult };
      const t = entry(totals, o.source.customSource, o.source.classUid);
      t.rows += o.converted.counts.rows;
      t.files += o.converted.keys.length;
      t.bytes += o.converted.counts.bytes;
      detail = `${o.source.customSource}: ${o.converted.counts.rows} rows in ${o.converted.keys.length} Parquet files`;
      break;
    }
    case "Commit":
      detail = `checkpoint at ${(output as { commit: { since: string } }).commit.since}`;
      break;
    case "GetCrawler":
      detail = `staging crawler ${(output as { crawler: { State: string } }).crawler.State}`;
      break;
    default:
      return;
  }
  progress?.(`[${name}] ${state}: ${detail}`);
}

function entry(totals: ConnectorTotals, source: string, classUid: number) {
  let t = totals.sources.get(source);
  if (!t) {
    t = { classUid, mapped: 0, rows: 0, files: 0, bytes: 0 };
    totals.sources.set(source, t);
  }
  return t;
}
