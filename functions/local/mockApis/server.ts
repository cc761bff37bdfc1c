import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MockEvent } from "./corpus.ts";

/** A fault injected into one data request (token requests are never faulted). */
export type Fault =
  /** Answer with this status (429, 500, 503, …); `retryAfter` is sent verbatim (seconds or an HTTP date). */
  | { readonly kind: "status"; readonly status: number; readonly retryAfter?: string }
  /** Hold the response this long (trips the client's timeout), then answer normally. */
  | { readonly kind: "slow"; readonly delayMs: number }
  /** Send only the first half of a 200 body. */
  | { readonly kind: "truncate" }
  /** Send a 200 whose body is not JSON at all. */
  | { readonly kind: "malformed" }
  /** Revoke every issued token before handling the request (a token expiring mid-run). */
  | { readonly kind: "expireToken" }
  /** Start the page one event early, re-sending the previous page's last event (an overlapping cursor). */
  | { readonly kind: "overlap" };

/** `on`: the 1-based numbers of the data requests to fault, or "all". */
export interface FaultRule {
  readonly on: number | readonly number[] | "all";
  readonly fault: Fault;
}

export interface MockOptions {
  readonly corpus?: readonly MockEvent[];
  readonly faults?: readonly FaultRule[];
  /** The mock's notion of now (token expiry, rate-limit windows, index delay). Default Date.now. */
  readonly clock?: () => number;
  /** An event becomes visible this long after its time (the source's index delay). Default 0. */
  readonly indexDelayMs?: number;
  /** Lifetime of issued OAuth tokens. Default 900 s. */
  readonly tokenTtlSeconds?: number;
  /** Okta only: requests allowed per rate-limit window, reported in X-Rate-Limit-* headers. */
  readonly rateLimit?: { readonly limit: number; readonly windowSeconds: number };
}

export interface RequestRecord {
  readonly n: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
  /** Token requests are "token"; paged event requests are "data". */
  readonly kind: "token" | "data";
}

export interface MockCredentials {
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly apiToken?: string;
  /** Okta OAuth service app: PEM private key the client signs its assertion with. */
  readonly privateKey?: string;
}

/** What a route handler gets. */
export interface MockContext {
  readonly opts: Required<Pick<MockOptions, "clock" | "indexDelayMs" | "tokenTtlSeconds">> & MockOptions;
  readonly corpus: readonly MockEvent[];
  readonly credentials: MockCredentials;
  readonly tokens: Map<string, number>;
  /** Events visible at the mock's now. */
  visible(): readonly MockEvent[];
  issueToken(): { token: string; ttlSeconds: number };
  tokenValid(token: string | undefined): boolean;
  baseUrl(): string;
  /** True while handling a request with the "overlap" fault. */
  overlap: boolean;
}

export interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
  /** Events in the body, recorded as served only once the body is fully sent. */
  readonly events?: readonly MockEvent[];
}

export interface Routes {
  /** Returns a reply for a token request, or undefined when the path is not the token endpoint. */
  token(req: IncomingMessage, body: string, ctx: MockContext): Reply | undefined;
  /** The data endpoint (auth included); undefined = 404. */
  data(req: IncomingMessage, url: URL, body: string, ctx: MockContext): Reply | undefined;
}

export interface RunningMock {
  readonly baseUrl: string;
  readonly credentials: MockCredentials;
  /** Events fully sent in data responses, in order (a retried page appears again). */
  served(): MockEvent[];
  requests(): RequestRecord[];
  close(): Promise<void>;
}

export async function startServer(
  routes: Routes,
  options: MockOptions,
  credentials: MockCredentials,
): Promise<RunningMock> {
  const clock = options.clock ?? Date.now;
  const opts = {
    ...options,
    clock,
    indexDelayMs: options.indexDelayMs ?? 0,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 900,
  };
  const corpus = options.corpus ?? [];
  const tokens = new Map<string, number>();
  const served: MockEvent[] = [];
  const requests: RequestRecord[] = [];
  let dataRequests = 0;
  let base = "";
  const ctx: MockContext = {
    opts,
    corpus,
    credentials,
    tokens,
    visible: () => corpus.filter((e) => e.timeMs + opts.indexDelayMs <= clock()),
    issueToken: () => {
      const token = `synaccess${randomBytes(12).toString("hex")}`;
      tokens.set(token, clock() + opts.tokenTtlSeconds * 1000);
      return { token, ttlSeconds: opts.tokenTtlSeconds };
    },
    tokenValid: (token) => token !== undefined && (tokens.get(token) ?? 0) > clock(),
    baseUrl: () => base,
    overlap: false,
  };

  const faultFor = (n: number): Fault | undefined =>
    options.faults?.find((r) => r.on === "all" || r.on === n || (Array.isArray(r.on) && r.on.includes(n)))
      ?.fault;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void handle(req, res, Buffer.concat(chunks).toString("utf8"));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? "/", base);
    const record = (status: number, kind: "token" | "data", n: number) =>
      requests.push({
        n,
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        status,
        kind,
      });

    const tokenReply = routes.token(req, body, ctx);
    if (tokenReply) {
      record(tokenReply.status, "token", 0);
      send(res, tokenReply);
      return;
    }
    const n = ++dataRequests;
    const fault = faultFor(n);
    if (fault?.kind === "status") {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
      record(fault.status, "data", n);
      send(res, {
        status: fault.status,
        headers,
        body: JSON.stringify({ error: `injected ${fault.status}` }),
      });
      return;
    }
    if (fault?.kind === "expireToken") tokens.clear();
    if (fault?.kind === "slow") await new Promise((r) => setTimeout(r, fault.delayMs));
    ctx.overlap = fault?.kind === "overlap";
    const reply = routes.data(req, url, body, ctx) ?? {
      status: 404,
      body: JSON.stringify({ error: "not found" }),
    };
    record(reply.status, "data", n);
    if (res.destroyed || req.socket.destroyed) return;
    if (fault?.kind === "malformed" && reply.status === 200) {
      send(res, {
        status: 200,
        headers: { "content-type": "application/json" },
        body: "<html>502 Bad Gateway</html>",
      });
      return;
    }
    if (fault?.kind === "truncate" && reply.status === 200) {
      send(res, { ...reply, body: reply.body.slice(0, Math.floor(reply.body.length / 2)), events: [] });
      return;
    }
    send(res, reply, () => {
      if (reply.events) served.push(...reply.events);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: base,
    credentials,
    served: () => [...served],
    requests: () => [...requests],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, reply: Reply, onDone?: () => void): void {
  res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
  res.end(reply.body, () => onDone?.());
}

/** The bearer token of a request whose Authorization is `<scheme><token>` for one of `schemes`. */
export function tokenOf(req: IncomingMessage, schemes: readonly string[]): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  for (const scheme of schemes) {
    if (header.toLowerCase().startsWith(scheme.toLowerCase())) return header.slice(scheme.length).trim();
  }
  return undefined;
}

/** Opaque page cursors, as the real APIs hand out. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeCursor(cursor: string): unknown {
  return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
}

export function randomSecret(prefix: string): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}
