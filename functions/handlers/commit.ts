import { z } from "zod";
import { type PushMessages, pushMessagesKey } from "../adapters/sources/queue.ts";
import { isBehind } from "../core/checkpoint/window.ts";
import {
  assertOwner,
  committedCheckpoint,
  parsePipelineCheckpoint,
  serializePipelineCheckpoint,
} from "../core/pipeline/claim.ts";
import { Ledger } from "../core/pipeline/ledger.ts";
import { awsDeps } from "./awsDeps.ts";
import { type CommitResult, convertedSourceSchema, fetchResultSchema, windowSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler, stateHandler } from "./deps.ts";

/** The input of the ASL's `Commit` state. */
export const commitInput = z
  .object({
    window: windowSchema,
    fetch: fetchResultSchema,
    /** What Convert wrote per custom source ([] when the window mapped nothing). */
    convert: z.array(convertedSourceSchema),
    executionId: z.string().min(1),
  })
  .strict();

/**
 * Moves the checkpoint past the window and clears pending. The state machine reaches Commit only after
 * every object of the window is written; the write is conditional on this execution still owning the
 * window at the version it read, so of two overlapping executions at most one commits. A Security Lake
 * crawler that could not be started is reported here (LakeCrawlerStartFailed, which alarms) and does
 * not hold the window back: its Parquet is written, and the crawler's next run finds the partitions.
 */
export function makeHandler(deps: HandlerDeps): StateHandler<CommitResult> {
  const { env } = deps;
  return stateHandler(deps, "Commit", commitInput, async ({ window, fetch, convert, executionId }) => {
    const name = env.checkpointParameter;
    const stored = await deps.parameters.get(name);
    const current = stored ? parsePipelineCheckpoint(stored.value, `checkpoint ${name}`) : undefined;
    assertOwner(current, executionId, window.windowId);
    // Push: the window's event ids enter the ledger before the checkpoint moves (and so before
    // Acknowledge deletes their messages); a crash in between leaves the window pending, to be resumed.
    if (env.mode === "push") await recordInLedger(deps, window.windowId);
    const next = committedCheckpoint(window, fetch.next);
    const written = await deps.parameters.put(name, serializePipelineCheckpoint(next), {
      expectedVersion: stored?.version ?? null,
    });
    // More to do: the source stopped at maxEvents, or the checkpoint is still a whole window behind
    // now − lag (a backfill). An inbox has no time backlog.
    const behind =
      env.sourceKind !== "s3-inbox" && env.mode !== "push" && isBehind(next, deps.now().getTime(), env);
    deps.telemetry.info("committed", { since: next.since, fetched: fetch.counts.events });
    // How far the connector trails the clock: the lag alarm's metric (a stalled connector emits none).
    const lagSeconds = Math.max(0, Math.round((deps.now().getTime() - Date.parse(next.since)) / 1000));
    deps.telemetry.metric("CheckpointLagSeconds", lagSeconds);
    for (const source of convert) {
      if (source.lakeCrawler.status !== "failed") continue;
      // Per connector only, so one alarm covers it; the log line names the source and the crawler.
      deps.telemetry.metric("LakeCrawlerStartFailed", 1);
      deps.telemetry.warn("the Security Lake crawler of a custom source could not be started", {
        customSource: source.customSource,
        crawler: source.lakeCrawler.crawler,
        errorName: source.lakeCrawler.error,
      });
    }
    return {
      hasMore: fetch.hasMore || behind,
      since: next.since,
      checkpointVersion: written.version,
    };
  });
}

async function recordInLedger(deps: HandlerDeps, windowId: string): Promise<void> {
  const body = await deps.staging.get(pushMessagesKey(deps.env.connector, windowId));
  if (!body) return;
  const messages = JSON.parse(new TextDecoder().decode(body)) as PushMessages;
  const entries = await new Ledger(deps.staging, deps.env.connector).record(windowId, messages.ids);
  deps.telemetry.info("window's event ids in the de-dup ledger", { entries });
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
