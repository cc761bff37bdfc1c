import { z } from "zod";
import { claimWindow, parsePipelineCheckpoint, serializePipelineCheckpoint } from "../core/pipeline/claim.ts";
import { awsDeps } from "./awsDeps.ts";
import type { Window } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler, stateHandler } from "./deps.ts";

/** The input of the ASL's `LoadCheckpoint` state. */
export const loadCheckpointInput = z.object({ executionId: z.string().min(1) }).strict();

/**
 * Opens the next window or resumes the pending one, and records it as pending for this execution
 * (conditional on the checkpoint version read) before anything is fetched: a second execution that
 * overlaps fails here with CheckpointError instead of fetching the same window.
 */
export function makeHandler(deps: HandlerDeps): StateHandler<Window> {
  const { env } = deps;
  return stateHandler(deps, "LoadCheckpoint", loadCheckpointInput, async ({ executionId }) => {
    const name = env.checkpointParameter;
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
      windowId: window.windowId,
      since: window.since,
      until: window.until,
      boundaryIds: [...window.boundaryIds],
      cursor: window.cursor,
      resumed: claim.resumed,
      checkpointVersion: written.version,
    };
  });
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
