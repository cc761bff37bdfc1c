import {
  CRAWL_RUN_MINUTES,
  CRAWLER_DPUS,
  CRAWLER_S3_REQUESTS_PER_SOURCE,
  EMF_DOCUMENT_BYTES,
  KMS_REQUESTS_PER_COLD_START,
  KMS_REQUESTS_PER_SECRET_CALL,
  LAMBDA_IDLE_REUSE_MINUTES,
  LAMBDA_PLATFORM_LOG_BYTES,
  LOGS_STORED_RATIO,
  NONCURRENT_DAYS,
  POWERTOOLS_LOG_LINE_BYTES,
  SFN_LOG_EVENT_BYTES,
} from "./assumptions.ts";
import { functionMonth, type LoopVolume, monthly } from "./lambda.ts";
import { GLUE_MINIMUM_MINUTES, PRICES } from "./prices.ts";
import { DAYS_PER_MONTH, HOURS_PER_MONTH, type ScheduleStats } from "./schedule.ts";
import { type CrawlUsage, type Fitted, LAMBDA_ROLES, type LambdaRole, type LoopUsage } from "./usage.ts";

/**
 * The monthly AWS cost of one connector of this pipeline (DESIGN.md §2, §6), from the probe's per-loop
 * measurements, the connector's deployed shape and PRICES. Every custom source is taken to get events in
 * every loop and to emit its metrics every hour a run happens: an upper bound at low volumes.
 */

/** What the stack deploys for the connector (infra/), and what the ASL allows. */
export interface ConnectorShape {
  readonly maxEvents: number;
  readonly customSources: number;
  /** Pull connectors read API credentials from a Secrets Manager secret. */
  readonly hasSecret: boolean;
  readonly stagingExpirationDays: number;
  readonly logRetentionDays: number;
  readonly memoryMb: Readonly<Record<LambdaRole, number>>;
  readonly metricSeries: number;
  readonly alarmMetrics: number;
  readonly maxLoopsPerExecution: number;
  readonly convertConcurrency: number;
  readonly crawlerPollSeconds: number;
}

export interface Volume {
  readonly eventsPerDay: number;
  readonly runsPerMonth: number;
  readonly eventsPerRun: number;
  readonly loopsPerRun: number;
  readonly eventsPerLoop: number;
  /** False when a run needs more loops than one execution makes: the checkpoint falls behind. */
  readonly keepsUp: boolean;
  /** The most this schedule and maxEvents move a day (maxLoopsPerExecution full loops per run). */
  readonly maxEventsPerDay: number;
}

export const OUR_COMPONENTS = [
  "lambda",
  "stepFunctions",
  "s3Requests",
  "s3Storage",
  "stagingCrawler",
  "cloudwatchMetrics",
  "cloudwatchAlarms",
  "cloudwatchLogs",
  "secretsManager",
  "kms",
  "scheduler",
  "xray",
] as const;
export type OurComponent = (typeof OUR_COMPONENTS)[number];

/** One priced component: dollars a month, and the monthly quantities that make them. */
export interface Line {
  readonly usd: number;
  readonly usage: Readonly<Record<string, number>>;
}

export interface OurCost {
  readonly volume: Volume;
  readonly lines: Readonly<Record<OurComponent, Line>>;
  readonly total: number;
  /** Security Lake's crawler per custom source, when the config names it: not in `total`. */
  readonly lakeCrawler: Line;
}

export interface Measured {
  readonly perLoop: LoopUsage<Fitted>;
  readonly crawl: CrawlUsage;
}

export function volumeOf(eventsPerDay: number, schedule: ScheduleStats, c: ConnectorShape): Volume {
  const eventsPerRun = (eventsPerDay * DAYS_PER_MONTH) / schedule.runsPerMonth;
  const loopsPerRun = Math.max(1, Math.ceil(eventsPerRun / c.maxEvents));
  return {
    eventsPerDay,
    runsPerMonth: schedule.runsPerMonth,
    eventsPerRun,
    loopsPerRun,
    eventsPerLoop: eventsPerRun / loopsPerRun,
    keepsUp: loopsPerRun <= c.maxLoopsPerExecution,
    maxEventsPerDay: (c.maxLoopsPerExecution * c.maxEvents * schedule.runsPerMonth) / DAYS_PER_MONTH,
  };
}

