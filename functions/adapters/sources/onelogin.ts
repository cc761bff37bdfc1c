import type { FetchWindow } from "../../core/checkpoint/window.ts";
import { ClientCredentials } from "./auth.ts";
import { collectPages, type PageElement, pageElements } from "./collect.ts";
import {
  type ConnectorDeps,
  type ConnectorHttp,
  checkBaseUrl,
  clampPageSize,
  connectorHttp,
} from "./common.ts";
import { MalformedResponse, parseJsonBody } from "./http.ts";
import { rawArrayElements } from "./rawJson.ts";
import type { FetchLimits, FetchResult, PageSink, SourceConnector } from "./types.ts";

export interface OneLoginConfig {
  /** `https://<subdomain>.onelogin.com` (or `https://api.<us|eu>.onelogin.com`) */
  readonly baseUrl: string;
  /** Secret holding `{ clientId, clientSecret }` of an API credential pair. */
  readonly secretId: string;
}

/** OneLogin's v1 list endpoints return at most 50 records per page. */
export const ONELOGIN_MAX_PAGE = 50;

interface Envelope {
  readonly elements: PageElement[];
  readonly afterCursor: string | undefined;
}

function parseEnvelope(text: string): Envelope {
  const json = parseJsonBody(text) as { data?: unknown; pagination?: { after_cursor?: unknown } };
  if (typeof json !== "object" || json === null || !Array.isArray(json.data)) {
    throw new MalformedResponse('expected {"data":[…]} envelope');
  }
  const cursor = json.pagination?.after_cursor;
  return {
    elements: pageElements(rawArrayElements(text, "data"), json.data),
    afterCursor: typeof cursor === "string" && cursor !== "" ? cursor : undefined,
  };
}

/**
 * OneLogin events: OAuth2 client credentials at `/auth/oauth2/v2/token`, then
 * `GET /api/1/events?since&until&sort=+created_at&limit`, following `pagination.after_cursor`.
 */
export class OneLoginConnector implements SourceConnector {
  readonly source = "onelogin";
  readonly #base: URL;
  readonly #net: ConnectorHttp;
  readonly #auth: ClientCredentials;

  constructor(config: OneLoginConfig, deps: ConnectorDeps) {
    this.#base = checkBaseUrl(this.source, config.baseUrl);
    this.#net = connectorHttp(this.source, deps);
    this.#auth = new ClientCredentials({
      http: this.#net.http,
      tokenUrl: `${this.#base.href.replace(/\/$/, "")}/auth/oauth2/v2/token`,
      secrets: deps.secrets,
      secretId: config.secretId,
      seen: this.#net.seen,
      now: this.#net.deps.now,
      style: "onelogin",
      scheme: "bearer:",
    });
  }

  fetch(window: FetchWindow, limits: FetchLimits, sink: PageSink): Promise<FetchResult> {
    const pageSize = clampPageSize(limits.pageSize, ONELOGIN_MAX_PAGE, ONELOGIN_MAX_PAGE);
    return collectPages(this.source, window, limits, sink, this.#pages(window, pageSize), {
      id: "id",
      time: "created_at",
    });
  }

  async *#pages(window: FetchWindow, pageSize: number): AsyncGenerator<readonly PageElement[]> {
    const base = `${this.#base.href.replace(/\/$/, "")}/api/1/events`;
    let cursor: string | undefined;
    for (;;) {
      const query = new URLSearchParams({
        since: window.since,
        until: window.until,
        // Ascending time order lets a run stop at maxEvents and checkpoint the last event delivered.
        sort: "+created_at",
        limit: String(pageSize),
      });
      if (cursor) query.set("after_cursor", cursor);
      const page = await this.#net.http.send({
        url: `${base}?${query}`,
        auth: this.#auth,
        parse: parseEnvelope,
      });
      yield page.elements;
      if (!page.afterCursor || page.elements.length === 0) return;
      cursor = page.afterCursor;
    }
  }
}
