/**
 * The metrics the pipeline's handlers emit: one catalogue that the telemetry adapter, the dashboard and
 * the alarms (infra) all read, so a widget can only name a metric with the dimensions it really has.
 * Every metric also has the dimensions `service` (Powertools' default) and `connector`; `dimensions`
 * lists the extra ones. CloudWatch names: PascalCase nouns.
 *
 * Every metric name × dimension set is a custom metric, billed $0.30 a month for each hour it is
 * published in (CloudWatch pricing): per-class or per-source dimensions made a connector publish 23
 * of them ($6.90 a month, more than the rest of the pipeline together). So metrics are per connector,
 * four are published every run (`EVERY_RUN`), the rest only when they are not zero, and the breakdown
 * by class and custom source is in the handlers' log lines (`mapped`, `converted`), which the
 * dashboard reads with Logs Insights.
 */
export const PIPELINE_METRICS = {
  EventsFetched: { unit: "Count", dimensions: [], emittedBy: "Fetch" },
  /** Push: deliveries of events already taken (SQS redelivery, a crash before the delete), dropped. */
  DuplicatesDropped: { unit: "Count", dimensions: [], emittedBy: "Fetch" },
  /** Push: messages that are not events of the source, left to the dead-letter queue. */
  PoisonMessages: { unit: "Count", dimensions: [], emittedBy: "Fetch" },
  /** Push: the window's messages that could not be deleted after Commit (they come back; the ledger drops them). */
  AcknowledgeFailures: { unit: "Count", dimensions: [], emittedBy: "Acknowledge" },
  EventsMapped: { unit: "Count", dimensions: [], emittedBy: "Map" },
  EventsSkipped: { unit: "Count", dimensions: [], emittedBy: "Map" },
  EventsQuarantined: { unit: "Count", dimensions: [], emittedBy: "Map" },
  /** Mapped events in which a value was converted to its attribute's type (lossless coercion). */
  EventsCoerced: { unit: "Count", dimensions: [], emittedBy: "Map" },
  /** Parquet bytes written to the lake (per class and source: the `converted` log line). */
  BytesWritten: { unit: "Bytes", dimensions: [], emittedBy: "ConvertSource" },
  /** An execution found another one at work on the connector and ended without work. */
  OverlappingExecutions: { unit: "Count", dimensions: [], emittedBy: "LoadCheckpoint" },
  /** Security Lake's crawler of a custom source could not be started after Convert. */
  LakeCrawlerStartFailed: { unit: "Count", dimensions: [], emittedBy: "Commit" },
  /** How far the committed checkpoint trails the clock: now − checkpoint.since, in seconds. */
  CheckpointLagSeconds: { unit: "Seconds", dimensions: [], emittedBy: "Commit" },
} as const satisfies Record<
  string,
  { unit: MetricUnitName; dimensions: readonly string[]; emittedBy: string }
>;

export type MetricName = keyof typeof PIPELINE_METRICS;

/** The metrics published on every run; every other one only when its value is not zero. */
export const EVERY_RUN: readonly MetricName[] = [
  "EventsFetched",
  "EventsMapped",
  "BytesWritten",
  "CheckpointLagSeconds",
];
export type MetricUnitName = "Count" | "Bytes" | "Seconds";
