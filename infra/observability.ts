import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { connectorMetricDimensions, METRICS_NAMESPACE } from "./lambdaEnvironment.ts";
import type { ConnectorNames } from "./names.ts";

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
    this.registerOutputs({});
  }
}
