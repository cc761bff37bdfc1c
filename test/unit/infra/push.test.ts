import { describe, expect, it } from "vitest";
import { loadEnvironment } from "../../../functions/handlers/environment.ts";
import { loadConfig, PARTNER_EVENT_SOURCE, PROJECT } from "../../../infra/config.ts";
import { pushMessagesWidget, queueWidget } from "../../../infra/dashboard.ts";
import {
  environmentSize,
  handlerEnvironment,
  LAMBDA_ENVIRONMENT_LIMIT,
  PENDING_LEASE_SECONDS,
  worstCaseEnvironment,
} from "../../../infra/lambdaEnvironment.ts";
import { lambdaSizing } from "../../../infra/lambdaSizing.ts";
import { FUNCTION_ROLES } from "../../../infra/names.ts";
import { queueAgeThresholdSeconds } from "../../../infra/observability.ts";
import {
  EVENTBRIDGE_RETRY_LIMITS,
  PUSH_QUEUE,
  PUSH_TARGET_RETRY,
  partnerEventPattern,
  SQS_LIMITS,
} from "../../../infra/pushIntake.ts";
import { eventBridgeQueuePolicy } from "../../../infra/queuePolicy.ts";
import { asPulumiConfig, readStackYaml, syntheticCredentials } from "../../helpers/stackConfig.ts";

const dev = (() => {
  const config = readStackYaml("dev");
  config[`${PROJECT}:credentials`] = syntheticCredentials(config);
  const strings = asPulumiConfig(config);
  return loadConfig({ get: (k) => strings[k], isSecret: () => true }, "dev").stack;
})();
const oktaPush = dev.connectors.find((c) => c.name === "okta-push");
if (!oktaPush) throw new Error("Pulumi.dev.yaml has no okta-push connector");
const oktaPull = dev.connectors.find((c) => c.name === "okta-prod");
if (!oktaPull) throw new Error("Pulumi.dev.yaml has no okta-prod connector");

describe("the queues stay inside SQS's documented limits (mocks would accept anything)", () => {
  it("visibility timeout: the pending-window lease, at most 12 hours", () => {
    expect(PUSH_QUEUE.visibilitySeconds).toBe(PENDING_LEASE_SECONDS);
    expect(PUSH_QUEUE.visibilitySeconds).toBe(7200);
    expect(PUSH_QUEUE.visibilitySeconds).toBeLessThanOrEqual(SQS_LIMITS.maxVisibilitySeconds);
    expect(SQS_LIMITS.maxVisibilitySeconds).toBe(12 * 3600);
  });

  it("retention 14 days (the maximum), long polling at most 20 s, redrive after 5 receives (1-1000)", () => {
    expect(PUSH_QUEUE.retentionSeconds).toBe(1_209_600);
    expect(SQS_LIMITS.maxRetentionSeconds).toBe(14 * 86_400);
    expect(PUSH_QUEUE.receiveWaitSeconds).toBeGreaterThan(0);
    expect(PUSH_QUEUE.receiveWaitSeconds).toBeLessThanOrEqual(20);
    expect(PUSH_QUEUE.maxReceiveCount).toBe(5);
    expect(PUSH_QUEUE.maxReceiveCount).toBeLessThanOrEqual(SQS_LIMITS.maxReceiveCount);
  });

  it("EventBridge retries within its RetryPolicy range (event age 60-86,400 s, 0-185 attempts)", () => {
    expect(PUSH_TARGET_RETRY.maximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
    expect(PUSH_TARGET_RETRY.maximumEventAgeInSeconds).toBeLessThanOrEqual(
      EVENTBRIDGE_RETRY_LIMITS.maxEventAgeSeconds,
    );
    expect(PUSH_TARGET_RETRY.maximumRetryAttempts).toBeLessThanOrEqual(
      EVENTBRIDGE_RETRY_LIMITS.maxRetryAttempts,
    );
    expect(EVENTBRIDGE_RETRY_LIMITS).toEqual({ maxEventAgeSeconds: 86_400, maxRetryAttempts: 185 });
  });
});

describe("EventBridge to SQS", () => {
  const queueArn = "arn:aws:sqs:us-east-1:111122223333:seclake-dev-okta-push-events";
  const ruleArn =
    "arn:aws:events:us-east-1:111122223333:rule/aws.partner/okta.com/example/seclakedev/seclake-dev-okta-push-intake";

  it("the queue policy admits events.amazonaws.com SendMessage only for the intake rule", () => {
    expect(eventBridgeQueuePolicy({ queueArn, ruleArn })).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "OwnIntakeRuleOnly",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: ["sqs:SendMessage"],
          Resource: queueArn,
          Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
        },
      ],
    });
  });

  it("the rule matches the partner event source by `source`, which partner events carry", () => {
    expect(JSON.parse(partnerEventPattern("aws.partner/okta.com/example/seclakedev"))).toEqual({
      source: ["aws.partner/okta.com/example/seclakedev"],
    });
  });

  it("partner event source names as EventBridge documents them", () => {
    for (const ok of [
      "aws.partner/okta.com/example/seclakedev",
      "aws.partner/onelogin.com/US-123456/ffff_0.9",
    ])
      expect(ok).toMatch(PARTNER_EVENT_SOURCE);
    for (const bad of [
      "aws.partner/okta.com",
      "okta.com/example/x",
      "aws.partner/okta.com/a b",
      "aws.partner//x",
    ])
      expect(bad).not.toMatch(PARTNER_EVENT_SOURCE);
  });
});

