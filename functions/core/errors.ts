/**
 * The project's error tree. The `name` of each class is a contract: the ASL's `Retry.ErrorEquals`
 * and `Catch` match on it (in AWS and in aws-local-stepfunctions), so renaming one is a breaking change.
 */
export class SeclakeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Stack or connector configuration is wrong; fix the config, never retried. */
export class ConfigError extends SeclakeError {}

/** A handler's or command's input is malformed (zod issue path or file:line in the message). */
export class InputError extends SeclakeError {}

/** A SaaS API answered with an error. `retryable` is true for 5xx and transport failures. */
export class SourceApiError extends SeclakeError {
  readonly source: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(
    message: string,
    details: { source: string; status?: number; retryable: boolean },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.source = details.source;
    this.status = details.status;
    this.retryable = details.retryable;
  }
}

/**
 * A retryable `SourceApiError` (5xx, dropped connection) as Step Functions must see it: the ASL retries
 * errors by name, and a plain `SourceApiError` also covers 4xx answers that no retry can fix.
 */
export class SourceUnavailableError extends SourceApiError {
  constructor(message: string, details: { source: string; status?: number }, options?: ErrorOptions) {
    super(message, { ...details, retryable: true }, options);
  }
}

/** A SaaS API kept answering 429 past the retry budget; `retryAfterMs` is its last advice. */
export class RateLimitedError extends SeclakeError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options?: ErrorOptions) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** A source event could not be mapped; `path` is the source field path that failed. */
export class MappingError extends SeclakeError {
  readonly source: string;
  readonly eventType: string | undefined;
  readonly path: string | undefined;
  constructor(
    message: string,
    details: { source: string; eventType?: string; path?: string },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.source = details.source;
    this.eventType = details.eventType;
    this.path = details.path;
  }
}

/** An event or a mapping file does not satisfy the pinned OCSF schema. */
export class SchemaError extends SeclakeError {}

/** The checkpoint is unreadable, or another execution holds or moved it. */
export class CheckpointError extends SeclakeError {}

/**
 * Another live execution holds the connector's pending window. Not a failure of the pipeline: the
 * scheduler starts an execution on every tick whether or not the last one finished, and LoadCheckpoint
 * turns this into a successful "another execution at work" result.
 */
export class WindowHeldError extends CheckpointError {
  readonly heldBy: { readonly executionId: string; readonly windowId: string; readonly leaseUntil: string };
  constructor(heldBy: WindowHeldError["heldBy"]) {
    super(
      `window ${heldBy.windowId} is held by execution ${heldBy.executionId} until ${heldBy.leaseUntil}; not starting a second one`,
    );
    this.heldBy = heldBy;
  }
}

/**
 * S3, SSM or STS throttled or failed transiently past the SDK's own retries (`cause` holds the SDK error);
 * the ASL retries the step, which is safe because every key a handler writes is deterministic.
 */
export class StorageUnavailableError extends SeclakeError {}

/** A sub-command or feature named by the design that is not built yet. */
export class NotImplementedError extends SeclakeError {}

/** Cuts a raw value for an error message: never a whole event, at most ~80 characters. */
export function preview(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
