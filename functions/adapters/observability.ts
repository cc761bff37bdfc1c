import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { type MetricName, type MetricUnitName, PIPELINE_METRICS } from "../core/metrics.ts";

const POWERTOOLS_UNITS: Record<MetricUnitName, (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  Count: MetricUnit.Count,
  Bytes: MetricUnit.Bytes,
  Seconds: MetricUnit.Seconds,
};

/**
 * Structured logs and per-run metrics. The Lambdas share one Powertools Logger and one Metrics
 * instance (module scope, built once per container, EMF to stdout); `seclake local` and the tests use
 * `recordingTelemetry()`, which keeps the same records in memory. Nothing here may receive an event
 * body, a token or a secret: callers pass names, ids and counts only.
 */

export type { MetricName } from "../core/metrics.ts";

/** The log keys of one invocation (camelCase). */
export interface LogKeys {
  readonly connector: string;
  readonly state: string;
  readonly executionId?: string;
  readonly windowId?: string;
}

export interface Telemetry {
  /** Replaces the invocation's log keys (each handler calls it first). */
  bind(keys: LogKeys): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
  /** One metric value, with the connector (and any extra dimension the catalogue names) as dimensions. */
  metric(name: MetricName, value: number, dimensions?: Readonly<Record<string, string>>): void;
  /** Ends the invocation: publishes buffered metrics. */
  flush(): void;
}

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "seclake" });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "Seclake",
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "seclake",
});

let boundConnector: string | undefined;

/** The Lambda telemetry over the shared Powertools instances. */
export const powertoolsTelemetry: Telemetry = {
  bind(keys) {
    boundConnector = keys.connector;
    logger.resetKeys();
    logger.appendKeys({ ...keys });
  },
  info: (message, extra) => logger.info(message, extra ?? {}),
  warn: (message, extra) => logger.warn(message, extra ?? {}),
  error: (message, extra) => logger.error(message, extra ?? {}),
  metric(name, value, dimensions = {}) {
    // A single-metric emission per value: EMF dimensions apply to a whole document, and a metric's extra
    // dimensions (core/metrics.ts) may differ from the next one's.
    const single = metrics.singleMetric();
    if (boundConnector) single.addDimension("connector", boundConnector);
    for (const [key, v] of Object.entries(dimensions)) single.addDimension(key, v);
    single.addMetric(name, POWERTOOLS_UNITS[PIPELINE_METRICS[name].unit], value);
  },
  flush() {
    metrics.publishStoredMetrics();
  },
};

export interface LogRecord {
  readonly level: "INFO" | "WARN" | "ERROR";
  readonly message: string;
  readonly keys: LogKeys | undefined;
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface MetricRecord {
  readonly name: MetricName;
  readonly value: number;
  readonly unit: MetricUnitName;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface RecordingTelemetry extends Telemetry {
  readonly logs: LogRecord[];
  readonly metrics: MetricRecord[];
  /** Sum of a metric's values whose dimensions include `where`. */
  total(name: MetricName, where?: Readonly<Record<string, string>>): number;
}

/** Keeps every log line and metric in memory (local run and tests); optionally echoes log lines. */
export function recordingTelemetry(echo?: (record: LogRecord) => void): RecordingTelemetry {
  let keys: LogKeys | undefined;
  const logs: LogRecord[] = [];
  const recorded: MetricRecord[] = [];
  const log =
    (level: LogRecord["level"]) =>
    (message: string, extra: Record<string, unknown> = {}) => {
      const record = { level, message, keys, extra };
      logs.push(record);
      echo?.(record);
    };
  return {
    logs,
    metrics: recorded,
    bind(next) {
      keys = { ...next };
    },
    info: log("INFO"),
    warn: log("WARN"),
    error: log("ERROR"),
    metric(name, value, dimensions = {}) {
      const all = keys ? { connector: keys.connector, ...dimensions } : { ...dimensions };
      recorded.push({ name, value, unit: PIPELINE_METRICS[name].unit, dimensions: all });
    },
    flush() {},
    total(name, where = {}) {
      return recorded
        .filter((m) => m.name === name && Object.entries(where).every(([k, v]) => m.dimensions[k] === v))
        .reduce((sum, m) => sum + m.value, 0);
    },
  };
}
