import { LAMBDA_IDLE_REUSE_MINUTES, SEED } from "./assumptions.ts";
import { functionMonth, type LoopVolume } from "./lambda.ts";
import { crawlUsd, type Line } from "./model.ts";
import { GLUE_MINIMUM_MINUTES, PRICES } from "./prices.ts";
import { DAYS_PER_MONTH, type ScheduleStats } from "./schedule.ts";
import type { Fitted, LoopUsage } from "./usage.ts";

/**
 * The seed architecture this project replaces (shared/seeds/000), for the same volume and schedule: per
 * run one Lambda that fetches, maps to OCSF and writes JSON to S3, one crawler run, one Glue ETL job
 * (SEED.etlWorkers G.1X workers) converting to Parquet. Its Lambda stops at SEED.maxEventsPerRun, so a
 * run with more events takes that many passes of the whole chain. Left out because the seed does not say
 * (so this is a floor): its logs, its JSON bucket's storage, its Glue job's own S3 temp files.
 */

export const SEED_COMPONENTS = [
  "lambda",
  "glueCrawler",
  "glueEtl",
  "s3Requests",
  "secretsManager",
  "kms",
] as const;
export type SeedComponent = (typeof SEED_COMPONENTS)[number];

export interface SeedCost {
  readonly passesPerRun: number;
  readonly lines: Readonly<Record<SeedComponent, Line>>;
  readonly total: number;
}

/** Billed seconds of one seed Glue job run over `events` events: at least the 1-minute minimum. */
export function etlJobSeconds(events: number, baseSeconds: number = SEED.etlBaseSeconds): number {
  return Math.max(GLUE_MINIMUM_MINUTES.etlJob * 60, baseSeconds + events / SEED.etlEventsPerSecond);
}

/**
 * `perLoop` is our per-loop measurement: the seed's Lambda does the work of our Fetch and Map (page the
 * API, map to OCSF, write to S3), in Python, which is if anything slower.
 */
export function seedCost(
  eventsPerDay: number,
  schedule: ScheduleStats,
  customSources: number,
  perLoop: LoopUsage<Fitted>,
): SeedCost {
  const runs = schedule.runsPerMonth;
  const eventsPerRun = (eventsPerDay * DAYS_PER_MONTH) / runs;
  const passesPerRun = Math.max(1, Math.ceil(eventsPerRun / SEED.maxEventsPerRun));
  const passes = runs * passesPerRun;
  const eventsPerPass = eventsPerRun / passesPerRun;
  const v: LoopVolume = { loops: passes, eventsPerLoop: eventsPerPass, sources: customSources };
  const coldStarts = schedule.meanIntervalMinutes > LAMBDA_IDLE_REUSE_MINUTES ? runs : 0;
  const fetch = functionMonth(perLoop.roles.fetch, v, SEED.lambdaMemoryMb, coldStarts);
  const map = functionMonth(perLoop.roles.map, v, SEED.lambdaMemoryMb, 0);
  const gbSeconds = fetch.gbSeconds + map.gbSeconds;
  const etlSeconds = etlJobSeconds(eventsPerPass);
  const etlDpuHours = passes * SEED.etlWorkers * (etlSeconds / 3600);
  const putList = passes * customSources * SEED.s3PerSourcePerRun.putList;
  const get = passes * customSources * SEED.s3PerSourcePerRun.get;
  const lines: Record<SeedComponent, Line> = {
    lambda: {
      usd: gbSeconds * PRICES.lambdaX86GbSecond.usd + passes * PRICES.lambdaRequest.usd,
      usage: { invocations: passes, gbSeconds },
    },
    glueCrawler: { usd: crawlUsd(passes), usage: { crawls: passes } },
    glueEtl: {
      usd: etlDpuHours * PRICES.glueEtlDpuHour.usd,
      usage: { jobRuns: passes, dpuHours: etlDpuHours },
    },
    s3Requests: {
      usd: putList * PRICES.s3PutCopyPostList.usd + get * PRICES.s3GetSelect.usd,
      usage: { putList, get },
    },
    secretsManager: {
      usd: PRICES.secretMonth.usd + passes * PRICES.secretsApiCall.usd,
      usage: { secrets: 1, calls: passes },
    },
    kms: { usd: (passes + coldStarts) * PRICES.kmsRequest.usd, usage: { requests: passes + coldStarts } },
  };
  return {
    passesPerRun,
    lines,
    total: SEED_COMPONENTS.reduce((sum, name) => sum + lines[name].usd, 0),
  };
}
