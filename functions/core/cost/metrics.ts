import { type MetricName, PIPELINE_METRICS } from "../metrics.ts";

/**
 * Distinct CloudWatch metrics (name + dimension set) a connector emits: one per connector-level metric,
 * one per class for metrics with a `classUid` dimension, one per custom source for those with
 * `customSource`. Metrics the handlers emit only on incidents (OverlappingExecutions,
 * LakeCrawlerStartFailed) are not in `emitted` and are not counted.
 */
export function metricSeries(emitted: readonly MetricName[], classes: number, sources: number): number {
  let series = 0;
  for (const name of new Set(emitted)) {
    const dimensions: readonly string[] = PIPELINE_METRICS[name].dimensions;
    series += dimensions.includes("classUid") ? classes : dimensions.includes("customSource") ? sources : 1;
  }
  return series;
}
