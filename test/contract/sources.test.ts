import { afterAll, describe, expect, it } from "vitest";
import {
  rawPageKey,
  rawPagePrefix,
  rawPageSink,
  removeStalePages,
} from "../../functions/adapters/sources/pageSink.ts";
import type { SourceConnector } from "../../functions/adapters/sources/types.ts";
import {
  type Checkpoint,
  makeWindow,
  nextCheckpoint,
  openWindow,
  serializeCheckpoint,
} from "../../functions/core/checkpoint/index.ts";
import { RateLimitedError, SourceApiError } from "../../functions/core/errors.ts";
import {
  type ApiKind,
  defaultCorpus,
  generatedCorpus,
  type MockApi,
  type MockEvent,
  type StartOptions,
  sortEvents,
  startMockApi,
} from "../../functions/local/mockApis/index.ts";
import { connectorFor, fakeTime, MemoryStore, memorySink, recordingLogger } from "../helpers/connectors.ts";

const KINDS: ApiKind[] = ["sailpoint", "okta", "onelogin"];
const T = Date.parse("2024-03-02T00:00:00.000Z");
const EVERYTHING = makeWindow("2010-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z");
const PAGE: Record<ApiKind, number> = { sailpoint: 100, okta: 100, onelogin: 50 };

/** Every text a run produced (results, errors, logs, pages): scanned for secrets after each suite. */
const texts: string[] = [];
const secrets = new Set<string>();

const raw = (events: readonly MockEvent[]) => events.map((e) => JSON.stringify(e.body));
const inWindow = (events: readonly MockEvent[], since: number, until: number) =>
  events.filter((e) => e.timeMs >= since && e.timeMs < until);

async function withMock<R>(
  kind: ApiKind,
  options: StartOptions,
  fn: (mock: MockApi) => Promise<R>,
): Promise<R> {
  const mock = await startMockApi(kind, options);
  for (const value of Object.values(mock.credentials)) if (value) secrets.add(value);
  try {
    return await fn(mock);
  } finally {
    await mock.close();
  }
}

/** Fast deterministic waits: the clock advances by each sleep; random() = 0.5. */
function quickDeps(start = T + 86_400_000) {
  const time = fakeTime(start);
  const logger = recordingLogger();
  return { time, logger, http: { sleep: time.sleep, now: time.now, random: () => 0.5, logger } };
}

async function fetchAll(connector: SourceConnector, window = EVERYTHING, pageSize?: number) {
  const { store, sink } = memorySink();
  const result = await connector.fetch(window, { maxEvents: 1_000_000, pageSize }, sink);
  texts.push(JSON.stringify(result));
  return { result, lines: store.lines() };
}

/** Runs window after window (as the state machine would) until the source is drained up to now − lag. */
async function drain(
  connector: SourceConnector,
  kind: string,
  opts: {
    since: number;
    now: () => number;
    maxEvents: number;
    pageSize?: number;
    maxWindowSeconds?: number;
    lagSeconds?: number;
    tick?: () => boolean;
  },
) {
  const store = new MemoryStore();
  let cp: Checkpoint = {
    version: 1,
    since: new Date(opts.since).toISOString(),
    boundaryIds: [],
    pending: null,
  };
  const lines: string[] = [];
  for (let run = 0; run < 500; run += 1) {
    const window = openWindow(cp, opts.now(), {
      lagSeconds: opts.lagSeconds ?? 60,
      maxWindowSeconds: opts.maxWindowSeconds,
    });
    const result = await connector.fetch(
      window,
      { maxEvents: opts.maxEvents, pageSize: opts.pageSize },
      rawPageSink(store, kind, window.windowId),
    );
    for (const key of result.keys) lines.push(...store.lines(key));
    cp = nextCheckpoint(result.next);
    texts.push(serializeCheckpoint(cp));
    const caughtUp = !result.hasMore && Date.parse(cp.since) >= opts.now() - (opts.lagSeconds ?? 60) * 1000;
    if (caughtUp) {
      if (!opts.tick?.()) return { lines, checkpoint: cp, runs: run + 1 };
    }
  }
  throw new Error("did not drain in 500 runs");
}

