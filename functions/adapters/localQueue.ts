import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { MessageQueue, QueueMessage } from "../core/ports.ts";

/**
 * An SQS standard queue in a JSON file, with the semantics the pipeline must survive (SQS Developer
 * Guide: visibility timeout, at-least-once delivery, dead-letter queues):
 * - a received message is hidden for the visibility timeout, then delivered again with a new receipt
 *   handle and a higher receive count; only the latest handle deletes it;
 * - past `maxReceiveCount` receives, the next receive moves it to the dead-letter queue instead;
 * - at-least-once: `duplicateEvery` delivers every n-th message twice in one receive, and
 *   `redeliverAfterDelete` brings the listed message ids back once after their first delete.
 * The state survives the process (a killed local run resumes with the queue as it was). The clock is
 * the caller's, so tests can let visibility expire without waiting.
 */
export interface LocalQueueOptions {
  readonly path: string;
  readonly visibilitySeconds: number;
  readonly maxReceiveCount: number;
  readonly now?: () => number;
  readonly duplicateEvery?: number;
  readonly redeliverAfterDelete?: ReadonlySet<string>;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  receiveCount: number;
  visibleAtMs: number;
  /** The handle of the latest delivery. */
  receipt: string | null;
  redelivered?: boolean;
}

interface QueueFile {
  sequence: number;
  receives: number;
  messages: StoredMessage[];
  deadLetters: StoredMessage[];
}

export class LocalQueue implements MessageQueue {
  readonly #o: LocalQueueOptions;
  #state: Promise<QueueFile> | undefined;
  /** One operation at a time, as the receivers of a drain run concurrently. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: LocalQueueOptions) {
    this.#o = options;
  }

  /** Sends messages (the local partner bus's rule target); resolves their message ids. */
  send(...bodies: string[]): Promise<string[]> {
    return this.#update((q) =>
      bodies.map((body) => {
        q.sequence += 1;
        const messageId = `local-${String(q.sequence).padStart(8, "0")}`;
        q.messages.push({ messageId, body, receiveCount: 0, visibleAtMs: 0, receipt: null });
        return messageId;
      }),
    );
  }

  /**
   * Makes every message in flight receivable now: a new local run starts as if the visibility timeouts
   * of a run that was killed had passed (in AWS they pass with time).
   */
  expireInFlight(): Promise<void> {
    return this.#update((q) => {
      for (const message of q.messages) message.visibleAtMs = 0;
    });
  }

  receive(max: number, _waitSeconds: number): Promise<QueueMessage[]> {
    return this.#update((q) => {
      const now = this.#now();
      const out: QueueMessage[] = [];
      for (const message of [...q.messages]) {
        if (out.length >= max) break;
        if (message.visibleAtMs > now) continue;
        if (message.receiveCount >= this.#o.maxReceiveCount) {
          q.messages.splice(q.messages.indexOf(message), 1);
          q.deadLetters.push(message);
          continue;
        }
        message.receiveCount += 1;
        message.visibleAtMs = now + this.#o.visibilitySeconds * 1000;
        q.receives += 1;
        const delivery = (): QueueMessage => {
          message.receipt = `${message.messageId}#${message.receiveCount}#${randomBytes(4).toString("hex")}`;
          return {
            messageId: message.messageId,
            body: message.body,
            receiptHandle: message.receipt,
            receiveCount: message.receiveCount,
          };
        };
        out.push(delivery());
        const every = this.#o.duplicateEvery;
        if (every && q.receives % every === 0 && out.length < max) {
          // SQS may return one message twice; either handle then deletes it, so keep the first valid too.
          const first = out.at(-1) as QueueMessage;
          const second = delivery();
          message.receipt = `${first.receiptHandle}|${second.receiptHandle}`;
          out.push(second);
        }
      }
      return out;
    });
  }

  delete(receiptHandles: readonly string[]): Promise<{ failed: string[] }> {
    return this.#update((q) => {
      const failed: string[] = [];
      for (const handle of receiptHandles) {
        const message = q.messages.find((m) => m.receipt?.split("|").includes(handle));
        if (!message) {
          // A stale handle of a message delivered again since does not delete it; one already gone is done.
          if (q.messages.some((m) => m.messageId === handle.split("#")[0])) failed.push(handle);
          continue;
        }
        if (this.#o.redeliverAfterDelete?.has(message.messageId) && !message.redelivered) {
          message.redelivered = true;
          message.receipt = null;
          message.visibleAtMs = 0;
          continue;
        }
        q.messages.splice(q.messages.indexOf(message), 1);
      }
      return { failed };
    });
  }

  changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    return this.#update((q) => {
      const message = q.messages.find((m) => m.receipt?.split("|").includes(receiptHandle));
      if (message) message.visibleAtMs = this.#now() + seconds * 1000;
    });
  }

  /** Messages waiting or in flight, and those moved to the dead-letter queue. */
  async depth(): Promise<{ messages: number; deadLetters: number; deadLetterBodies: string[] }> {
    const q = await this.#load();
    return {
      messages: q.messages.length,
      deadLetters: q.deadLetters.length,
      deadLetterBodies: q.deadLetters.map((m) => m.body),
    };
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  #load(): Promise<QueueFile> {
    this.#state ??= readFile(this.#o.path, "utf8").then(
      (text) => JSON.parse(text) as QueueFile,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return { sequence: 0, receives: 0, messages: [], deadLetters: [] };
        throw error;
      },
    );
    return this.#state;
  }

  #update<T>(change: (q: QueueFile) => T): Promise<T> {
    const run = this.#tail.then(async () => {
      const q = await this.#load();
      const result = change(q);
      await mkdir(dirname(this.#o.path), { recursive: true });
      const temp = `${this.#o.path}.${randomBytes(4).toString("hex")}.tmp`;
      await writeFile(temp, JSON.stringify(q));
      await rename(temp, this.#o.path);
      return result;
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
