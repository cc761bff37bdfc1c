import { z } from "zod";
import { ConfigError } from "../core/errors.ts";

/**
 * The Lambda environment of every connector handler: the contract between infra (which sets these
 * variables on all six functions of a connector, identically) and functions/handlers. `seclake local`
 * builds the same object for its in-process run. Parsed once per cold start by `loadEnvironment`.
 */

/** The APIs a connector can page (DESIGN.md §2 Fetch). */
export const SOURCE_KINDS = ["sailpoint", "okta", "onelogin", "s3-inbox"] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** One Security Lake custom source fed by the connector: Security Lake allows one OCSF class per source. */
export const customSourceSchema = z
  .object({
    /** Custom source name, the `ext/<name>/` prefix in the Security Lake bucket (e.g. "sailpoint-auth"). */
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, '-' and '_' only, at most 64"),
    /** The OCSF class every event of this source has (e.g. 3002 Authentication). */
    classUid: z.number().int().nonnegative(),
    /** The provider role Security Lake created for the source; Convert assumes it to write Parquet. */
    providerRoleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, "an IAM role ARN"),
    /** The external id the provider role's trust policy requires. */
    externalId: z.string().min(2),
    /**
     * Key prefix of the source's location in the Security Lake bucket, ending in "/": `ext/<name>/` for a
     * source made in the console, `ext/<name>/<version>/` for one created with a sourceVersion. The
     * provider role may write only below it, so every Parquet key starts with it.
     */
    lakePrefix: z
      .string()
      .regex(/^ext\/([A-Za-z0-9._=-]+\/)+$/, "a key prefix ext/<name>/[<version>/] ending in '/'"),
    /** The Glue crawler Security Lake made for the source (CreateCustomLogSource); started after Convert. */
    crawlerName: z.string().min(1).optional(),
  })
  .strict();
export type CustomSourceConfig = z.infer<typeof customSourceSchema>;