describe.each(KINDS)("%s connector against its mock API", (kind) => {
  it("returns exactly the N events of a window, each once, in order, byte for byte", async () => {
    const corpus = defaultCorpus(kind, 1500);
    await withMock(kind, { corpus }, async (mock) => {
      const { result, lines } = await fetchAll(connectorFor(kind, mock), EVERYTHING, PAGE[kind]);
      expect(lines).toEqual(raw(corpus));
      expect(result).toMatchObject({
        fetched: corpus.length,
        hasMore: false,
        next: { since: EVERYTHING.until, boundaryIds: [] },
      });
      expect(result.pages).toBeGreaterThan(10);
      // OAuth tokens are cached: one token request for the whole run.
      expect(mock.requests().filter((r) => r.kind === "token")).toHaveLength(kind === "okta" ? 0 : 1);
    });
  });

  it("splits the work over runs at maxEvents and window edges with same-millisecond events: union = all, no duplicates", async () => {
    const generated = generatedCorpus(kind, { count: 900, startMs: T, burst: 160 });
    // Seven events exactly on a window edge (T + 240 s with 120-second windows).
    const edge = generatedCorpus(kind, {
      count: 7,
      startMs: T + 240_000,
      sameMillisecond: true,
      idOffset: 500_000,
    });
    const corpus = sortEvents([...generated, ...edge]);
    const now = T + 3_600_000;
    await withMock(kind, { corpus }, async (mock) => {
      const { lines, runs } = await drain(connectorFor(kind, mock), kind, {
        since: T,
        now: () => now,
        maxEvents: 137,
        pageSize: 40,
        maxWindowSeconds: 120,
      });
      expect(lines).toEqual(raw(inWindow(corpus, T, now - 60_000)));
      expect(runs).toBeGreaterThan(7);
      expect(new Set(lines).size).toBe(lines.length);
    });
  });

  it("rides out a 429 storm and transient 5xx with the same result, waiting Retry-After in seconds", async () => {
    const corpus = generatedCorpus(kind, { count: 400, startMs: T });
    const start = T + 86_400_000;
    const faults: StartOptions["faults"] = [
      { on: [1, 2, 3], fault: { kind: "status", status: 429, retryAfter: "1" } },
      { on: 4, fault: { kind: "status", status: 503 } },
      { on: 5, fault: { kind: "status", status: 500 } },
      { on: 7, fault: { kind: "status", status: 429, retryAfter: new Date(start + 60_000).toUTCString() } },
      { on: 9, fault: { kind: "status", status: 502 } },
    ];
    await withMock(kind, { corpus, faults }, async (mock) => {
      const { time, logger, http } = quickDeps(start);
      const { result, lines } = await fetchAll(connectorFor(kind, mock, http), EVERYTHING, PAGE[kind]);
      texts.push(...logger.lines);
      expect(lines).toEqual(raw(corpus));
      expect(result.fetched).toBe(corpus.length);
      // Retry-After: 1 means one second (the anchor integration slept 1 ms).
      expect(time.t.sleeps.slice(0, 3)).toEqual([1000, 1000, 1000]);
      // 5xx: capped exponential backoff with full jitter: random() = 0.5 of 500·2^(attempt−1), attempts 4 and 5.
      expect(time.t.sleeps.slice(3, 5)).toEqual([2000, 4000]);
      // The HTTP-date form: wait until that instant.
      const dated = time.t.sleeps[5] ?? 0;
      expect(dated).toBeGreaterThan(50_000);
      expect(dated).toBeLessThanOrEqual(60_000);
      expect(mock.requests().filter((r) => r.kind === "data" && r.status === 200)).toHaveLength(
        result.pages + (kind === "onelogin" ? 0 : 1),
      );
    });
  });

  it("delivers once an event the API repeats at the start of the next page", async () => {
    const corpus = generatedCorpus(kind, { count: 400, startMs: T });
    await withMock(
      kind,
      { corpus, faults: [{ on: [2, 3, 5], fault: { kind: "overlap" } }] },
      async (mock) => {
        const { lines, result } = await fetchAll(connectorFor(kind, mock), EVERYTHING, PAGE[kind]);
        expect(mock.served().length).toBe(corpus.length + 3);
        expect(lines).toEqual(raw(corpus));
        expect(result.fetched).toBe(corpus.length);
      },
    );
  });

  it("rewrites the same keys when a failed window is retried, and leaves no stale page behind", async () => {
    const corpus = generatedCorpus(kind, { count: 300, startMs: T });
    const store = new MemoryStore();
    const window = makeWindow("2024-03-01T00:00:00.000Z", "2024-03-03T00:00:00.000Z");
    const faults: StartOptions["faults"] = [{ on: 4, fault: { kind: "status", status: 400 } }];
    await withMock(kind, { corpus, faults }, async (mock) => {
      const connector = connectorFor(kind, mock);
      const sink = rawPageSink(store, kind, window.windowId);
      await expect(connector.fetch(window, { maxEvents: 10_000, pageSize: 20 }, sink)).rejects.toThrow(
        /HTTP 400/,
      );
      const partial = [...store.objects.keys()];
      expect(partial).toHaveLength(3);
      // The retry pages differently (larger pages): fewer pages, same window id, same key names.
      const result = await connector.fetch(window, { maxEvents: 10_000, pageSize: PAGE[kind] }, sink);
      expect(result.keys.slice(0, 3)).toEqual(partial);
      await store.put(rawPageKey(kind, window.windowId, 99), "stale");
      expect(await removeStalePages(store, kind, window.windowId, result.keys)).toEqual([
        rawPageKey(kind, window.windowId, 99),
      ]);
      expect(store.lines(rawPagePrefix(kind, window.windowId))).toEqual(raw(corpus));
    });
  });

  it("gives up with RateLimitedError when the source asks for a longer wait than a run may spend", async () => {
    const corpus = generatedCorpus(kind, { count: 10, startMs: T });
    await withMock(
      kind,
      { corpus, faults: [{ on: "all", fault: { kind: "status", status: 429, retryAfter: "3600" } }] },
      async (mock) => {
        const { http } = quickDeps();
        const error = await fetchAll(connectorFor(kind, mock, http)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RateLimitedError);
        expect((error as RateLimitedError).retryAfterMs).toBe(3_600_000);
        texts.push(String(error));
      },
    );
  });

  it("fails fast and clearly on bad credentials: no retries beyond one refresh", async () => {
    const corpus = generatedCorpus(kind, { count: 10, startMs: T });
    await withMock(kind, { corpus }, async (mock) => {
      const wrong =
        kind === "okta"
          ? { apiToken: "synWrongToken-1234" }
          : { clientId: "syn-client", clientSecret: "synWrongSecret-1234" };
      secrets.add(Object.values(wrong).at(-1) as string);
      const { logger, http } = quickDeps();
      const error = await fetchAll(connectorFor(kind, mock, http, {}, wrong)).catch((e: unknown) => e);
      texts.push(String(error), ...logger.lines);
      expect(error).toBeInstanceOf(SourceApiError);
      expect((error as SourceApiError).status).toBe(401);
      expect((error as SourceApiError).retryable).toBe(false);
      expect(String((error as Error).message)).toMatch(
        new RegExp(`^${kind}: .*401.*check the connector's secret`),
      );
      const requests = mock.requests();
      if (kind === "okta") {
        // SSWS: the first 401 re-reads the secret once, the second is final.
        expect(requests.map((r) => [r.kind, r.status])).toEqual([
          ["data", 401],
          ["data", 401],
        ]);
      } else {
        // OAuth: the token endpoint's refusal is final; no data request is made.
        expect(requests.map((r) => [r.kind, r.status])).toEqual([["token", 401]]);
      }
    });
  });

  it("survives timeouts and a truncated body, and reports a persistently malformed page without advancing", async () => {
    const corpus = generatedCorpus(kind, { count: 300, startMs: T });
    const faults: StartOptions["faults"] = [
      { on: 2, fault: { kind: "slow", delayMs: 600 } },
      { on: 4, fault: { kind: "truncate" } },
    ];
    await withMock(kind, { corpus, faults }, async (mock) => {
      const { http, logger } = quickDeps();
      const { lines } = await fetchAll(
        connectorFor(kind, mock, http, { timeoutMs: 150 }),
        EVERYTHING,
        PAGE[kind],
      );
      texts.push(...logger.lines);
      expect(lines).toEqual(raw(corpus));
      expect(logger.lines.some((l) => l.includes("timed out after 150 ms"))).toBe(true);
      expect(logger.lines.some((l) => l.includes("malformed response"))).toBe(true);
    });
    await withMock(kind, { corpus, faults: [{ on: "all", fault: { kind: "malformed" } }] }, async (mock) => {
      const { http } = quickDeps();
      const checkpoint: Checkpoint = { version: 1, since: EVERYTHING.since, boundaryIds: [], pending: null };
      const stored = serializeCheckpoint(checkpoint);
      let committed = stored;
      const error = await fetchAll(connectorFor(kind, mock, http))
        .then((r) => {
          committed = serializeCheckpoint(nextCheckpoint(r.result.next));
        })
        .catch((e: unknown) => e);
      texts.push(String(error));
      expect(error).toBeInstanceOf(SourceApiError);
      expect(String((error as Error).message)).toMatch(
        new RegExp(`^${kind}: (GET|POST) /\\S+: malformed response .*nothing from this run was counted`),
      );
      expect(committed).toBe(stored);
    });
  });

  it.skipIf(kind === "okta")("renews an OAuth token that expires mid-run and carries on", async () => {
    const corpus = generatedCorpus(kind, { count: 300, startMs: T });
    await withMock(kind, { corpus, faults: [{ on: 3, fault: { kind: "expireToken" } }] }, async (mock) => {
      const { http, logger } = quickDeps();
      const { lines } = await fetchAll(connectorFor(kind, mock, http), EVERYTHING, PAGE[kind]);
      texts.push(...logger.lines);
      expect(lines).toEqual(raw(corpus));
      expect(mock.requests().filter((r) => r.kind === "token")).toHaveLength(2);
    });
  });

  it.skipIf(kind === "okta")("renews a cached OAuth token before it expires, without a 401", async () => {
    const corpus = generatedCorpus(kind, { count: 200, startMs: T });
    const start = T + 86_400_000;
    const time = fakeTime(start);
    const faults: StartOptions["faults"] = [
      { on: [2, 3], fault: { kind: "status", status: 429, retryAfter: "50" } },
    ];
    await withMock(kind, { corpus, faults, clock: time.now, tokenTtlSeconds: 90 }, async (mock) => {
      const { lines } = await fetchAll(
        connectorFor(kind, mock, { now: time.now, sleep: time.sleep }),
        EVERYTHING,
        PAGE[kind],
      );
      expect(lines).toEqual(raw(corpus));
      expect(mock.requests().filter((r) => r.kind === "token")).toHaveLength(2);
      expect(mock.requests().filter((r) => r.status === 401)).toEqual([]);
    });
  });

  it("collects events that become visible late, inside the lag, exactly once (and would lose them without a lag)", async () => {
    const corpus = generatedCorpus(kind, { count: 250, startMs: T });
    const last = corpus.at(-1)?.timeMs ?? T;
    const run = async (lagSeconds: number) => {
      let clock = T + 20_000;
      return withMock(kind, { corpus, indexDelayMs: 45_000, clock: () => clock }, async (mock) => {
        const { lines } = await drain(
          connectorFor(kind, mock, { now: () => clock, sleep: async () => {} }),
          kind,
          {
            since: T,
            now: () => clock,
            maxEvents: 10_000,
            pageSize: PAGE[kind],
            lagSeconds,
            tick: () => {
              clock += 15_000;
              return clock <= last + 200_000;
            },
          },
        );
        return lines;
      });
    };
    expect(await run(60)).toEqual(raw(corpus));
    expect((await run(0)).length).toBeLessThan(corpus.length);
  });
});

