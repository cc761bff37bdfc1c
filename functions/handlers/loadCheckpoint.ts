import { z } from "zod";
import { CheckpointError, WindowHeldError } from "../core/errors.ts";
import {
  type Claim,
  claimWindow,
  parsePipelineCheckpoint,
  serializePipelineCheckpoint,
} from "../core/pipeline/claim.ts";
import { awsDeps } from "./awsDeps.ts";
import type { ClaimResult } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler, stateHandler } from "./deps.ts";

/** The input of the ASL's `LoadCheckpoint` state. */
export const loadCheckpointInput = z.object({ executionId: z.string().min(1) }).strict();

/**
 * Opens the next window or resumes the pending one, and records it as pending for this execution
 * (conditional on the checkpoint version read) before anything is fetched. When another live execution
 * holds the window (the scheduler starts one on every tick, finished or not), or wins the race to
 * record it, this returns `heldBy` instead: the state machine ends successfully and says so, and the
 * OverlappingExecutions metric counts it. Nothing is fetched twice either way.
 */
export function makeHandler(deps: HandlerDeps): StateHandler<ClaimResult> {
  const { env } = deps;
  return stateHandler(deps, "LoadCheckpoint", loadCheckpointInput, async ({ executionId }) => {
    const name = env.checkpointParameter;
    const attempt = async () => {
      const stored = await deps.parameters.get(name);
      const current = stored ? parsePipelineCheckpoint(stored.value, `checkpoint ${name}`) : undefined;
      const claim = claimWindow(current, executionId, deps.now().getTime(), {
        lagSeconds: env.lagSeconds,
        maxWindowSeconds: env.maxWindowSeconds,
        initialLookbackSeconds: env.initialLookbackSeconds,
        leaseSeconds: env.pendingLeaseSeconds,
      });
      const written = await deps.parameters.put(name, serializePipelineCheckpoint(claim.checkpoint), {
        expectedVersion: stored?.version ?? null,
      });
      return { claim, version: written.version };
    };
    let claimed: { claim: Claim; version: number };
    try {
      claimed = await attempt().catch(async (error: unknown) => {
        // Lost the conditional write: read again, and find out who won.
        if (error instanceof CheckpointError && !(error instanceof WindowHeldError)) return attempt();
        throw error;
      });
    } catch (error) {
      if (!(error instanceof WindowHeldError)) throw error;
      deps.telemetry.metric("OverlappingExecutions", 1);
      deps.telemetry.info("another execution holds the window; ending without work", { ...error.heldBy });
      return { heldBy: { ...error.heldBy } };
    }
    const { claim } = claimed;
    const { window } = claim;
    deps.telemetry.bind({
      connector: env.connector,
      state: "LoadCheckpoint",
      executionId,
      windowId: window.windowId,
    });
    deps.telemetry.info(claim.resumed ? "resuming pending window" : "opened window", {
      since: window.since,
      until: window.until,
    });
    return {
      window: {
        windowId: window.windowId,
        since: window.since,
        until: window.until,
        boundaryIds: [...window.boundaryIds],
        cursor: window.cursor,
        resumed: claim.resumed,
        checkpointVersion: claimed.version,
      },
    };
  });
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
