import type { Context } from "aws-lambda";
import type { ObjectStore, ParameterStore, SecretsProvider } from "../adapters/ports.ts";
import type { HandlerEnvironment } from "./environment.ts";

/**
 * What every handler needs from the outside world. `handler` (in each handler file) gets the AWS
 * implementations; tests and `seclake local` pass local ones to `makeHandler`.
 */
export interface HandlerDeps {
  readonly env: HandlerEnvironment;
  /** The staging bucket (raw pages, OCSF NDJSON, quarantine). */
  readonly staging: ObjectStore;
  /** Where the checkpoint parameter lives. */
  readonly parameters: ParameterStore;
  readonly secrets: SecretsProvider;
  /** The Security Lake bucket as the provider role of `customSource` sees it. */
  readonly lakeStore: (customSource: string) => Promise<ObjectStore>;
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
  return (event, context) => {
    built ??= build();
    return built(event, context);
  };
}
