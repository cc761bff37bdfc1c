import { ConfigError } from "../../core/errors.ts";
import type { ObjectStore } from "../../core/ports.ts";
import type { ConnectorDeps } from "./common.ts";
import { OktaConnector } from "./okta.ts";
import { OneLoginConnector } from "./onelogin.ts";
import { S3InboxConnector } from "./s3Inbox.ts";
import { SailPointConnector } from "./sailpoint.ts";
import type { SourceConnector } from "./types.ts";

export const API_SOURCES = ["sailpoint", "okta", "onelogin"] as const;
export type ApiSource = (typeof API_SOURCES)[number];

/** What a handler knows about its connector (from the stack config / execution input). */
export type ConnectorSpec =
  | { readonly source: ApiSource; readonly baseUrl: string; readonly secretId: string }
  | {
      readonly source: "s3-inbox";
      readonly store: ObjectStore;
      readonly prefix: string;
      readonly bucket?: string;
    };

/** Builds the connector for a spec; API connectors need `deps` (secrets, and optionally fetch/clock/logger). */
export function createConnector(spec: ConnectorSpec, deps?: ConnectorDeps): SourceConnector {
  if (spec.source === "s3-inbox") {
    return new S3InboxConnector({
      store: spec.store,
      prefix: spec.prefix,
      ...(spec.bucket ? { bucket: spec.bucket } : {}),
      logger: deps?.http?.logger,
    });
  }
  if (!deps) throw new ConfigError(`${spec.source}: a SecretsProvider is required`);
  const config = { baseUrl: spec.baseUrl, secretId: spec.secretId };
  switch (spec.source) {
    case "sailpoint":
      return new SailPointConnector(config, deps);
    case "okta":
      return new OktaConnector(config, deps);
    case "onelogin":
      return new OneLoginConnector(config, deps);
  }
}
