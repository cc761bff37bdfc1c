import { createPublicKey, verify } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { compareIds, type MockEvent } from "./corpus.ts";
import { decodeCursor, encodeCursor, type MockContext, type Reply, type Routes, tokenOf } from "./server.ts";

const json = (status: number, value: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body: JSON.stringify(value),
  headers,
});

/** Events strictly after (timeMs, id) in the APIs' sort order. */
const after = (e: MockEvent, t: number, id: string) =>
  e.timeMs > t || (e.timeMs === t && compareIds(e.id, id) > 0);

function inRange(events: readonly MockEvent[], since: number, until: number, untilInclusive: boolean) {
  return events.filter((e) => e.timeMs >= since && (untilInclusive ? e.timeMs <= until : e.timeMs < until));
}

// ---------------------------------------------------------------------------------------------------
// SailPoint ISC: POST /oauth/token (client credentials, form or query), POST /v3/search (bare array).
// ---------------------------------------------------------------------------------------------------
export const sailpointRoutes: Routes = {
  token(req, body, ctx) {
    if (req.method !== "POST" || !req.url?.startsWith("/oauth/token")) return undefined;
    const params = new URLSearchParams(body);
    for (const [k, v] of new URL(req.url, ctx.baseUrl()).searchParams) if (!params.has(k)) params.set(k, v);
    if (params.get("grant_type") !== "client_credentials")
      return json(400, { error: "unsupported_grant_type" });
    if (
      params.get("client_id") !== ctx.credentials.clientId ||
      params.get("client_secret") !== ctx.credentials.clientSecret
    ) {
      return json(401, { error: "invalid_client", error_description: "Bad credentials" });
    }
    const { token, ttlSeconds } = ctx.issueToken();
    return json(200, {
      access_token: token,
      token_type: "bearer",
      expires_in: ttlSeconds,
      scope: "sp:scopes:all",
      tenant_id: "syn-tenant",
    });
  },
  data(req, url, body, ctx) {
    if (req.method !== "POST" || url.pathname !== "/v3/search") return undefined;
    if (!ctx.tokenValid(tokenOf(req, ["Bearer "])))
      return json(401, { error: "JWT validation failed: JWT is expired" });
    const limit = Number(url.searchParams.get("limit") ?? "250");
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      return json(400, {
        detailCode: "400.1 Bad request content",
        messages: [{ text: "limit must be 1..10000" }],
      });
    }
    let search: { indices?: unknown; query?: { query?: unknown }; sort?: unknown; searchAfter?: unknown };
    try {
      search = JSON.parse(body);
    } catch {
      return json(400, { detailCode: "400.0 Bad request syntax" });
    }
    if (
      JSON.stringify(search.indices) !== '["events"]' ||
      JSON.stringify(search.sort) !== '["created","id"]'
    ) {
      return json(400, { detailCode: "400.1 Bad request content", messages: [{ text: "indices/sort" }] });
    }
    const m = /^created:([[{])(\S+) TO (\S+)([\]}])$/.exec(String(search.query?.query ?? ""));
    if (!m) return json(400, { detailCode: "400.1 Bad request content", messages: [{ text: "query" }] });
    const [lo, hi] = [Date.parse(m[2] as string), Date.parse(m[3] as string)];
    let hits = ctx
      .visible()
      .filter(
        (e) =>
          (m[1] === "[" ? e.timeMs >= lo : e.timeMs > lo) && (m[4] === "]" ? e.timeMs <= hi : e.timeMs < hi),
      );
    if (Array.isArray(search.searchAfter)) {
      const [t, id] = search.searchAfter as [string, string];
      hits = hits.filter(
        (e) =>
          after(e, Date.parse(t), String(id)) ||
          (ctx.overlap && e.timeMs === Date.parse(t) && e.id === String(id)),
      );
    }
    const page = hits.slice(0, limit);
    return {
      ...json(
        200,
        page.map((e) => e.body),
      ),
      events: page,
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// Okta System Log: SSWS token, GET /api/v1/logs, Link rel="next", X-Rate-Limit-* headers.
// ---------------------------------------------------------------------------------------------------
const oktaWindows = new WeakMap<MockContext, { resetAt: number; used: number }>();

function oktaRateHeaders(ctx: MockContext): { headers: Record<string, string>; exceeded: boolean } {
  const rl = ctx.opts.rateLimit;
  if (!rl) return { headers: {}, exceeded: false };
  const now = ctx.opts.clock();
  let w = oktaWindows.get(ctx);
  if (!w || now >= w.resetAt) {
    w = { resetAt: (Math.floor(now / 1000) + rl.windowSeconds) * 1000, used: 0 };
    oktaWindows.set(ctx, w);
  }
  w.used += 1;
  return {
    exceeded: w.used > rl.limit,
    headers: {
      "x-rate-limit-limit": String(rl.limit),
      "x-rate-limit-remaining": String(Math.max(0, rl.limit - w.used)),
      "x-rate-limit-reset": String(w.resetAt / 1000),
    },
  };
}

/** Verifies an RFC 7523 client assertion as Okta's org authorization server does (RS256, iss/sub/aud/exp). */
function validAssertion(jwt: string, ctx: MockContext, audience: string): boolean {
  const [h, p, sig] = jwt.split(".");
  if (!h || !p || !sig || !ctx.credentials.privateKey) return false;
  const publicKey = createPublicKey(ctx.credentials.privateKey);
  if (!verify("sha256", Buffer.from(`${h}.${p}`), publicKey, Buffer.from(sig, "base64url"))) return false;
  const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
  const now = ctx.opts.clock() / 1000;
  return (
    claims.iss === ctx.credentials.clientId &&
    claims.sub === ctx.credentials.clientId &&
    claims.aud === audience &&
    typeof claims.exp === "number" &&
    claims.exp > now
  );
}

export const oktaRoutes: Routes = {
  token(req, body, ctx) {
    if (req.method !== "POST" || req.url !== "/oauth2/v1/token") return undefined;
    const form = new URLSearchParams(body);
    if (form.get("grant_type") !== "client_credentials" || form.get("scope") !== "okta.logs.read") {
      return json(400, { error: "invalid_scope", error_description: "The requested scope is invalid." });
    }
    const assertion = form.get("client_assertion") ?? "";
    if (
      form.get("client_assertion_type") !== "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" ||
      !validAssertion(assertion, ctx, `${ctx.baseUrl()}/oauth2/v1/token`)
    ) {
      return json(401, {
        error: "invalid_client",
        error_description: "The client_assertion signature is invalid.",
      });
    }
    const { token, ttlSeconds } = ctx.issueToken();
    return json(200, {
      token_type: "Bearer",
      expires_in: ttlSeconds,
      access_token: token,
      scope: "okta.logs.read",
    });
  },
  data(req, url, _body, ctx) {
    if (req.method !== "GET" || url.pathname !== "/api/v1/logs") return undefined;
    const ssws =
      ctx.credentials.apiToken !== undefined && tokenOf(req, ["SSWS "]) === ctx.credentials.apiToken;
    if (!ssws && !ctx.tokenValid(tokenOf(req, ["Bearer "]))) {
      return json(401, {
        errorCode: "E0000011",
        errorSummary: "Invalid token provided",
        errorLink: "E0000011",
        errorCauses: [],
      });
    }
    const rate = oktaRateHeaders(ctx);
    if (rate.exceeded) {
      return json(
        429,
        { errorCode: "E0000047", errorSummary: "API call exceeded rate limit due to too many requests." },
        rate.headers,
      );
    }
    const q = url.searchParams;
    const limit = Number(q.get("limit") ?? "100");
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return json(400, { errorCode: "E0000001", errorSummary: "Api validation failed: limit" }, rate.headers);
    }
    const since = Date.parse(q.get("since") ?? "");
    const until = Date.parse(q.get("until") ?? "");
    if (!Number.isFinite(since) || !Number.isFinite(until)) {
      return json(
        400,
        { errorCode: "E0000001", errorSummary: "Api validation failed: since/until" },
        rate.headers,
      );
    }
    // Okta's until bound is treated as inclusive here: the harsher case for the client's window edge.
    let hits = inRange(ctx.visible(), since, until, true);
    if (q.get("sortOrder") !== "ASCENDING") hits = [...hits].reverse();
    const cursor = q.get("after");
    if (cursor) {
      const [t, id] = decodeCursor(cursor) as [number, string];
      hits = hits.filter((e) => after(e, t, id) || (ctx.overlap && e.timeMs === t && e.id === id));
    }
    const page = hits.slice(0, limit);
    const self = url.href.replace(url.origin, ctx.baseUrl());
    const links = [`<${self}>; rel="self"`];
    const last = page.at(-1);
    if (page.length === limit && last) {
      const next = new URL(self);
      next.searchParams.set("after", encodeCursor([last.timeMs, last.id]));
      links.push(`<${next.href}>; rel="next"`);
    }
    return {
      ...json(
        200,
        page.map((e) => e.body),
        { ...rate.headers, link: links.join(", ") },
      ),
      events: page,
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// OneLogin: POST /auth/oauth2/v2/token (client_id/secret header), GET /api/1/events with cursors.
// ---------------------------------------------------------------------------------------------------
const oneloginUnauthorized = json(401, {
  status: { error: true, code: 401, type: "Unauthorized", message: "Authentication Failure" },
});

function oneloginClient(req: IncomingMessage): { id?: string; secret?: string } {
  const m = /client_id:\s*([^,]+),\s*client_secret:\s*(\S+)/.exec(req.headers.authorization ?? "");
  return { id: m?.[1]?.trim(), secret: m?.[2]?.trim() };
}

export const oneloginRoutes: Routes = {
  token(req, body, ctx) {
    if (req.method !== "POST" || req.url !== "/auth/oauth2/v2/token") return undefined;
    const client = oneloginClient(req);
    let grant: unknown;
    try {
      grant = (JSON.parse(body) as { grant_type?: unknown }).grant_type;
    } catch {
      grant = undefined;
    }
    if (grant !== "client_credentials")
      return json(400, { status: { error: true, code: 400, type: "bad request", message: "grant_type" } });
    if (client.id !== ctx.credentials.clientId || client.secret !== ctx.credentials.clientSecret)
      return oneloginUnauthorized;
    const { token, ttlSeconds } = ctx.issueToken();
    return json(200, {
      access_token: token,
      created_at: new Date(ctx.opts.clock()).toISOString(),
      expires_in: ttlSeconds,
      refresh_token: `synrefresh${token.slice(-8)}`,
      token_type: "bearer",
      account_id: 55555,
    });
  },
  data(req, url, _body, ctx) {
    if (req.method !== "GET" || url.pathname !== "/api/1/events") return undefined;
    if (!ctx.tokenValid(tokenOf(req, ["bearer:", "Bearer "]))) return oneloginUnauthorized;
    const q = url.searchParams;
    const limit = Math.min(50, Number(q.get("limit") ?? "50"));
    const since = q.has("since") ? Date.parse(q.get("since") as string) : Number.NEGATIVE_INFINITY;
    const until = q.has("until") ? Date.parse(q.get("until") as string) : Number.POSITIVE_INFINITY;
    let hits = inRange(ctx.visible(), since, until, true);
    const sort = q.get("sort") ?? "-id";
    if (sort === "-id" || sort === "-created_at") hits = [...hits].reverse();
    const cursor = q.get("after_cursor");
    if (cursor) {
      const [t, id] = decodeCursor(cursor) as [number, string];
      const i = hits.findIndex((e) => e.timeMs === t && e.id === id);
      hits = hits.slice(ctx.overlap ? i : i + 1);
    }
    const page = hits.slice(0, limit);
    const last = page.at(-1);
    const afterCursor = hits.length > limit && last ? encodeCursor([last.timeMs, last.id]) : null;
    const nextLink = afterCursor
      ? `${ctx.baseUrl()}/api/1/events?${new URLSearchParams({ ...Object.fromEntries(q), after_cursor: afterCursor })}`
      : null;
    return {
      ...json(200, {
        status: { error: false, code: 200, type: "success", message: "Success" },
        pagination: {
          before_cursor: null,
          after_cursor: afterCursor,
          previous_link: null,
          next_link: nextLink,
        },
        data: page.map((e) => e.body),
      }),
      events: page,
    };
  },
};
