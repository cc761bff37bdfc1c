import { describe, expect, it } from "vitest";
import { HttpClient, MalformedResponse, parseJsonBody } from "../../../functions/adapters/sources/http.ts";
import { nextLink } from "../../../functions/adapters/sources/okta.ts";
import { oneLine, rawArrayElements } from "../../../functions/adapters/sources/rawJson.ts";
import { RateLimitedError, SourceApiError } from "../../../functions/core/errors.ts";
import { fakeTime, recordingLogger } from "../../helpers/connectors.ts";

describe("rawArrayElements", () => {
  it("returns each element's exact text, keeping big integers, escapes and number forms", () => {
    const text =
      '[ {"id": 12345678901234567890, "s": "a]\\"}{,"} ,\n  {"n": 1.50e3, "u": "\\u00e9"}, [1,[2]], "x", null ]';
    expect(rawArrayElements(text)).toEqual([
      '{"id": 12345678901234567890, "s": "a]\\"}{,"}',
      '{"n": 1.50e3, "u": "\\u00e9"}',
      "[1,[2]]",
      '"x"',
      "null",
    ]);
    expect(rawArrayElements("[]")).toEqual([]);
  });

  it("finds an envelope's array property after other members", () => {
    const text = '{"status":{"message":"[x]"},"pagination":{"after_cursor":"c"},"data":[{"id":1},{"id":2}]}';
    expect(rawArrayElements(text, "data")).toEqual(['{"id":1}', '{"id":2}']);
    expect(() => rawArrayElements('{"other":[]}', "data")).toThrow(/no "data"/);
  });

  it("puts a pretty-printed event on one line without touching its strings", () => {
    expect(oneLine('{\n  "a": "x  y",\n  "b": [1, 2]\n}')).toBe('{"a":"x  y","b":[1,2]}');
    expect(oneLine('{"a": 1}')).toBe('{"a": 1}');
  });
});

describe("nextLink", () => {
  it("picks rel=next among several links", () => {
    const header =
      '<https://o.okta.com/api/v1/logs?a=1>; rel="self", <https://o.okta.com/api/v1/logs?after=xyz>; rel="next"';
    expect(nextLink(header)).toBe("https://o.okta.com/api/v1/logs?after=xyz");
    expect(nextLink("<https://x/y>; rel=next")).toBe("https://x/y");
    expect(nextLink('<https://x/y>; rel="self"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});

type Answer = { status: number; body?: string; headers?: Record<string, string> };

function client(
  answers: Answer[],
  retry: Partial<ConstructorParameters<typeof HttpClient>[2]> = {},
  secret?: string,
) {
  const time = fakeTime(Date.parse("2024-01-01T00:00:00Z"));
  const logger = recordingLogger();
  let calls = 0;
  const fetch = (async () => {
    const a = answers[Math.min(calls, answers.length - 1)] as Answer;
    calls += 1;
    return new Response(a.body ?? "[]", { status: a.status, headers: a.headers });
  }) as typeof globalThis.fetch;
  const http = new HttpClient(
    "okta",
    { fetch, sleep: time.sleep, now: time.now, random: () => 0.999, logger },
    { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 4000, timeoutMs: 1000, maxWaitMs: 60_000, ...retry },
    () => (secret ? [secret] : []),
  );
  const send = () => http.send({ url: "https://o.okta.com/api/v1/logs?x=1", parse: (b) => parseJsonBody(b) });
  return { send, time, logger, calls: () => calls };
}

describe("HttpClient", () => {
  it("waits until a Retry-After HTTP date", async () => {
    const { send, time } = client([
      { status: 429, headers: { "retry-after": "Mon, 01 Jan 2024 00:00:07 GMT" } },
      { status: 200 },
    ]);
    await send();
    expect(time.t.sleeps).toEqual([7000]);
  });

  it("keeps backoff under maxDelayMs whatever the attempt", async () => {
    const { send, time } = client([
      { status: 500 },
      { status: 502 },
      { status: 503 },
      { status: 504 },
      { status: 500 },
      { status: 200 },
    ]);
    await send();
    expect(time.t.sleeps).toHaveLength(5);
    for (const [i, s] of time.t.sleeps.entries()) expect(s).toBeLessThanOrEqual(Math.min(4000, 500 * 2 ** i));
    expect(time.t.sleeps.at(-1)).toBeGreaterThan(3900);
  });

  it("reports 5xx past the attempt budget as a retryable SourceApiError", async () => {
    const { send, calls } = client([{ status: 503, body: '{"errorSummary":"Service unavailable"}' }]);
    const error = await send().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceApiError);
    expect(error).toMatchObject({
      status: 503,
      retryable: true,
      message: 'okta: GET /api/v1/logs: HTTP 503 after 6 attempts: "Service unavailable"',
    });
    expect(calls()).toBe(6);
  });

  it("ends with RateLimitedError when advised to wait longer than maxWaitMs", async () => {
    const { send, calls } = client([{ status: 429, headers: { "retry-after": "120" } }]);
    const error = await send().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(120_000);
    expect(calls()).toBe(1);
  });

  it.each([403, 400, 404])("never retries HTTP %i", async (status) => {
    const { send, calls } = client([{ status, body: '{"errorSummary":"nope"}' }]);
    const error = await send().catch((e: unknown) => e);
    expect(error).toMatchObject({ status, retryable: false });
    expect(calls()).toBe(1);
  });

  it("retries a truncated body twice, then reports it", async () => {
    const { send, calls } = client([{ status: 200, body: '[{"uuid":' }]);
    const error = await send().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceApiError);
    expect(String((error as Error).message)).toMatch(/malformed response \(not JSON: .*, 9 bytes\)/);
    expect(calls()).toBe(3);
    expect(() => parseJsonBody("{")).toThrow(MalformedResponse);
  });

  it("redacts a secret an API echoes in an error body", async () => {
    const secret = "synSecretEchoed-12345";
    const { send } = client(
      [{ status: 400, body: JSON.stringify({ errorSummary: `bad token ${secret}` }) }],
      {},
      secret,
    );
    const error = await send().catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain("bad token [redacted]");
    expect(String((error as Error).message)).not.toContain(secret);
  });
});
