import "../core/polyfills.ts";
import { join } from "node:path";
import { ExecutionError, StateMachine } from "aws-local-stepfunctions";
import definition from "../../statemachine/connector.asl.json" with { type: "json" };
import { LocalCrawler } from "../adapters/localCrawler.ts";
import { LocalObjectStore } from "../adapters/localObjectStore.ts";
import { LocalObjectWriter } from "../adapters/localObjectWriter.ts";
import { LocalParameterStore } from "../adapters/localParameterStore.ts";
import { recordingTelemetry, type Telemetry } from "../adapters/observability.ts";
import type { HttpDeps, RetryPolicy } from "../adapters/sources/http.ts";
import { defaultMappingsDir, loadSourceMappings } from "../core/mapping/index.ts";
import { type ConnectorMode, definitionFor } from "../core/pipeline/definition.ts";
import { stagingTableName } from "../core/pipeline/stagingTables.ts";
import type { Crawler, MessageQueue, ObjectStore, SecretsProvider } from "../core/ports.ts";
import { makeHandler as acknowledgeHandler } from "../handlers/acknowledge.ts";
import { makeHandler as commitHandler } from "../handlers/commit.ts";
import { makeHandler as convertHandler } from "../handlers/convert.ts";
import type { HandlerDeps } from "../handlers/deps.ts";
import type { CustomSourceConfig, HandlerEnvironment, SourceKind } from "../handlers/environment.ts";
import { makeHandler as fetchHandler } from "../handlers/fetch.ts";
import { makeHandler as loadCheckpointHandler } from "../handlers/loadCheckpoint.ts";
import { makeHandler as mapHandler } from "../handlers/map.ts";
import { makeHandler as recordFailureHandler } from "../handlers/recordFailure.ts";
import { makeSourceConnector } from "../handlers/sourceConnector.ts";
import { ocsfInboxClasses } from "./inboxes.ts";

/**
 * Runs statemachine/connector.asl.json in-process with aws-local-stepfunctions: every Task is bound by
 * state name to the same handler the Lambda runs (made with local adapters), the Glue states to a local
 * crawler, and waits and retry intervals are set to zero by override, never by editing the ASL.
 */

/** One connector of the embedded default. */
export interface LocalConnectorSpec {
  readonly name: string;
  readonly kind: SourceKind;
  readonly mappingSource: string;
  /** `push`: events arrive through the local partner bus and queue instead of the mock API. */
  readonly mode?: ConnectorMode;
  /** s3-inbox connectors: the folder of the local inbox bucket their files are in. */
  readonly inboxPrefix?: string;
}

export const LOCAL_CONNECTORS: readonly LocalConnectorSpec[] = [
  { name: "sailpoint", kind: "sailpoint", mappingSource: "sailpoint" },
  { name: "okta", kind: "okta", mappingSource: "okta" },
  { name: "okta-push", kind: "okta", mappingSource: "okta", mode: "push" },
  { name: "onelogin", kind: "onelogin", mappingSource: "onelogin" },
  { name: "zscaler-dspm", kind: "s3-inbox", mappingSource: "zscaler-dspm", inboxPrefix: "dspm/" },
  { name: "ocsf", kind: "s3-inbox", mappingSource: "ocsf", inboxPrefix: "ocsf/" },
];

/** Custom source suffixes per class, in Security Lake's short style (`sailpoint-acct-chng`). */
const CLASS_SUFFIX: Readonly<Record<number, string>> = {
  0: "base",
  1006: "sched-job",
  2001: "sec-finding",
  3001: "acct-chng",
  3002: "auth",
  3003: "authz",
  3004: "entity",
  3005: "user-access",
  3006: "group-mgmt",
  6003: "api",
};

/** The partner event source a local push connector's bus is named after (as Okta names its sources). */
export function localEventSource(spec: LocalConnectorSpec): string {
  return `aws.partner/${spec.kind}.com/local-org/${spec.name}`;
}

export const LOCAL_LAKE = { bucket: "local-lake", region: "us-east-1", accountId: "123456789012" } as const;
export const LOCAL_INBOX_BUCKET = "local-inbox";

let ocsfClasses: number[] | undefined;

/**
 * One custom source per class the connector's mappings produce (Security Lake: one class per source); for
 * the `ocsf` inbox, which takes any class, one per class its files hold.
 */
