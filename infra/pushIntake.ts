import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PENDING_LEASE_SECONDS } from "./lambdaEnvironment.ts";
import type { ConnectorNames } from "./names.ts";
import { eventBridgeQueuePolicy } from "./queuePolicy.ts";

/** Permanent type token (see CONNECTOR_TYPE). */
export const PUSH_INTAKE_TYPE = "seclake:index:PushIntake";

/**
 * SQS's limits on the attributes set here (CreateQueue API reference,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html):
 * VisibilityTimeout 0-43,200 s (12 h), MessageRetentionPeriod 60-1,209,600 s (14 days),
 * ReceiveMessageWaitTimeSeconds 0-20; a redrive policy's maxReceiveCount 1-1,000.
 */
export const SQS_LIMITS = {
  maxVisibilitySeconds: 43_200,
  maxRetentionSeconds: 1_209_600,
  maxReceiveWaitSeconds: 20,
  maxReceiveCount: 1_000,
} as const;

/**
 * EventBridge's retry policy limits for a target (RetryPolicy API reference,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html): event age 60-86,400 s,
 * 0-185 retries.
 */
export const EVENTBRIDGE_RETRY_LIMITS = { maxEventAgeSeconds: 86_400, maxRetryAttempts: 185 } as const;

/** The queues' settings: the values tests hold against the limits above. */
export const PUSH_QUEUE = {
  /** Both queues keep a message as long as SQS allows; the ledger outlives it (config.ts checks). */
  retentionSeconds: SQS_LIMITS.maxRetentionSeconds,
  /**
   * A received message stays invisible for as long as its window can be in flight in one execution
   * (the pending-window lease), because Acknowledge deletes it only after Commit. Nothing renews it: a
   * message that outlives it is delivered again, and Fetch drops it once its window's ids are in the
   * ledger.
   */
  visibilitySeconds: PENDING_LEASE_SECONDS,
  /** Long polling by default (Fetch also asks for its own wait per ReceiveMessage call). */
  receiveWaitSeconds: SQS_LIMITS.maxReceiveWaitSeconds,
  /** A message Fetch cannot take (not an event of this source) goes to the DLQ after this many receives. */
  maxReceiveCount: 5,
} as const;

/** EventBridge retries a failed delivery to the queue for as long and as often as it can, then dead-letters it. */
export const PUSH_TARGET_RETRY = {
  maximumEventAgeInSeconds: EVENTBRIDGE_RETRY_LIMITS.maxEventAgeSeconds,
  maximumRetryAttempts: EVENTBRIDGE_RETRY_LIMITS.maxRetryAttempts,
} as const;

/** The rule's event pattern: the partner's events carry the partner event source's name as `source`. */
export function partnerEventPattern(eventSource: string): string {
  return JSON.stringify({ source: [eventSource] });
}

export interface PushIntakeArgs {
  readonly connector: string;
  /** The partner event source name (aws.partner/okta.com/<org>/<name>), validated by config.ts. */
  readonly eventSource: string;
  readonly names: ConnectorNames;
  readonly tags: Record<string, string>;
}

/**
 * Where a push connector's events arrive (DESIGN.md §2.1): the partner event bus that takes the vendor's
 * partner event source, a rule on it that sends every event of that source to an SQS queue, and a
 * dead-letter queue for both what EventBridge cannot deliver and what Fetch cannot take. Each queue
 * admits only that rule. Afterwards `queueUrl`/`queueArn` name the queue Fetch drains.
 */
export class PushIntake extends pulumi.ComponentResource {
  public readonly eventBusName: pulumi.Output<string>;
  public readonly ruleArn: pulumi.Output<string>;
  public readonly queueUrl: pulumi.Output<string>;
  public readonly queueArn: pulumi.Output<string>;
  public readonly queueName: pulumi.Output<string>;
  public readonly deadLetterQueueUrl: pulumi.Output<string>;
  public readonly deadLetterQueueName: pulumi.Output<string>;

  constructor(name: string, args: PushIntakeArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PUSH_INTAKE_TYPE, name, {}, opts);
    const { names, tags } = args;
    const parent = { parent: this };

