/**
 * What the cost model needs and the local run cannot measure. One named constant each, with why it has
 * the value it has; the README lists them all. Change one here and every figure follows.
 */

/** Lambda gives a function one full vCPU at 1,769 MB (Lambda developer guide, "memory and computing power"). */
export const FULL_VCPU_MB = 1769;

/**
 * Local wall time counts as Lambda time at FULL_VCPU_MB: the handlers run on one thread, and one core of
 * this VM (AMD EPYC) and one Graviton2 vCPU run single-threaded Node within tens of percent of each
 * other. Below FULL_VCPU_MB, CPU-bound time stretches by FULL_VCPU_MB / memory; above it Node on one
 * thread gets no faster, so Convert at 3,008 MB pays for memory it needs, not for speed.
 */
export const LOCAL_TO_LAMBDA_CPU = 1;

/** Round trip of one S3 request from Lambda in-region (small objects: tens of ms to the first byte). */
export const S3_REQUEST_SECONDS = 0.03;

/** Throughput of one S3 stream from a Lambda function; pages and parts are written and read whole. */
export const S3_BYTES_PER_SECOND = 80e6;

/** One SSM, Secrets Manager or STS call from Lambda in-region. */
export const AWS_API_CALL_SECONDS = 0.03;

/**
 * One page of 1,000 events from the vendor API over the internet: the System Log, OneLogin's events and
 * SailPoint's search answer in a few hundred ms, and the page itself is ~0.5-1 MB of JSON.
 */
export const VENDOR_PAGE_SECONDS = 0.5;

/**
 * INIT of one execution environment (Node 22 runtime, the esbuild bundle with SDK v3 clients,
 * Powertools and, for Convert, apache-arrow and parquet-wasm). Billed since 2025-08-01
 * (https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase).
 */
export const LAMBDA_INIT_SECONDS = 0.8;

/**
 * An idle environment is not kept longer than this (Lambda does not document it; observed reuse is
 * 5-15 minutes). On a schedule sparser than this every execution starts cold, once per function (and per
 * concurrent Convert).
 */
export const LAMBDA_IDLE_REUSE_MINUTES = 10;

/** Lambda's own lines per invocation in the JSON log format: platform.start and platform.report. */
export const LAMBDA_PLATFORM_LOG_BYTES = 600;

/**
 * What Powertools Logger adds to each line beyond message, keys and extras: level, timestamp, service,
 * cold_start, function_arn, function_memory_size, function_name, function_request_id, sampling_rate and
 * xray_trace_id.
 */
export const POWERTOOLS_LOG_LINE_BYTES = 330;

/** The EMF envelope of one single-metric document (`_aws`, Timestamp, namespace, dimension set, unit). */
export const EMF_DOCUMENT_BYTES = 220;

/**
 * Step Functions log record around each history event (id, type, timestamp, execution ARN, previous id).
 * A Lambda task adds TaskScheduled, TaskStarted and TaskSucceeded to the two state events the local run
 * sees, the first and last carrying the parameters and the output: the probe counts those in.
 */
export const SFN_LOG_EVENT_BYTES = 250;

/** History events a Task adds in AWS beyond StateEntered and StateExited. */
export const SFN_EXTRA_EVENTS_PER_TASK = 3;

/**
 * Stored CloudWatch Logs are billed compressed; JSON log lines with repeated keys compress about 5:1
 * with gzip, the compression CloudWatch applies to archived data.
 */
export const LOGS_STORED_RATIO = 0.2;

/**
 * How many DPUs a crawler run is billed for. The Glue pricing page gives the DPU-hour rate and the
 * 10-minute minimum but not the DPUs, and a crawler has no capacity setting; each crawl's figure shows
 * in ListCrawls (`CrawlerHistory.DPUHour`) only after it ran. Infracost prices a crawler hour as one
 * DPU-hour; we take 2 so that a crawl is not understated (every crawl line halves at 1 DPU).
 */
export const CRAWLER_DPUS = 2;

/**
 * How long a crawl of new folders runs (start-up plus a few folders of small NDJSON): well under the
 * 10-minute minimum, so each crawl bills the minimum. Sets how often the state machine polls.
 */
export const CRAWL_RUN_MINUTES = 2;

/** S3 requests a crawler makes per custom source it crawls (LIST of the new folder, a GET to classify). */
export const CRAWLER_S3_REQUESTS_PER_SOURCE = { list: 2, get: 2 } as const;

/** A staging object stays this long after its expiration as a noncurrent version (infra/staging.ts). */
export const NONCURRENT_DAYS = 1;

/**
 * The connector's alarms as infra/observability.ts declares them: failed executions (a math expression
 * over ExecutionsFailed, ExecutionsTimedOut and ExecutionsAborted: 3 alarm metrics), lake crawler not
 * started (1) and checkpoint lag (1).
 */
export const CONNECTOR_ALARM_METRICS = 5;

/**
 * Lambda decrypts its environment variables with the AWS managed key aws/lambda once per new
 * environment, and Secrets Manager decrypts with aws/secretsmanager on each GetSecretValue: one KMS
 * request each. The stack creates no customer managed key (with staging.kmsKeyArn, or a lake bucket
 * under SSE-KMS, every PUT and GET of that bucket adds a request, unless S3 Bucket Keys are on).
 */
export const KMS_REQUESTS_PER_COLD_START = 1;
export const KMS_REQUESTS_PER_SECRET_CALL = 1;

/** The seed architecture (shared/seeds/000: Lambda + crawler + Glue ETL per run), what it does not say. */
export const SEED = {
  /** Its Lambda is Python with an unstated memory size; 512 MB x86 is a common choice for this work. */
  lambdaMemoryMb: 512,
  /** MaxEventsFromAPI: "Number of events to request from SailPoint API during each run (10000 max)". */
  maxEventsPerRun: 10_000,
  /** A Glue ETL job defaults to 10 workers; G.1X is 1 DPU each. */
  etlWorkers: 10,
  /**
   * A small Glue Spark job (start-up, reading the crawled JSON table, writing Parquet per source) runs
   * about 90 s; the 1-minute minimum never binds.
   */
  etlBaseSeconds: 90,
  /** JSON to Parquet across 9 G.1X executors (36 vCPU), once Spark runs. */
  etlEventsPerSecond: 20_000,
  /**
   * S3 requests per custom source and run: the Lambda's JSON PUT, the crawler's LIST and GET, the job's
   * LIST and GET, and ~4 PUT-class requests per Parquet file through the Spark output committer.
   */
  s3PerSourcePerRun: { putList: 7, get: 2 },
} as const;
