import type { ObjectStore, SecretsProvider } from "../adapters/ports.ts";
import type { ConnectorDeps } from "../adapters/sources/common.ts";
import { OktaConnector } from "../adapters/sources/okta.ts";
import { OneLoginConnector } from "../adapters/sources/onelogin.ts";
import { S3InboxConnector } from "../adapters/sources/s3Inbox.ts";
import { SailPointConnector } from "../adapters/sources/sailpoint.ts";
import type { SourceConnector, SourceLogger } from "../adapters/sources/types.ts";
import { ConfigError } from "../core/errors.ts";
import type { HandlerEnvironment } from "./environment.ts";

export interface SourceConnectorDeps {
  readonly secrets: SecretsProvider;
  /** The inbox bucket of an `s3-inbox` connector. */
  readonly inboxStore: (bucket: string) => ObjectStore;
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
  const connectorDeps: ConnectorDeps = {
    secrets: deps.secrets,
    ...(deps.http || deps.logger
      ? { http: { ...deps.http, ...(deps.logger ? { logger: deps.logger } : {}) } }
      : {}),
    ...(deps.retry ? { retry: deps.retry } : {}),
  };
  const secretId = env.secretId ?? "";
  switch (env.sourceKind) {
    case "sailpoint":
      return new SailPointConnector({ baseUrl: env.baseUrl, secretId }, connectorDeps);
    case "okta":
      return new OktaConnector({ baseUrl: env.baseUrl, secretId }, connectorDeps);
    case "onelogin":
      return new OneLoginConnector({ baseUrl: env.baseUrl, secretId }, connectorDeps);
    case "s3-inbox": {
      const { bucket, prefix } = parseS3Url(env.baseUrl);
      return new S3InboxConnector({
        store: deps.inboxStore(bucket),
        prefix,
        ...(deps.logger ? { logger: deps.logger } : {}),
      });
    }
  }
}