    // A partner event bus must be named exactly as the partner event source it takes, with the source in
    // EventSourceName (CreateEventBus API reference:
    // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html). The source
    // must exist (the vendor creates it when the log stream / broadcaster is set up) before this runs.
    const bus = new aws.cloudwatch.EventBus(
      `${name}-bus`,
      { name: args.eventSource, eventSourceName: args.eventSource, tags },
      parent,
    );
    // Partner events carry the partner event source's name as `source` (PutPartnerEventsRequestEntry:
    // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPartnerEventsRequestEntry.html).
    const rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        name: names.intakeRule,
        description: `seclake ${args.connector}: every event of ${args.eventSource} to its queue`,
        eventBusName: bus.name,
        eventPattern: partnerEventPattern(args.eventSource),
        state: "ENABLED",
        tags,
      },
      parent,
    );

    const queueSettings = {
      messageRetentionSeconds: PUSH_QUEUE.retentionSeconds,
      // SQS-managed keys: EventBridge can send to the queue without a KMS key policy (a customer managed
      // key would need one; the AWS managed SQS key cannot be used by EventBridge at all:
      // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
      sqsManagedSseEnabled: true,
      tags,
    };
    // Standard queues keep a message's first enqueue time in the DLQ, so with both at SQS's 14-day
    // maximum a dead letter has 14 days minus its time in the main queue (SQS developer guide,
    // setting-up-dead-letter-queue-retention); the DLQ alarm fires within minutes of its arrival.
    const dlq = new aws.sqs.Queue(`${name}-dlq`, { name: names.deadLetterQueue, ...queueSettings }, parent);
    const queue = new aws.sqs.Queue(
      `${name}-queue`,
      {
        name: names.queue,
        ...queueSettings,
        visibilityTimeoutSeconds: PUSH_QUEUE.visibilitySeconds,
        receiveWaitTimeSeconds: PUSH_QUEUE.receiveWaitSeconds,
        redrivePolicy: dlq.arn.apply((arn) =>
          JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: PUSH_QUEUE.maxReceiveCount }),
        ),
      },
      parent,
    );
    // The DLQ takes redriven messages from this queue only. A separate resource: the queue's redrive
    // policy already names the DLQ, so the DLQ itself cannot name the queue without a cycle.
    new aws.sqs.RedriveAllowPolicy(
      `${name}-dlq-redrive-allow`,
      {
        queueUrl: dlq.url,
        redriveAllowPolicy: queue.arn.apply((arn) =>
          JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arn] }),
        ),
      },
      { parent: dlq },
    );
    const queuePolicy = new aws.sqs.QueuePolicy(
      `${name}-queue-policy`,
      {
        queueUrl: queue.url,
        policy: pulumi
          .all([queue.arn, rule.arn])
          .apply(([queueArn, ruleArn]) => JSON.stringify(eventBridgeQueuePolicy({ queueArn, ruleArn }))),
      },
      { parent: queue },
    );
    const dlqPolicy = new aws.sqs.QueuePolicy(
      `${name}-dlq-policy`,
      {
        queueUrl: dlq.url,
        policy: pulumi
          .all([dlq.arn, rule.arn])
          .apply(([queueArn, ruleArn]) => JSON.stringify(eventBridgeQueuePolicy({ queueArn, ruleArn }))),
      },
      { parent: dlq },
    );
    // No roleArn: EventBridge writes to SQS under the queue policy (a role can make delivery fail).
    // The target's own dead-letter queue takes what EventBridge still cannot deliver after its retries
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html#eb-rule-dlq).
    new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: rule.name,
        eventBusName: bus.name,
        targetId: "queue",
        arn: queue.arn,
        deadLetterConfig: { arn: dlq.arn },
        retryPolicy: { ...PUSH_TARGET_RETRY },
      },
      // Events that arrive before the policies exist would be refused and retried, then dead-lettered.
      { parent: rule, dependsOn: [queuePolicy, dlqPolicy] },
    );

    this.eventBusName = bus.name;
    this.ruleArn = rule.arn;
    this.queueUrl = queue.url;
    this.queueArn = queue.arn;
    this.queueName = queue.name;
    this.deadLetterQueueUrl = dlq.url;
    this.deadLetterQueueName = dlq.name;
    this.registerOutputs({
      eventBusName: this.eventBusName,
      queueUrl: this.queueUrl,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
    });
  }
}