export function localCustomSources(spec: LocalConnectorSpec, mappingsDir?: string): CustomSourceConfig[] {
  const mappings = loadSourceMappings(spec.mappingSource, mappingsDir ? { dir: mappingsDir } : {});
  ocsfClasses ??= mappings.passThrough ? ocsfInboxClasses() : undefined;
  const classes = mappings.passThrough
    ? (ocsfClasses ?? [])
    : [...new Set(mappings.classes.map((c) => c.classUid))].sort((a, b) => a - b);
  return classes.map((classUid) => {
    const name = `${spec.name}-${CLASS_SUFFIX[classUid] ?? `class-${classUid}`}`;
    return {
      name,
      classUid,
      providerRoleArn: `arn:aws:iam::${LOCAL_LAKE.accountId}:role/local-${name}-provider`,
      externalId: "local-external-id",
      lakePrefix: `ext/${name}/`,
      crawlerName: `local-lake-${name}`,
    };
  });
}

export interface LocalOptions {
  /** Lake and state directory (`ext/`, `staging/`, `state/`). */
  readonly out: string;
  /** The connector's API base URL (the mock's), or s3://local-inbox/<prefix> for the inbox. */
  readonly baseUrl: string;
  readonly secrets: SecretsProvider;
  readonly now: () => Date;
  /** The inbox directory's store (s3-inbox connectors). */
  readonly inboxStore?: ObjectStore;
  readonly telemetry?: Telemetry;
  readonly maxEvents?: number;
  readonly lagSeconds?: number;
  readonly maxWindowSeconds?: number;
  readonly initialLookbackSeconds?: number;
  /** 0 (the CLI's choice): a pending window found at start belongs to a killed run and is taken over. */
  readonly pendingLeaseSeconds?: number;
  readonly http?: Partial<HttpDeps>;
  readonly retry?: Partial<RetryPolicy>;
  readonly mappingsDir?: string;
  /** Push connectors: the local queue their partner bus feeds. */
  readonly queue?: MessageQueue;
}

export function localEnvironment(spec: LocalConnectorSpec, options: LocalOptions): HandlerEnvironment {
  return {
    connector: spec.name,
    sourceKind: spec.kind,
    mode: spec.mode ?? "pull",
    mappingSource: spec.mappingSource,
    baseUrl: options.baseUrl,
    secretId: spec.kind === "s3-inbox" ? undefined : `local/${spec.name}`,
    stagingBucket: "local-staging",
    checkpointParameter: `/seclake/local/${spec.name}/checkpoint`,
    customSources: localCustomSources(spec, options.mappingsDir),
    lake: { ...LOCAL_LAKE },
    lagSeconds: options.lagSeconds ?? 300,
    maxWindowSeconds: options.maxWindowSeconds ?? 12 * 366 * 86_400,
    initialLookbackSeconds: options.initialLookbackSeconds ?? 12 * 366 * 86_400,
    maxEvents: options.maxEvents ?? 1000,
    pendingLeaseSeconds: options.pendingLeaseSeconds ?? 0,
    mappingsDir: options.mappingsDir ?? defaultMappingsDir(),
    ...(spec.mode === "push"
      ? {
          queueUrl: `https://sqs.${LOCAL_LAKE.region}.amazonaws.com/${LOCAL_LAKE.accountId}/seclake-local-${spec.name}`,
          eventSource: localEventSource(spec),
        }
      : {}),
    serviceName: "seclake-local",
    metricsNamespace: "SeclakeLocal",
  };
}

export interface LocalRuntime {
  readonly env: HandlerEnvironment;
  readonly deps: HandlerDeps;
  readonly staging: LocalObjectStore;
  readonly parameters: LocalParameterStore;
  /** The staging Glue crawler. */
  readonly crawler: LocalCrawler;
  /** The crawlers Security Lake made per custom source (one catalogue). */
  readonly lakeCrawler: LocalCrawler;
  readonly telemetry: Telemetry;
}

