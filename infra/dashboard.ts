import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type MetricName, PIPELINE_METRICS } from "../functions/core/metrics.ts";
import { METRICS_NAMESPACE, SERVICE_NAME } from "./lambdaEnvironment.ts";
import { checkName } from "./names.ts";
import { partitionOf } from "./policies.ts";

/** Permanent type token (see CONNECTOR_TYPE). */
export const DASHBOARD_TYPE = "seclake:index:Dashboard";

/**
 * One CloudWatch dashboard per stack (a dashboard costs $3 a month beyond an account's first three), a
 * row per connector. Each row is built from small pure functions, one per widget group, so a later part
 * of a connector (a queue, a delivery) adds its own group to its row. Every pipeline metric is named with
 * the dimensions the handlers emit it with (functions/core/metrics.ts), so no widget reads a metric that
 * does not exist.
 */

/** A metric line of a widget: [namespace, name, dimension, value, …, options]. */
export type MetricLine = (string | Record<string, unknown>)[];

/** A widget without its place; `dashboardBody` lays rows out. */
export interface WidgetSpec {
  readonly type: "metric" | "text" | "log";
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

/** A pipeline metric of one connector, with its extra dimensions in catalogue order. */
export function pipelineMetric(
  connector: string,
  name: MetricName,
  extra: Readonly<Record<string, string>> = {},
  options: Record<string, unknown> = {},
): MetricLine {
  const dims: string[] = ["service", SERVICE_NAME, "connector", connector];
  for (const key of PIPELINE_METRICS[name].dimensions) {
    const value = extra[key];
    if (value === undefined) throw new Error(`metric ${name} needs the dimension ${key}`);
    dims.push(key, value);
  }
  return [METRICS_NAMESPACE, name, ...dims, options];
}

interface RowContext {
  readonly connector: string;
  readonly region: string;
}

/** Events through the connector per 5 minutes: fetched, mapped, skipped, quarantined, coerced. */
export function eventsWidget(ctx: RowContext): WidgetSpec {
  const metrics: MetricLine[] = [
    pipelineMetric(ctx.connector, "EventsFetched", {}, { label: "fetched" }),
    pipelineMetric(ctx.connector, "EventsMapped", {}, { label: "mapped" }),
    pipelineMetric(ctx.connector, "EventsSkipped", {}, { label: "skipped" }),
    pipelineMetric(ctx.connector, "EventsQuarantined", {}, { label: "quarantined" }),
    pipelineMetric(ctx.connector, "EventsCoerced", {}, { label: "coerced" }),
    pipelineMetric(ctx.connector, "BytesWritten", {}, { label: "Parquet bytes", yAxis: "right" }),
  ];
  return metricWidget(ctx, `${ctx.connector}: events`, metrics, "Sum");
}

/**
 * Rows, bytes and files per custom source (and so per class), summed from the Convert function's
 * `converted` log lines with Logs Insights: per-source metrics would cost $0.60 a month per source
 * (functions/core/metrics.ts), a query over the dashboard's time range a fraction of a cent.
 */
export function sourcesWidget(ctx: RowContext, convertLogGroup: string): WidgetSpec {
  return {
    type: "log",
    width: 12,
    height: 6,
    properties: {
      title: `${ctx.connector}: rows, bytes and files per custom source`,
      region: ctx.region,
      view: "table",
      query: [
        `SOURCE '${convertLogGroup}'`,
        `filter message = "converted"`,
        "stats sum(rows) as rows, sum(bytes) as bytes, sum(files) as files by customSource, classUid",
        "sort customSource",
      ].join(" | "),
    },
  };
}

/** Executions that succeeded, failed or timed out, and those that found another one at work. */
export function executionsWidget(ctx: RowContext, stateMachineArn: string): WidgetSpec {
  const states = (name: string, label: string): MetricLine => [
    "AWS/States",
    name,
    "StateMachineArn",
    stateMachineArn,
    { label },
  ];
  return metricWidget(
    ctx,
    `${ctx.connector}: executions`,
    [
      states("ExecutionsSucceeded", "succeeded"),
      states("ExecutionsFailed", "failed"),
      states("ExecutionsTimedOut", "timed out"),
      pipelineMetric(ctx.connector, "OverlappingExecutions", {}, { label: "another at work" }),
      pipelineMetric(ctx.connector, "LakeCrawlerStartFailed", {}, { label: "lake crawler not started" }),
    ],
    "Sum",
  );
}

/** How far the checkpoint trails the clock (emitted at Commit), against the lag alarm's threshold. */
export function lagWidget(ctx: RowContext, thresholdSeconds: number): WidgetSpec {
  const widget = metricWidget(
    ctx,
    `${ctx.connector}: checkpoint lag (seconds)`,
    [pipelineMetric(ctx.connector, "CheckpointLagSeconds", {}, { label: "lag" })],
    "Maximum",
  );
  return {
    ...widget,
    properties: {
      ...widget.properties,
      annotations: { horizontal: [{ label: "lag alarm", value: thresholdSeconds }] },
    },
  };
}

/** A push connector's queue (AWS/SQS, dimension QueueName). */
export interface QueueWidgetArgs {
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  /** The queue-age alarm's threshold, drawn on the right axis. */
  readonly ageThresholdSeconds: number;
}

/**
 * A push connector's queue: messages waiting and in flight, the dead-letter queue's depth (left axis),
 * and the age of the oldest message against its alarm's threshold (right axis). SQS publishes these
 * every minute while the queue is active.
 */
export function queueWidget(ctx: RowContext, q: QueueWidgetArgs): WidgetSpec {
  const sqs = (metric: string, queue: string, options: Record<string, unknown>): MetricLine => [
    "AWS/SQS",
    metric,
    "QueueName",
    queue,
    options,
  ];
  const widget = metricWidget(
    ctx,
    `${ctx.connector}: queue`,
    [
      sqs("ApproximateNumberOfMessagesVisible", q.queueName, { label: "waiting" }),
      sqs("ApproximateNumberOfMessagesNotVisible", q.queueName, { label: "in flight" }),
      sqs("ApproximateNumberOfMessagesVisible", q.deadLetterQueueName, { label: "dead-letter" }),
      sqs("ApproximateAgeOfOldestMessage", q.queueName, { label: "oldest (s)", yAxis: "right" }),
    ],
    "Maximum",
  );
  return {
    ...widget,
    properties: {
      ...widget.properties,
      annotations: {
        horizontal: [{ label: "queue age alarm", value: q.ageThresholdSeconds, yAxis: "right" }],
      },
    },
  };
}

/** A push connector's message outcomes: redeliveries dropped by the ledger, poison, failed deletes. */
export function pushMessagesWidget(ctx: RowContext): WidgetSpec {
  return metricWidget(
    ctx,
    `${ctx.connector}: pushed messages`,
    [
      pipelineMetric(ctx.connector, "DuplicatesDropped", {}, { label: "duplicates dropped" }),
      pipelineMetric(ctx.connector, "PoisonMessages", {}, { label: "poison (to the DLQ)" }),
      pipelineMetric(ctx.connector, "AcknowledgeFailures", {}, { label: "deletes failed" }),
    ],
    "Sum",
  );
}

function metricWidget(ctx: RowContext, title: string, metrics: MetricLine[], stat: string): WidgetSpec {
  return {
    type: "metric",
    width: 6,
    height: 6,
    properties: { title, region: ctx.region, metrics, stat, period: 300, view: "timeSeries", stacked: false },
  };
}

/** A connector's row: a title, then its widget groups. */
export function connectorRow(
  ctx: RowContext,
  p: {
    /** The Convert function's log group, which the per-source widget queries. */
    convertLogGroup: string;
    stateMachineArn: string;
    lagThresholdSeconds: number;
    /** Push connectors: their queue's widgets follow. */
    queue?: QueueWidgetArgs | undefined;
  },
): WidgetSpec[] {
  return [
    { type: "text", width: 24, height: 1, properties: { markdown: `## Connector ${ctx.connector}` } },
    eventsWidget(ctx),
    sourcesWidget(ctx, p.convertLogGroup),
    executionsWidget(ctx, p.stateMachineArn),
    lagWidget(ctx, p.lagThresholdSeconds),
    ...(p.queue ? [queueWidget(ctx, p.queue), pushMessagesWidget(ctx)] : []),
  ];
}

/** The dashboard body: rows one under another, widgets left to right (24 columns), as CloudWatch takes it. */
export function dashboardBody(rows: readonly (readonly WidgetSpec[])[]): string {
  const widgets: Record<string, unknown>[] = [];
  let y = 0;
  for (const row of rows) {
    let x = 0;
    let height = 0;
    for (const w of row) {
      if (x + w.width > 24) {
        y += height;
        x = 0;
        height = 0;
      }
      widgets.push({ type: w.type, x, y, width: w.width, height: w.height, properties: w.properties });
      x += w.width;
      height = Math.max(height, w.height);
    }
    y += height;
  }
  return JSON.stringify({ widgets });
}

/** The console page of a dashboard. */
export function dashboardUrl(region: string, name: string): string {
  const host =
    {
      aws: "console.aws.amazon.com",
      "aws-cn": "console.amazonaws.cn",
      "aws-us-gov": "console.amazonaws-us-gov.com",
    }[partitionOf(region)] ?? "console.aws.amazon.com";
  return `https://${region}.${host}/cloudwatch/home?region=${region}#dashboards:name=${name}`;
}

export interface StackDashboardArgs {
  readonly stack: string;
  readonly region: string;
  readonly rows: readonly pulumi.Output<WidgetSpec[]>[];
}

/** The stack's one dashboard, `seclake-<stack>`. */
export class StackDashboard extends pulumi.ComponentResource {
  public readonly url: string;

  constructor(name: string, args: StackDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DASHBOARD_TYPE, name, {}, opts);
    const dashboardName = checkName("dashboard", `seclake-${args.stack}`, `the stack name "${args.stack}"`);
    new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      { dashboardName, dashboardBody: pulumi.all([...args.rows]).apply((rows) => dashboardBody(rows)) },
      { parent: this },
    );
    this.url = dashboardUrl(args.region, dashboardName);
    this.registerOutputs({ url: this.url });
  }
}
