import { loadConfig } from "../../../infra/config.ts";
import { lambdaSizing } from "../../../infra/lambdaSizing.ts";
import { scheduleProblem } from "../../../infra/schedule.ts";
import definition from "../../../statemachine/connector.asl.json" with { type: "json" };
import * as assumptions from "../../core/cost/assumptions.ts";
import {
  CONNECTOR_ALARM_METRICS,
  type ConnectorShape,
  type Estimate,
  estimate,
  LAMBDA_ROLES,
  type LambdaRole,
  type Measurements,
  metricSeries,
  OUR_COMPONENTS,
  type OurComponent,
  PRICES,
  PRICES_CHECKED,
  type ScheduleStats,
  SEED_COMPONENTS,
  type SeedComponent,
  scheduleStats,
} from "../../core/cost/index.ts";
import { InputError } from "../../core/errors.ts";
import { loadSourceMappings } from "../../core/mapping/index.ts";
import { type ProbeSource, runCostProbe } from "../../local/costProbe.ts";
import { formatTable } from "../table.ts";

/**
 * `seclake cost [--events-per-day 10000,100000,1000000,10000000] [--schedule "rate(1 hour)"]
 * [--source okta] [--custom-sources N] [--json]`: the monthly AWS cost of ONE connector at each volume,
 * by component, next to the seed architecture's. Measures a loop of the real state machine locally
 * (functions/local/costProbe.ts), prices it with functions/core/cost, and takes the connector's shape
 * from infra (config defaults, Lambda sizes) and the ASL (loops per execution, Map concurrency).
 */

const SOURCES: readonly ProbeSource[] = ["sailpoint", "okta", "onelogin"];
/** The volume at which the issue sets its target, and the target. */
const TARGET = { eventsPerDay: 1_000_000, usd: 5 };

const LABELS: Record<OurComponent, string> = {
  lambda: "Lambda",
  stepFunctions: "Step Functions",
  s3Requests: "S3 requests",
  s3Storage: "S3 staging storage",
  stagingCrawler: "Glue staging crawler",
  cloudwatchMetrics: "CloudWatch metrics",
  cloudwatchAlarms: "CloudWatch alarms",
  cloudwatchLogs: "CloudWatch Logs",
  secretsManager: "Secrets Manager",
  kms: "KMS requests",
  scheduler: "EventBridge Scheduler",
  xray: "X-Ray traces",
};
const SEED_LABELS: Record<SeedComponent, string> = {
  lambda: "seed: Lambda",
  glueCrawler: "seed: Glue crawler",
  glueEtl: "seed: Glue ETL",
  s3Requests: "seed: S3 requests",
  secretsManager: "seed: Secrets Manager",
  kms: "seed: KMS requests",
};

