import { preview, RateLimitedError, SeclakeError, SourceApiError } from "../../core/errors.ts";
import { type SourceLogger, silentLogger } from "./types.ts";

/** What the HTTP layer needs from the world; tests inject a fake clock and sleep. */
export interface HttpDeps {
  readonly fetch: typeof globalThis.fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly random: () => number;
  readonly logger: SourceLogger;
}

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  readonly maxAttempts: number;
  /** Backoff before retry n is random(0, min(maxDelayMs, baseDelayMs · 2^(n−1))) ("full jitter"). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Each request (headers and body) must complete within this. */
  readonly timeoutMs: number;
  /**
   * The longest single wait a source may ask for (Retry-After, rate-limit reset). Longer advice ends the
   * run with RateLimitedError(retryAfterMs) so Step Functions waits instead of a billed Lambda.
   */
  readonly maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  timeoutMs: 30_000,
  maxWaitMs: 60_000,
};

export function defaultHttpDeps(overrides: Partial<HttpDeps> = {}): HttpDeps {
  return {
    fetch: overrides.fetch ?? globalThis.fetch.bind(globalThis),
    sleep: overrides.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now: overrides.now ?? Date.now,
    random: overrides.random ?? Math.random,
    logger: overrides.logger ?? silentLogger,
  };
}

/** Supplies and renews the Authorization header of a source. */
export interface Authenticator {
  authorization(): Promise<string>;
  /** Forgets the cached credential so the next `authorization()` obtains a fresh one. */
  refresh(): Promise<void>;
}

/** Thrown by a response parser when the body is not the page it should be (truncated, not JSON, wrong shape). */
export class MalformedResponse extends Error {}

export interface HttpRequest<T> {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Sends `Authorization`; a 401 then triggers one refresh and one more try, never more. */
  readonly auth?: Authenticator;
  /** Turns a 2xx body into the result; throw MalformedResponse for a bad page. */
  readonly parse: (body: string, headers: Headers) => T;
}

/** How often a malformed (e.g. truncated) body is fetched again before it is reported. */
const MALFORMED_RETRIES = 2;

/**
 * Requests with the project's retry rules: 429 and 5xx retried with capped exponential backoff and full
 * jitter, `Retry-After` honoured in seconds or as an HTTP date, Okta's X-Rate-Limit-Remaining/Reset
 * honoured before the next request, timeouts on every request, 401 refreshed once, other 4xx never
 * retried. Messages name the source, method and path, never a header, a token or a secret value.
 */
export class HttpClient {
  #notBefore = 0;

  constructor(
    readonly source: string,
    private readonly deps: HttpDeps,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    /** Values that must never appear in a message (redacted as a last line of defence). */
    private readonly secrets: () => readonly string[] = () => [],
  ) {}

  async send<T>(req: HttpRequest<T>): Promise<T> {
    const method = req.method ?? "GET";
    const where = `${method} ${new URL(req.url).pathname}`;
    let attempt = 0;
    let refreshed = false;
    let malformed = 0;
    for (;;) {
      await this.#respectQuota(where);
      attempt += 1;
      let response: Response;
      let body: string;
      try {
        const headers: Record<string, string> = { accept: "application/json", ...req.headers };
        if (req.auth) headers.authorization = await req.auth.authorization();
        response = await this.deps.fetch(req.url, {
          method,
          headers,
          body: req.body,
          redirect: "error",
          signal: AbortSignal.timeout(this.policy.timeoutMs),
        });
        body = await response.text();
      } catch (error) {
        if (error instanceof SeclakeError) throw error;
        const reason =
          (error as Error).name === "TimeoutError"
            ? `timed out after ${this.policy.timeoutMs} ms`
            : `transport error: ${this.#clean((error as Error).message)}`;
        if (attempt >= this.policy.maxAttempts) {
          throw new SourceApiError(`${this.source}: ${where} failed after ${attempt} attempts: ${reason}`, {
            source: this.source,
            retryable: true,
          });
        }
        await this.#wait(this.#backoff(attempt), `${where}: ${reason}`, attempt);
        continue;
      }
      this.#noteQuota(response.headers);
      const status = response.status;

      if (status === 401 && req.auth && !refreshed) {
        refreshed = true;
        this.deps.logger.warn("credentials rejected, refreshing once", {
          source: this.source,
          where,
          status,
        });
        await req.auth.refresh();
        continue;
      }
      if (status === 401 || status === 403) {
        throw new SourceApiError(
          `${this.source}: ${where}: HTTP ${status} ${status === 401 ? "unauthorized" : "forbidden"}` +
            `${refreshed ? " after a credential refresh" : ""}${this.#detail(body)}; ` +
            "check the connector's secret and the API client's scopes",
          { source: this.source, status, retryable: false },
        );
      }
      if (status === 429) {
        const waitMs =
          this.#retryAfterMs(response.headers) ??
          this.#resetWaitMs(response.headers) ??
          this.#backoff(attempt);
        if (attempt >= this.policy.maxAttempts || waitMs > this.policy.maxWaitMs) {
          throw new RateLimitedError(
            `${this.source}: ${where}: HTTP 429 after ${attempt} attempts; source asks to wait ${Math.ceil(waitMs / 1000)} s`,
            waitMs,
          );
        }
        await this.#wait(waitMs, `${where}: HTTP 429`, attempt);
        continue;
      }
      if (status >= 500) {
        if (attempt >= this.policy.maxAttempts) {
          throw new SourceApiError(
            `${this.source}: ${where}: HTTP ${status} after ${attempt} attempts${this.#detail(body)}`,
            {
              source: this.source,
              status,
              retryable: true,
            },
          );
        }
        const advised = this.#retryAfterMs(response.headers);
        const waitMs =
          advised !== undefined ? Math.min(advised, this.policy.maxWaitMs) : this.#backoff(attempt);
        await this.#wait(waitMs, `${where}: HTTP ${status}`, attempt);
        continue;
      }
      if (status < 200 || status >= 300) {
        throw new SourceApiError(`${this.source}: ${where}: HTTP ${status}${this.#detail(body)}`, {
          source: this.source,
          status,
          retryable: false,
        });
      }
      try {
        return req.parse(body, response.headers);
      } catch (error) {
        if (!(error instanceof MalformedResponse)) throw error;
        malformed += 1;
        const reason = `malformed response (${this.#clean(error.message)}, ${body.length} bytes)`;
        if (malformed > MALFORMED_RETRIES || attempt >= this.policy.maxAttempts) {
          throw new SourceApiError(`${this.source}: ${where}: ${reason}; nothing from this run was counted`, {
            source: this.source,
            status,
            retryable: true,
          });
        }
        await this.#wait(this.#backoff(attempt), `${where}: ${reason}`, attempt);
      }
    }
  }

