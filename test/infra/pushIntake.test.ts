import { beforeAll, describe, expect, it } from "vitest";
import { loadEnvironment } from "../../functions/handlers/environment.ts";
import { ACCOUNT, type Declared, REGION, type Recorded } from "../helpers/pulumiHarness.ts";
import { runProgramWithPush } from "./pushOutputs.ts";

// Pulumi.dev.yaml's okta-push connector (mode push) beside its pull connectors, under mocks. Mocks accept
// any input, so each documented AWS constraint is asserted on the inputs here.
const NAME = "okta-push";
const EVENT_SOURCE = "aws.partner/okta.com/example/seclakedev";
const base = `seclake-dev-${NAME}`;
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const queueArn = arn("sqs", `${base}-events`);
const dlqArn = arn("sqs", `${base}-events-dlq`);
const ruleArn = arn("events", `rule/${EVENT_SOURCE}/${base}-intake`);

let resources: Recorded[];
let declared: Declared[];
beforeAll(async () => {
  ({ resources, declared } = await runProgramWithPush("dev"));
}, 60_000);

const ofType = (type: string) => resources.filter((r) => r.type === type);
const mine = (type: string, connector = NAME) =>
  ofType(type).filter((r) => r.name.startsWith(`${connector}-`));
const named = (name: string) => {
  const found = resources.filter((r) => r.name === name);
  expect(found, name).toHaveLength(1);
  return found[0] as Recorded;
};
const json = (value: unknown) => JSON.parse(value as string);

describe("a push connector's intake", () => {
  it("one partner event bus, named exactly as its partner event source (CreateEventBus)", () => {
    const buses = mine("aws:cloudwatch/eventBus:EventBus");
    expect(buses.map((b) => b.inputs)).toEqual([
      expect.objectContaining({ name: EVENT_SOURCE, eventSourceName: EVENT_SOURCE }),
    ]);
    // Pull connectors get none of the intake.
    for (const type of [
      "aws:cloudwatch/eventBus:EventBus",
      "aws:sqs/queue:Queue",
      "aws:cloudwatch/eventRule:EventRule",
    ])
      expect(
        ofType(type).every((r) => r.name.startsWith(`${NAME}-`)),
        type,
      ).toBe(true);
  });

  it("a rule on that bus matching the partner source's events (partner events carry it as `source`)", () => {
    const rule = named(`${NAME}-push-rule`);
    expect(rule.inputs).toMatchObject({
      name: `${base}-intake`,
      eventBusName: EVENT_SOURCE,
      state: "ENABLED",
    });
    expect(json(rule.inputs.eventPattern)).toEqual({ source: [EVENT_SOURCE] });
  });

  it("the rule's one target: the queue, with its own dead-letter queue and retry policy, and no role", () => {
    const targets = mine("aws:cloudwatch/eventTarget:EventTarget");
    expect(targets).toHaveLength(1);
    const target = targets[0] as Recorded;
    expect(target.inputs).toMatchObject({
      rule: `${base}-intake`,
      eventBusName: EVENT_SOURCE,
      arn: queueArn,
      deadLetterConfig: { arn: dlqArn },
      retryPolicy: { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 },
    });
    // EventBridge: no RoleArn for SQS targets (resource-based policy only).
    expect(target.inputs.roleArn).toBeUndefined();
    const retry = target.inputs.retryPolicy as {
      maximumEventAgeInSeconds: number;
      maximumRetryAttempts: number;
    };
    expect(retry.maximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
    expect(retry.maximumEventAgeInSeconds).toBeLessThanOrEqual(86_400);
    expect(retry.maximumRetryAttempts).toBeLessThanOrEqual(185);
    // Declared after both queue policies, so no first delivery is refused.
    const d = declared.find((x) => x.name === target.name);
    expect(d?.dependsOn.slice().sort()).toEqual([`${NAME}-push-dlq-policy`, `${NAME}-push-queue-policy`]);
  });

  it("the queue: 14-day retention, SSE-SQS, visibility = the 2-hour window lease (<= 12 h), long polling <= 20 s, redrive after 5 receives", () => {
    const queue = named(`${NAME}-push-queue`);
    expect(queue.inputs).toMatchObject({
      name: `${base}-events`,
      messageRetentionSeconds: 1_209_600,
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: 7200,
    });
    expect(queue.inputs.visibilityTimeoutSeconds as number).toBeLessThanOrEqual(43_200);
    expect(queue.inputs.receiveWaitTimeSeconds as number).toBeGreaterThan(0);
    expect(queue.inputs.receiveWaitTimeSeconds as number).toBeLessThanOrEqual(20);
    expect(json(queue.inputs.redrivePolicy)).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 });
    expect(queue.inputs.kmsMasterKeyId).toBeUndefined();
  });

  it("the dead-letter queue: 14-day retention, SSE-SQS, and it takes redriven messages from the queue only", () => {
    const dlq = named(`${NAME}-push-dlq`);
    expect(dlq.inputs).toMatchObject({
      name: `${base}-events-dlq`,
      messageRetentionSeconds: 1_209_600,
      sqsManagedSseEnabled: true,
    });
    expect(dlq.inputs.redrivePolicy).toBeUndefined();
    const allow = named(`${NAME}-push-dlq-redrive-allow`);
    expect(allow.inputs.queueUrl).toBe(`https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${base}-events-dlq`);
    expect(json(allow.inputs.redriveAllowPolicy)).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: [queueArn],
    });
  });

  it.each([
    ["queue", `${NAME}-push-queue-policy`, `${base}-events`, queueArn],
    ["dead-letter queue", `${NAME}-push-dlq-policy`, `${base}-events-dlq`, dlqArn],
  ])(
    "the %s admits only EventBridge's SendMessage, only for this rule (aws:SourceArn)",
    (_what, policyName, queueName, resource) => {
      const policy = named(policyName);
      expect(policy.inputs.queueUrl).toBe(`https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${queueName}`);
      expect(json(policy.inputs.policy).Statement).toEqual([
        {
          Sid: "OwnIntakeRuleOnly",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: ["sqs:SendMessage"],
          Resource: resource,
          Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
        },
      ]);
    },
  );

  it("the intake is one seclake:index:PushIntake below the connector, its resources below it", () => {
    const intake = declared.filter((d) => d.type === "seclake:index:PushIntake");
    expect(intake.map((d) => [d.name, d.parentName])).toEqual([[`${NAME}-push`, NAME]]);
    const parentOf = (name: string) => declared.find((d) => d.name === name)?.parentName;
    expect(["bus", "rule", "queue", "dlq"].map((r) => parentOf(`${NAME}-push-${r}`))).toEqual([
      `${NAME}-push`,
      `${NAME}-push`,
      `${NAME}-push`,
      `${NAME}-push`,
    ]);
  });
});