describe("okta OAuth service app (private_key_jwt)", () => {
  it("signs a client assertion, caches the token, renews it once when revoked mid-run", async () => {
    const corpus = generatedCorpus("okta", { count: 500, startMs: T });
    await withMock(
      "okta",
      { corpus, oktaAuth: "oauth", faults: [{ on: 3, fault: { kind: "expireToken" } }] },
      async (mock) => {
        // Real clock: the mock checks the assertion's exp against its own (real) now.
        const logger = recordingLogger();
        const { lines } = await fetchAll(
          connectorFor("okta", mock, { logger, sleep: async () => {} }),
          EVERYTHING,
          100,
        );
        texts.push(...logger.lines);
        expect(lines).toEqual(raw(corpus));
        expect(
          mock
            .requests()
            .filter((r) => r.kind === "token")
            .map((r) => r.status),
        ).toEqual([200, 200]);
      },
    );
  });

  it("fails once, clearly, when the token endpoint rejects the key", async () => {
    const corpus = generatedCorpus("okta", { count: 5, startMs: T });
    const other = await startMockApi("okta", { oktaAuth: "oauth", corpus: [] });
    await other.close();
    await withMock("okta", { corpus, oktaAuth: "oauth" }, async (mock) => {
      const wrongKey = {
        clientId: mock.credentials.clientId ?? "",
        privateKey: other.credentials.privateKey ?? "",
      };
      secrets.add(wrongKey.privateKey);
      const error = await fetchAll(connectorFor("okta", mock, quickDeps().http, {}, wrongKey)).catch(
        (e: unknown) => e,
      );
      texts.push(String(error));
      expect(error).toMatchObject({ status: 401, retryable: false });
      expect(String((error as Error).message)).toMatch(
        /^okta: POST \/oauth2\/v1\/token: HTTP 401 unauthorized: "The client_assertion signature is invalid\."/,
      );
      expect(mock.requests().map((r) => [r.kind, r.status])).toEqual([["token", 401]]);
    });
  });
});

