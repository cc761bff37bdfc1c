/**
 * AWS list prices, US East (N. Virginia), on-demand, as checked on PRICES_CHECKED. Free tiers are left out
 * on purpose: the cost model gives what a busy account pays, where other workloads have used them up.
 * Where a vendor page renders its rate table client-side, `also` names a page that states the same rate.
 */

export const PRICES_CHECKED = "2026-12-04";

export interface Price {
  /** US dollars per `unit`. */
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  readonly also?: string;
}

const LAMBDA = "https://aws.amazon.com/lambda/pricing/";
const S3 = "https://aws.amazon.com/s3/pricing/";
const GLUE = "https://aws.amazon.com/glue/pricing/";
const CLOUDWATCH = "https://aws.amazon.com/cloudwatch/pricing/";

export const PRICES = {
  /** The pipeline's functions run on arm64 (infra/connector.ts); x86 is the seed's (Lambda's default). */
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: "GB-second, arm64, first 7.5 billion GB-s a month",
    source: LAMBDA,
    also: "https://cloudchipr.com/blog/aws-lambda-pricing",
  },
  lambdaX86GbSecond: {
    usd: 0.0000166667,
    unit: "GB-second, x86_64, first 6 billion GB-s a month",
    source: LAMBDA,
  },
  lambdaRequest: { usd: 0.2 / 1e6, unit: "request (x86 and arm64)", source: LAMBDA },
  stepFunctionsTransition: {
    usd: 0.025 / 1000,
    unit: "Standard workflow state transition (retries included)",
    source: "https://aws.amazon.com/step-functions/pricing/",
  },
  s3PutCopyPostList: {
    usd: 0.005 / 1000,
    unit: "PUT, COPY, POST or LIST request, S3 Standard",
    source: S3,
    also: "https://c3x.dev/blog/s3-request-fees-explained",
  },
  s3GetSelect: { usd: 0.0004 / 1000, unit: "GET, SELECT and other requests, S3 Standard", source: S3 },
  s3DeleteCancel: { usd: 0, unit: "DELETE and CANCEL request", source: S3 },
  s3StandardGbMonth: { usd: 0.023, unit: "GB-month, S3 Standard, first 50 TB", source: S3 },
  glueCrawlerDpuHour: {
    usd: 0.44,
    unit: "DPU-hour of a crawler, billed per second, 10-minute minimum per crawler run",
    source: GLUE,
    also: "https://awsnegotiations.com/glue-job-cost-optimization.html",
  },
  glueEtlDpuHour: {
    usd: 0.44,
    unit: "DPU-hour of a Spark ETL job (G.1X = 1 DPU per worker), per second, 1-minute minimum (Glue 2.0 and later)",
    source: GLUE,
    also: "https://awsnegotiations.com/glue-job-cost-optimization.html",
  },
  cloudwatchMetricMonth: {
    usd: 0.3,
    unit: "custom metric-month, first 10,000 metrics (prorated by the hour; only hours a metric is sent in)",
    source: CLOUDWATCH,
    also: "https://github.com/nishinoshake/aws-rough/issues/37",
  },
  cloudwatchAlarmMetricMonth: {
    usd: 0.1,
    unit: "standard-resolution alarm metric-month (each metric an alarm evaluates)",
    source: CLOUDWATCH,
    also: "https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm",
  },
  logsIngestedGb: {
    usd: 0.5,
    unit: "GB of logs ingested (Standard class; vended Lambda and Step Functions logs, first 10 TB)",
    source: CLOUDWATCH,
  },
  logsStoredGbMonth: { usd: 0.03, unit: "GB-month of logs stored (compressed)", source: CLOUDWATCH },
  secretMonth: {
    usd: 0.4,
    unit: "secret-month",
    source: "https://aws.amazon.com/secrets-manager/pricing/",
    also: "https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms",
  },
  secretsApiCall: {
    usd: 0.05 / 10_000,
    unit: "Secrets Manager API call",
    source: "https://aws.amazon.com/secrets-manager/pricing/",
  },
  kmsKeyMonth: {
    usd: 1,
    unit: "customer managed KMS key-month (AWS managed keys: no monthly fee)",
    source: "https://aws.amazon.com/kms/pricing/",
  },
  kmsRequest: {
    usd: 0.03 / 10_000,
    unit: "KMS symmetric request (also charged on AWS managed keys)",
    source: "https://aws.amazon.com/kms/pricing/",
  },
  schedulerInvocation: {
    usd: 1 / 1e6,
    unit: "EventBridge Scheduler invocation",
    source: "https://aws.amazon.com/eventbridge/pricing/",
    also: "https://cloudburn.io/blog/amazon-eventbridge-pricing",
  },
  xrayTraceRecorded: {
    usd: 5 / 1e6,
    unit: "X-Ray trace recorded",
    source: "https://aws.amazon.com/xray/pricing/",
  },
  ssmStandardParameter: {
    usd: 0,
    unit: "standard parameter, standard throughput (no additional charge)",
    source:
      "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
  },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;

/** The billing minimums of the Glue pricing page (per crawler run; per ETL job run, Glue 2.0 and later). */
export const GLUE_MINIMUM_MINUTES = { crawler: 10, etlJob: 1 } as const;

/** One line per price: "name: $x per unit (as of <date>, <url>)". */
export function priceLines(): string[] {
  return Object.entries(PRICES).map(([name, p]: [string, Price]) => {
    const also = p.also ? `; also ${p.also}` : "";
    return `${name}: $${p.usd} per ${p.unit} (as of ${PRICES_CHECKED}, ${p.source}${also})`;
  });
}
