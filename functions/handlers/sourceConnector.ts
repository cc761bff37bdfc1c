import type { ConnectorDeps } from "../adapters/sources/common.ts";
import { createConnector } from "../adapters/sources/factory.ts";
import { QueueConnector } from "../adapters/sources/queue.ts";
import type { SourceConnector, SourceLogger } from "../adapters/sources/types.ts";
import { ConfigError } from "../core/errors.ts";
import type { MessageQueue, ObjectStore, SecretsProvider } from "../core/ports.ts";
import { unwrapPushed } from "../core/push/envelope.ts";
import type { HandlerEnvironment } from "./environment.ts";

export interface SourceConnectorDeps {
  readonly secrets: SecretsProvider;
  /** The inbox bucket of an `s3-inbox` connector. */
  readonly inboxStore: (bucket: string) => ObjectStore;
  /** Push connectors: the queue, and the staging bucket (the de-dup ledger and the window's receipts). */
  readonly queue?: () => MessageQueue;
  readonly staging?: ObjectStore;
  /** HTTP clock/sleep/retry overrides (the local run shortens waits). */
  readonly http?: ConnectorDeps["http"];
  readonly retry?: ConnectorDeps["retry"];
  readonly logger?: SourceLogger;
}

/** `s3://bucket/prefix/` → bucket and prefix (the prefix keeps its trailing slash, or is ""). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m?.[1]) throw new ConfigError(`SECLAKE_BASE_URL: expected s3://<bucket>/<prefix>, got ${url}`);
  return { bucket: m[1], prefix: m[2] ?? "" };
}

/** The connector the environment describes, built on the given secrets and inbox adapters. */
export function makeSourceConnector(env: HandlerEnvironment, deps: SourceConnectorDeps): SourceConnector {
  const http = { ...deps.http, ...(deps.logger ? { logger: deps.logger } : {}) };
  const connectorDeps: ConnectorDeps = {
    secrets: deps.secrets,
    http,
    ...(deps.retry ? { retry: deps.retry } : {}),
  };
  if (env.mode === "push") {
    const kind = env.sourceKind;
    const source = env.eventSource;
    if ((kind !== "okta" && kind !== "onelogin") || !source || !deps.queue || !deps.staging) {
      throw new ConfigError(
        `${env.connector}: a push connector needs okta or onelogin, its event source and queue`,
      );
    }
    return new QueueConnector({
      queue: deps.queue(),
      staging: deps.staging,
      connector: env.connector,
      unwrap: (body) => unwrapPushed(kind, body, source),
      ...(deps.logger ? { logger: deps.logger } : {}),
    });
  }
  if (env.sourceKind === "s3-inbox") {
    const { bucket, prefix } = parseS3Url(env.baseUrl);
    return createConnector(
      { source: "s3-inbox", store: deps.inboxStore(bucket), prefix, bucket },
      connectorDeps,
    );
  }
  if (!env.secretId) throw new ConfigError(`${env.connector}: SECLAKE_SECRET_ID is required`);
  return createConnector(
    { source: env.sourceKind, baseUrl: env.baseUrl, secretId: env.secretId },
    connectorDeps,
  );
}
