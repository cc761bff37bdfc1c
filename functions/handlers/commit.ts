import { z } from "zod";
import { isBehind } from "../core/checkpoint/window.ts";
import {
  assertOwner,
  committedCheckpoint,
  parsePipelineCheckpoint,
  serializePipelineCheckpoint,
} from "../core/pipeline/claim.ts";
import { awsDeps } from "./awsDeps.ts";
import { type CommitResult, fetchResultSchema, windowSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler, stateHandler } from "./deps.ts";

/** The input of the ASL's `Commit` state. */
export const commitInput = z
  .object({ window: windowSchema, fetch: fetchResultSchema, executionId: z.string().min(1) })
  .strict();

/**
 * Moves the checkpoint past the window and clears pending. The state machine reaches Commit only after
 * every object of the window is written; the write is conditional on this execution still owning the
 * window at the version it read, so of two overlapping executions at most one commits.
 */
export function makeHandler(deps: HandlerDeps): StateHandler<CommitResult> {
  const { env } = deps;
  return stateHandler(deps, "Commit", commitInput, async ({ window, fetch, executionId }) => {
    const name = env.checkpointParameter;
    const stored = await deps.parameters.get(name);
    const current = stored ? parsePipelineCheckpoint(stored.value, `checkpoint ${name}`) : undefined;
    assertOwner(current, executionId, window.windowId);
    const next = committedCheckpoint(window, fetch.next);
    const written = await deps.parameters.put(name, serializePipelineCheckpoint(next), {
      expectedVersion: stored?.version ?? null,
    });
    // More to do: the source stopped at maxEvents, or the checkpoint is still a whole window behind
    // now − lag (a backfill). An inbox has no time backlog.
    const behind = env.sourceKind !== "s3-inbox" && isBehind(next, deps.now().getTime(), env);
    deps.telemetry.info("committed", { since: next.since, fetched: fetch.counts.events });
    return {
      hasMore: fetch.hasMore || behind,
      since: next.since,
      checkpointVersion: written.version,
    };
  });
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