export async function run(opts: Record<string, string | boolean | undefined>): Promise<number> {
  const volumes = parseVolumes(String(opts.eventsPerDay ?? "10000,100000,1000000,10000000"));
  const expression = String(opts.schedule ?? "rate(1 hour)");
  const problem = scheduleProblem(expression);
  if (problem) throw new InputError(`--schedule: ${problem}`);
  const source = String(opts.source ?? "okta") as ProbeSource;
  if (!SOURCES.includes(source))
    throw new InputError(`--source: expected one of ${SOURCES.join(", ")}, got ${source}`);
  const classes = new Set(loadSourceMappings(source).classes.map((c) => c.classUid)).size;
  const sources = opts.customSources === undefined ? classes : Number(opts.customSources);
  if (!Number.isInteger(sources) || sources < 1) {
    throw new InputError(`--custom-sources: expected a positive integer, got ${String(opts.customSources)}`);
  }

  const maxEvents = opts.maxEvents === undefined ? undefined : Number(opts.maxEvents);
  if (maxEvents !== undefined && !Number.isInteger(maxEvents)) {
    throw new InputError(`--max-events: expected an integer, got ${String(opts.maxEvents)}`);
  }

  const schedule = scheduleStats(expression);
  // Before the probe, so that a config the stack would reject (maxEvents) fails at once.
  const shape = connectorShape({ kind: source, schedule: expression, maxEvents }, sources);
  const measured = await runCostProbe({ source, progress: (line) => process.stderr.write(`${line}\n`) });
  const connector: ConnectorShape = {
    ...shape,
    metricSeries: metricSeries(measured.metricsEmitted, sources, sources),
  };
  const estimates = volumes.map((v) => estimate(v, schedule, connector, measured));

  if (opts.json === true) {
    const report = {
      source,
      schedule: { expression, ...schedule },
      connector,
      pricesChecked: PRICES_CHECKED,
      prices: PRICES,
      assumptions,
      probe: measured,
      estimates,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${header(source, expression, schedule, connector)}\n${probeLine(measured)}\n\n`);
  process.stdout.write(`${table(estimates)}\n\n`);
  for (const line of notes(estimates, connector)) process.stdout.write(`${line}\n`);
  return 0;
}

/** "10000,1e6,10k,1M" → numbers; k and M stand for thousands and millions. */
export function parseVolumes(text: string): number[] {
  return text.split(",").map((item) => {
    const m = /^\s*([\d.]+(?:e\d+)?)\s*([kKmM]?)\s*$/.exec(item);
    const n = m ? Number(m[1]) * ({ k: 1e3, m: 1e6 }[(m[2] as string).toLowerCase()] ?? 1) : Number.NaN;
    if (!Number.isFinite(n) || n <= 0) {
      throw new InputError(
        `--events-per-day: expected positive numbers such as 10000,1e6,10M, got "${item}"`,
      );
    }
    return n;
  });
}

/**
 * The connector's shape as the stack deploys it: maxEvents, staging expiration and log retention are
 * what infra/config.ts fills in for a connector that leaves them out (read by loading such a config),
 * memory from infra/lambdaSizing.ts, loop and concurrency limits from the ASL.
 */
function connectorShape(
  config: { kind: ProbeSource; schedule: string; maxEvents: number | undefined },
  customSources: number,
): Omit<ConnectorShape, "metricSeries"> {
  const { kind, schedule, maxEvents } = config;
  const values: Record<string, string> = {
    "aws:region": "us-east-1",
    "seclake-pipelines:securityLake": JSON.stringify({
      accountId: "111122223333",
      region: "us-east-1",
      bucket: "aws-security-data-lake-us-east-1-example",
      createCustomSources: true,
    }),
    "seclake-pipelines:connectors": JSON.stringify([
      {
        name: "cost",
        kind,
        baseUrl: "https://example.com",
        schedule,
        ...(maxEvents === undefined ? {} : { maxEvents }),
        customSources: [{ name: "cost-auth", classUid: 3002, externalId: "cost-model" }],
      },
    ]),
    "seclake-pipelines:credentials": JSON.stringify({
      cost: kind === "okta" ? { apiToken: "unused" } : { clientId: "unused", clientSecret: "unused" },
    }),
  };
  const { stack } = loadConfig({ get: (key) => values[key], isSecret: () => true }, "cost");
  const c = stack.connectors[0];
  if (!c) throw new Error("cost: the connector config did not load");
  const states = (definition as unknown as { States: Record<string, Record<string, unknown>> }).States;
  const hasMore = (states.HasMore?.Choices as { And?: Record<string, unknown>[] }[] | undefined)?.[0]?.And;
  const maxLoops = hasMore?.find((rule) => "NumericLessThan" in rule)?.NumericLessThan;
  const concurrency = states.Convert?.MaxConcurrency;
  const pollSeconds = states.WaitForCrawler?.Seconds;
  if (typeof maxLoops !== "number" || typeof concurrency !== "number" || typeof pollSeconds !== "number") {
    throw new Error(
      "cost: statemachine/connector.asl.json no longer has HasMore, Convert or WaitForCrawler as read here",
    );
  }
  return {
    maxEvents: c.maxEvents,
    customSources,
    hasSecret: true,
    stagingExpirationDays: stack.staging.expirationDays,
    logRetentionDays: stack.logRetentionDays,
    memoryMb: Object.fromEntries(LAMBDA_ROLES.map((r) => [r, lambdaSizing(r).memoryMb])) as Record<
      LambdaRole,
      number
    >,
    alarmMetrics: CONNECTOR_ALARM_METRICS,
    maxLoopsPerExecution: maxLoops,
    convertConcurrency: concurrency,
    crawlerPollSeconds: pollSeconds,
  };
}

const usd = (n: number) => `$${n < 0.005 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
const count = (n: number) => Math.round(n).toLocaleString("en-US");

function header(source: string, expression: string, s: ScheduleStats, c: ConnectorShape): string {
  return [
    `Monthly AWS cost of one ${source} connector on ${expression} (${count(s.runsPerMonth)} runs a month),`,
    `${c.customSources} custom sources, maxEvents ${count(c.maxEvents)}, staging kept ${c.stagingExpirationDays} days, logs ${c.logRetentionDays} days.`,
    `US East list prices as of ${PRICES_CHECKED}, free tiers ignored (functions/core/cost/prices.ts); usage measured by a local run of the state machine.`,
  ].join("\n");
}

/** What the probe measured that the volumes scale: bytes per event and states per loop. */
function probeLine(m: Measurements): string {
  const b = m.perLoop.stagedBytes;
  const t = m.perLoop.transitions;
  const bytes = (n: number) => `${Math.round(n).toLocaleString("en-US")} B`;
  return [
    `Probe (${m.samples.map((s) => count(s.events)).join(" and ")} generated events a loop): per event`,
    `${bytes(b.raw.perEvent)} raw (gzip), ${bytes(b.ocsf.perEvent)} staged OCSF, ${bytes(m.perLoop.lakeBytes.perEvent)} Parquet;`,
    `${t.perLoop} state transitions a loop + ${t.perSource} per custom source.`,
  ].join(" ");
}

function table(estimates: readonly Estimate[]): string {
  const head = ["", ...estimates.map((e) => `${count(e.eventsPerDay)}/day`)];
  const row = (label: string, cell: (e: Estimate) => string) => [label, ...estimates.map(cell)];
  const rows = [
    row("events per run", (e) => count(e.ours.volume.eventsPerRun)),
    row("loops per run", (e) => count(e.ours.volume.loopsPerRun)),
    ...OUR_COMPONENTS.map((name) => row(LABELS[name], (e) => usd(e.ours.lines[name].usd))),
    row("ours total", (e) => usd(e.ours.total)),
    row("+ Security Lake crawlers (optional)", (e) => usd(e.ours.lakeCrawler.usd)),
    ...SEED_COMPONENTS.map((name) => row(SEED_LABELS[name], (e) => usd(e.seed.lines[name].usd))),
    row("seed total", (e) => usd(e.seed.total)),
    row("seed / ours", (e) => `${e.seedOverOurs.toFixed(1)}x`),
  ];
  return formatTable(head, rows, { rightAlign: (c) => c > 0 });
}

function notes(estimates: readonly Estimate[], c: ConnectorShape): string[] {
  const lines: string[] = [];
  for (const e of estimates) {
    const top = e.dominant.map((d) => `${LABELS[d.component]} ${usd(d.usd)} (${Math.round(d.share * 100)}%)`);
    lines.push(`${count(e.eventsPerDay)}/day: largest are ${top.join(", ")}.`);
    if (!e.ours.volume.keepsUp) {
      lines.push(
        `  falls behind: a run needs ${e.ours.volume.loopsPerRun} loops and an execution makes at most ${c.maxLoopsPerExecution} (${count(e.ours.volume.maxEventsPerDay)} events a day at most); raise maxEvents or run more often (the cost above is for keeping up).`,
      );
    }
    if (e.seed.passesPerRun > 1) {
      lines.push(
        `  the seed's Lambda stops at 10,000 events a run: ${e.seed.passesPerRun} passes of Lambda, crawler and Glue job per run to keep up.`,
      );
    }
  }
  const target = estimates.find((e) => e.eventsPerDay === TARGET.eventsPerDay);
  if (target) {
    const verdict =
      target.ours.total <= TARGET.usd
        ? `met: ${usd(target.ours.total)}`
        : `missed: ${usd(target.ours.total)}, ${usd(target.ours.total - TARGET.usd)} over`;
    lines.push(
      `Target of ${usd(TARGET.usd)} a month at ${count(TARGET.eventsPerDay)} events a day: ${verdict}.`,
    );
  }
  return lines;
}
