import type { ConnectorConfig, StackConfig } from "./config.ts";
import type { FunctionRole } from "./names.ts";

/**
 * The Lambda environment of a connector's six functions (all get the same variables): the contract
 * parsed by functions/handlers/environment.ts (`environmentSchema`). Pure, so the contract test can feed
 * the result straight into the handlers' own parser.
 */
export function handlerEnvironment(p: {
  connector: ConnectorConfig;
  lake: StackConfig["securityLake"];
  stagingBucket: string;
  checkpointParameter: string;
  /** Secrets Manager secret ARN; absent for s3-inbox. */
  secretId: string | undefined;
  /** JSON array of { name, classUid, providerRoleArn, externalId, crawlerName? }. */
  customSourcesJson: string;
  mappingsDir: string;
}): Record<string, string> {
  const c = p.connector;
  const env: Record<string, string> = {
    SECLAKE_CONNECTOR: c.name,
    SECLAKE_SOURCE_KIND: c.kind,
    SECLAKE_BASE_URL:
      c.kind === "s3-inbox" && c.inbox ? `s3://${c.inbox.bucket}/${c.inbox.prefix}` : (c.baseUrl ?? ""),
    SECLAKE_STAGING_BUCKET: p.stagingBucket,
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
    POWERTOOLS_SERVICE_NAME: "seclake",
    POWERTOOLS_METRICS_NAMESPACE: "Seclake",
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
 * window is never taken over.
 */
export const PENDING_LEASE_SECONDS = 7200;

/** Memory and timeout per function: Convert holds record batches and parquet-wasm's memory; the rest is I/O. */
export function lambdaSizing(role: FunctionRole): { memoryMb: number; timeoutSeconds: number } {
  switch (role) {
    case "loadCheckpoint":
    case "commit":
    case "recordFailure":
      return { memoryMb: 256, timeoutSeconds: 60 };
    case "fetch":
      return { memoryMb: 512, timeoutSeconds: 900 };
    case "map":
      return { memoryMb: 1024, timeoutSeconds: 900 };
    case "convert":
      return { memoryMb: 3008, timeoutSeconds: 900 };
  }
}

/**
 * The checkpoint parameter's value when the stack creates it (functions/core/checkpoint: version 1, the
 * first window starting `initialLookbackHours` before deployment, nothing pending). Pulumi ignores the
 * value afterwards: the pipeline owns it, and a later `pulumi up` must never rewind it.
 */
export function initialCheckpoint(now: Date, initialLookbackHours: number): string {
  const since = new Date(now.getTime() - initialLookbackHours * 3_600_000);
  return JSON.stringify({ version: 1, since: since.toISOString(), boundaryIds: [], pending: null });
}
