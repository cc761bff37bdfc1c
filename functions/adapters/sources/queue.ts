import type { FetchWindow } from "../../core/checkpoint/window.ts";
import { type IdsByHour, Ledger, ledgerHour } from "../../core/pipeline/ledger.ts";
import type { MessageQueue, ObjectStore, QueueMessage } from "../../core/ports.ts";
import { rawPagePrefix } from "./pageSink.ts";
import {
  type FetchLimits,
  type FetchResult,
  type PageSink,
  type SourceConnector,
  type SourceLogger,
  silentLogger,
} from "./types.ts";

/** What the envelope of one pushed message holds, or why it is not an event we can take. */
export type Unwrapped =
  | {
      readonly ok: true;
      readonly event: Record<string, unknown>;
      readonly id: string;
      readonly timeMs: number;
    }
  | { readonly ok: false; readonly reason: string };

/** `staging/raw/<connector>/<windowId>/messages.json`: the receipts to delete and the ids to ledger. */
export function pushMessagesKey(connector: string, windowId: string): string {
  return `${rawPagePrefix(connector, windowId)}messages.json`;
}

/** What a push window received, for Commit (ledger) and Acknowledge (delete). */
export interface PushMessages {
  readonly version: 1;
  readonly windowId: string;
  /** Every delivery the window took, duplicates included: all are deleted once the window commits. */
  readonly receipts: readonly string[];
  readonly ids: IdsByHour;
}

export interface QueueConnectorOptions {
  readonly queue: MessageQueue;
  readonly staging: ObjectStore;
  readonly connector: string;
  readonly unwrap: (body: string) => Unwrapped;
  /** Concurrent receive loops: one long-polling receive returns at most 10 messages. */
  readonly receivers?: number;
  /** Long-polling wait per receive; a receive that waited this long and got nothing ends the drain. */
  readonly waitSeconds?: number;
  readonly logger?: SourceLogger;
}

const EVENTS_PER_PAGE = 1000;
/** SQS's ReceiveMessage maximum. */
const MAX_PER_RECEIVE = 10;

/**
 * Fetch for a push connector: drains the queue its partner event bus feeds, up to maxEvents messages,
 * unwraps each EventBridge envelope to the vendor event and stages pages exactly as a pull fetch does.
 * Nothing is deleted here except redeliveries of events the ledger already holds; the window's own
 * messages are deleted by Acknowledge after Commit. A message that is not an event of this source
 * (not JSON, no id, another source's envelope) is made visible again at once, so SQS moves it to the
 * dead-letter queue after the redrive count instead of it waiting out a long visibility timeout.
 */
export class QueueConnector implements SourceConnector {
  readonly source = "push";
  readonly #o: QueueConnectorOptions;

  constructor(options: QueueConnectorOptions) {
    this.#o = options;
  }

  async fetch(window: FetchWindow, limits: FetchLimits, sink: PageSink): Promise<FetchResult> {
    const { queue, connector } = this.#o;
    const logger = this.#o.logger ?? silentLogger;
    const ledger = new Ledger(this.#o.staging, connector);
    const max = limits.maxEvents;
    const receipts: string[] = [];
    const ids = new Map<string, string[]>();
    const seen = new Set<string>();
    const events: string[] = [];
    const keys: string[] = [];
    let reserved = 0;
    let received = 0;
    let duplicates = 0;
    let poison = 0;
    let writing: Promise<void> = Promise.resolve();
    const writeFullPages = (all: boolean) => {
      writing = writing.then(async () => {
        while (events.length >= EVENTS_PER_PAGE || (all && events.length > 0)) {
          const page = events.splice(0, EVENTS_PER_PAGE);
          keys.push(await sink.write({ index: keys.length + 1, events: page }));
        }
      });
      return writing;
    };

    const take = async (message: QueueMessage) => {
      const unwrapped = this.#o.unwrap(message.body);
      const reason = unwrapped.ok ? idProblem(unwrapped.id) : unwrapped.reason;
      if (!unwrapped.ok || reason) {
        poison += 1;
        // The message id and the reason only: a body may hold personal data.
        logger.warn("a message is not an event of this source; it goes to the dead-letter queue", {
          messageId: message.messageId,
          receiveCount: message.receiveCount,
          reason,
        });
        await queue.changeVisibility(message.receiptHandle, 0);
        return;
      }
      const hour = ledgerHour(unwrapped.timeMs);
      if (await ledger.has(unwrapped.id, hour)) {
        duplicates += 1;
        // Already committed by an earlier window: safe to delete now.
        await queue.delete([message.receiptHandle]);
        return;
      }
      receipts.push(message.receiptHandle);
      if (seen.has(unwrapped.id)) {
        // A second delivery within this window: staged once, deleted with the rest after Commit.
        duplicates += 1;
        return;
      }
      seen.add(unwrapped.id);
      let hourIds = ids.get(hour);
      if (!hourIds) {
        hourIds = [];
        ids.set(hour, hourIds);
      }
      hourIds.push(unwrapped.id);
      events.push(JSON.stringify(unwrapped.event));
    };

    const receiver = async () => {
      for (;;) {
        const n = Math.min(MAX_PER_RECEIVE, max - reserved);
        if (n <= 0) return;
        reserved += n;
        const messages = await queue.receive(n, this.#o.waitSeconds ?? 5);
        reserved -= n - messages.length;
        received += messages.length;
        if (messages.length === 0) return;
        for (const message of messages) await take(message);
        await writeFullPages(false);
      }
    };
    await Promise.all(Array.from({ length: this.#o.receivers ?? 4 }, receiver));
    await writeFullPages(true);

    const fetched = [...ids.values()].reduce((n, list) => n + list.length, 0);
    if (receipts.length > 0) {
      const messages: PushMessages = {
        version: 1,
        windowId: window.windowId,
        receipts,
        ids: Object.fromEntries(ids),
      };
      await this.#o.staging.put(pushMessagesKey(connector, window.windowId), JSON.stringify(messages), {
        contentType: "application/json",
      });
    }
    logger.info("queue drained", { received, fetched, duplicates, poison });
    return {
      fetched,
      pages: keys.length,
      keys,
      hasMore: received >= max,
      // The window's time bounds do not select pushed events; a sequence number in the cursor keeps the
      // ids of consecutive windows distinct however close in time they run.
      next: { since: window.until, boundaryIds: [], cursor: String(Number(window.cursor ?? 0) + 1) },
      dropped: { duplicates, poison },
    };
  }
}

/** Ids become ledger lines and parts of keys nowhere, but a line break would split a ledger line. */
function idProblem(id: string): string | undefined {
  if (id.length === 0 || id.length > 256 || /[\r\n]/.test(id))
    return `unusable event id ${JSON.stringify(id.slice(0, 40))}`;
  return undefined;
}