describe("okta rate-limit headers", () => {
  it("waits for X-Rate-Limit-Reset when X-Rate-Limit-Remaining reaches 0, so no request is refused", async () => {
    const corpus = generatedCorpus("okta", { count: 900, startMs: T });
    const start = T + 86_400_000;
    const time = fakeTime(start);
    await withMock(
      "okta",
      { corpus, clock: time.now, rateLimit: { limit: 3, windowSeconds: 60 } },
      async (mock) => {
        const { lines } = await fetchAll(
          connectorFor("okta", mock, { now: time.now, sleep: time.sleep }),
          EVERYTHING,
          100,
        );
        expect(lines).toEqual(raw(corpus));
        expect(mock.requests().filter((r) => r.status === 429)).toEqual([]);
        expect(time.t.sleeps.length).toBeGreaterThanOrEqual(2);
        for (const s of time.t.sleeps) expect(s).toBeLessThanOrEqual(60_000);
      },
    );
  });

  it("measures a real Retry-After wait of one second", async () => {
    const corpus = generatedCorpus("okta", { count: 5, startMs: T });
    await withMock(
      "okta",
      { corpus, faults: [{ on: 1, fault: { kind: "status", status: 429, retryAfter: "1" } }] },
      async (mock) => {
        const started = performance.now();
        const { lines } = await fetchAll(connectorFor("okta", mock));
        expect(performance.now() - started).toBeGreaterThanOrEqual(990);
        expect(lines).toHaveLength(5);
      },
    );
  });
});

describe("secrets", () => {
  afterAll(() => {
    // Runs after every suite above: no secret value or issued token in any result, checkpoint, error or log.
    const all = texts.join("\n");
    expect(texts.length).toBeGreaterThan(20);
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/synaccess[0-9a-f]{8}/);
  });
  it("collects the texts of every run above", () => {
    expect(secrets.size).toBeGreaterThan(3);
  });
});
