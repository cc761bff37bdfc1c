import { z } from "zod";
import { ConfigError } from "../functions/core/errors.ts";
import { loadSourceMappings } from "../functions/core/mapping/engine.ts";
import { ocsf } from "../functions/core/ocsf/schema.ts";
import { type Credentials, readCredentials } from "./credentials.ts";
import { checkEnvironmentSize, worstCaseEnvironment } from "./lambdaEnvironment.ts";
import { connectorNames, NAME_PATTERN, PROJECT } from "./names.ts";
import { lakeKeyPrefix, regionProblems, S3_LOCATION } from "./placement.ts";
import { CONNECTOR_MODES, pushProblems, stackPushProblems } from "./pushConfig.ts";
import { lagThresholdSeconds, MAX_ALARM_SECONDS, scheduleProblem } from "./schedule.ts";

export type { Credentials } from "./credentials.ts";
export { PROJECT } from "./names.ts";
export { lakeAccountProblem, lakeKeyPrefix } from "./placement.ts";
export {
  CONNECTOR_MODES,
  PARTNER_EVENT_SOURCE,
  PARTNER_SOURCE_PREFIXES,
  PUSH_RETENTION_DAYS,
} from "./pushConfig.ts";
export { MIN_SCHEDULE_MINUTES, scheduleProblem } from "./schedule.ts";

/** Kinds of connector: the three SaaS APIs, and an S3 inbox that a producer (Zscaler DSPM) writes NDJSON into. */
export const CONNECTOR_KINDS = ["sailpoint", "okta", "onelogin", "s3-inbox"] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

/** Mapping sources in mappings/ (the `seclake map --source` values). */
export const MAPPING_SOURCES = ["sailpoint", "okta", "onelogin", "zscaler-dspm", "ocsf"] as const;

/** SailPoint's search API returns at most 10,000 results per query (searchAfter paging included). */
export const SAILPOINT_MAX_EVENTS = 10_000;

/**
 * Events per loop unless configured: SailPoint's search limit, else 50,000, so an hourly connector at
 * 1M events a day (42,000 a run) needs one loop, not five: each loop is ~38 billed state transitions
 * (`seclake cost`), and Convert's measured peak at 100,000 events is 0.57 GB of its 1,769 MB.
 */
export function defaultMaxEvents(kind: ConnectorKind): number {
  return kind === "sailpoint" ? SAILPOINT_MAX_EVENTS : 50_000;
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Security Lake: sourceName matches [\w\-_:.]*, and must be at most 20 characters so that the provider
// role Security Lake creates, AmazonSecurityLake-Provider-<name>-<region>, stays within IAM's 64
// (CreateCustomLogSource API reference). ":" is allowed by the API but not in IAM role names, and "/" or
// "." would make S3 prefixes (ext/<name>/) ambiguous, so we accept the intersection.
const SOURCE_NAME = /^[A-Za-z0-9_-]{1,20}$/;
// IAM: external IDs are 2-1224 characters of [\w+=,.@:/-].
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
// A key ARN, not an alias: IAM policies grant kms:Decrypt on the key itself.
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]{1,128}$/;
const kmsKeyArn = z
  .string()
  .regex(KMS_KEY_ARN, "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias");