  #backoff(attempt: number): number {
    const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.deps.random() * ceiling);
  }

  /** Retry-After is delta-seconds or an HTTP-date (RFC 9110 §10.2.3); never milliseconds. */
  #retryAfterMs(headers: Headers): number | undefined {
    const value = headers.get("retry-after")?.trim();
    if (!value) return undefined;
    if (/^\d+$/.test(value)) return Number(value) * 1000;
    const at = Date.parse(value);
    return Number.isFinite(at) ? Math.max(0, at - this.deps.now()) : undefined;
  }

  /** Okta's X-Rate-Limit-Reset: the UTC epoch second at which the limit resets. */
  #resetWaitMs(headers: Headers): number | undefined {
    const reset = headers.get("x-rate-limit-reset");
    if (!reset || !/^\d+$/.test(reset.trim())) return undefined;
    return Math.max(0, Number(reset) * 1000 - this.deps.now());
  }

  #noteQuota(headers: Headers): void {
    const remaining = headers.get("x-rate-limit-remaining");
    const reset = headers.get("x-rate-limit-reset");
    if (remaining !== null && reset !== null && Number(remaining) <= 0 && /^\d+$/.test(reset.trim())) {
      this.#notBefore = Number(reset) * 1000;
    }
  }

  async #respectQuota(where: string): Promise<void> {
    const waitMs = this.#notBefore - this.deps.now();
    if (waitMs <= 0) return;
    if (waitMs > this.policy.maxWaitMs) {
      throw new RateLimitedError(
        `${this.source}: ${where}: rate-limit quota exhausted; resets in ${Math.ceil(waitMs / 1000)} s`,
        waitMs,
      );
    }
    this.deps.logger.warn("rate-limit quota exhausted, waiting for reset", {
      source: this.source,
      where,
      waitMs,
    });
    await this.deps.sleep(waitMs);
    this.#notBefore = 0;
  }

  async #wait(ms: number, reason: string, attempt: number): Promise<void> {
    this.deps.logger.warn("retrying request", { source: this.source, reason, attempt, waitMs: ms });
    await this.deps.sleep(ms);
  }

  /** A short, secret-free hint from an error body: OAuth `error`, Okta `errorSummary`, OneLogin `status.message`. */
  #detail(body: string): string {
    let hint: unknown;
    try {
      const json = JSON.parse(body) as Record<string, unknown>;
      hint =
        json.error_description ??
        json.errorSummary ??
        (json.status as { message?: unknown } | undefined)?.message ??
        json.message ??
        json.error;
    } catch {
      hint = undefined;
    }
    return typeof hint === "string" && hint !== "" ? `: ${this.#clean(preview(hint, 120))}` : "";
  }

  #clean(text: string): string {
    let out = text;
    for (const secret of this.secrets()) {
      if (secret.length >= 4) out = out.split(secret).join("[redacted]");
    }
    return out;
  }
}

/** Throws MalformedResponse unless `body` parses as JSON; returns the value. */
export function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new MalformedResponse(`not JSON: ${(error as Error).message}`);
  }
}
