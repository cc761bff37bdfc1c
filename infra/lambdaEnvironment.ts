import { ConfigError } from "../functions/core/errors.ts";
import type { CustomSourceConfig } from "../functions/handlers/environment.ts";
import type { ConnectorConfig, StackConfig } from "./config.ts";
import { connectorNames } from "./names.ts";
import { lakePrefix, partitionOf } from "./policies.ts";

/** The handlers' CloudWatch namespace, and the `service` dimension Powertools adds to every metric. */
export const METRICS_NAMESPACE = "Seclake";
export const SERVICE_NAME = "seclake";

/** The dimensions of a connector-level metric the handlers emit (Powertools adds `service`). */
export function connectorMetricDimensions(connector: string): Record<string, string> {
  return { service: SERVICE_NAME, connector };
}

/**
 * The Lambda environment of a connector's functions (all get the same variables): the contract parsed
 * by functions/handlers/environment.ts (`environmentSchema`). Pure, so the contract test can feed the
 * result straight into the handlers' own parser. A pull connector's variables are what they were
 * before push connectors existed (no SECLAKE_MODE: the handlers default to pull), so existing functions
 * see no change.
 */
export function handlerEnvironment(p: {
  connector: ConnectorConfig;
  lake: StackConfig["securityLake"];
  stagingBucket: string;
  /** The staging Glue database (Map adds new days' partitions there). */
  stagingDatabase: string;
  checkpointParameter: string;
  /** Secrets Manager secret ARN; absent for s3-inbox. */
  secretId: string | undefined;
  /** JSON array of { name, classUid, providerRoleArn, externalId, crawlerName? }. */
  customSourcesJson: string;
  mappingsDir: string;
  /** Push connectors: the queue their partner event bus's rule feeds. */
  queueUrl?: string | undefined;
}): Record<string, string> {
  const c = p.connector;
  const baseUrl =
    c.kind === "s3-inbox" && c.inbox ? `s3://${c.inbox.bucket}/${c.inbox.prefix}` : (c.baseUrl ?? "");
  const env: Record<string, string> = {
    SECLAKE_CONNECTOR: c.name,
    SECLAKE_SOURCE_KIND: c.kind,
    // A push connector without API access (no backfill) has no base URL.
    ...(baseUrl ? { SECLAKE_BASE_URL: baseUrl } : {}),
    ...(c.mode === "push"
      ? {
          SECLAKE_MODE: "push",
          SECLAKE_QUEUE_URL: p.queueUrl ?? "",
          SECLAKE_EVENT_SOURCE: c.eventSource ?? "",
        }
      : {}),
    SECLAKE_STAGING_BUCKET: p.stagingBucket,
    SECLAKE_STAGING_DATABASE: p.stagingDatabase,
    SECLAKE_CHECKPOINT_PARAMETER: p.checkpointParameter,
    SECLAKE_CUSTOM_SOURCES: p.customSourcesJson,
    SECLAKE_LAKE_BUCKET: p.lake.bucket,
    SECLAKE_LAKE_REGION: p.lake.region,
    SECLAKE_LAKE_ACCOUNT_ID: p.lake.accountId,
    SECLAKE_LAG_SECONDS: String(c.lagSeconds),
    SECLAKE_MAX_WINDOW_SECONDS: String(c.maxWindowMinutes * 60),
    SECLAKE_INITIAL_LOOKBACK_SECONDS: String(c.initialLookbackHours * 3600),
    SECLAKE_MAX_EVENTS: String(c.maxEvents),
    SECLAKE_PENDING_LEASE_SECONDS: String(PENDING_LEASE_SECONDS),
    SECLAKE_MAPPINGS_DIR: p.mappingsDir,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    // Stack traces of bundled code point at the TypeScript sources only with source maps; none are shipped,
    // so keep Node's default and the bundle unminified instead.
  };
  if (c.mapping) env.SECLAKE_MAPPING_SOURCE = c.mapping;
  if (p.secretId) env.SECLAKE_SECRET_ID = p.secretId;
  return env;
}

/**
 * How long a pending window belongs to the execution that opened it: longer than any execution can run
 * (six Lambda steps of at most 15 minutes each, plus crawler polling, per loop), so a live execution's
 * window is never taken over. A push connector's queue uses it as its visibility timeout too.
 */
export const PENDING_LEASE_SECONDS = 7200;

