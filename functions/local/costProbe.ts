import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import definition from "../../statemachine/connector.asl.json" with { type: "json" };
import { StaticSecretsProvider } from "../adapters/envSecrets.ts";
import { recordingTelemetry } from "../adapters/observability.ts";
import { SFN_EXTRA_EVENTS_PER_TASK } from "../core/cost/assumptions.ts";
import {
  type CrawlUsage,
  fitLoops,
  type LambdaRole,
  type LoopSample,
  type LoopUsage,
  loopUsageOf,
  type Measurements,
  type RoleUsage,
  type S3Kind,
} from "../core/cost/usage.ts";
import { loadSourceMappings, mapRecord } from "../core/mapping/index.ts";
import type { MetricName } from "../core/metrics.ts";
import { definitionFor } from "../core/pipeline/definition.ts";
import type { ObjectStore, ObjectWriter, ParameterStore, SecretsProvider } from "../core/ports.ts";
import type { HandlerDeps } from "../handlers/deps.ts";
import { type ApiKind, generatedCorpus, type MockEvent, sortEvents, startMockApi } from "./mockApis/index.ts";
import {
  type EventLog,
  type ExecutionReport,
  type FaultHook,
  LOCAL_CONNECTORS,
  type LocalConnectorSpec,
  type LocalRuntime,
  localRuntime,
  runExecution,
  type TaskState,
} from "./runtime.ts";

/**
 * The cost model's measurements (functions/core/cost/usage.ts), taken by running the real state machine
 * in-process (runtime.ts) against a loopback mock of the vendor API serving a generated corpus (values
 * repeat as in audit logs). Per loop size, one directory and three executions of one loop each: the
 * first makes the staging tables (their one crawl), the second adds a new event day to them (Map adds the
 * partition), the third adds as many events to the same day (the steady state of an hourly schedule). The per-loop model is fitted from the second executions at two sizes; the
 * crawl from the difference between the two. Counting wrappers sit around the runtime's staging store,
 * lake writer, parameter store and secrets; the adapters are not changed.
 */

export type ProbeSource = Extract<ApiKind, "sailpoint" | "okta" | "onelogin">;

export interface ProbeOptions {
  readonly source: ProbeSource;
  /** Events per loop of the two sizes the model is fitted from. */
  readonly sizes?: readonly [number, number];
  readonly progress?: (line: string) => void;
}

const LAG_SECONDS = 300;
/** One event day, which every corpus below fits in (20,000 generated events span under 3 hours). */
const DAY_MS = Date.parse("2024-03-02T00:00:00.000Z");
const WARM_UP_EVENTS = 200;

const ROLE_OF: Partial<Record<TaskState, LambdaRole>> = {
  LoadCheckpoint: "loadCheckpoint",
  Fetch: "fetch",
  Map: "map",
  ConvertSource: "convert",
  Commit: "commit",
};

const POLL_STATES = new Set(["WaitForCrawler", "GetCrawler", "IsCrawlerReady", "CountCrawlerPoll"]);

type AslState = {
  readonly Type: string;
  readonly ItemProcessor?: { readonly States: Record<string, AslState> };
  readonly [key: string]: unknown;
};

/**
 * State names of the pull connector's ASL: those inside a Map's item processor (once per custom source),
 * and the Tasks.
 */
function aslStates(): { inner: Set<string>; tasks: Set<string> } {
  const inner = new Set<string>();
  const tasks = new Set<string>();
  const walk = (states: Record<string, AslState>, inMap: boolean) => {
    for (const [name, state] of Object.entries(states)) {
      if (inMap) inner.add(name);
      if (state.Type === "Task") tasks.add(name);
      if (state.ItemProcessor) walk(state.ItemProcessor.States, true);
    }
  };
  walk(
    definitionFor(definition as unknown as { States: Record<string, AslState> }, { mode: "pull" }).States,
    false,
  );
  return { inner, tasks };
}
const ASL = aslStates();

interface Acc {
  loop: number;
  source: number;
}
type Scope = keyof Acc;
const acc = (): Acc => ({ loop: 0, source: 0 });

function byteLength(body: Uint8Array | string): number {
  return typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
}

