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
  readonly alarmTopicArn?: string;
  readonly tags: Record<string, string>;
}

/**
 * A connector's alarms: failed executions (the window stays pending and the next run resumes it), and
 * Security Lake crawler starts that failed after Convert (the window committed; its partitions show up
 * at the crawler's next run). Both notify `alarmTopicArn` when set. An execution that found another one
 * at work succeeds and alarms nothing (OverlappingExecutions counts those).
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
    this.registerOutputs({});
  }
}