describe("a push connector's functions and state machine", () => {
  it("seven functions; the state machine may invoke Acknowledge and its Acknowledge Task does", () => {
    const acknowledge = named(`${NAME}-acknowledge`);
    expect(acknowledge.inputs).toMatchObject({
      name: `${base}-acknowledge`,
      handler: "acknowledge.handler",
      memorySize: 512,
      timeout: 900,
    });
    const fnArn = arn("lambda", `function:${base}-acknowledge`);
    const sm = named(`${NAME}-sm`);
    expect(json(sm.inputs.definition).States.Acknowledge).toMatchObject({ Type: "Task", Resource: fnArn });
    const smPolicy = json(named(`${NAME}-sm-policy`).inputs.policy);
    expect(
      smPolicy.Statement.find((s: { Sid: string }) => s.Sid === "InvokeOwnFunctions").Resource,
    ).toContain(fnArn);
    // A pull connector's state machine invokes no Acknowledge function.
    const pullPolicy = json(named("okta-prod-sm-policy").inputs.policy);
    const invoked = pullPolicy.Statement.find(
      (s: { Sid: string }) => s.Sid === "InvokeOwnFunctions",
    ).Resource;
    expect(invoked.some((r: string) => r.endsWith("-acknowledge"))).toBe(false);
    expect(resources.filter((r) => r.name === "okta-prod-acknowledge")).toEqual([]);
  });

  it("no secret without credentials, and no base URL needed (the handlers' parser still accepts it)", async () => {
    const { resources: bare } = await runProgramWithPush("dev", (config) => {
      const connectors = config["seclake-pipelines:connectors"] as Record<string, unknown>[];
      delete (connectors.find((c) => c.name === NAME) as Record<string, unknown>).baseUrl;
      delete (config["seclake-pipelines:credentials"] as Record<string, unknown>)[NAME];
    });
    expect(
      bare.filter((r) => r.type.startsWith("aws:secretsmanager/") && r.name.startsWith(`${NAME}-`)),
    ).toEqual([]);
    const fetch = bare.find((r) => r.name === `${NAME}-fetch`) as Recorded;
    const variables = (fetch.inputs.environment as { variables: Record<string, string> }).variables;
    expect(variables.SECLAKE_BASE_URL).toBeUndefined();
    expect(variables.SECLAKE_SECRET_ID).toBeUndefined();
    expect(loadEnvironment(variables)).toMatchObject({
      mode: "push",
      eventSource: EVENT_SOURCE,
      baseUrl: "",
    });
    const policy = json((bare.find((r) => r.name === `${NAME}-fetch-policy`) as Recorded).inputs.policy);
    expect(JSON.stringify(policy)).not.toContain("secretsmanager");
  }, 60_000);
});

