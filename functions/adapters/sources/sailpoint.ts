import type { FetchWindow } from "../../core/checkpoint/window.ts";
import { ClientCredentials } from "./auth.ts";
import { collectPages, type PageElement } from "./collect.ts";
import {
  type ConnectorDeps,
  type ConnectorHttp,
  checkBaseUrl,
  clampPageSize,
  connectorHttp,
  parseArrayPage,
} from "./common.ts";
import type { FetchLimits, FetchResult, PageSink, SourceConnector } from "./types.ts";

export interface SailPointConfig {
  /** `https://<tenant>.api.identitynow.com` */
  readonly baseUrl: string;
  /** Secret holding `{ clientId, clientSecret }` (a personal access token or API client). */
  readonly secretId: string;
}

/** The search API returns at most 10,000 documents per request (api-specs parameters/searchlimit.yaml). */
export const SAILPOINT_MAX_PAGE = 10_000;

/**
 * SailPoint Identity Security Cloud audit events: `POST /v3/search` on index `events`, a `created` range
 * over the window, sorted by `created` then `id`, paged with `searchAfter` = the last hit's sort values.
 */
export class SailPointConnector implements SourceConnector {
  readonly source = "sailpoint";
  readonly #base: URL;
  readonly #net: ConnectorHttp;
  readonly #auth: ClientCredentials;

  constructor(config: SailPointConfig, deps: ConnectorDeps) {
    this.#base = checkBaseUrl(this.source, config.baseUrl);
    this.#net = connectorHttp(this.source, deps);
    this.#auth = new ClientCredentials({
      http: this.#net.http,
      tokenUrl: `${this.#base.href.replace(/\/$/, "")}/oauth/token`,
      secrets: deps.secrets,
      secretId: config.secretId,
      seen: this.#net.seen,
      now: this.#net.deps.now,
      style: "form",
      scheme: "Bearer ",
    });
  }

  fetch(window: FetchWindow, limits: FetchLimits, sink: PageSink): Promise<FetchResult> {
    const pageSize = clampPageSize(limits.pageSize, 2500, SAILPOINT_MAX_PAGE);
    return collectPages(this.source, window, limits, sink, this.#pages(window, pageSize), {
      id: "id",
      time: "created",
    });
  }

  async *#pages(window: FetchWindow, pageSize: number): AsyncGenerator<readonly PageElement[]> {
    let searchAfter: unknown[] | undefined;
    const url = `${this.#base.href.replace(/\/$/, "")}/v3/search?limit=${pageSize}`;
    for (;;) {
      const body = {
        indices: ["events"],
        // Inclusive on both ends; the collector drops events at `until` (they belong to the next window).
        query: { query: `created:[${window.since} TO ${window.until}]` },
        sort: ["created", "id"],
        ...(searchAfter ? { searchAfter } : {}),
      };
      const page = await this.#net.http.send({
        url,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        auth: this.#auth,
        parse: parseArrayPage,
      });
      yield page;
      const last = page.at(-1)?.value as { created?: unknown; id?: unknown } | undefined;
      if (page.length < pageSize || !last) return;
      searchAfter = [last.created, last.id];
    }
  }
}