describe("push connector functions", () => {
  it("every function gets SECLAKE_MODE, the queue URL and the event source, which the handlers' parser accepts", () => {
    const queueUrl = "https://sqs.us-east-1.amazonaws.com/111122223333/seclake-dev-okta-push-events";
    const variables = handlerEnvironment({
      connector: oktaPush,
      lake: dev.securityLake,
      stagingBucket: "seclake-dev-okta-push-x",
      stagingDatabase: "seclake_dev_okta_push_staging",
      checkpointParameter: "/seclake/dev/okta-push/checkpoint",
      secretId: undefined,
      customSourcesJson: JSON.stringify([
        {
          name: "okta-eb-auth",
          classUid: 3002,
          providerRoleArn: "arn:aws:iam::111122223333:role/p",
          externalId: "okta-eb-auth-x",
          lakePrefix: "ext/okta-eb-auth/",
        },
      ]),
      mappingsDir: "/var/task/mappings",
      queueUrl,
    });
    expect(variables).toMatchObject({
      SECLAKE_MODE: "push",
      SECLAKE_QUEUE_URL: queueUrl,
      SECLAKE_EVENT_SOURCE: "aws.partner/okta.com/example/seclakedev",
    });
    expect(loadEnvironment(variables)).toMatchObject({
      mode: "push",
      queueUrl,
      eventSource: "aws.partner/okta.com/example/seclakedev",
      sourceKind: "okta",
    });
    // No API access needed: without a base URL or a secret the environment still parses.
    const { SECLAKE_BASE_URL: _, ...withoutApi } = variables;
    expect(loadEnvironment(withoutApi).mode).toBe("push");
  });

  it("a pull connector's environment has no push variables (what it was before push existed)", () => {
    const variables = worstCaseEnvironment("dev", oktaPull, dev);
    for (const key of ["SECLAKE_MODE", "SECLAKE_QUEUE_URL", "SECLAKE_EVENT_SOURCE"])
      expect(variables[key], key).toBeUndefined();
  });

  it("the worst-case push environment counts the queue URL and the event source, and fits 4 KB", () => {
    const variables = worstCaseEnvironment("dev", oktaPush, dev);
    expect(variables.SECLAKE_QUEUE_URL).toContain("seclake-dev-okta-push-events");
    expect(variables.SECLAKE_EVENT_SOURCE).toBe(oktaPush.eventSource);
    expect(environmentSize(variables)).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_LIMIT);
  });

  it("Commit and Acknowledge of a push connector have room for a window's messages.json", () => {
    expect(lambdaSizing("acknowledge", "push")).toEqual({ memoryMb: 512, timeoutSeconds: 900 });
    expect(lambdaSizing("commit", "push").memoryMb).toBeGreaterThan(lambdaSizing("commit", "pull").memoryMb);
    for (const role of FUNCTION_ROLES)
      expect(lambdaSizing(role, "push").timeoutSeconds).toBeLessThanOrEqual(900);
  });
});

describe("queue alarms and widgets", () => {
  it("the queue-age threshold is the lag alarm's plus the visibility timeout (a message in flight is still counted)", () => {
    expect(queueAgeThresholdSeconds(3 * 900 + 300)).toBe(3000 + 7200);
  });

  it("the queue widget: depth, in flight and DLQ depth on the left, oldest age on the right with its threshold", () => {
    const w = queueWidget(
      { connector: "okta-push", region: "us-east-1" },
      { queueName: "q", deadLetterQueueName: "dlq", ageThresholdSeconds: 10_200 },
    );
    const metrics = w.properties.metrics as unknown[][];
    expect(metrics.map((m) => [m[0], m[1], m[2], m[3]])).toEqual([
      ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "q"],
      ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", "q"],
      ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "dlq"],
      ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "q"],
    ]);
    expect(metrics[3]?.[4]).toMatchObject({ yAxis: "right" });
    expect(w.properties.annotations).toEqual({
      horizontal: [{ label: "queue age alarm", value: 10_200, yAxis: "right" }],
    });
    const counters = (
      pushMessagesWidget({ connector: "okta-push", region: "us-east-1" }).properties.metrics as unknown[][]
    ).map((m) => m[1]);
    expect(counters).toEqual(["DuplicatesDropped", "PoisonMessages", "AcknowledgeFailures"]);
  });
});
