import { ConfigError } from "../errors.ts";
import { parseTime } from "../mapping/time.ts";

/**
 * Unwrapping of pushed events: an SQS message body is one EventBridge event whose `detail` is the vendor
 * event (DESIGN.md §2.1). Facts and sources: functions/core/push/ENVELOPES.md.
 *
 * The queue connector logs the reasons, and a body may hold personal data: a reason quotes no body, only the
 * envelope's source or an unusable id or time value, JSON-quoted and cut so it stays one line.
 */

export type PushKind = "okta" | "onelogin";

export type Unwrapped =
  | {
      readonly ok: true;
      readonly event: Record<string, unknown>;
      readonly id: string;
      readonly timeMs: number;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Partner event sources are named `aws.partner/<partner>/…` (EventBridge CreatePartnerEventSource; Okta's
 * "Add an AWS EventBridge log stream", OneLogin's CloudTrail Lake blog: URLs in ENVELOPES.md).
 */
export const PARTNER_PREFIX: Readonly<Record<PushKind, string>> = {
  okta: "aws.partner/okta.com/",
  onelogin: "aws.partner/onelogin.com/",
};

/**
 * Id and time paths as mappings/<kind>/_source.yaml reads them (`event_id`, `time.path`, `time.format`); a unit
 * test keeps them equal, since reading the YAML here would be I/O.
 */
export const EVENT_ID_TIME: Readonly<
  Record<PushKind, { id: string; time: string; format: "auto" | "iso8601" }>
> = {
  okta: { id: "uuid", time: "published", format: "auto" },
  onelogin: { id: "id", time: "created_at", format: "iso8601" },
};

/**
 * The vendor event of one SQS message body, with its id and time (epoch ms), or why the message is not an
 * event of this connector. `expectedSource` is the connector's partner event source: EventBridge sets
 * `source` to it on every event the partner puts, so it is compared exactly (another org's or vendor's
 * source is rejected). Throws ConfigError when `expectedSource` is not a `kind` partner source at all: a
 * misconfigured connector must fail, not dead-letter every message.
 */
export function unwrapPushed(kind: PushKind, body: string, expectedSource: string): Unwrapped {
  const prefix = PARTNER_PREFIX[kind];
  if (!expectedSource.startsWith(prefix) || expectedSource.length === prefix.length) {
    throw new ConfigError(`${kind} push connector: event source "${expectedSource}" is not ${prefix}…`);
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch {
    return fail(`body is not JSON (${body.length} characters)`);
  }
  if (
    !isObject(envelope) ||
    typeof envelope.source !== "string" ||
    typeof envelope["detail-type"] !== "string"
  ) {
    return fail("not an EventBridge event: no source and detail-type");
  }
  if (envelope.source !== expectedSource) {
    return fail(`envelope from another source: ${oneLine(envelope.source)}, expected ${expectedSource}`);
  }
  const detail = envelope.detail;
  if (detail === undefined || detail === null) return fail("EventBridge event has no detail");
  if (!isObject(detail))
    return fail(`detail is not a JSON object (${Array.isArray(detail) ? "array" : typeof detail})`);

  const normalised = kind === "onelogin" ? fromOneLoginBroadcast(detail) : { event: detail };
  if ("reason" in normalised) return fail(normalised.reason);
  const { event } = normalised;
  const paths = EVENT_ID_TIME[kind];
  const id = event[paths.id];
  if (!((typeof id === "string" && id !== "") || (typeof id === "number" && Number.isFinite(id)))) {
    // OneLogin's pushed events name their id `uuid` (fromOneLoginBroadcast).
    const path = kind === "onelogin" && detail.id === undefined ? "uuid" : paths.id;
    return fail(`no event id: detail.${path} is ${describe(id)}`);
  }
  const timeMs = parseTime(event[paths.time], paths.format);
  if (timeMs === undefined)
    return fail(`no parsable time: detail.${paths.time} is ${describe(event[paths.time])}`);
  return { ok: true, event, id: String(id), timeMs };
}

/**
 * OneLogin's broadcaster (webhook and EventBridge) sends the event with `uuid` and `event_timestamp`
 * ("2017-12-05 19:13:06 UTC") where the Events API v1 has `id` and `created_at` (ISO 8601), and its webhook
 * payloads add a bulk-index header `create: {_id: <uuid>}` (developers.onelogin.com/api-docs/1/events/webhooks;
 * Panther's EventBridge parser requires uuid and event_timestamp). Rewritten into the API shape so the same
 * mappings apply; every other field has the API's name and is kept as it is. An event already in the API
 * shape (`id`, `created_at`) passes unchanged.
 */
function fromOneLoginBroadcast(
  detail: Record<string, unknown>,
): { event: Record<string, unknown> } | { reason: string } {
  const renameId = detail.id === undefined && detail.uuid !== undefined;
  const renameTime = detail.created_at === undefined && detail.event_timestamp !== undefined;
  let createdAt: string | undefined;
  if (renameTime) {
    const ms = parseBroadcastTime(detail.event_timestamp);
    if (ms === undefined)
      return { reason: `no parsable time: detail.event_timestamp is ${describe(detail.event_timestamp)}` };
    createdAt = new Date(ms).toISOString();
  }
  const id = renameId ? detail.uuid : detail.id;
  // Rebuilt key by key so the renamed fields keep their place in raw_data.
  const event: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(detail)) {
    if (key === "uuid" && renameId) event.id = value;
    else if (key === "event_timestamp" && renameTime) event.created_at = createdAt;
    else if (!(key === "create" && isBulkHeader(value, id))) event[key] = value;
  }
  return { event };
}

/** `create: {_id}` naming the event itself; any other `create` is data we do not know, so it stays. */
function isBulkHeader(value: unknown, id: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 1 && value._id !== undefined && value._id === id;
}

// Only UTC spellings: another zone abbreviation (EST, IST, …) is ambiguous, so such a time is rejected.
const BROADCAST_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?) ?(?:UTC|GMT|Z)$/;

function parseBroadcastTime(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = BROADCAST_TIME.exec(value.trim());
  return m ? parseTime(`${m[1]}T${m[2]}Z`, "iso8601") : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(reason: string): Unwrapped {
  return { ok: false, reason };
}

/** A value for a reason: absent, its type, or (short scalars only) the value itself, always on one line. */
function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (typeof value === "string") return oneLine(value);
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "an array" : "an object";
  return String(value);
}

/** JSON-quoted (so control characters cannot break the line) and cut at 60 characters. */
function oneLine(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
