import { z } from "zod";
import { type PushMessages, pushMessagesKey } from "../adapters/sources/queue.ts";
import { ConfigError } from "../core/errors.ts";
import { awsDeps } from "./awsDeps.ts";
import { windowSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler, stateHandler } from "./deps.ts";

/** The input of the ASL's `Acknowledge` state. */
export const acknowledgeInput = z.object({ window: windowSchema, executionId: z.string().min(1) }).strict();

export interface AcknowledgeResult {
  readonly deleted: number;
  readonly failed: number;
}

/** SQS's DeleteMessageBatch maximum. */
const BATCH = 10;

/**
 * Push connectors, after Commit: deletes every message the window took. Commit has put their event ids
 * in the ledger, so a delete that fails (an expired receipt handle: the message was delivered again)
 * loses nothing and duplicates nothing: the message comes back and Fetch drops it. Counted, not thrown.
 */
export function makeHandler(deps: HandlerDeps): StateHandler<AcknowledgeResult> {
  return stateHandler(deps, "Acknowledge", acknowledgeInput, async ({ window }) => {
    if (!deps.queue) throw new ConfigError("Acknowledge: this connector has no queue (SECLAKE_MODE=push)");
    const queue = deps.queue();
    const body = await deps.staging.get(pushMessagesKey(deps.env.connector, window.windowId));
    if (!body) return { deleted: 0, failed: 0 };
    const { receipts } = JSON.parse(new TextDecoder().decode(body)) as PushMessages;
    let failed = 0;
    for (let i = 0; i < receipts.length; i += BATCH) {
      failed += (await queue.delete(receipts.slice(i, i + BATCH))).failed.length;
    }
    if (failed > 0) {
      deps.telemetry.metric("AcknowledgeFailures", failed);
      deps.telemetry.warn("some messages could not be deleted; they will be redelivered and dropped", {
        failed,
      });
    }
    return { deleted: receipts.length - failed, failed };
  });
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
