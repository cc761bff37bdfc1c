import { z } from "zod";
import { CheckpointError } from "../core/errors.ts";
import {
  failedCheckpoint,
  parsePipelineCheckpoint,
  serializePipelineCheckpoint,
} from "../core/pipeline/claim.ts";
import { awsDeps } from "./awsDeps.ts";
import { stateErrorSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler, stateHandler } from "./deps.ts";

/** The input of the ASL's `RecordFailure` state. */
export const recordFailureInput = z
  .object({ executionId: z.string().min(1), error: stateErrorSchema })
  .strict();

export interface RecordFailureResult {
  /** False when this execution held no pending window (it failed before claiming one, or lost it). */
  readonly recorded: boolean;
  readonly windowId: string | null;
}

/**
 * Keeps this execution's pending window (never clears it) and marks it failed, so the next execution
 * takes it over at once and fetches exactly that window again. A pending window of another execution
 * is left alone. The error's name is stored, not its cause (a cause may quote source data).
 */
export function makeHandler(deps: HandlerDeps): StateHandler<RecordFailureResult> {
  const { env } = deps;
  return stateHandler(deps, "RecordFailure", recordFailureInput, async ({ executionId, error }) => {
    const name = env.checkpointParameter;
    const stored = await deps.parameters.get(name);
    const current = stored ? parsePipelineCheckpoint(stored.value, `checkpoint ${name}`) : undefined;
    const pending = current?.pending;
    if (!stored || !current || !pending || pending.executionId !== executionId) {
      deps.telemetry.warn("no pending window of this execution to record", { errorName: error.Error });
      return { recorded: false, windowId: null };
    }
    const failed = failedCheckpoint({ ...current, pending }, error.Error, deps.now().getTime());
    try {
      await deps.parameters.put(name, serializePipelineCheckpoint(failed), {
        expectedVersion: stored.version,
      });
    } catch (e) {
      // Another execution took the window over meanwhile: it is in good hands.
      if (e instanceof CheckpointError) return { recorded: false, windowId: pending.windowId };
      throw e;
    }
    deps.telemetry.warn("window left pending after a failure", {
      windowId: pending.windowId,
      errorName: error.Error,
    });
    return { recorded: true, windowId: pending.windowId };
  });
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
