import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { LocalQueue } from "../adapters/localQueue.ts";
import type { MockEvent } from "./mockApis/index.ts";

/**
 * The local stand-in for a vendor's EventBridge partner event source, its partner bus and the rule that
 * targets the connector's queue: each vendor event becomes an EventBridge event (the envelope of
 * functions/core/push/ENVELOPES.md) sent to a local queue with SQS's semantics. The corpus is posted once
 * per `--out` (a marker file records it), so a second run finds nothing new.
 */

/** The `detail-type` each vendor gives its events on the partner bus (functions/core/push/ENVELOPES.md). */
export const DETAIL_TYPES = { okta: "SystemLog", onelogin: "OneLogin Event" } as const;

export type PushKind = keyof typeof DETAIL_TYPES;

export function eventBridgeEnvelope(
  kind: PushKind,
  source: string,
  event: MockEvent,
  accountId: string,
  region: string,
): string {
  const id = createHash("sha256").update(`${source}\n${event.id}`).digest("hex");
  return JSON.stringify({
    version: "0",
    id: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
    "detail-type": DETAIL_TYPES[kind],
    source,
    account: accountId,
    time: new Date(event.timeMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [],
    detail: event.body,
  });
}

export interface PartnerBusOptions {
  readonly kind: PushKind;
  readonly source: string;
  readonly accountId: string;
  readonly region: string;
  /** Where the bus records that it has posted its corpus. */
  readonly markerPath: string;
}

/**
 * Posts the corpus to the queue once, with what a real partner bus delivers besides: one event the
 * vendor sent twice, and a few messages that are not events of this source at all (poison).
 */
export async function postOnce(
  queue: LocalQueue,
  corpus: readonly MockEvent[],
  options: PartnerBusOptions,
): Promise<number> {
  if (await exists(options.markerPath)) return 0;
  const envelope = (e: MockEvent) =>
    eventBridgeEnvelope(options.kind, options.source, e, options.accountId, options.region);
  const bodies = corpus.map(envelope);
  const resent = corpus[Math.floor(corpus.length / 3)];
  if (resent) bodies.splice(Math.floor(bodies.length / 2), 0, envelope(resent));
  bodies.push(
    "this is not an EventBridge event",
    JSON.stringify({
      version: "0",
      id: "poison-1",
      "detail-type": "Other",
      source: "aws.partner/example.com/other",
    }),
  );
  await queue.send(...bodies);
  await mkdir(dirname(options.markerPath), { recursive: true });
  const temp = `${options.markerPath}.tmp`;
  await writeFile(temp, JSON.stringify({ posted: bodies.length }));
  await rename(temp, options.markerPath);
  return bodies.length;
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
