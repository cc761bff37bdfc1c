/**
 * Loopback mock APIs for SailPoint ISC, Okta System Log and OneLogin (plus a directory S3 inbox), used by
 * the contract tests and by `seclake local`. Each replays a corpus with the API's real auth handshake,
 * paging, sort order and rate-limit headers, and can inject faults per data request.
 */
import { generateKeyPairSync } from "node:crypto";
import { oktaRoutes, oneloginRoutes, sailpointRoutes } from "./apis.ts";
import { type ApiKind, defaultCorpus, type MockEvent } from "./corpus.ts";
import { dspmInboxCorpus, type InboxFile, tempInbox } from "./s3Inbox.ts";
import {
  type MockCredentials,
  type MockOptions,
  type RequestRecord,
  randomSecret,
  startServer,
} from "./server.ts";

export * from "./corpus.ts";
export * from "./s3Inbox.ts";
export type { Fault, FaultRule, MockCredentials, MockOptions, RequestRecord } from "./server.ts";

export type MockKind = ApiKind | "s3-inbox";

export interface MockApi {
  /** http://127.0.0.1:<port> for the APIs; file://<dir> for the S3 inbox. */
  readonly baseUrl: string;
  /** What the connector needs: { clientId, clientSecret } or { apiToken } (random per server). */
  readonly credentials: MockCredentials;
  /** Events fully delivered in data responses, in order (for the inbox: every event written). */
  served(): MockEvent[];
  requests(): RequestRecord[];
  close(): Promise<void>;
}

export interface StartOptions extends MockOptions {
  /** Wrong or fixed credentials for the server to accept (default: fresh random ones). */
  readonly credentials?: MockCredentials;
  /** Okta only: "oauth" = an API service app with private_key_jwt instead of an SSWS token. */
  readonly oktaAuth?: "ssws" | "oauth";
  /** S3 inbox only: the files to drop (default: dspmInboxCorpus()). */
  readonly inbox?: readonly InboxFile[];
}

function rsaPrivateKey(): string {
  return generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
}

/** Starts a mock on 127.0.0.1, port 0. Default corpus: the shared samples plus 2,000 generated events. */
export async function startMockApi(kind: MockKind, options: StartOptions = {}): Promise<MockApi> {
  if (kind === "s3-inbox") {
    const files = options.inbox ?? dspmInboxCorpus();
    const inbox = await tempInbox(files);
    const events: MockEvent[] = files.flatMap((f) =>
      f.lines.map((line) => {
        const body = JSON.parse(line) as Record<string, unknown>;
        return {
          id: String(body.alert_id ?? ""),
          timeMs: Date.parse(String(body.csp_event_timestamp ?? "")),
          body,
        };
      }),
    );
    return {
      baseUrl: `file://${inbox.dir}`,
      credentials: {},
      served: () => [...events],
      requests: () => [],
      close: inbox.close,
    };
  }
  const credentials: MockCredentials =
    options.credentials ??
    (kind === "okta"
      ? options.oktaAuth === "oauth"
        ? { clientId: "syn-client-okta", privateKey: rsaPrivateKey() }
        : { apiToken: randomSecret("synssws") }
      : { clientId: `syn-client-${kind}`, clientSecret: randomSecret("synsecret") });
  const routes = { sailpoint: sailpointRoutes, okta: oktaRoutes, onelogin: oneloginRoutes }[kind];
  return startServer(routes, { ...options, corpus: options.corpus ?? defaultCorpus(kind) }, credentials);
}
