import { describe, expect, it } from "vitest";
import { CRAWLER_DPUS, FULL_VCPU_MB, SEED } from "../../../functions/core/cost/assumptions.ts";
import { estimate } from "../../../functions/core/cost/estimate.ts";
import { functionMonth } from "../../../functions/core/cost/lambda.ts";
import {
  type ConnectorShape,
  crawlUsd,
  type Measured,
  OUR_COMPONENTS,
  ourCost,
} from "../../../functions/core/cost/model.ts";
import { PRICES } from "../../../functions/core/cost/prices.ts";
import { DAYS_PER_MONTH, HOURS_PER_MONTH, scheduleStats } from "../../../functions/core/cost/schedule.ts";
import { etlJobSeconds, SEED_COMPONENTS, seedCost } from "../../../functions/core/cost/seed.ts";
import type { Fitted, LoopUsage, RoleUsage } from "../../../functions/core/cost/usage.ts";

const f = (perLoop = 0, perSource = 0, perEvent = 0): Fitted => ({ perLoop, perSource, perEvent });

function role(over: Partial<RoleUsage<Fitted>> = {}): RoleUsage<Fitted> {
  return {
    invocations: f(1),
    seconds: f(0.01, 0, 0.00003),
    s3: { put: f(1), get: f(1), list: f(1), delete: f() },
    s3Bytes: f(0, 0, 1000),
    awsCalls: f(1),
    vendorPages: f(),
    logLines: f(1),
    logBytes: f(200),
    metricRecords: f(1),
    metricBytes: f(50),
    ...over,
  };
}

/** A loop shaped like the Okta probe's: 14 states a loop and 4 per custom source. */
const perLoop: LoopUsage<Fitted> = {
  transitions: f(14, 4),
  sfnLogEvents: f(47, 11),
  sfnLogBytes: f(50_000, 8_000, 3),
  secretCalls: f(2),
  stagedBytes: { raw: f(0, 0, 25), ocsf: f(0, 0, 1800), quarantine: f() },
  lakeBytes: f(0, 144_000, 42),
  roles: {
    loadCheckpoint: role(),
    fetch: role({ vendorPages: f(0, 0, 0.001) }),
    map: role(),
    convert: role({ invocations: f(0, 1), seconds: f(0, 0.14, 0.000026) }),
    commit: role(),
  },
};

const measured: Measured = {
  perLoop,
  crawl: {
    newDay: { stagingCrawls: 1, lakeCrawlsPerSource: 1, transitions: 1 },
    sameDay: { stagingCrawls: 0, lakeCrawlsPerSource: 0 },
    transitionsPerPoll: 3.5,
  },
};

const connector: ConnectorShape = {
  maxEvents: 10_000,
  customSources: 6,
  hasSecret: true,
  stagingExpirationDays: 14,
  logRetentionDays: 30,
  memoryMb: { loadCheckpoint: 256, fetch: 512, map: 1024, convert: 3008, commit: 256 },
  metricSeries: 23,
  alarmMetrics: 5,
  maxLoopsPerExecution: 10,
  convertConcurrency: 4,
  crawlerPollSeconds: 30,
};

const hourly = scheduleStats("rate(1 hour)");

describe("billing minimums", () => {
  it("bills each crawl at least 10 minutes at CRAWLER_DPUS", () => {
    const perDpuMinute = PRICES.glueCrawlerDpuHour.usd / 60;
    expect(crawlUsd(1, 2)).toBeCloseTo(CRAWLER_DPUS * 10 * perDpuMinute, 10);
    expect(crawlUsd(1, 25)).toBeCloseTo(CRAWLER_DPUS * 25 * perDpuMinute, 10);
    expect(crawlUsd(0)).toBe(0);
  });

  it("bills each seed Glue job at least one minute", () => {
    expect(etlJobSeconds(0, 5)).toBe(60);
    expect(etlJobSeconds(SEED.etlEventsPerSecond, 90)).toBe(91);
  });
});