/** Dollars for `crawls` crawler runs of `runMinutes` each at CRAWLER_DPUS, each billed at least 10 minutes. */
export function crawlUsd(crawls: number, runMinutes = CRAWL_RUN_MINUTES): number {
  const minutes = Math.max(GLUE_MINIMUM_MINUTES.crawler, runMinutes);
  return crawls * CRAWLER_DPUS * (minutes / 60) * PRICES.glueCrawlerDpuHour.usd;
}

/** S3 request dollars: PUT, COPY, POST and LIST at one rate, GET at another, DELETE free. */
function s3RequestsUsd(putList: number, get: number): number {
  return putList * PRICES.s3PutCopyPostList.usd + get * PRICES.s3GetSelect.usd;
}

export function ourCost(
  eventsPerDay: number,
  schedule: ScheduleStats,
  c: ConnectorShape,
  m: Measured,
): OurCost {
  const volume = volumeOf(eventsPerDay, schedule, c);
  const loops: LoopVolume = {
    loops: volume.runsPerMonth * volume.loopsPerRun,
    eventsPerLoop: volume.eventsPerLoop,
    sources: c.customSources,
  };
  const q = (f: Fitted) => monthly(f, loops);
  const runs = volume.runsPerMonth;
  const cold = schedule.meanIntervalMinutes > LAMBDA_IDLE_REUSE_MINUTES;
  const coldStarts = (role: LambdaRole) =>
    cold ? runs * (role === "convert" ? Math.min(c.customSources, c.convertConcurrency) : 1) : 0;

  const functions = LAMBDA_ROLES.map((role) =>
    functionMonth(m.perLoop.roles[role], loops, c.memoryMb[role], coldStarts(role)),
  );
  const invocations = functions.reduce((s, f) => s + f.invocations, 0);
  const gbSeconds = functions.reduce((s, f) => s + f.gbSeconds, 0);
  const totalColdStarts = LAMBDA_ROLES.reduce((s, role) => s + coldStarts(role), 0);

  // A crawl is due when a run adds an event day: at most once a day, and at most once a run.
  const newDays = Math.min(runs, schedule.daysWithRunsPerMonth);
  const sameDayRuns = runs - newDays;
  const stagingCrawls = newDays * m.crawl.newDay.stagingCrawls + sameDayRuns * m.crawl.sameDay.stagingCrawls;
  const lakeCrawls =
    (newDays * m.crawl.newDay.lakeCrawlsPerSource + sameDayRuns * m.crawl.sameDay.lakeCrawlsPerSource) *
    c.customSources;
  const polls = Math.ceil((CRAWL_RUN_MINUTES * 60) / c.crawlerPollSeconds);
  const transitions =
    q(m.perLoop.transitions) +
    (m.crawl.newDay.stagingCrawls > 0 ? newDays * m.crawl.newDay.transitions : 0) +
    stagingCrawls * polls * m.crawl.transitionsPerPoll;

  const s3 = { put: 0, get: 0, list: 0, delete: 0 };
  for (const role of LAMBDA_ROLES) {
    for (const kind of Object.keys(s3) as (keyof typeof s3)[]) s3[kind] += q(m.perLoop.roles[role].s3[kind]);
  }
  const crawlerList = stagingCrawls * c.customSources * CRAWLER_S3_REQUESTS_PER_SOURCE.list;
  const crawlerGet = stagingCrawls * c.customSources * CRAWLER_S3_REQUESTS_PER_SOURCE.get;

  const staged = m.perLoop.stagedBytes;
  const stagedPerMonth = q(staged.raw) + q(staged.ocsf) + q(staged.quarantine);
  const storedGb =
    ((stagedPerMonth / DAYS_PER_MONTH) * (c.stagingExpirationDays + NONCURRENT_DAYS)) / 1024 ** 3;

  let lambdaLogBytes = 0;
  for (const role of LAMBDA_ROLES) {
    const r = m.perLoop.roles[role];
    lambdaLogBytes +=
      q(r.logBytes) +
      q(r.logLines) * POWERTOOLS_LOG_LINE_BYTES +
      q(r.metricBytes) +
      q(r.metricRecords) * EMF_DOCUMENT_BYTES +
      q(r.invocations) * LAMBDA_PLATFORM_LOG_BYTES;
  }
  const sfnLogBytes = q(m.perLoop.sfnLogBytes) + q(m.perLoop.sfnLogEvents) * SFN_LOG_EVENT_BYTES;
  const logsGb = (lambdaLogBytes + sfnLogBytes) / 1024 ** 3;
  const logsStoredGb = logsGb * (c.logRetentionDays / DAYS_PER_MONTH) * LOGS_STORED_RATIO;

  const secretCalls = c.hasSecret ? q(m.perLoop.secretCalls) : 0;
  const kmsRequests =
    totalColdStarts * KMS_REQUESTS_PER_COLD_START + secretCalls * KMS_REQUESTS_PER_SECRET_CALL;
  const metricHours = Math.min(1, schedule.hoursWithRunsPerMonth / HOURS_PER_MONTH);

  const lines: Record<OurComponent, Line> = {
    lambda: {
      usd: gbSeconds * PRICES.lambdaArmGbSecond.usd + invocations * PRICES.lambdaRequest.usd,
      usage: { invocations, gbSeconds, coldStarts: totalColdStarts },
    },
    stepFunctions: { usd: transitions * PRICES.stepFunctionsTransition.usd, usage: { transitions } },
    s3Requests: {
      usd: s3RequestsUsd(s3.put + s3.list + crawlerList, s3.get + crawlerGet),
      usage: { put: s3.put, get: s3.get + crawlerGet, list: s3.list + crawlerList, delete: s3.delete },
    },
    s3Storage: {
      usd: storedGb * PRICES.s3StandardGbMonth.usd,
      usage: { stagedGbPerMonth: stagedPerMonth / 1024 ** 3, storedGb },
    },
    stagingCrawler: { usd: crawlUsd(stagingCrawls), usage: { crawls: stagingCrawls } },
    cloudwatchMetrics: {
      usd: c.metricSeries * metricHours * PRICES.cloudwatchMetricMonth.usd,
      usage: { metrics: c.metricSeries, billedMonths: metricHours },
    },
    cloudwatchAlarms: {
      usd: c.alarmMetrics * PRICES.cloudwatchAlarmMetricMonth.usd,
      usage: { alarmMetrics: c.alarmMetrics },
    },
    cloudwatchLogs: {
      usd: logsGb * PRICES.logsIngestedGb.usd + logsStoredGb * PRICES.logsStoredGbMonth.usd,
      usage: {
        ingestedGb: logsGb,
        lambdaGb: lambdaLogBytes / 1024 ** 3,
        stepFunctionsGb: sfnLogBytes / 1024 ** 3,
        storedGb: logsStoredGb,
      },
    },
    secretsManager: {
      usd: c.hasSecret ? PRICES.secretMonth.usd + secretCalls * PRICES.secretsApiCall.usd : 0,
      usage: { secrets: c.hasSecret ? 1 : 0, calls: secretCalls },
    },
    kms: {
      usd: kmsRequests * PRICES.kmsRequest.usd,
      usage: { customerManagedKeys: 0, requests: kmsRequests },
    },
    scheduler: { usd: runs * PRICES.schedulerInvocation.usd, usage: { invocations: runs } },
    xray: { usd: runs * PRICES.xrayTraceRecorded.usd, usage: { traces: runs } },
  };
  const lakeList = lakeCrawls * CRAWLER_S3_REQUESTS_PER_SOURCE.list;
  const lakeGet = lakeCrawls * CRAWLER_S3_REQUESTS_PER_SOURCE.get;
  return {
    volume,
    lines,
    total: OUR_COMPONENTS.reduce((sum, name) => sum + lines[name].usd, 0),
    lakeCrawler: {
      usd: crawlUsd(lakeCrawls) + s3RequestsUsd(lakeList, lakeGet),
      usage: { crawls: lakeCrawls },
    },
  };
}