/**
 * The checkpoint parameter's value when the stack creates it (functions/core/checkpoint: version 1, the
 * first window starting `initialLookbackHours` before deployment, nothing pending). Pulumi ignores the
 * value afterwards: the pipeline owns it, and a later `pulumi up` must never rewind it.
 */
export function initialCheckpoint(now: Date, initialLookbackHours: number): string {
  const since = new Date(now.getTime() - initialLookbackHours * 3_600_000);
  return JSON.stringify({ version: 1, since: since.toISOString(), boundaryIds: [], pending: null });
}

/** SECLAKE_CUSTOM_SOURCES: the custom sources as the handlers parse them (`customSourceSchema`). */
export function customSourcesEnvironment(sources: readonly CustomSourceConfig[]): string {
  return JSON.stringify(sources);
}

/**
 * Lambda limits the environment of a function to 4 KB in all (CreateFunction: "Environment variables:
 * 4 KB, for all environment variables"). Measured here as the JSON of the variables map, which counts
 * every key and value plus quoting: an upper bound of what Lambda counts.
 */
export const LAMBDA_ENVIRONMENT_LIMIT = 4096;

export function environmentSize(variables: Readonly<Record<string, string>>): number {
  return Buffer.byteLength(JSON.stringify(variables), "utf8");
}

/** Returns `variables`, or throws ConfigError naming the connector, the size and what to shorten. */
export function checkEnvironmentSize(
  connector: string,
  variables: Record<string, string>,
  where = `connector ${connector}`,
): Record<string, string> {
  const size = environmentSize(variables);
  if (size <= LAMBDA_ENVIRONMENT_LIMIT) return variables;
  throw new ConfigError(
    `${where}: the Lambda environment would be ${size} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT}-byte limit for all variables; ` +
      "it holds every custom source's provider role ARN and external ID, so use shorter external IDs or fewer custom sources per connector",
  );
}

/**
 * The largest environment a connector can get once deployed, from config alone: values only AWS knows
 * (the generated staging bucket name, the secret ARN's suffix, the provider roles and crawlers Security
 * Lake creates) are replaced by their longest form. Lets `pulumi preview` reject what Lambda would.
 */
export function worstCaseEnvironment(
  stackName: string,
  connector: ConnectorConfig,
  stack: Pick<StackConfig, "securityLake" | "staging">,
): Record<string, string> {
  const lake = stack.securityLake;
  const names = connectorNames(stackName, connector.name);
  const partition = partitionOf(lake.region);
  const account = lake.accountId;
  const sources = connector.customSources.map((s) => ({
    name: s.name,
    classUid: s.classUid,
    providerRoleArn:
      s.providerRoleArn ??
      `arn:${partition}:iam::${account}:role/AmazonSecurityLake-Provider-${s.name}-${lake.region}`,
    externalId: s.externalId ?? "",
    lakePrefix: s.location
      ? `${s.location.replace(/^s3:\/\/[^/]+\//, "").replace(/\/?$/, "/")}`
      : `${lakePrefix(s.name)}${lake.createCustomSources ? `${lake.sourceVersion}/` : ""}`,
    // Security Lake names the crawler of a source it creates; allow a generous 128 characters.
    ...(s.crawlerName || lake.createCustomSources ? { crawlerName: s.crawlerName ?? "c".repeat(128) } : {}),
  }));
  return handlerEnvironment({
    connector,
    lake,
    stagingBucket:
      stack.staging.bucket ??
      `${names.stagingBucketPrefix}${"x".repeat(63 - names.stagingBucketPrefix.length)}`,
    stagingDatabase: names.stagingDatabase,
    checkpointParameter: names.checkpointParameter,
    secretId:
      connector.kind === "s3-inbox"
        ? undefined
        : `arn:${partition}:secretsmanager:${lake.region}:${account}:secret:${names.secret}-AbCdEf`,
    customSourcesJson: customSourcesEnvironment(sources),
    mappingsDir: "/var/task/mappings",
    queueUrl: worstCaseQueueUrl(lake.region, account, names.queue),
  });
}

/**
 * The longest form of a queue's URL (`https://sqs.<region>.<partition domain>/<account>/<name>`): SQS
 * returns the URL, so config can only bound it.
 */
function worstCaseQueueUrl(region: string, account: string, queueName: string): string {
  return `https://sqs.${region}.amazonaws.com.cn/${account}/${queueName}`;
}
