import { z } from "zod";
import { ConfigError } from "../functions/core/errors.ts";
import { loadSourceMappings } from "../functions/core/mapping/engine.ts";
import { ocsf } from "../functions/core/ocsf/schema.ts";
import { connectorNames, NAME_PATTERN } from "./names.ts";

/** The Pulumi project name: stack config keys are `seclake-pipelines:<key>`. */
export const PROJECT = "seclake-pipelines";

/** Kinds of connector: the three SaaS APIs, and an S3 inbox that a producer (Zscaler DSPM) writes NDJSON into. */
export const CONNECTOR_KINDS = ["sailpoint", "okta", "onelogin", "s3-inbox"] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

/** Mapping sources in mappings/ (the `seclake map --source` values). */
export const MAPPING_SOURCES = ["sailpoint", "okta", "onelogin", "zscaler-dspm"] as const;

/** SailPoint's search API returns at most 10,000 results per query (searchAfter paging included). */
export const SAILPOINT_MAX_EVENTS = 10_000;
/** Never schedule a connector more often than this: a run must finish before the next one starts. */
export const MIN_SCHEDULE_MINUTES = 5;

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
    /** Tenant API base URL (https://<tenant>.api.identitynow.com, https://<org>.okta.com, …). */
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
      })
      .optional(),
    schedule: scheduleSchema,
    maxEvents: z.number().int().min(1).max(100_000).default(SAILPOINT_MAX_EVENTS),
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
  })
  .superRefine((c, ctx) => {
    const add = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    if (c.kind === "s3-inbox") {
      if (!c.inbox) add(["inbox"], "is required for kind s3-inbox ({ bucket, prefix })");
      if (!c.mapping)
        add(["mapping"], `is required for kind s3-inbox (one of ${MAPPING_SOURCES.join(", ")})`);
    } else {
      if (!c.baseUrl) add(["baseUrl"], `is required for kind ${c.kind} (the tenant's API base URL)`);
      if (c.inbox) add(["inbox"], `is only for kind s3-inbox, not ${c.kind}`);
    }
    if (c.kind === "sailpoint" && c.maxEvents > SAILPOINT_MAX_EVENTS) {
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
  });

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
    }),
    staging: z
      .object({
        /** An existing bucket shared by every connector; when absent each connector gets its own. */
        bucket: z.string().regex(BUCKET, "must be an S3 bucket name").optional(),
        expirationDays: z.number().int().min(1).max(3650).default(14),
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
    const connectorNamesSeen = new Map<string, number>();
    const sourceNamesSeen = new Map<string, string>();
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

/** Credentials per connector kind, read from the secret config key `credentials`. */
const credentialSchemas = {
  sailpoint: z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) }).strict(),
  onelogin: z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) }).strict(),
  okta: z.object({ apiToken: z.string().min(1) }).strict(),
} as const;
export type Credentials = Record<string, Record<string, string>>;

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
  for (const c of stack.connectors) {
    try {
      connectorNames(stackName, c.name);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const credentials = readCredentials(raw, stack, problems);
  if (problems.length > 0) throw configError(problems);
  return { stack, credentials };
}

function readCredentials(raw: RawConfig, stack: StackConfig, problems: string[]): Credentials {
  const key = `${PROJECT}:credentials`;
  const needing = stack.connectors.filter((c) => c.kind !== "s3-inbox");
  const text = raw.get(key);
  if (needing.length === 0) return {};
  const setHint = (c: ConnectorConfig) =>
    Object.keys(credentialSchemas[c.kind as keyof typeof credentialSchemas].shape)
      .map((field) => `pulumi config set --secret --path 'credentials["${c.name}"].${field}' <value>`)
      .join("; ");
  if (text === undefined) {
    for (const c of needing) problems.push(`${key}["${c.name}"]: missing; set it with ${setHint(c)}`);
    return {};
  }
  if (!raw.isSecret(key)) {
    problems.push(
      `${key}: must be set with --secret (it holds API credentials); re-set each value with --secret`,
    );
    return {};
  }
  let all: unknown;
  try {
    all = JSON.parse(text);
  } catch {
    problems.push(`${key}: must be an object keyed by connector name`);
    return {};
  }
  const out: Credentials = {};
  for (const c of needing) {
    const value = (all as Record<string, unknown> | null)?.[c.name];
    const schema = credentialSchemas[c.kind as keyof typeof credentialSchemas];
    const result = schema.safeParse(value);
    if (!result.success) {
      // Name the fields only: a zod message could echo the secret value.
      const fields = [...new Set(result.error.issues.map((i) => formatPath(i.path) || "(value)"))].join(", ");
      problems.push(
        `${key}["${c.name}"]: ${fields}: missing or not a non-empty string; set it with ${setHint(c)}`,
      );
      continue;
    }
    out[c.name] = result.data;
  }
  const known = new Set(needing.map((c) => c.name));
  for (const name of Object.keys((all as Record<string, unknown>) ?? {})) {
    if (!known.has(name)) problems.push(`${key}["${name}"]: no API connector of that name`);
  }
  return out;
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
 * Why an EventBridge Scheduler expression is not acceptable, or undefined when it is. Accepts
 * `rate(N minute|minutes|hour|hours|day|days)` and six-field `cron(...)`; rejects anything that can fire
 * more often than every MIN_SCHEDULE_MINUTES minutes, because one execution must end before the next
 * begins (a second concurrent run would open the same checkpoint window).
 */
export function scheduleProblem(expression: string): string | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2] as string;
    if (n < 1) return `"${expression}": the rate must be at least 1`;
    if ((n === 1) !== !unit.endsWith("s"))
      return `"${expression}": write "${n} ${n === 1 ? unit.replace(/s$/, "") : unit.replace(/s?$/, "s")}"`;
    const minutes = n * (unit.startsWith("minute") ? 1 : unit.startsWith("hour") ? 60 : 1440);
    if (minutes < MIN_SCHEDULE_MINUTES) {
      return `"${expression}" runs every ${minutes} minute(s); the minimum is every ${MIN_SCHEDULE_MINUTES} minutes`;
    }
    return undefined;
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) return `"${expression}" must be rate(<n> <minutes|hours|days>) or cron(<6 fields>)`;
  const fields = (cron[1] as string).trim().split(/\s+/);
  if (fields.length !== 6)
    return `"${expression}": cron needs 6 fields (minutes hours day-of-month month day-of-week year)`;
  const minutes = cronMinutes(fields[0] as string);
  if (!minutes) return `"${expression}": cannot read the minutes field "${fields[0]}"`;
  const hours = fields[1] as string;
  const everyHour = hours === "*" || hours.includes("/") || hours.includes(",") || hours.includes("-");
  const gap = smallestGap(minutes, everyHour);
  if (gap < MIN_SCHEDULE_MINUTES) {
    return `"${expression}" can run ${gap} minute(s) apart; the minimum is every ${MIN_SCHEDULE_MINUTES} minutes`;
  }
  return undefined;
}

/** The minutes (0-59) a cron minutes field fires at, or undefined if it is not one we can read. */
function cronMinutes(field: string): number[] | undefined {
  const out = new Set<number>();
  for (const part of field.split(",")) {
    const m = /^(\*|\d{1,2})(?:-(\d{1,2}))?(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return undefined;
    const start = m[1] === "*" ? 0 : Number(m[1]);
    const end = m[2] !== undefined ? Number(m[2]) : m[1] === "*" || m[3] !== undefined ? 59 : start;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (start > 59 || end > 59 || step < 1 || start > end) return undefined;
    for (let v = start; v <= end; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function smallestGap(minutes: number[], wrapsHourly: boolean): number {
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < minutes.length; i++)
    gap = Math.min(gap, (minutes[i] as number) - (minutes[i - 1] as number));
  if (wrapsHourly) gap = Math.min(gap, 60 - (minutes.at(-1) as number) + (minutes[0] as number));
  return gap;
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
