import type { ConnectorKind } from "./config.ts";

/**
 * The stack config rules of push connectors (DESIGN.md §2.1), used by config.ts's schema: each problem
 * is added on the key to fix, as every other config error is.
 */

/** How a connector gets its events: it pages the vendor's API, or the vendor pushes them. */
export const CONNECTOR_MODES = ["pull", "push"] as const;
export type ConnectorModeName = (typeof CONNECTOR_MODES)[number];

/**
 * The kinds that can push, and the prefix of their partner event source names. Okta's log stream ("AWS
 * EventBridge") creates aws.partner/okta.com/<org subdomain>/<AWS Event Source Name>
 * (https://help.okta.com/en-us/content/topics/reports/log-streaming/add-aws-eb-log-stream.htm); OneLogin's
 * Event Webhook for Amazon EventBridge shows its event source as aws.partner/onelogin.com/<e.g.
 * US-123456>/<id> once created.
 */
export const PARTNER_SOURCE_PREFIXES: Readonly<Partial<Record<ConnectorKind, string>>> = {
  okta: "aws.partner/okta.com/",
  onelogin: "aws.partner/onelogin.com/",
};

/**
 * EventBridge's partner event source names: 1-256 characters matching aws\.partner(/[\.\-_A-Za-z0-9]+){2,}
 * (CreateEventBus EventSourceName and PutPartnerEventsRequestEntry Source, EventBridge API reference:
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html). The partner bus
 * takes the same name, which CreateEventBus's Name pattern [/\.\-_A-Za-z0-9]+ (1-256) also admits.
 */
export const PARTNER_EVENT_SOURCE = /^aws\.partner(\/[.\-_A-Za-z0-9]+){2,}$/;
export const PARTNER_EVENT_SOURCE_MAX = 256;

/** A push connector's queue keeps a message 14 days (SQS's maximum); the de-dup ledger must outlive it. */
export const PUSH_RETENTION_DAYS = 14;

type Add = (path: (string | number)[], message: string) => void;

/** What is wrong with one connector's mode and eventSource. */
export function pushProblems(
  c: { kind: ConnectorKind; mode: ConnectorModeName; eventSource?: string | undefined },
  add: Add,
): void {
  const prefix = PARTNER_SOURCE_PREFIXES[c.kind];
  if (c.mode === "pull") {
    if (c.eventSource !== undefined)
      add(["eventSource"], "is only for mode push (set mode: push, or remove it)");
    return;
  }
  if (!prefix) {
    const kinds = Object.keys(PARTNER_SOURCE_PREFIXES).join(" or ");
    add(["mode"], `push is only for kind ${kinds} (EventBridge partner event sources), not ${c.kind}`);
    return;
  }
  if (c.eventSource === undefined) {
    add(["eventSource"], `is required for mode push: the partner event source name (${prefix}…)`);
  } else if (!c.eventSource.startsWith(prefix)) {
    add(["eventSource"], `must start with ${prefix} for kind ${c.kind}, got "${c.eventSource.slice(0, 80)}"`);
  } else if (c.eventSource.length > PARTNER_EVENT_SOURCE_MAX || !PARTNER_EVENT_SOURCE.test(c.eventSource)) {
    add(
      ["eventSource"],
      `must be at most ${PARTNER_EVENT_SOURCE_MAX} characters of A-Z a-z 0-9 . - _ in /-separated parts (${prefix}<org>/<name>), as EventBridge names partner event sources`,
    );
  }
}

/** What is wrong across connectors: the staging expiry the ledger needs, one connector per event source. */
export function stackPushProblems(
  s: {
    staging: { expirationDays: number };
    connectors: readonly { mode: ConnectorModeName; eventSource?: string | undefined }[];
  },
  add: Add,
): void {
  const firstPush = s.connectors.findIndex((c) => c.mode === "push");
  if (firstPush >= 0 && s.staging.expirationDays < PUSH_RETENTION_DAYS) {
    // The de-dup ledger (staging/ledger/) must remember an event as long as SQS can deliver it again.
    add(
      ["staging", "expirationDays"],
      `must be at least ${PUSH_RETENTION_DAYS} with a push connector (connectors[${firstPush}]): its de-dup ledger lives in staging and must outlive the queue's ${PUSH_RETENTION_DAYS}-day retention, got ${s.staging.expirationDays}`,
    );
  }
  // A partner event source feeds one partner event bus, named after it.
  const seen = new Map<string, number>();
  s.connectors.forEach((c, i) => {
    if (c.mode !== "push" || !c.eventSource) return;
    const other = seen.get(c.eventSource);
    if (other !== undefined)
      add(["connectors", i, "eventSource"], `"${c.eventSource}" is also connectors[${other}].eventSource`);
    seen.set(c.eventSource, i);
  });
}