/** What one execution used, as the wrappers, the fault hook and the event log see it. */
class RunMeter {
  readonly usage: LoopUsage<Acc> = loopUsageOf(acc);
  events = 0;
  #state: TaskState | undefined;
  readonly #started = new Map<unknown, { at: number; logs: number; metrics: number }>();

  constructor(private readonly telemetry: ReturnType<typeof recordingTelemetry>) {}

  get #role(): RoleUsage<Acc> | undefined {
    const role = this.#state && ROLE_OF[this.#state];
    return role ? this.usage.roles[role] : undefined;
  }

  /** Work of a custom source: anything ConvertSource does, and staged OCSF or lake objects anywhere. */
  #scope(key = ""): Scope {
    return this.#state === "ConvertSource" || key.startsWith("staging/ocsf/") || key.startsWith("ext/")
      ? "source"
      : "loop";
  }

  s3(kind: S3Kind, key: string, bytes: number, requests = 1): void {
    const role = this.#role;
    if (!role) return;
    const scope = this.#scope(key);
    role.s3[kind][scope] += requests;
    role.s3Bytes[scope] += bytes;
    if (kind !== "put") return;
    if (key.startsWith("ext/")) this.usage.lakeBytes[scope] += bytes;
    else if (key.startsWith("staging/ocsf/")) this.usage.stagedBytes.ocsf[scope] += bytes;
    else if (key.startsWith("staging/quarantine/")) this.usage.stagedBytes.quarantine[scope] += bytes;
    else this.usage.stagedBytes.raw[scope] += bytes;
  }

  awsCall(secret = false): void {
    const role = this.#role;
    if (role) role.awsCalls[this.#scope()] += 1;
    if (secret) this.usage.secretCalls[this.#scope()] += 1;
  }

  readonly fault: FaultHook = (state, phase, input, output) => {
    if (phase === "before") {
      this.#state = state;
      const t = this.telemetry;
      this.#started.set(input, { at: performance.now(), logs: t.logs.length, metrics: t.metrics.length });
      return;
    }
    const started = this.#started.get(input);
    const role = this.#role;
    if (started && role) {
      const scope = this.#scope();
      role.invocations[scope] += 1;
      role.seconds[scope] += (performance.now() - started.at) / 1000;
      for (const record of this.telemetry.logs.slice(started.logs)) {
        role.logLines[scope] += 1;
        role.logBytes[scope] += JSON.stringify({
          message: record.message,
          ...record.keys,
          ...record.extra,
        }).length;
      }
      for (const metric of this.telemetry.metrics.slice(started.metrics)) {
        role.metricRecords[scope] += 1;
        role.metricBytes[scope] += JSON.stringify({
          [metric.name]: metric.value,
          ...metric.dimensions,
        }).length;
      }
      if (state === "Fetch") {
        const counts = (output as { counts: { events: number; pages: number } }).counts;
        this.events += counts.events;
        role.vendorPages[scope] += counts.pages;
      }
    }
    this.#state = undefined;
  };

  /** Step Functions logs every history event with its payload; a Task has SFN_EXTRA_EVENTS_PER_TASK more. */
  readonly onEvent = (event: EventLog): void => {
    const state = "state" in event ? event.state : undefined;
    const scope: Scope = state && ASL.inner.has(state.name) ? "source" : "loop";
    let bytes = JSON.stringify(event).length;
    let events = 1;
    if (state && ASL.tasks.has(state.name)) {
      if (event.type === "StateEntered") {
        events += SFN_EXTRA_EVENTS_PER_TASK;
        bytes += JSON.stringify(state.input ?? null).length;
      }
      if (event.type === "StateExited") bytes += JSON.stringify(state.output ?? null).length;
    }
    this.usage.sfnLogEvents[scope] += events;
    this.usage.sfnLogBytes[scope] += bytes;
  };

  finish(report: ExecutionReport): LoopSample {
    for (const state of report.states) this.usage.transitions[ASL.inner.has(state) ? "source" : "loop"] += 1;
    return { events: this.events, usage: this.usage };
  }
}

/** The probe's current meter: the wrappers outlive one execution. */
interface MeterRef {
  meter: RunMeter;
}

function countingStore(inner: ObjectStore, ref: MeterRef): ObjectStore {
  return {
    async put(key, body, options) {
      await inner.put(key, body, options);
      ref.meter.s3("put", key, byteLength(body));
    },
    async get(key) {
      const body = await inner.get(key);
      ref.meter.s3("get", key, body?.byteLength ?? 0);
      return body;
    },
    async list(prefix, options) {
      const objects = await inner.list(prefix, options);
      // ListObjectsV2 returns at most 1,000 keys a request.
      ref.meter.s3("list", prefix, 0, Math.max(1, Math.ceil(objects.length / 1000)));
      return objects;
    },
    async delete(key) {
      await inner.delete(key);
      ref.meter.s3("delete", key, 0);
    },
  };
}

function countingLakeWriter(inner: HandlerDeps["lakeWriter"], ref: MeterRef): HandlerDeps["lakeWriter"] {
  return async (source) => {
    // The AWS writer assumes the source's provider role (one STS call).
    ref.meter.awsCall();
    const writer: ObjectWriter = await inner(source);
    return {
      async begin(key, options) {
        const upload = await writer.begin(key, options);
        return {
          write: (chunk) => upload.write(chunk),
          abort: () => upload.abort(),
          async commit() {
            const size = await upload.commit();
            ref.meter.s3("put", key, size);
            return size;
          },
        };
      },
    };
  };
}

function countingParameters(inner: ParameterStore, ref: MeterRef): ParameterStore {
  return {
    get(name) {
      ref.meter.awsCall();
      return inner.get(name);
    },
    put(name, value, options) {
      ref.meter.awsCall();
      return inner.put(name, value, options);
    },
  };
}

function countingSecrets(inner: SecretsProvider, ref: MeterRef): SecretsProvider {
  return {
    get(secretId) {
      ref.meter.awsCall(true);
      return inner.get(secretId);
    },
  };
}

/** The classes the corpus maps to: the probe configures only their custom sources (each gets data). */
function classesOf(spec: LocalConnectorSpec, corpus: readonly MockEvent[]): Set<number> {
  const mappings = loadSourceMappings(spec.mappingSource);
  const classes = new Set<number>();
  for (const event of corpus.slice(0, 500)) {
    const outcome = mapRecord(mappings, JSON.stringify(event.body));
    if (outcome.kind === "mapped") classes.add(outcome.classUid);
  }
  return classes;
}

interface SizeResult {
  readonly newDay: { readonly sample: LoopSample; readonly states: readonly string[] };
  readonly sameDay: { readonly sample: LoopSample; readonly states: readonly string[] };
  readonly metricsEmitted: readonly MetricName[];
  readonly sources: number;
}

/** Two one-loop executions of `events` events each into one event day, in a fresh directory. */
async function probeSize(spec: LocalConnectorSpec, kind: ProbeSource, events: number): Promise<SizeResult> {
  const out = await mkdtemp(join(tmpdir(), "seclake-cost-"));
  // Day 1 makes the staging tables (a crawl, once in a connector's life); day 2 is a new day for tables
  // that exist (Map adds the partition, no crawl); then as many events again into day 2.
  const day = (n: number, startMs: number) =>
    generatedCorpus(kind, { count: events, startMs, seed: 7 + n, idOffset: n * events });
  const days = [day(0, DAY_MS), day(1, DAY_MS + 86_400_000), day(2, DAY_MS + 86_400_000 + 4 * 3_600_000)];
  const corpus = sortEvents(days.flat());
  const mock = await startMockApi(kind, { corpus });
  try {
    const telemetry = recordingTelemetry();
    const ref: MeterRef = { meter: new RunMeter(telemetry) };
    const after = (chunk: readonly MockEvent[]) =>
      (chunk.at(-1) as MockEvent).timeMs + LAG_SECONDS * 1000 + 1;
    let nowMs = after(days[0] as MockEvent[]);
    const credentials = Object.fromEntries(
      Object.entries(mock.credentials).filter((e): e is [string, string] => typeof e[1] === "string"),
    );
    const base = localRuntime(spec, {
      out,
      baseUrl: mock.baseUrl,
      secrets: countingSecrets(new StaticSecretsProvider(credentials), ref),
      now: () => new Date(nowMs),
      telemetry,
      lagSeconds: LAG_SECONDS,
      initialLookbackSeconds: 86_400,
      // One loop per execution: the model multiplies loops itself.
      maxEvents: 100_000,
    });
    const classes = classesOf(spec, corpus);
    const env = { ...base.env, customSources: base.env.customSources.filter((s) => classes.has(s.classUid)) };
    const runtime: LocalRuntime = {
      ...base,
      env,
      deps: {
        ...base.deps,
        env,
        staging: countingStore(base.deps.staging, ref),
        parameters: countingParameters(base.deps.parameters, ref),
        lakeWriter: countingLakeWriter(base.deps.lakeWriter, ref),
      },
    };
    const run = async (label: string) => {
      ref.meter = new RunMeter(telemetry);
      const metricsBefore = telemetry.metrics.length;
      const report = await runExecution(runtime, {
        executionId: `arn:aws:states:us-east-1:123456789012:execution:seclake-cost-${spec.name}:${events}-${label}`,
        fault: ref.meter.fault,
        onEvent: ref.meter.onEvent,
      });
      if (report.status !== "SUCCEEDED") {
        throw new Error(
          `cost probe: the ${label} execution failed: ${report.error?.Error}: ${report.error?.Cause}`,
        );
      }
      const loops = report.states.filter((s) => s === "LoadCheckpoint").length;
      if (loops !== 1) throw new Error(`cost probe: the ${label} execution ran ${loops} loops, expected 1`);
      const sample = ref.meter.finish(report);
      if (sample.events === 0) throw new Error(`cost probe: the ${label} execution fetched nothing`);
      const emitted = telemetry.metrics.slice(metricsBefore).map((m) => m.name);
      return { sample, states: report.states, emitted };
    };
    await run("first-day");
    nowMs = after(days[1] as MockEvent[]);
    const newDay = await run("new-day");
    nowMs = after(days[2] as MockEvent[]);
    const sameDay = await run("same-day");
    return {
      newDay,
      sameDay,
      metricsEmitted: [...new Set(sameDay.emitted)],
      sources: env.customSources.length,
    };
  } finally {
    await mock.close();
    await rm(out, { recursive: true, force: true });
  }
}

function crawlUsage(size: SizeResult): CrawlUsage {
  const count = (states: readonly string[], name: string) => states.filter((s) => s === name).length;
  const pollStates = (states: readonly string[]) => states.filter((s) => POLL_STATES.has(s)).length;
  const a = size.newDay.states;
  const b = size.sameDay.states;
  const polls = count(a, "GetCrawler");
  return {
    newDay: {
      stagingCrawls: count(a, "StartCrawler"),
      lakeCrawlsPerSource: count(a, "StartLakeCrawler") / size.sources,
      transitions: Math.max(0, a.length - pollStates(a) - (b.length - pollStates(b))),
    },
    sameDay: {
      stagingCrawls: count(b, "StartCrawler"),
      lakeCrawlsPerSource: count(b, "StartLakeCrawler") / size.sources,
    },
    transitionsPerPoll: polls > 0 ? pollStates(a) / polls : 0,
  };
}

/** Runs the probe (a warm-up, then two sizes) and fits the per-loop model; a few seconds. */
export async function runCostProbe(options: ProbeOptions): Promise<Measurements> {
  const spec = LOCAL_CONNECTORS.find((s) => s.kind === options.source);
  if (!spec) throw new Error(`cost probe: no local connector of kind ${options.source}`);
  const [small, large] = options.sizes ?? [1000, 10_000];
  // JIT, the compiled mappings and the state machine's validation, so the first size is not charged them.
  await probeSize(spec, options.source, WARM_UP_EVENTS);
  const results: SizeResult[] = [];
  for (const events of [small, large]) {
    const started = performance.now();
    results.push(await probeSize(spec, options.source, events));
    options.progress?.(
      `cost probe: ${spec.name}, ${events} events a loop: ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const samples = results.map((r) => r.sameDay.sample);
  const last = results.at(-1) as SizeResult;
  return {
    source: spec.name,
    samples,
    perLoop: fitLoops(samples),
    crawl: crawlUsage(last),
    metricsEmitted: last.metricsEmitted,
  };
}