export const environmentSchema = z
  .object({
    /** Connector name (one SaaS tenant), e.g. "sailpoint-prod": names staging prefixes, logs and metrics. */
    SECLAKE_CONNECTOR: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lowercase letters, digits and '-'"),
    /** Which API Fetch pages. */
    SECLAKE_SOURCE_KIND: z.enum(SOURCE_KINDS),
    /**
     * Which mappings/<source>/ folder Map uses. Defaults to the source kind; required for `s3-inbox`,
     * whose files can come from any NDJSON producer (e.g. "zscaler-dspm").
     */
    SECLAKE_MAPPING_SOURCE: z.string().min(1).optional(),
    /**
     * Tenant API base URL (https://<tenant>.api.identitynow.com, …), or s3://<bucket>/<prefix> for
     * `s3-inbox`; empty for a push connector without API access.
     */
    SECLAKE_BASE_URL: z.string().default(""),
    /** `pull` pages the source; `push` drains the SQS queue its partner event bus feeds (DESIGN.md §2.1). */
    SECLAKE_MODE: z.enum(["pull", "push"]).default("pull"),
    /** Push: the queue the partner event bus's rule delivers to. */
    SECLAKE_QUEUE_URL: z.string().min(1).optional(),
    /** Push: the partner event source (aws.partner/okta.com/…); envelopes from any other are rejected. */
    SECLAKE_EVENT_SOURCE: z.string().min(1).optional(),
    /** Secrets Manager secret id holding the API credentials as JSON; not used by `s3-inbox`. */
    SECLAKE_SECRET_ID: z.string().min(1).optional(),
    /** The staging Glue database, where Map adds a new day's partition without a crawl. */
    SECLAKE_STAGING_DATABASE: z.string().min(1).optional(),
    /** Staging bucket: raw pages, OCSF NDJSON and quarantine under the `staging/` prefix. */
    SECLAKE_STAGING_BUCKET: z.string().min(3),
    /** SSM parameter holding the checkpoint JSON, e.g. /seclake/sailpoint-prod/checkpoint. */
    SECLAKE_CHECKPOINT_PARAMETER: z.string().regex(/^\/[A-Za-z0-9_./-]+$/, "an SSM parameter path"),
    /** JSON array of custom sources (see `customSourceSchema`), at least one, class uids distinct. */
    SECLAKE_CUSTOM_SOURCES: z.string().min(2),
    /** Security Lake bucket (aws-security-data-lake-<region>-<id>). */
    SECLAKE_LAKE_BUCKET: z.string().min(3),
    /** Region of the Security Lake partitions (region=<r>) and of the bucket. */
    SECLAKE_LAKE_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region"),
    /** Account id of the partitions (accountId=<a>): the account the events belong to. */
    SECLAKE_LAKE_ACCOUNT_ID: z.string().regex(/^\d{12}$/, "12 digits"),
    /** A window never ends later than now minus this lag, so late-indexed events are not skipped. */
    SECLAKE_LAG_SECONDS: positiveInt(300),
    /** Longest window one loop fetches (a backfill advances by this much per loop). */
    SECLAKE_MAX_WINDOW_SECONDS: positiveInt(3600),
    /** Where the very first window starts, counted back from now, when no checkpoint exists. */
    SECLAKE_INITIAL_LOOKBACK_SECONDS: positiveInt(86_400),
    /** Fetch stops after this many events and reports hasMore; the rest comes in the next loop. */
    SECLAKE_MAX_EVENTS: positiveInt(10_000),
    /**
     * How long a pending window belongs to the execution that opened it. Another execution takes it
     * over only after this (or after RecordFailure marked it failed). Keep it ≥ the state machine timeout.
     */
    SECLAKE_PENDING_LEASE_SECONDS: positiveInt(7200),
    /** Directory of the mapping files inside the bundle; relative paths resolve against the working dir. */
    SECLAKE_MAPPINGS_DIR: z.string().min(1).default("mappings"),
    /** Powertools: the `service` of every log line and the metrics dimension. */
    POWERTOOLS_SERVICE_NAME: z.string().min(1).default("seclake"),
    /** Powertools: the CloudWatch namespace of the EMF metrics. */
    POWERTOOLS_METRICS_NAMESPACE: z.string().min(1).default("Seclake"),
  })
  .superRefine((env, ctx) => {
    const need = (name: keyof typeof env, why: string) => {
      if (!env[name]) ctx.addIssue({ code: "custom", path: [name], message: `required ${why}` });
    };
    if (env.SECLAKE_MODE === "push") {
      if (env.SECLAKE_SOURCE_KIND !== "okta" && env.SECLAKE_SOURCE_KIND !== "onelogin") {
        ctx.addIssue({
          code: "custom",
          path: ["SECLAKE_MODE"],
          message: `push needs SECLAKE_SOURCE_KIND okta or onelogin, got ${env.SECLAKE_SOURCE_KIND}`,
        });
      }
      need("SECLAKE_QUEUE_URL", "for SECLAKE_MODE=push");
      need("SECLAKE_EVENT_SOURCE", "for SECLAKE_MODE=push");
      return;
    }
    need("SECLAKE_BASE_URL", `for SECLAKE_SOURCE_KIND=${env.SECLAKE_SOURCE_KIND}`);
    if (env.SECLAKE_SOURCE_KIND === "s3-inbox") {
      if (!env.SECLAKE_MAPPING_SOURCE)
        ctx.addIssue({
          code: "custom",
          path: ["SECLAKE_MAPPING_SOURCE"],
          message: "required for SECLAKE_SOURCE_KIND=s3-inbox",
        });
      if (!env.SECLAKE_BASE_URL.startsWith("s3://"))
        ctx.addIssue({
          code: "custom",
          path: ["SECLAKE_BASE_URL"],
          message: "s3-inbox needs s3://<bucket>/<prefix>",
        });
    } else if (!env.SECLAKE_SECRET_ID) {
      ctx.addIssue({
        code: "custom",
        path: ["SECLAKE_SECRET_ID"],
        message: `required for SECLAKE_SOURCE_KIND=${env.SECLAKE_SOURCE_KIND}`,
      });
    }
  });

