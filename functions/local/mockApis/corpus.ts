import { readFileSync } from "node:fs";

export type ApiKind = "sailpoint" | "okta" | "onelogin";

/** One event as a mock API serves it. `body` is the exact object returned; id/time mirror its fields. */
export interface MockEvent {
  readonly id: string;
  readonly timeMs: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** Each API's id and time fields. */
export const FIELDS: Record<ApiKind, { id: string; time: string }> = {
  sailpoint: { id: "id", time: "created" },
  okta: { id: "uuid", time: "published" },
  onelogin: { id: "id", time: "created_at" },
};

/**
 * The sample events come from detection-rule test cases (Panther) whose timestamps are written
 * "2024-01-15 17:15:10.234" or with nanoseconds; the APIs return ISO 8601 UTC with milliseconds.
 * Returns undefined for values that are not times at all ("redacted", missing).
 */
export function normaliseTime(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}.${(m[3] ?? "0").padEnd(3, "0").slice(0, 3)}${m[4] ?? "Z"}`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Sorted as the APIs sort: time, then id (numerically when both are numbers, as OneLogin's are). */
export function sortEvents(events: MockEvent[]): MockEvent[] {
  return events.sort((a, b) => a.timeMs - b.timeMs || compareIds(a.id, b.id));
}

export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The shared samples (copied to corpus/<kind>.ndjson), normalised to what the API really returns: ISO
 * times, and a synthetic `syn-…` id / time for the test-case events that lack one (kept distinct and
 * deterministic so every run serves the same corpus).
 */
export function sampleCorpus(kind: ApiKind): MockEvent[] {
  const text = readFileSync(new URL(`./corpus/${kind}.ndjson`, import.meta.url), "utf8");
  const { id: idField, time: timeField } = FIELDS[kind];
  const seen = new Set<string>();
  const base = Date.parse("2024-03-01T00:00:00.000Z");
  const events: MockEvent[] = [];
  for (const [n, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    const body = JSON.parse(line) as Record<string, unknown>;
    const time = normaliseTime(body[timeField]) ?? new Date(base + n * 1000).toISOString();
    let id = body[idField];
    if ((typeof id !== "string" && typeof id !== "number") || id === "" || seen.has(String(id))) {
      id = kind === "onelogin" ? 990_000_000 + n : `syn-${kind}-sample-${n}`;
    }
    seen.add(String(id));
    events.push({
      id: String(id),
      timeMs: Date.parse(time),
      body: { ...body, [idField]: id, [timeField]: time },
    });
  }
  return sortEvents(events);
}

/** A small deterministic PRNG (mulberry32), so generated corpora are identical on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface VolumeOptions {
  readonly count: number;
  readonly startMs?: number;
  readonly seed?: number;
  /** Events sharing one millisecond somewhere in the middle (crosses page boundaries). Default 150. */
  readonly burst?: number;
  /** Added to the sequence number that ids are made from, so two generated sets never share an id. */
  readonly idOffset?: number;
  /** Every event at `startMs` exactly (a same-millisecond cluster). */
  readonly sameMillisecond?: boolean;
}

/**
 * Synthetic volume shaped like each API's events (example.com, 198.51.100.0/24, `syn` ids): runs of
 * events share a millisecond, and one burst puts many in the same millisecond.
 */
export function generatedCorpus(kind: ApiKind, options: VolumeOptions): MockEvent[] {
  const random = prng(options.seed ?? 7);
  const burst = options.burst ?? 150;
  const burstAt = Math.floor(options.count / 2);
  let t = options.startMs ?? Date.parse("2024-03-02T00:00:00.000Z");
  const events: MockEvent[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const inBurst = i > burstAt && i <= burstAt + burst;
    if (!inBurst && !options.sameMillisecond && random() > 0.35) t += 1 + Math.floor(random() * 1500);
    const time = new Date(t).toISOString();
    const user = `user${Math.floor(random() * 50)}@example.com`;
    const ip = `198.51.100.${Math.floor(random() * 254) + 1}`;
    const seq = i + (options.idOffset ?? 0);
    const n = String(seq).padStart(6, "0");
    const body = generatedBody(kind, n, seq, time, user, ip, random);
    const id = String(body[FIELDS[kind].id]);
    events.push({ id, timeMs: t, body });
  }
  return sortEvents(events);
}

function generatedBody(
  kind: ApiKind,
  n: string,
  i: number,
  time: string,
  user: string,
  ip: string,
  random: () => number,
): Record<string, unknown> {
  const ok = random() > 0.2;
  switch (kind) {
    case "sailpoint":
      return {
        id: `syn${n}0000000000000000000000000`,
        org: "syn-tenant",
        pod: "stg-useast1",
        created: time,
        synced: time,
        type: "AUTH",
        action: ok ? "AUTHENTICATION-103" : "AUTHENTICATION-240",
        technicalName: ok ? "AUTHENTICATION_REQUEST_PASSED" : "AUTHENTICATION_REQUEST_FAILED",
        name: ok ? "Request Authentication Passed" : "Request Authentication Failed",
        operation: "REQUEST",
        status: ok ? "PASSED" : "FAILED",
        objects: ["AUTHENTICATION"],
        actor: { name: user },
        target: { name: user },
        ipAddress: ip,
        stack: "oathkeeper",
        trackingNumber: `syn${n}`,
        attributes: { sourceName: "Identity Security Cloud" },
        _type: "event",
        _version: "v2",
      };
    case "okta":
      return {
        uuid: `syn${n}-0000-4000-8000-000000000000`,
        published: time,
        eventType: ok ? "user.session.start" : "user.authentication.sso",
        version: "0",
        severity: "INFO",
        legacyEventType: ok ? "core.user_auth.login_success" : "app.auth.sso",
        displayMessage: ok ? "User login to Okta" : "User single sign on to app",
        actor: { id: `00usyn${n}`, type: "User", alternateId: user, displayName: user.split("@")[0] },
        client: { ipAddress: ip, device: "Computer", userAgent: { browser: "CHROME", os: "Mac OS X" } },
        outcome: { result: ok ? "SUCCESS" : "FAILURE", reason: ok ? null : "INVALID_CREDENTIALS" },
        target: [],
        transaction: { type: "WEB", id: `syn${n}` },
        request: { ipChain: [{ ip }] },
      };
    case "onelogin":
      return {
        id: 700_000_000 + i,
        created_at: time,
        account_id: 55555,
        user_id: 880_000 + (i % 50),
        event_type_id: ok ? 5 : 6,
        ipaddr: ip,
        actor_user_id: 880_000 + (i % 50),
        actor_user_name: user,
        user_name: user,
        notes: null,
        risk_score: Math.floor(random() * 100),
      };
  }
}

/** What `seclake local` and the default mock serve: the samples plus generated volume. */
export function defaultCorpus(kind: ApiKind, generated = 2000): MockEvent[] {
  return sortEvents([...sampleCorpus(kind), ...generatedCorpus(kind, { count: generated })]);
}
