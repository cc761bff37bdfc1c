import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { connectorMetricDimensions, METRICS_NAMESPACE } from "./lambdaEnvironment.ts";
import type { ConnectorNames } from "./names.ts";
import { PUSH_QUEUE } from "./pushIntake.ts";

/** Permanent type token (see CONNECTOR_TYPE). */
export const OBSERVABILITY_TYPE = "seclake:index:Observability";

export interface ObservabilityArgs {
  readonly connector: string;
  readonly names: ConnectorNames;
  readonly stateMachineArn: pulumi.Output<string>;
  /** The checkpoint lag (seconds) past which the connector counts as stalled (schedule.ts). */
  readonly lagThresholdSeconds: number;
  readonly alarmTopicArn?: string;
  readonly tags: Record<string, string>;
  /** Push connectors: their queue and dead-letter queue, and how old a queued event may get. */
  readonly queue?: QueueAlarmArgs;
}

export interface QueueAlarmArgs {
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  /** The queue-age alarm's threshold (`queueAgeThresholdSeconds`). */
  readonly ageThresholdSeconds: number;
}

/**
 * How old the oldest message of a push connector's queue may get: the checkpoint-lag alarm's threshold
 * (the schedule's longest interval times lagAlarmMultiple, plus lagSeconds, or lagAlarmMinutes) plus the
 * queue's visibility timeout. A message waits for the next run that takes it (the lag part: runs that do
 * not come or do not drain are the stall the lag alarm measures, seen from the queue), then stays in
 * flight, still counted by SQS, until its window commits and Acknowledge deletes it: at most the
 * visibility timeout, after which it is visible again. A message older than both is stuck, whatever
 * the run took (a daily crawl, retries). SQS's metric skips messages received three or more times
 * without being deleted, so poison messages on their way to the dead-letter queue do not trip it (SQS
 * developer guide, sqs-available-cloudwatch-metrics.html).
 */
export function queueAgeThresholdSeconds(lagThresholdSeconds: number): number {
  return lagThresholdSeconds + PUSH_QUEUE.visibilitySeconds;
}

/**
 * A connector's alarms: failed executions (the window stays pending and the next run resumes it);
 * Security Lake crawler starts that failed after Convert (the window committed; its partitions show up
 * at the crawler's next run); and a checkpoint that trails the clock too far, or that no Commit moved
 * at all for that long — a connector that silently stopped is the failure operators miss most. All notify
 * `alarmTopicArn` when set. An execution that found another one at work succeeds and alarms nothing
 * (OverlappingExecutions counts those).
 */
export class Observability extends pulumi.ComponentResource {
  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super(OBSERVABILITY_TYPE, name, {}, opts);
    const actions = args.alarmTopicArn ? [args.alarmTopicArn] : [];
    new aws.cloudwatch.MetricAlarm(
      `${name}-failed-alarm`,
      {
        name: args.names.failedExecutionsAlarm,
        alarmDescription: `An execution of seclake connector ${args.connector} failed or timed out; its window stays pending and is retried by the next run.`,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        evaluationPeriods: 1,
        threshold: 1,
        treatMissingData: "notBreaching",
        metricQueries: [
          {
            id: "failures",
            expression: "failed + timedout + aborted",
            label: "Failed, timed-out and aborted executions",
            returnData: true,
          },
          ...(["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"] as const).map((metricName) => ({
            id: metricName.replace("Executions", "").toLowerCase(),
            metric: {
              namespace: "AWS/States",
              metricName,
              dimensions: { StateMachineArn: args.stateMachineArn },
              period: 300,
              stat: "Sum",
            },
          })),
        ],
        alarmActions: actions,
        okActions: actions,
        tags: args.tags,
      },
      { parent: this },
    );
    new aws.cloudwatch.MetricAlarm(
      `${name}-lake-crawler-alarm`,
      {
        name: args.names.lakeCrawlerAlarm,
        alarmDescription: `Security Lake's crawler of a custom source of seclake connector ${args.connector} could not be started after its Parquet was written (the Commit log line names the source and the error); new partitions appear in Athena only at the crawler's next run.`,
        namespace: METRICS_NAMESPACE,
        metricName: "LakeCrawlerStartFailed",
        dimensions: connectorMetricDimensions(args.connector),
        statistic: "Sum",
        period: 3600,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        treatMissingData: "notBreaching",
        alarmActions: actions,
        okActions: actions,
        tags: args.tags,
      },
      { parent: this },
    );
    // No datapoint in the window means no Commit ran for that long: that is the stall, so it breaches.
    const period = Math.min(Math.max(Math.ceil(args.lagThresholdSeconds / 60) * 60, 300), 7 * 86_400);
    new aws.cloudwatch.MetricAlarm(
      `${name}-lag-alarm`,
      {
        name: args.names.lagAlarm,
        alarmDescription: `The checkpoint of seclake connector ${args.connector} trails the clock by more than ${Math.round(args.lagThresholdSeconds / 60)} minutes, or no execution committed for that long: the connector has stopped moving (schedule disabled, every run failing or finding another at work, or the source far behind).`,
        namespace: METRICS_NAMESPACE,
        metricName: "CheckpointLagSeconds",
        dimensions: connectorMetricDimensions(args.connector),
        statistic: "Maximum",
        period,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: args.lagThresholdSeconds,
        treatMissingData: "breaching",
        alarmActions: actions,
        okActions: actions,
        tags: args.tags,
      },
      { parent: this },
    );
    if (args.queue) queueAlarms(name, args, args.queue, actions, this);
    this.registerOutputs({});
  }
}

/**
 * A push connector's queue alarms (AWS/SQS, dimension QueueName:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html).
 * SQS publishes only while a queue is active (any API call in the last six hours); Fetch polls on every
 * run, so missing data means no run, which the lag alarm reports: here it does not breach.
 */
function queueAlarms(
  name: string,
  args: ObservabilityArgs,
  queue: QueueAlarmArgs,
  actions: string[],
  parent: pulumi.Resource,
): void {
  new aws.cloudwatch.MetricAlarm(
    `${name}-dlq-alarm`,
    {
      name: args.names.deadLetterAlarm,
      alarmDescription: `The dead-letter queue ${queue.deadLetterQueueName} of seclake connector ${args.connector} holds messages: events EventBridge could not deliver to the queue, or messages Fetch could not take (the Fetch log names each message id and why). Inspect them and redrive or delete them; they expire 14 days after they first arrived.`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: queue.deadLetterQueueName },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
      alarmActions: actions,
      okActions: actions,
      tags: args.tags,
    },
    { parent },
  );
  new aws.cloudwatch.MetricAlarm(
    `${name}-queue-age-alarm`,
    {
      name: args.names.queueAgeAlarm,
      alarmDescription: `The oldest event in the queue ${queue.queueName} of seclake connector ${args.connector} waited more than ${Math.round(queue.ageThresholdSeconds / 60)} minutes: executions are not draining it (schedule disabled, runs failing, or the backlog beyond maxEvents per run). Events are lost if they stay 14 days.`,
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: queue.queueName },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: queue.ageThresholdSeconds,
      treatMissingData: "notBreaching",
      alarmActions: actions,
      okActions: actions,
      tags: args.tags,
    },
    { parent },
  );
}
