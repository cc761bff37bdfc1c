import type { Context } from "aws-lambda";
import type { z } from "zod";
import type { Telemetry } from "../adapters/observability.ts";
import type { SourceConnector } from "../adapters/sources/types.ts";
import { SourceApiError, SourceUnavailableError, StorageUnavailableError } from "../core/errors.ts";
import type {
  MessageQueue,
  ObjectStore,
  ObjectWriter,
  ParameterStore,
  StagingCatalog,
} from "../core/ports.ts";
import { parseInput } from "./contract.ts";
import type { CustomSourceConfig, HandlerEnvironment } from "./environment.ts";

/**
 * What every handler needs from the outside world. `handler` (in each handler file) gets the AWS
 * implementations (awsDeps.ts); tests and `seclake local` pass local ones to `makeHandler`.
 */
export interface HandlerDeps {
  readonly env: HandlerEnvironment;
  /** The staging bucket (raw pages, OCSF NDJSON, quarantine). */
  readonly staging: ObjectStore;
  /** Where the checkpoint parameter lives. */
  readonly parameters: ParameterStore;
  /** The connector that pages the source API (or the S3 inbox), built with its secrets provider. */
  readonly connector: () => SourceConnector;
  /** The Security Lake bucket as the provider role of `source` sees it (assumed with its external id). */
  readonly lakeWriter: (source: CustomSourceConfig) => Promise<ObjectWriter>;
  readonly telemetry: Telemetry;
  /** The staging Glue catalogue (absent: every new day is left to the crawler). */
  readonly catalog?: StagingCatalog;
  /** Push connectors: the queue their partner event bus feeds. */
  readonly queue?: () => MessageQueue;
  /** Wall clock; the local run and tests fix it so window ids repeat. */
  readonly now: () => Date;
}

/** A Lambda entry point: the ASL passes the state's Parameters as `event`. */
export type StateHandler<R> = (event: unknown, context?: Context) => Promise<R>;

/**
 * Builds the handler on its first invocation and keeps it for the life of the container, so importing
 * a handler module (tests, `seclake local`) needs no environment, and a cold start pays once.
 */
export function lazyHandler<R>(build: () => StateHandler<R>): StateHandler<R> {
  let built: StateHandler<R> | undefined;
  return async (event, context) => {
    built ??= build();
    return built(event, context);
  };
}

/**
 * The anatomy every handler shares: bind the log keys, parse the input with the state's schema
 * (InputError names the zod path), run the body, log the outcome by name (never a payload), publish
 * metrics, and give Step Functions an error whose name says whether a retry can help.
 */
export function stateHandler<S extends z.ZodType<{ executionId: string; window?: { windowId: string } }>, R>(
  deps: HandlerDeps,
  state: string,
  schema: S,
  body: (input: z.infer<S>) => Promise<R>,
): StateHandler<R> {
  return async (event) => {
    const { telemetry } = deps;
    const raw = (event ?? {}) as { executionId?: unknown; window?: { windowId?: unknown } };
    telemetry.bind({
      connector: deps.env.connector,
      state,
      ...(typeof raw.executionId === "string" ? { executionId: raw.executionId } : {}),
      ...(typeof raw.window?.windowId === "string" ? { windowId: raw.window.windowId } : {}),
    });
    try {
      const input = parseInput(state, schema, event) as z.infer<S>;
      const result = await body(input);
      telemetry.info(`${state} done`);
      return result;
    } catch (error) {
      const translated = forStepFunctions(error);
      telemetry.error(`${state} failed`, {
        errorName: (translated as Error).name,
        errorMessage: (translated as Error).message,
      });
      throw translated;
    } finally {
      telemetry.flush();
    }
  };
}

const TRANSIENT_AWS = new Set([
  "SlowDown",
  "ThrottlingException",
  "Throttling",
  "RequestTimeout",
  "InternalError",
  "ServiceUnavailable",
  "TooManyUpdates",
  // SQS (AWS JSON protocol): a throttled request.
  "RequestThrottled",
]);

/**
 * The ASL retries by error name. A retryable SourceApiError becomes SourceUnavailableError, and an AWS
 * SDK throttle or 5xx (S3, SSM, STS, SQS) becomes StorageUnavailableError; everything else keeps its name,
 * so config errors, bad input and lost ownership fail at once.
 */
export function forStepFunctions(error: unknown): unknown {
  if (error instanceof SourceApiError && error.retryable && !(error instanceof SourceUnavailableError)) {
    return new SourceUnavailableError(
      error.message,
      { source: error.source, ...(error.status !== undefined ? { status: error.status } : {}) },
      { cause: error },
    );
  }
  const meta = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
  if (meta) {
    const name = (error as Error).name;
    if (TRANSIENT_AWS.has(name) || (meta.httpStatusCode ?? 0) >= 500) {
      return new StorageUnavailableError(`${name}: ${(error as Error).message}`, { cause: error });
    }
  }
  return error;
}
