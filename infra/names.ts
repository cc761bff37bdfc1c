import { ConfigError } from "../functions/core/errors.ts";
import type { ConnectorMode } from "../functions/core/pipeline/definition.ts";

/** The Pulumi project name: stack config keys are `seclake-pipelines:<key>`. */
export const PROJECT = "seclake-pipelines";

/**
 * Physical AWS names of one connector's resources, derived from the stack and the connector name only,
 * so two stacks (dev, prod) or two connectors never collide, and a name never depends on an Output.
 * Every name is checked against the service's length and character rules when it is built: a stack or
 * connector name that would break one fails `pulumi preview` with the name, the rule and the fix,
 * instead of failing halfway through `pulumi up`.
 */
export interface ConnectorNames {
  /** `seclake-<stack>-<connector>`: prefix of the Lambda, role, state machine and schedule names. */
  readonly base: string;
  function(role: FunctionRole): string;
  functionRole(role: FunctionRole): string;
  functionLogGroup(role: FunctionRole): string;
  readonly stateMachine: string;
  readonly stateMachineRole: string;
  readonly stateMachineLogGroup: string;
  readonly schedule: string;
  readonly scheduleRole: string;
  readonly checkpointParameter: string;
  readonly secret: string;
  /** Prefix for the staging bucket's generated name (S3 names are global, so Pulumi adds a suffix). */
  readonly stagingBucketPrefix: string;
  readonly stagingDatabase: string;
  readonly stagingCrawler: string;
  readonly stagingCrawlerRole: string;
  readonly lakeCrawlerRole: string;
  readonly failedExecutionsAlarm: string;
  readonly lakeCrawlerAlarm: string;
  readonly lagAlarm: string;
  /** Push connectors: the queue the partner event bus's rule feeds, its dead-letter queue, the rule. */
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly intakeRule: string;
  readonly deadLetterAlarm: string;
  readonly queueAgeAlarm: string;
}

/**
 * Every Lambda function a connector can have, in ASL order; also the handler file names in
 * functions/handlers. `acknowledge` exists only for push connectors (`functionRolesFor`).
 */
export const FUNCTION_ROLES = [
  "loadCheckpoint",
  "fetch",
  "map",
  "convert",
  "commit",
  "acknowledge",
  "recordFailure",
] as const;
export type FunctionRole = (typeof FUNCTION_ROLES)[number];

/** Functions only push connectors have: a pull connector's Acknowledge state is a Pass (definitionFor). */
export const PUSH_ONLY_ROLES: ReadonlySet<FunctionRole> = new Set(["acknowledge"]);

/** The functions a connector of `mode` deploys, in ASL order: six for pull, seven for push. */
export function functionRolesFor(mode: ConnectorMode): readonly FunctionRole[] {
  return mode === "push" ? FUNCTION_ROLES : FUNCTION_ROLES.filter((r) => !PUSH_ONLY_ROLES.has(r));
}

interface Rule {
  readonly what: string;
  readonly max: number;
  readonly pattern: RegExp;
  readonly charset: string;
}