/** The parsed environment, with the custom sources decoded and checked. */
export interface HandlerEnvironment {
  readonly connector: string;
  readonly sourceKind: SourceKind;
  readonly mode: "pull" | "push";
  /** Push only. */
  readonly queueUrl?: string;
  /** Push only: the partner event source name. */
  readonly eventSource?: string;
  readonly mappingSource: string;
  readonly baseUrl: string;
  readonly secretId: string | undefined;
  readonly stagingBucket: string;
  /** The staging Glue database (absent: new days are left to the crawler). */
  readonly stagingDatabase?: string;
  readonly checkpointParameter: string;
  readonly customSources: readonly CustomSourceConfig[];
  readonly lake: { readonly bucket: string; readonly region: string; readonly accountId: string };
  readonly lagSeconds: number;
  readonly maxWindowSeconds: number;
  readonly initialLookbackSeconds: number;
  readonly maxEvents: number;
  readonly pendingLeaseSeconds: number;
  readonly mappingsDir: string;
  readonly serviceName: string;
  readonly metricsNamespace: string;
}

/**
 * Parses the Lambda environment. Throws `ConfigError` naming every bad variable (never its value: a
 * mistyped variable could hold a secret).
 */
export function loadEnvironment(env: Readonly<Record<string, string | undefined>>): HandlerEnvironment {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`handler environment: ${describeIssues(parsed.error.issues)}`);
  }
  const e = parsed.data;
  let rawSources: unknown;
  try {
    rawSources = JSON.parse(e.SECLAKE_CUSTOM_SOURCES);
  } catch {
    throw new ConfigError("handler environment: SECLAKE_CUSTOM_SOURCES: not JSON");
  }
  const sources = z.array(customSourceSchema).min(1).safeParse(rawSources);
  if (!sources.success) {
    throw new ConfigError(
      `handler environment: SECLAKE_CUSTOM_SOURCES${describeIssues(sources.error.issues, true)}`,
    );
  }
  const seen = new Set<number>();
  for (const source of sources.data) {
    if (seen.has(source.classUid)) {
      throw new ConfigError(
        `handler environment: SECLAKE_CUSTOM_SOURCES: class ${source.classUid} is fed to two custom sources; Security Lake allows one class per source and one source per class here`,
      );
    }
    seen.add(source.classUid);
  }
  return {
    connector: e.SECLAKE_CONNECTOR,
    sourceKind: e.SECLAKE_SOURCE_KIND,
    mode: e.SECLAKE_MODE,
    ...(e.SECLAKE_QUEUE_URL ? { queueUrl: e.SECLAKE_QUEUE_URL } : {}),
    ...(e.SECLAKE_EVENT_SOURCE ? { eventSource: e.SECLAKE_EVENT_SOURCE } : {}),
    mappingSource: e.SECLAKE_MAPPING_SOURCE ?? e.SECLAKE_SOURCE_KIND,
    baseUrl: e.SECLAKE_BASE_URL,
    secretId: e.SECLAKE_SECRET_ID,
    stagingBucket: e.SECLAKE_STAGING_BUCKET,
    ...(e.SECLAKE_STAGING_DATABASE ? { stagingDatabase: e.SECLAKE_STAGING_DATABASE } : {}),
    checkpointParameter: e.SECLAKE_CHECKPOINT_PARAMETER,
    customSources: sources.data,
    lake: {
      bucket: e.SECLAKE_LAKE_BUCKET,
      region: e.SECLAKE_LAKE_REGION,
      accountId: e.SECLAKE_LAKE_ACCOUNT_ID,
    },
    lagSeconds: e.SECLAKE_LAG_SECONDS,
    maxWindowSeconds: e.SECLAKE_MAX_WINDOW_SECONDS,
    initialLookbackSeconds: e.SECLAKE_INITIAL_LOOKBACK_SECONDS,
    maxEvents: e.SECLAKE_MAX_EVENTS,
    pendingLeaseSeconds: e.SECLAKE_PENDING_LEASE_SECONDS,
    mappingsDir: e.SECLAKE_MAPPINGS_DIR,
    serviceName: e.POWERTOOLS_SERVICE_NAME,
    metricsNamespace: e.POWERTOOLS_METRICS_NAMESPACE,
  };
}

function describeIssues(issues: readonly z.core.$ZodIssue[], nested = false): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      return nested ? `[${path}]: ${issue.message}` : `${path || "(root)"}: ${issue.message}`;
    })
    .join("; ");
}

/** Every variable name the handlers read, for infra to set (and tests to check that it does). */
export const ENVIRONMENT_VARIABLES = Object.keys(environmentSchema.shape) as readonly string[];
