import type { FetchWindow } from "../../core/checkpoint/window.ts";
import { SourceApiError } from "../../core/errors.ts";
import type { SecretsProvider } from "../../core/ports.ts";
import { ClientCredentials, SswsToken } from "./auth.ts";
import { collectPages, type PageElement } from "./collect.ts";
import {
  type ConnectorDeps,
  type ConnectorHttp,
  checkBaseUrl,
  clampPageSize,
  connectorHttp,
  parseArrayPage,
} from "./common.ts";
import type { Authenticator } from "./http.ts";
import type { FetchLimits, FetchResult, PageSink, SourceConnector } from "./types.ts";

export interface OktaConfig {
  /** `https://<org>.okta.com` */
  readonly baseUrl: string;
  /**
   * Secret holding either `{ apiToken }` (SSWS API token) or `{ clientId, privateKey }` (an OAuth 2.0 API
   * service app with private_key_jwt client authentication, granted `okta.logs.read`).
   */
  readonly secretId: string;
}

/** Chooses SSWS or OAuth from the secret's fields on first use, so switching needs no config change. */
class OktaAuth implements Authenticator {
  #inner: Authenticator | undefined;

  constructor(
    private readonly base: URL,
    private readonly secrets: SecretsProvider,
    private readonly secretId: string,
    private readonly net: ConnectorHttp,
  ) {}

  async authorization(): Promise<string> {
    if (!this.#inner) {
      const fields = await this.secrets.get(this.secretId);
      this.#inner =
        fields.apiToken === undefined && fields.privateKey !== undefined
          ? new ClientCredentials({
              http: this.net.http,
              tokenUrl: `${this.base.href.replace(/\/$/, "")}/oauth2/v1/token`,
              secrets: this.secrets,
              secretId: this.secretId,
              seen: this.net.seen,
              now: this.net.deps.now,
              style: "private_key_jwt",
              scope: "okta.logs.read",
              scheme: "Bearer ",
            })
          : new SswsToken(this.secrets, this.secretId, this.net.seen);
    }
    return this.#inner.authorization();
  }

  async refresh(): Promise<void> {
    await this.#inner?.refresh();
  }
}

export const OKTA_MAX_PAGE = 1000;

/** `<url>; rel="next"` from an RFC 8288 Link header. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (match && /(^|;)\s*rel\s*=\s*"?next"?\s*(;|$)/i.test(match[2] ?? "")) return match[1];
  }
  return undefined;
}

/**
 * Okta System Log: `GET /api/v1/logs?since&until&limit&sortOrder=ASCENDING`, following `Link: rel="next"`.
 * The next link is only followed on the configured origin, so the API token never goes elsewhere.
 */
export class OktaConnector implements SourceConnector {
  readonly source = "okta";
  readonly #base: URL;
  readonly #net: ConnectorHttp;
  readonly #auth: OktaAuth;

  constructor(config: OktaConfig, deps: ConnectorDeps) {
    this.#base = checkBaseUrl(this.source, config.baseUrl);
    this.#net = connectorHttp(this.source, deps);
    this.#auth = new OktaAuth(this.#base, deps.secrets, config.secretId, this.#net);
  }

  fetch(window: FetchWindow, limits: FetchLimits, sink: PageSink): Promise<FetchResult> {
    const pageSize = clampPageSize(limits.pageSize, OKTA_MAX_PAGE, OKTA_MAX_PAGE);
    return collectPages(this.source, window, limits, sink, this.#pages(window, pageSize), {
      id: "uuid",
      time: "published",
    });
  }

  async *#pages(window: FetchWindow, pageSize: number): AsyncGenerator<readonly PageElement[]> {
    const query = new URLSearchParams({
      since: window.since,
      until: window.until,
      limit: String(pageSize),
      sortOrder: "ASCENDING",
    });
    let url: string | undefined = `${this.#base.href.replace(/\/$/, "")}/api/v1/logs?${query}`;
    while (url) {
      const page: { elements: PageElement[]; next: string | undefined } = await this.#net.http.send({
        url,
        auth: this.#auth,
        parse: (body, headers) => ({ elements: parseArrayPage(body), next: nextLink(headers.get("link")) }),
      });
      const { elements, next } = page;
      yield elements;
      if (elements.length === 0 || !next) return;
      if (new URL(next, url).origin !== this.#base.origin) {
        throw new SourceApiError(
          `okta: next link points to another origin (${new URL(next, url).origin}); refusing`,
          {
            source: this.source,
            retryable: false,
          },
        );
      }
      const following: string = new URL(next, url).href;
      if (following === url) {
        // A cursor that does not move would page forever.
        throw new SourceApiError("okta: next link repeats the current page; refusing to loop", {
          source: this.source,
          retryable: false,
        });
      }
      url = following;
    }
  }
}