describe("a push connector's alarms and dashboard", () => {
  const alarm = (metricName: string) =>
    mine("aws:cloudwatch/metricAlarm:MetricAlarm").find(
      (a) => a.inputs.metricName === metricName,
    ) as Recorded;

  it("dead-letter queue depth > 0 (AWS/SQS ApproximateNumberOfMessagesVisible on the DLQ)", () => {
    expect(alarm("ApproximateNumberOfMessagesVisible").inputs).toMatchObject({
      name: `${base} dead-letter messages`,
      namespace: "AWS/SQS",
      dimensions: { QueueName: `${base}-events-dlq` },
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
    });
  });

  it("the oldest queued event older than the lag alarm's threshold plus the visibility timeout", () => {
    const lag = mine("aws:cloudwatch/metricAlarm:MetricAlarm").find(
      (a) => a.inputs.metricName === "CheckpointLagSeconds",
    ) as Recorded;
    // rate(15 minutes), lagAlarmMultiple 3, lagSeconds 300: 3 × 900 + 300 = 3,000 s.
    expect(lag.inputs.threshold).toBe(3000);
    expect(alarm("ApproximateAgeOfOldestMessage").inputs).toMatchObject({
      name: `${base} queued events age`,
      namespace: "AWS/SQS",
      dimensions: { QueueName: `${base}-events` },
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 3000 + 7200,
    });
  });

  it("alarms notify alarmTopicArn when set", async () => {
    const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:seclake-alarms`;
    const { resources: withTopic } = await runProgramWithPush("dev", (config) => {
      config["seclake-pipelines:alarmTopicArn"] = topic;
    });
    const queueAlarms = withTopic.filter(
      (r) =>
        r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" &&
        r.name.startsWith(`${NAME}-`) &&
        r.inputs.namespace === "AWS/SQS",
    );
    expect(queueAlarms).toHaveLength(2);
    for (const a of queueAlarms)
      expect(a.inputs).toMatchObject({ alarmActions: [topic], okActions: [topic] });
  }, 60_000);

  it("the connector's dashboard row ends with its queue and pushed-message widgets", () => {
    const body = json(ofType("aws:cloudwatch/dashboard:Dashboard")[0]?.inputs.dashboardBody) as {
      widgets: { type: string; properties: { title?: string; markdown?: string; metrics?: unknown[][] } }[];
    };
    const start = body.widgets.findIndex((w) => w.properties.markdown === `## Connector ${NAME}`);
    const row = body.widgets.slice(start + 1).map((w) => w.properties.title);
    // The pull widgets first (events, per source, executions, lag), then the queue's two.
    expect(row[0]).toBe(`${NAME}: events`);
    expect(row.slice(-2)).toEqual([`${NAME}: queue`, `${NAME}: pushed messages`]);
    const queue = body.widgets.find((w) => w.properties.title === `${NAME}: queue`);
    expect(queue?.properties.metrics?.map((m) => [m[1], m[3]])).toEqual([
      ["ApproximateNumberOfMessagesVisible", `${base}-events`],
      ["ApproximateNumberOfMessagesNotVisible", `${base}-events`],
      ["ApproximateNumberOfMessagesVisible", `${base}-events-dlq`],
      ["ApproximateAgeOfOldestMessage", `${base}-events`],
    ]);
    // Pull connectors' rows have no queue widget.
    expect(body.widgets.filter((w) => w.properties.title?.endsWith(": queue"))).toHaveLength(1);
  });
});

describe("splitting infra/connector.ts kept every existing resource's name and parent (URN)", () => {
  it.each(["sailpoint-prod", "okta-prod", "onelogin-prod", "dspm-inbox"])("%s", (c) => {
    const parentOf = new Map(declared.map((d) => [d.name, d.parentName]));
    const roles = ["loadCheckpoint", "fetch", "map", "convert", "commit", "recordFailure"];
    // As declared before the split: the pipeline's resources directly below the Connector, each
    // function's policy below its role, the schedule's and state machine's policies below theirs.
    const expected: [string, string][] = [
      ...roles.flatMap((r): [string, string][] => [
        [`${c}-${r}-role`, c],
        [`${c}-${r}-logs`, c],
        [`${c}-${r}`, c],
        [`${c}-${r}-policy`, `${c}-${r}-role`],
      ]),
      [`${c}-sm-role`, c],
      [`${c}-sm-policy`, `${c}-sm-role`],
      [`${c}-sm-logs`, c],
      [`${c}-sm`, c],
      [`${c}-schedule-role`, c],
      [`${c}-schedule-policy`, `${c}-schedule-role`],
      [`${c}-schedule`, c],
      [`${c}-staging`, c],
      [`${c}-state`, c],
      [`${c}-sources`, c],
      [`${c}-observability`, c],
    ];
    for (const [name, parent] of expected) expect(parentOf.get(name), name).toBe(parent);
    const children = declared.filter((d) => d.parentName === c).map((d) => d.name);
    expect(children.sort()).toEqual(
      expected
        .filter(([, p]) => p === c)
        .map(([n]) => n)
        .sort(),
    );
  });
});
