/**
 * The metrics the pipeline's handlers emit: one catalogue that the telemetry adapter, the dashboard and
 * the alarms (infra) all read, so a widget can only name a metric with the dimensions it really has.
 * Every metric also has the dimensions `service` (Powertools' default) and `connector`; `dimensions`
 * lists the extra ones. CloudWatch names: PascalCase nouns.
 */
export const PIPELINE_METRICS = {
  EventsFetched: { unit: "Count", dimensions: [], emittedBy: "Fetch" },
  /** Push: deliveries of events already taken (SQS redelivery, a crash before the delete), dropped. */
  DuplicatesDropped: { unit: "Count", dimensions: [], emittedBy: "Fetch" },
  /** Push: messages that are not events of the source, left to the dead-letter queue. */
  PoisonMessages: { unit: "Count", dimensions: [], emittedBy: "Fetch" },
  /** Push: the window's messages that could not be deleted after Commit (they come back; the ledger drops them). */
  AcknowledgeFailures: { unit: "Count", dimensions: [], emittedBy: "Acknowledge" },
  EventsMapped: { unit: "Count", dimensions: ["classUid"], emittedBy: "Map" },
  EventsSkipped: { unit: "Count", dimensions: [], emittedBy: "Map" },
  EventsQuarantined: { unit: "Count", dimensions: [], emittedBy: "Map" },
  /** Mapped events in which a value was converted to its attribute's type (lossless coercion). */
  EventsCoerced: { unit: "Count", dimensions: [], emittedBy: "Map" },
  RowsWritten: { unit: "Count", dimensions: ["customSource"], emittedBy: "ConvertSource" },
  BytesWritten: { unit: "Bytes", dimensions: ["customSource"], emittedBy: "ConvertSource" },
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
export type MetricUnitName = "Count" | "Bytes" | "Seconds";