export function localRuntime(spec: LocalConnectorSpec, options: LocalOptions): LocalRuntime {
  const env = localEnvironment(spec, options);
  const staging = new LocalObjectStore(options.out);
  const parameters = new LocalParameterStore(join(options.out, "state", "parameters.json"));
  const writer = new LocalObjectWriter(options.out);
  const telemetry = options.telemetry ?? recordingTelemetry();
  const inbox = options.inboxStore;
  const queue = options.queue;
  if (spec.mode === "push" && !queue) throw new Error(`local run: push connector ${spec.name} needs a queue`);
  let deps: HandlerDeps = {
    env,
    staging,
    parameters,
    telemetry,
    now: options.now,
    lakeWriter: async () => writer,
    ...(queue ? { queue: () => queue } : {}),
    connector: () =>
      makeSourceConnector(env, {
        secrets: options.secrets,
        inboxStore: (bucket) => {
          if (!inbox || bucket !== LOCAL_INBOX_BUCKET) {
            throw new Error(`local run: no inbox store for bucket ${bucket}`);
          }
          return inbox;
        },
        staging,
        ...(queue ? { queue: () => queue } : {}),
        ...(options.http ? { http: options.http } : {}),
        ...(options.retry ? { retry: options.retry } : {}),
      }),
  };
  const crawler = new LocalCrawler(staging, join(options.out, "state", "staging-catalog.json"));
  const stagingCrawler = LOCAL_SUBSTITUTIONS.StagingCrawlerName as string;
  deps = {
    ...deps,
    catalog: {
      addPartitions: (source, days) =>
        crawler.addPartitions(
          stagingCrawler,
          stagingTableName(source),
          days.map((d) => `eventDay=${d}`),
        ),
    },
  };
  return {
    env,
    deps,
    staging,
    parameters,
    crawler,
    lakeCrawler: new LocalCrawler(staging, join(options.out, "state", "lake-catalog.json"), (crawler) => {
      const source = env.customSources.find((s) => s.crawlerName === crawler);
      if (!source) throw new Error(`local run: no custom source has the crawler ${crawler}`);
      return source.lakePrefix;
    }),
    telemetry,
  };
}