const customSourceSchema = z.object({
  name: z
    .string()
    .regex(
      SOURCE_NAME,
      "must be 1-20 characters of A-Z a-z 0-9 _ - (Security Lake source name; no / . or :)",
    ),
  classUid: z
    .number()
    .int()
    .refine(
      (uid) => uid > 0 && ocsf.findClass(uid) !== undefined,
      "is not an OCSF 1.1.0 class uid (e.g. 3002)",
    ),
  providerRoleArn: z
    .string()
    .regex(ROLE_ARN, "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
    .optional(),
  externalId: z
    .string()
    .regex(EXTERNAL_ID, "must be 2-1224 characters of A-Z a-z 0-9 _ + = , . @ : / -")
    .optional(),
  /**
   * Where an existing source's Parquet goes, as the Security Lake console shows it (default
   * s3://<lake bucket>/ext/<name>/). Sources this stack creates take theirs from Security Lake.
   */
  location: z
    .string()
    .regex(S3_LOCATION, "must be an S3 location such as s3://aws-security-data-lake-…/ext/<name>/")
    .optional(),
  /** The Glue crawler Security Lake made for an existing source; the pipeline starts it after Convert. */
  crawlerName: z
    .string()
    .regex(/^[\w-]{1,255}$/, "must be a Glue crawler name")
    .optional(),
});

const scheduleSchema = z
  .string()
  .default("rate(1 hour)")
  .superRefine((value, ctx) => {
    const problem = scheduleProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const connectorSchema = z
  .object({
    name: z
      .string()
      .regex(NAME_PATTERN, "must be lower-case letters, digits and single hyphens, starting with a letter"),
    kind: z.enum(CONNECTOR_KINDS),
    /** pull: page the vendor's API; push (okta, onelogin): drain what its partner event source sends. */
    mode: z.enum(CONNECTOR_MODES).default("pull"),
    /** Push only: the partner event source name, e.g. aws.partner/okta.com/<org>/<stream>. */
    eventSource: z.string().optional(),
    /**
     * Tenant API base URL (https://<tenant>.api.identitynow.com, https://<org>.okta.com, …); for a push
     * connector only needed by a backfill.
     */
    baseUrl: z.url({ protocol: /^https$/, error: "must be an https:// URL" }).optional(),
    /** Which folder of mappings/ maps this connector's events; defaults to `kind` for the SaaS kinds. */
    mapping: z.enum(MAPPING_SOURCES).optional(),
    /** s3-inbox only: where the producer drops NDJSON(.gz) files. */
    inbox: z
      .object({
        bucket: z.string().regex(BUCKET, "must be an S3 bucket name"),
        prefix: z
          .string()
          .regex(/^([\w.!*'()-]+\/)*$/, 'must be a key prefix ending in "/" (or "" for the whole bucket)')
          .default(""),
        /** The customer-managed KMS key the inbox bucket encrypts with, if any (Fetch decrypts with it). */
        kmsKeyArn: kmsKeyArn.optional(),
      })
      .optional(),
    schedule: scheduleSchema,
    /** Default: `defaultMaxEvents(kind)`. */
    maxEvents: z.number().int().min(1).max(100_000).optional(),
    lagSeconds: z.number().int().min(1).max(86_400).default(300),
    initialLookbackHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 90)
      .default(24),
    /** Longest window one loop fetches; a backfill advances by this much per loop. */
    maxWindowMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60),
    customSources: z.array(customSourceSchema).min(1, "needs at least one custom source"),
    /** The checkpoint-lag alarm fires past this multiple of the schedule's longest interval (plus lagSeconds). */
    lagAlarmMultiple: z.number().min(1).max(100).default(3),
    /** An explicit lag alarm threshold, instead of the multiple (needed for crons limited to some months). */
    lagAlarmMinutes: z.number().int().min(5).optional(),
  })
  .superRefine((c, ctx) => {
    const add = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    if (c.kind === "s3-inbox") {
      if (!c.inbox) add(["inbox"], "is required for kind s3-inbox ({ bucket, prefix })");
      if (!c.mapping)
        add(["mapping"], `is required for kind s3-inbox (one of ${MAPPING_SOURCES.join(", ")})`);
    } else {
      if (!c.baseUrl && c.mode === "pull")
        add(["baseUrl"], `is required for kind ${c.kind} (the tenant's API base URL)`);
      if (c.inbox) add(["inbox"], `is only for kind s3-inbox, not ${c.kind}`);
    }
    pushProblems(c, add);
    const lag = lagThresholdSeconds({
      schedule: c.schedule,
      lagSeconds: c.lagSeconds,
      multiple: c.lagAlarmMultiple,
      minutes: c.lagAlarmMinutes,
    });
    if (lag === undefined && scheduleProblem(c.schedule) === undefined) {
      add(
        ["lagAlarmMinutes"],
        `is required with the schedule "${c.schedule}" (its longest gap cannot be worked out)`,
      );
    } else if (lag !== undefined && lag > MAX_ALARM_SECONDS) {
      add(
        [c.lagAlarmMinutes !== undefined ? "lagAlarmMinutes" : "lagAlarmMultiple"],
        `gives a lag alarm threshold of ${Math.round(lag / 3600)} hours; CloudWatch evaluates alarms over at most 7 days`,
      );
    }
    if (c.kind === "sailpoint" && c.maxEvents !== undefined && c.maxEvents > SAILPOINT_MAX_EVENTS) {
      add(
        ["maxEvents"],
        `must be at most ${SAILPOINT_MAX_EVENTS} for SailPoint (its search limit), got ${c.maxEvents}`,
      );
    }
    const classes = new Set<number>();
    c.customSources.forEach((s, i) => {
      if (classes.has(s.classUid)) {
        add(
          ["customSources", i, "classUid"],
          `class ${s.classUid} already has a custom source in this connector`,
        );
      }
      classes.add(s.classUid);
    });
  })
  .transform((c) => ({ ...c, maxEvents: c.maxEvents ?? defaultMaxEvents(c.kind) }));

const stackSchema = z
  .object({
    securityLake: z.object({
      accountId: z.string().regex(ACCOUNT_ID, "must be a 12-digit AWS account id (quote it in YAML)"),
      region: z.string().regex(REGION, "must be an AWS region such as us-east-1"),
      bucket: z.string().regex(BUCKET, "must be the Security Lake S3 bucket name (aws-security-data-lake-…)"),
      /** true: this stack creates the custom sources; false: they exist and their provider roles are given. */
      createCustomSources: z.boolean().default(false),
      sourceVersion: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,32}$/)
        .default("1.0"),
      /** The customer-managed KMS key of the lake bucket, if any: the lake crawler role decrypts with it. */
      kmsKeyArn: kmsKeyArn.optional(),
    }),
    staging: z
      .object({
        /** An existing bucket shared by every connector; when absent each connector gets its own. */
        bucket: z.string().regex(BUCKET, "must be an S3 bucket name").optional(),
        expirationDays: z.number().int().min(1).max(3650).default(14),
        /** With a shared bucket encrypted by a customer-managed KMS key: that key (read and write). */
        kmsKeyArn: kmsKeyArn.optional(),
      })
      .default({ expirationDays: 14 }),
    logRetentionDays: z
      .number()
      .int()
      .refine(
        (d) => LOG_RETENTION_DAYS.includes(d),
        `must be one of ${[1, 3, 5, 7, 14, 30, 60, 90, 180, 365].join(", ")}…`,
      )
      .default(30),
    /** SNS topic the failed-executions alarms notify; no action when absent. */
    alarmTopicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, "must be an SNS topic ARN")
      .optional(),
    connectors: z.array(connectorSchema).min(1, "needs at least one connector"),
  })
  .superRefine((s, ctx) => {
    const add = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    if (s.staging.kmsKeyArn && !s.staging.bucket) {
      add(
        ["staging", "kmsKeyArn"],
        "is only for a shared staging.bucket; the buckets this stack creates use SSE-S3",
      );
    }
    const connectorNamesSeen = new Map<string, number>();
    const sourceNamesSeen = new Map<string, string>();
    stackPushProblems(s, add);
    s.connectors.forEach((c, i) => {
      const first = connectorNamesSeen.get(c.name);
      if (first !== undefined)
        add(["connectors", i, "name"], `"${c.name}" is also connectors[${first}].name`);
      connectorNamesSeen.set(c.name, i);
      c.customSources.forEach((src, j) => {
        const path = ["connectors", i, "customSources", j];
        // Security Lake source names are unique per Region; two connectors writing one source would
        // also overwrite each other's objects.
        const firstSource = sourceNamesSeen.get(src.name.toLowerCase());
        if (firstSource) add([...path, "name"], `"${src.name}" is also ${firstSource}`);
        sourceNamesSeen.set(src.name.toLowerCase(), `connectors[${i}].customSources[${j}].name`);
        if (!s.securityLake.createCustomSources) {
          const hint =
            "required when securityLake.createCustomSources is false (copy it from the custom source)";
          if (!src.providerRoleArn) add([...path, "providerRoleArn"], hint);
          if (!src.externalId) add([...path, "externalId"], hint);
        } else if (!src.externalId) {
          add(
            [...path, "externalId"],
            "required: the external ID this stack gives Security Lake for the source",
          );
        }
        if (src.location) {
          const bucket = S3_LOCATION.exec(src.location)?.[1];
          if (s.securityLake.createCustomSources) {
            add(
              [...path, "location"],
              "is taken from Security Lake for sources this stack creates (securityLake.createCustomSources)",
            );
          } else if (bucket !== s.securityLake.bucket) {
            add(
              [...path, "location"],
              `is in bucket ${bucket}, but securityLake.bucket is ${s.securityLake.bucket}: the provider role can only write to the lake bucket`,
            );
          } else if (!lakeKeyPrefix(src.location, s.securityLake.bucket).startsWith("ext/")) {
            add([...path, "location"], "must be under ext/ of the lake bucket, where custom sources live");
          }
        }
        const account = src.providerRoleArn ? ROLE_ARN.exec(src.providerRoleArn)?.[1] : undefined;
        if (account && account !== s.securityLake.accountId) {
          add(
            [...path, "providerRoleArn"],
            `is in account ${account}, but securityLake.accountId is ${s.securityLake.accountId}`,
          );
        }
      });
    });
  });

const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export type StackConfig = z.output<typeof stackSchema>;
export type ConnectorConfig = StackConfig["connectors"][number];
export type CustomSourceConfig = ConnectorConfig["customSources"][number];

/** Stack config as read from Pulumi: the raw string of each key, and whether Pulumi holds it as a secret. */
export interface RawConfig {
  get(key: string): string | undefined;
  isSecret(key: string): boolean;
}

export interface LoadedConfig {
  readonly stack: StackConfig;
  /** Per connector name; only for kinds that call an API. Never log or output these. */
  readonly credentials: Credentials;
}

/**
 * Reads and validates the whole stack config once. Throws one `ConfigError` listing every problem, each
 * naming its key (`seclake-pipelines:connectors[1].maxEvents: …`), before any resource is declared.
 * Afterwards every connector has its defaults filled in, its physical names fit AWS limits, and each
 * API connector has credentials that Pulumi holds as secrets.
 */
export function loadConfig(raw: RawConfig, stackName: string): LoadedConfig {
  const problems: string[] = [];
  const input: Record<string, unknown> = {};
  for (const key of ["securityLake", "staging", "logRetentionDays", "alarmTopicArn", "connectors"]) {
    const text = raw.get(`${PROJECT}:${key}`);
    if (text === undefined) continue;
    try {
      input[key] = key === "alarmTopicArn" ? text : JSON.parse(text);
    } catch {
      problems.push(`${PROJECT}:${key}: is not valid YAML/JSON structured config`);
    }
  }
  const parsed = stackSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${PROJECT}:${formatPath(issue.path)}: ${issue.message}`);
    throw configError(problems);
  }
  const stack = parsed.data;
  problems.push(...regionProblems(stack, raw.get("aws:region")));
  for (const [i, c] of stack.connectors.entries()) {
    try {
      connectorNames(stackName, c.name);
      checkEnvironmentSize(c.name, worstCaseEnvironment(stackName, c, stack), `${PROJECT}:connectors[${i}]`);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const credentials = readCredentials(raw, stack, problems);
  if (problems.length > 0) throw configError(problems);
  return { stack, credentials };
}

/** `["connectors", 0, "baseUrl"]` → `connectors[0].baseUrl`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

function configError(problems: string[]): ConfigError {
  return new ConfigError(
    problems.length === 1
      ? `invalid stack config: ${problems[0]}`
      : `invalid stack config:\n  ${problems.join("\n  ")}`,
  );
}

/**
 * OCSF classes the connector's mappings can produce that none of its custom sources takes. The pipeline
 * quarantines such events (kept with the reason, never in the lake), so a deploy warns about each one.
 */
export function unroutedClasses(connector: ConnectorConfig): number[] {
  const source = connector.mapping ?? connector.kind;
  const configured = new Set(connector.customSources.map((s) => s.classUid));
  const produced = loadSourceMappings(source).classes.map((c) => c.classUid);
  return [...new Set(produced)].filter((uid) => !configured.has(uid)).sort((a, b) => a - b);
}
