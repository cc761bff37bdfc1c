import type { MetricName } from "../metrics.ts";

/**
 * What one loop of an execution uses, as the local probe (functions/local/costProbe.ts) measures it, and
 * the per-loop model fitted from two loop sizes. Every quantity has a part that each loop pays once, a
 * part that each custom source with data pays once per loop (its ConvertSource iteration, its staged
 * part, its Parquet file) and a part per event.
 */

/** The Lambda functions a successful loop invokes (RecordFailure runs only on failure). */
export const LAMBDA_ROLES = ["loadCheckpoint", "fetch", "map", "convert", "commit"] as const;
export type LambdaRole = (typeof LAMBDA_ROLES)[number];

export const S3_KINDS = ["put", "get", "list", "delete"] as const;
export type S3Kind = (typeof S3_KINDS)[number];

/** One measured loop's value of a quantity, split by what it scales with. */
export interface Scoped {
  readonly loop: number;
  readonly source: number;
}

/** A quantity of one loop: fixed per loop, fixed per custom source with data, and per event. */
export interface Fitted {
  readonly perLoop: number;
  readonly perSource: number;
  readonly perEvent: number;
}

export interface RoleUsage<T> {
  readonly invocations: T;
  /** Wall seconds of the handler in the local run (its S3 twin is a directory, its API a loopback mock). */
  readonly seconds: T;
  readonly s3: Readonly<Record<S3Kind, T>>;
  /** Bytes the function puts to or gets from S3. */
  readonly s3Bytes: T;
  /** SSM, Secrets Manager and STS calls. */
  readonly awsCalls: T;
  /** Pages read from the vendor API. */
  readonly vendorPages: T;
  readonly logLines: T;
  /** JSON of each line's message, keys and extras. */
  readonly logBytes: T;
  readonly metricRecords: T;
  /** JSON of each metric's name, value and dimensions. */
  readonly metricBytes: T;
}

export interface LoopUsage<T> {
  /** States entered (Step Functions Standard bills each; Map iterations' states included). */
  readonly transitions: T;
  /** Execution-history events as Step Functions logs them (level ALL), and their payload bytes. */
  readonly sfnLogEvents: T;
  readonly sfnLogBytes: T;
  readonly secretCalls: T;
  readonly stagedBytes: { readonly raw: T; readonly ocsf: T; readonly quarantine: T };
  readonly lakeBytes: T;
  readonly roles: Readonly<Record<LambdaRole, RoleUsage<T>>>;
}

/** One execution of one loop in the probe. */
export interface LoopSample {
  readonly events: number;
  readonly usage: LoopUsage<Scoped>;
}

/** Crawls, from a run that adds a new event day and a run that adds files to that day. */
export interface CrawlUsage {
  readonly newDay: {
    readonly stagingCrawls: number;
    /** Security Lake crawler starts per custom source with data. */
    readonly lakeCrawlsPerSource: number;
    /** States the crawl adds to the loop, its poll loop left out. */
    readonly transitions: number;
  };
  readonly sameDay: { readonly stagingCrawls: number; readonly lakeCrawlsPerSource: number };
  /** States entered per poll of the crawler (Wait, GetCrawler, the Choice, the counter). */
  readonly transitionsPerPoll: number;
}

export interface Measurements {
  readonly source: string;
  readonly samples: readonly LoopSample[];
  readonly perLoop: LoopUsage<Fitted>;
  readonly crawl: CrawlUsage;
  /** The metrics a normal run emits (names from PIPELINE_METRICS). */
  readonly metricsEmitted: readonly MetricName[];
}

/** A LoopUsage with a fresh `leaf()` at every quantity: a tally to fill in, or a template. */
export function loopUsageOf<T>(leaf: () => T): LoopUsage<T> {
  const role = (): RoleUsage<T> => ({
    invocations: leaf(),
    seconds: leaf(),
    s3: { put: leaf(), get: leaf(), list: leaf(), delete: leaf() },
    s3Bytes: leaf(),
    awsCalls: leaf(),
    vendorPages: leaf(),
    logLines: leaf(),
    logBytes: leaf(),
    metricRecords: leaf(),
    metricBytes: leaf(),
  });
  return {
    transitions: leaf(),
    sfnLogEvents: leaf(),
    sfnLogBytes: leaf(),
    secretCalls: leaf(),
    stagedBytes: { raw: leaf(), ocsf: leaf(), quarantine: leaf() },
    lakeBytes: leaf(),
    roles: { loadCheckpoint: role(), fetch: role(), map: role(), convert: role(), commit: role() },
  };
}

/** A quantity of one loop of `events` events over `sources` custom sources. */
export function atLoop(q: Fitted, events: number, sources: number): number {
  return q.perLoop + q.perSource * sources + q.perEvent * events;
}

function isScoped(value: unknown): value is Scoped {
  return typeof value === "object" && value !== null && "loop" in value && "source" in value;
}

/**
 * Least squares through the samples of each quantity, per part (loop, source); a slope or an intercept
 * that noise makes negative is taken as 0. Needs two or more loop sizes.
 */
export function fitLoops(samples: readonly LoopSample[]): LoopUsage<Fitted> {
  const events = samples.map((s) => s.events);
  if (new Set(events).size < 2) throw new Error("fitLoops: needs samples of at least two loop sizes");
  const line = (ys: readonly number[]) => {
    const n = ys.length;
    const meanX = events.reduce((a, b) => a + b, 0) / n;
    const meanY = ys.reduce((a, b) => a + b, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (const [i, x] of events.entries()) {
      sxy += (x - meanX) * ((ys[i] as number) - meanY);
      sxx += (x - meanX) ** 2;
    }
    const slope = Math.max(0, sxy / sxx);
    return { fixed: Math.max(0, meanY - slope * meanX), slope };
  };
  const walk = (nodes: readonly unknown[]): unknown => {
    const first = nodes[0];
    if (isScoped(first)) {
      const loop = line(nodes.map((n) => (n as Scoped).loop));
      const source = line(nodes.map((n) => (n as Scoped).source));
      return { perLoop: loop.fixed, perSource: source.fixed, perEvent: loop.slope + source.slope };
    }
    return Object.fromEntries(
      Object.keys(first as object).map((key) => [
        key,
        walk(nodes.map((n) => (n as Record<string, unknown>)[key])),
      ]),
    );
  };
  return walk(samples.map((s) => s.usage)) as LoopUsage<Fitted>;
}