/** Names of the states bound in-process; the ASL's Task states, the Map's inner ones included. */
export const TASK_STATES = [
  "LoadCheckpoint",
  "Fetch",
  "Map",
  "StartCrawler",
  "GetCrawler",
  "ConvertSource",
  "StartLakeCrawler",
  "Commit",
  "Acknowledge",
  "RecordFailure",
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/**
 * Called around every bound task: throw to inject a failure before it runs, or after it has run (its
 * side effects done, its result lost). `output` is given in the "after" phase.
 */
export type FaultHook = (
  state: TaskState,
  phase: "before" | "after",
  input: unknown,
  output?: unknown,
) => void | Promise<void>;

export interface ExecutionReport {
  readonly executionId: string;
  readonly status: "SUCCEEDED" | "FAILED";
  readonly error?: { readonly Error: string; readonly Cause: string };
  readonly output?: unknown;
  /** Every state entered, in order (Map iterations included). */
  readonly states: readonly string[];
  /** Every state retried by a Retry rule, once per retry. */
  readonly retries: readonly string[];
  /** The largest state input or output seen, in bytes of JSON. */
  readonly maxPayloadBytes: number;
}

/** A state event of aws-local-stepfunctions (the package does not export its EventLog type). */
export type EventLog =
  ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

export interface RunExecutionOptions {
  readonly executionId: string;
  readonly fault?: FaultHook;
  /** Progress: called for every state event. */
  readonly onEvent?: (event: EventLog) => void;
}

/** The values the local run gives the ASL's placeholders (infra gives the deployed ARNs and names). */
export const LOCAL_SUBSTITUTIONS: Readonly<Record<string, string>> = Object.fromEntries([
  ...["LoadCheckpoint", "Fetch", "Map", "Convert", "Deliver", "Commit", "Acknowledge", "RecordFailure"].map(
    (fn) => [
      `${fn}FunctionArn`,
      `arn:aws:lambda:${LOCAL_LAKE.region}:${LOCAL_LAKE.accountId}:function:seclake-local-${fn}`,
    ],
  ),
  ["StagingCrawlerName", "seclake-local-staging"],
  ["GlueStartCrawlerArn", "arn:aws:states:::aws-sdk:glue:startCrawler"],
  ["GlueGetCrawlerArn", "arn:aws:states:::aws-sdk:glue:getCrawler"],
]);

/** The ASL with every `${Placeholder}` replaced; throws naming a placeholder that has no value. */
export function renderLocalDefinition(
  substitutions = LOCAL_SUBSTITUTIONS,
  mode: ConnectorMode = "pull",
): unknown {
  const text = JSON.stringify(definitionFor(definition, { mode })).replace(
    /\$\{([A-Za-z]+)\}/g,
    (_, name: string) => {
      const value = substitutions[name];
      if (value === undefined)
        throw new Error(`statemachine/connector.asl.json: no local value for \${${name}}`);
      return value;
    },
  );
  return JSON.parse(text);
}

/** A Glue error as the aws-sdk service integration names it. */
function glueError(code: string, message: string): Error {
  const error = new Error(message);
  error.name = `Glue.${code}`;
  return error;
}

function crawlerTasks(staging: Crawler, lake: Crawler) {
  return {
    StartCrawler: async (input: unknown) => {
      const name = (input as { Name: string }).Name;
      const { alreadyRunning } = await staging.start(name);
      if (alreadyRunning) throw glueError("CrawlerRunningException", `crawler ${name} is running`);
      return {};
    },
    GetCrawler: async (input: unknown) => {
      const name = (input as { Name: string }).Name;
      return { Crawler: { Name: name, State: await staging.state(name) } };
    },
    StartLakeCrawler: async (input: unknown) => {
      const name = (input as { Name: string }).Name;
      const { alreadyRunning } = await lake.start(name);
      if (alreadyRunning) throw glueError("CrawlerRunningException", `crawler ${name} is running`);
      // The lake crawlers are never polled; let the next start find them idle.
      await lake.state(name);
      await lake.state(name);
      return {};
    },
  };
}

const machines = new Map<ConnectorMode, StateMachine>();

/** Runs one execution of the connector's state machine to its end (Succeed or Fail). */
export async function runExecution(
  runtime: LocalRuntime,
  options: RunExecutionOptions,
): Promise<ExecutionReport> {
  const { deps } = runtime;
  const handlers: Record<TaskState, (input: unknown) => Promise<unknown>> = {
    LoadCheckpoint: loadCheckpointHandler(deps),
    Fetch: fetchHandler(deps),
    Map: mapHandler(deps),
    ConvertSource: convertHandler(deps),
    Commit: commitHandler(deps),
    Acknowledge: acknowledgeHandler(deps),
    RecordFailure: recordFailureHandler(deps),
    ...crawlerTasks(runtime.crawler, runtime.lakeCrawler),
  };
  const bound: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const state of TASK_STATES) {
    const handler = handlers[state];
    bound[state] = async (input: unknown) => {
      await options.fault?.(state, "before", input);
      const output = await handler(input);
      await options.fault?.(state, "after", input, output);
      return output;
    };
  }
  const zero = Object.fromEntries(TASK_STATES.map((s) => [s, 0]));
  // Building a StateMachine validates the definition (~1 s of JSON-schema compilation): do it once.
  const mode = runtime.env.mode;
  let machine = machines.get(mode);
  if (!machine) {
    machine = new StateMachine(renderLocalDefinition(LOCAL_SUBSTITUTIONS, mode) as never);
    machines.set(mode, machine);
  }
  const execution = machine.run({} as never, {
    overrides: {
      taskResourceLocalHandlers: bound as never,
      waitTimeOverrides: { WaitForCrawler: 0 },
      retryIntervalOverrides: zero,
    },
    context: { Execution: { Id: options.executionId, Name: options.executionId.split(":").at(-1) } },
  });
  const states: string[] = [];
  const retries: string[] = [];
  let maxPayloadBytes = 0;
  const logs = (async () => {
    for await (const event of execution.eventLogs) {
      if ("state" in event && event.state) {
        if (event.type === "StateEntered") states.push(event.state.name);
        if (event.type === "StateRetried") retries.push(event.state.name);
        for (const payload of [event.state.input, event.state.output]) {
          if (payload !== undefined)
            maxPayloadBytes = Math.max(maxPayloadBytes, JSON.stringify(payload).length);
        }
      }
      options.onEvent?.(event);
    }
  })();
  try {
    const output = await execution.result;
    await logs;
    return {
      executionId: options.executionId,
      status: "SUCCEEDED",
      output,
      states,
      retries,
      maxPayloadBytes,
    };
  } catch (error) {
    await logs.catch(() => undefined);
    if (!(error instanceof ExecutionError)) throw error;
    const cause = (error as { cause?: { name?: string; message?: string } }).cause;
    return {
      executionId: options.executionId,
      status: "FAILED",
      error: { Error: cause?.name ?? "States.Runtime", Cause: cause?.message ?? error.message },
      states,
      retries,
      maxPayloadBytes,
    };
  }
}