describe("our connector's month", () => {
  it("prices each component from its usage, and totals them", () => {
    const cost = ourCost(100_000, hourly, connector, measured);
    const { lines } = cost;
    expect(cost.total).toBeCloseTo(
      OUR_COMPONENTS.reduce((sum, name) => sum + lines[name].usd, 0),
      10,
    );
    const lambda = lines.lambda.usage as { invocations: number; gbSeconds: number };
    expect(lines.lambda.usd).toBeCloseTo(
      lambda.gbSeconds * PRICES.lambdaArmGbSecond.usd + lambda.invocations * PRICES.lambdaRequest.usd,
      10,
    );
    // One loop a run: 4 invocations a loop, plus one Convert per custom source.
    expect(lambda.invocations).toBeCloseTo(730 * (4 + 6), 6);
    // 14 + 4 × 6 states a loop; a crawl a day adds its states and 4 polls of 3.5 states.
    const transitions = 730 * (14 + 4 * 6) + DAYS_PER_MONTH * (1 + 4 * 3.5);
    expect(lines.stepFunctions.usage.transitions).toBeCloseTo(transitions, 6);
    expect(lines.stepFunctions.usd).toBeCloseTo(transitions * PRICES.stepFunctionsTransition.usd, 10);
    expect(lines.cloudwatchMetrics.usd).toBeCloseTo(23 * PRICES.cloudwatchMetricMonth.usd, 10);
    expect(lines.cloudwatchAlarms.usd).toBeCloseTo(5 * PRICES.cloudwatchAlarmMetricMonth.usd, 10);
    expect(lines.scheduler.usd).toBeCloseTo(730 * PRICES.schedulerInvocation.usd, 10);
    expect(lines.secretsManager.usd).toBeCloseTo(
      PRICES.secretMonth.usd + 730 * 2 * PRICES.secretsApiCall.usd,
      10,
    );
    // Staged bytes a day, kept 14 days plus a day as noncurrent versions.
    const storedGb = (100_000 * (25 + 1800) * 15) / 1024 ** 3;
    expect(lines.s3Storage.usage.storedGb).toBeCloseTo(storedGb, 6);
    expect(lines.s3Storage.usd).toBeCloseTo(storedGb * PRICES.s3StandardGbMonth.usd, 10);
  });

  it("crawls staging once a day with events, and Security Lake's crawlers once a day per source", () => {
    const cost = ourCost(100_000, hourly, connector, measured);
    expect(cost.lines.stagingCrawler.usage.crawls).toBeCloseTo(DAYS_PER_MONTH, 6);
    expect(cost.lines.stagingCrawler.usd).toBeCloseTo(crawlUsd(DAYS_PER_MONTH), 10);
    expect(cost.lakeCrawler.usage.crawls).toBeCloseTo(DAYS_PER_MONTH * 6, 6);
    // Every other day: each run adds a day.
    const sparse = ourCost(100_000, scheduleStats("rate(2 days)"), connector, measured);
    expect(sparse.lines.stagingCrawler.usage.crawls).toBeCloseTo(DAYS_PER_MONTH / 2, 6);
  });

  it("bills metrics only for the hours they are sent in", () => {
    const daily = ourCost(100_000, scheduleStats("rate(1 day)"), connector, measured);
    expect(daily.lines.cloudwatchMetrics.usd).toBeCloseTo(
      23 * PRICES.cloudwatchMetricMonth.usd * (DAYS_PER_MONTH / HOURS_PER_MONTH),
      10,
    );
  });

  it("splits a run into loops of maxEvents and says when one execution cannot keep up", () => {
    const million = ourCost(1_000_000, hourly, connector, measured).volume;
    expect(million.eventsPerRun).toBeCloseTo((1_000_000 * DAYS_PER_MONTH) / 730, 6);
    expect(million.loopsPerRun).toBe(5);
    expect(million.keepsUp).toBe(true);
    const tenMillion = ourCost(10_000_000, hourly, connector, measured).volume;
    expect(tenMillion.loopsPerRun).toBe(42);
    expect(tenMillion.keepsUp).toBe(false);
    expect(tenMillion.maxEventsPerDay).toBeCloseTo(10 * 10_000 * 24, 6);
  });

  it("has no secret line for a connector without one", () => {
    const inbox = ourCost(100_000, hourly, { ...connector, hasSecret: false }, measured);
    expect(inbox.lines.secretsManager.usd).toBe(0);
  });
});

describe("Lambda time", () => {
  it("stretches CPU time below one full vCPU, never shrinks it above", () => {
    const cpu = role({
      seconds: f(1),
      s3: { put: f(), get: f(), list: f(), delete: f() },
      s3Bytes: f(),
      awsCalls: f(),
    });
    const v = { loops: 1, eventsPerLoop: 0, sources: 0 };
    expect(functionMonth(cpu, v, 512, 0).seconds).toBeCloseTo(FULL_VCPU_MB / 512, 10);
    expect(functionMonth(cpu, v, FULL_VCPU_MB, 0).seconds).toBeCloseTo(1, 10);
    const big = functionMonth(cpu, v, 3008, 0);
    expect(big.seconds).toBeCloseTo(1, 10);
    expect(big.gbSeconds).toBeCloseTo(3008 / 1024, 10);
  });
});

describe("the seed architecture and the ratio", () => {
  it("runs Lambda, crawler and Glue job once per 10,000 events of a run", () => {
    const seed = seedCost(1_000_000, hourly, 6, perLoop);
    expect(seed.passesPerRun).toBe(5);
    const passes = 730 * 5;
    expect(seed.lines.glueCrawler.usd).toBeCloseTo(crawlUsd(passes), 10);
    const eventsPerPass = (1_000_000 * DAYS_PER_MONTH) / 730 / 5;
    expect(seed.lines.glueEtl.usd).toBeCloseTo(
      passes * SEED.etlWorkers * (etlJobSeconds(eventsPerPass) / 3600) * PRICES.glueEtlDpuHour.usd,
      10,
    );
    expect(seed.total).toBeCloseTo(
      SEED_COMPONENTS.reduce((sum, name) => sum + seed.lines[name].usd, 0),
      10,
    );
  });

  it("gives seed over ours, and our largest components first", () => {
    const e = estimate(1_000_000, hourly, connector, measured);
    expect(e.seedOverOurs).toBeCloseTo(e.seed.total / e.ours.total, 10);
    expect(e.seedOverOurs).toBeGreaterThan(1);
    const usd = e.dominant.map((d) => d.usd);
    expect(usd).toEqual([...usd].sort((a, b) => b - a));
    expect(e.dominant[0]?.share).toBeCloseTo((e.dominant[0]?.usd ?? 0) / e.ours.total, 10);
  });
});