// Limits from each service's API reference (CreateFunction FunctionName, CreateRole RoleName,
// CreateStateMachine name, CreateSchedule Name, PutParameter Name, CreateSecret Name, CreateDatabase Name,
// CreateCrawler Name, CreateLogGroup logGroupName, PutMetricAlarm AlarmName, CreateBucket rules,
// CreateQueue QueueName, PutRule Name).
const RULES = {
  lambda: { what: "Lambda function name", max: 64, pattern: /^[A-Za-z0-9_-]+$/, charset: "A-Z a-z 0-9 - _" },
  role: { what: "IAM role name", max: 64, pattern: /^[\w+=,.@-]+$/, charset: "A-Z a-z 0-9 _ + = , . @ -" },
  stateMachine: {
    what: "Step Functions state machine name",
    max: 80,
    pattern: /^[A-Za-z0-9_-]+$/,
    charset: "A-Z a-z 0-9 - _",
  },
  schedule: {
    what: "EventBridge schedule name",
    max: 64,
    pattern: /^[0-9A-Za-z_.-]+$/,
    charset: "0-9 A-Z a-z - _ .",
  },
  ssm: {
    what: "SSM parameter name",
    max: 1011,
    pattern: /^\/[A-Za-z0-9_.\-/]+$/,
    charset: "A-Z a-z 0-9 _ . - /",
  },
  secret: {
    what: "Secrets Manager secret name",
    max: 512,
    pattern: /^[\w/+=.@-]+$/,
    charset: "A-Z a-z 0-9 / _ + = . @ -",
  },
  glueDatabase: { what: "Glue database name", max: 255, pattern: /^[a-z0-9_]+$/, charset: "a-z 0-9 _" },
  crawler: { what: "Glue crawler name", max: 255, pattern: /^[A-Za-z0-9_-]+$/, charset: "A-Z a-z 0-9 - _" },
  logGroup: {
    what: "CloudWatch log group name",
    max: 512,
    pattern: /^[\w\-/.#]+$/,
    charset: "A-Z a-z 0-9 _ - / . #",
  },
  alarm: { what: "CloudWatch alarm name", max: 255, pattern: /^[\x20-\x7e]+$/, charset: "printable ASCII" },
  // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html (QueueName)
  queue: { what: "SQS queue name", max: 80, pattern: /^[A-Za-z0-9_-]+$/, charset: "A-Z a-z 0-9 - _" },
  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html (Name)
  eventRule: {
    what: "EventBridge rule name",
    max: 64,
    pattern: /^[.\-_A-Za-z0-9]+$/,
    charset: "A-Z a-z 0-9 . - _",
  },
  dashboard: {
    what: "CloudWatch dashboard name",
    max: 255,
    pattern: /^[A-Za-z0-9_-]+$/,
    charset: "A-Z a-z 0-9 - _",
  },
  // bucketPrefix leaves 26 characters for Pulumi's generated suffix (63 in all).
  bucketPrefix: {
    what: "S3 bucket name prefix",
    max: 37,
    pattern: /^[a-z0-9][a-z0-9-]*$/,
    charset: "a-z 0-9 -",
  },
} satisfies Record<string, Rule>;

/** Checks one physical name against its rule; throws `ConfigError` naming the name, the rule and the fix. */
export function checkName(kind: keyof typeof RULES, name: string, from: string): string {
  const rule = RULES[kind];
  if (name.length > rule.max) {
    throw new ConfigError(
      `${rule.what} "${name}" is ${name.length} characters, the limit is ${rule.max}: shorten ${from}`,
    );
  }
  if (!rule.pattern.test(name)) {
    throw new ConfigError(`${rule.what} "${name}" may only contain ${rule.charset}: change ${from}`);
  }
  return name;
}

/** Stack and connector names: lower-case letters, digits and single hyphens, starting with a letter. */
export const NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

/** `recordFailure` → `record-failure`: physical names stay lower-case and hyphenated. */
export function kebab(role: FunctionRole): string {
  return role.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Every physical name of a connector. Throws `ConfigError` if the stack or connector name is not
 * lower-case kebab, or if any derived name breaks its service's limit (the message says which to shorten).
 * Afterwards every returned name satisfies its service's length and character rules.
 */
export function connectorNames(stack: string, connector: string): ConnectorNames {
  if (!NAME_PATTERN.test(stack)) {
    throw new ConfigError(
      `stack name "${stack}" must be lower-case letters, digits and single hyphens, starting with a letter`,
    );
  }
  if (!NAME_PATTERN.test(connector)) {
    throw new ConfigError(
      `connectors: name "${connector}" must be lower-case letters, digits and single hyphens, starting with a letter`,
    );
  }
  const from = `the stack name "${stack}" or the connector name "${connector}" (connectors[].name)`;
  const base = `seclake-${stack}-${connector}`;
  const snake = base.replaceAll("-", "_");
  const names: ConnectorNames = {
    base,
    function: (role) => checkName("lambda", `${base}-${kebab(role)}`, from),
    functionRole: (role) => checkName("role", `${base}-${kebab(role)}`, from),
    functionLogGroup: (role) => checkName("logGroup", `/aws/lambda/${base}-${kebab(role)}`, from),
    stateMachine: checkName("stateMachine", base, from),
    stateMachineRole: checkName("role", `${base}-sm`, from),
    // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account's CloudWatch Logs resource
    // policy past its size limit (Step Functions logging docs).
    stateMachineLogGroup: checkName("logGroup", `/aws/vendedlogs/states/${base}`, from),
    schedule: checkName("schedule", base, from),
    scheduleRole: checkName("role", `${base}-schedule`, from),
    checkpointParameter: checkName("ssm", `/seclake/${stack}/${connector}/checkpoint`, from),
    secret: checkName("secret", `seclake/${stack}/${connector}/credentials`, from),
    // Cut to fit: the generated suffix keeps bucket names unique, and tags name the connector.
    stagingBucketPrefix: checkName(
      "bucketPrefix",
      `${base.slice(0, RULES.bucketPrefix.max - 1).replace(/-+$/, "")}-`,
      from,
    ),
    stagingDatabase: checkName("glueDatabase", `${snake}_staging`, from),
    stagingCrawler: checkName("crawler", `${base}-staging`, from),
    stagingCrawlerRole: checkName("role", `${base}-crawler`, from),
    lakeCrawlerRole: checkName("role", `${base}-lake-crawler`, from),
    failedExecutionsAlarm: checkName("alarm", `${base} failed executions`, from),
    lakeCrawlerAlarm: checkName("alarm", `${base} lake crawler not started`, from),
    lagAlarm: checkName("alarm", `${base} checkpoint lag`, from),
    queue: checkName("queue", `${base}-events`, from),
    deadLetterQueue: checkName("queue", `${base}-events-dlq`, from),
    intakeRule: checkName("eventRule", `${base}-intake`, from),
    deadLetterAlarm: checkName("alarm", `${base} dead-letter messages`, from),
    queueAgeAlarm: checkName("alarm", `${base} queued events age`, from),
  };
  // Build every per-function name once now, so a name that is too long fails before any resource exists.
  for (const role of FUNCTION_ROLES) {
    names.function(role);
    names.functionRole(role);
    names.functionLogGroup(role);
  }
  return names;
}
