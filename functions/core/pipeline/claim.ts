import { z } from "zod";
import {
  type Checkpoint,
  checkpointSchema,
  parseCheckpointWith,
  pendingWindowSchema,
  SSM_STANDARD_LIMIT,
} from "../checkpoint/checkpoint.ts";
import {
  type FetchWindow,
  nextCheckpoint,
  openWindow,
  type WindowConfig,
  type WindowProgress,
} from "../checkpoint/window.ts";
import { CheckpointError, WindowHeldError } from "../errors.ts";

/**
 * Who owns a connector's pending window, and what each state machine step does to the checkpoint.
 * The checkpoint (DESIGN.md §3) gains three optional fields on `pending`, so an execution can tell a
 * window held by a live execution from one left by a failed or vanished one:
 *
 * - `leaseUntil`: the owner's claim ends then (an execution killed outright never runs RecordFailure);
 * - `failedAt` / `error`: RecordFailure ran; any execution may take the window over at once;
 * - `attempts`: how many executions have worked on the window (for operators).
 */
const isoInstant = z.iso.datetime({ offset: true });

export const claimedPendingSchema = pendingWindowSchema.extend({
  leaseUntil: isoInstant.optional(),
  failedAt: isoInstant.optional(),
  error: z.string().max(200).optional(),
  attempts: z.number().int().positive().optional(),
});
export type ClaimedPending = z.infer<typeof claimedPendingSchema>;

export const pipelineCheckpointSchema = checkpointSchema.extend({ pending: claimedPendingSchema.nullable() });
export type PipelineCheckpoint = z.infer<typeof pipelineCheckpointSchema>;

/** Parses the stored checkpoint; CheckpointError names the parameter and the field (never the value). */
export function parsePipelineCheckpoint(text: string, where: string): PipelineCheckpoint {
  return parseCheckpointWith(pipelineCheckpointSchema, text, where);
}

export function serializePipelineCheckpoint(checkpoint: PipelineCheckpoint): string {
  const text = JSON.stringify(pipelineCheckpointSchema.parse(checkpoint));
  if (text.length > SSM_STANDARD_LIMIT) {
    throw new CheckpointError(`checkpoint is ${text.length} characters, over SSM's ${SSM_STANDARD_LIMIT}`);
  }
  return text;
}

export interface ClaimOptions extends WindowConfig {
  readonly leaseSeconds: number;
}

export interface Claim {
  readonly window: FetchWindow;
  /** True when the window was pending before this execution (resumed, not opened). */
  readonly resumed: boolean;
  /** The checkpoint to write (conditionally on the version read) before anything is fetched. */
  readonly checkpoint: PipelineCheckpoint;
}

/**
 * LoadCheckpoint's decision. Afterwards the returned checkpoint names `executionId` as the pending
 * window's owner until `now + lease`. A pending window owned by another execution is taken over only
 * when that execution recorded a failure or its lease ran out; otherwise this throws WindowHeldError
 * (two executions never work on one connector at once).
 */
export function claimWindow(
  stored: PipelineCheckpoint | undefined,
  executionId: string,
  nowMs: number,
  options: ClaimOptions,
): Claim {
  const pending = stored?.pending ?? null;
  if (pending && pending.executionId !== executionId) {
    const leaseEnd = pending.leaseUntil ? Date.parse(pending.leaseUntil) : 0;
    if (!pending.failedAt && nowMs < leaseEnd) {
      throw new WindowHeldError({
        executionId: pending.executionId,
        windowId: pending.windowId,
        leaseUntil: pending.leaseUntil as string,
      });
    }
  }
  const window = openWindow(stored as Checkpoint | undefined, nowMs, options);
  const base: PipelineCheckpoint = stored ?? {
    version: 1,
    since: window.since,
    boundaryIds: [...window.boundaryIds],
    pending: null,
  };
  const attempts = pending ? (pending.attempts ?? 1) + (pending.executionId === executionId ? 0 : 1) : 1;
  const checkpoint: PipelineCheckpoint = {
    ...base,
    pending: {
      windowId: window.windowId,
      since: window.since,
      until: window.until,
      executionId,
      leaseUntil: new Date(nowMs + options.leaseSeconds * 1000).toISOString(),
      attempts,
    },
  };
  return { window, resumed: pending !== null, checkpoint };
}

/** Throws CheckpointError unless `executionId` still owns `windowId` in the stored checkpoint. */
export function assertOwner(
  stored: PipelineCheckpoint | undefined,
  executionId: string,
  windowId: string,
): asserts stored is PipelineCheckpoint & { pending: ClaimedPending } {
  const pending = stored?.pending;
  if (!pending || pending.executionId !== executionId || pending.windowId !== windowId) {
    throw new CheckpointError(
      `window ${windowId} is no longer this execution's (pending: ${
        pending ? `${pending.windowId} held by ${pending.executionId}` : "none"
      }); not committing`,
    );
  }
}

/**
 * Commit's checkpoint: the window's progress with pending cleared. When the progress stays at the
 * window's own start (nothing delivered past it), the ids already delivered there are kept, so an empty
 * window never forgets its boundary.
 */
export function committedCheckpoint(window: FetchWindow, progress: WindowProgress): PipelineCheckpoint {
  const merged: WindowProgress =
    progress.since === window.since
      ? { ...progress, boundaryIds: [...new Set([...window.boundaryIds, ...progress.boundaryIds])] }
      : progress;
  const next = nextCheckpoint(merged);
  if (merged.cursor === null && window.cursor !== null) next.cursor = window.cursor;
  return next;
}

/** RecordFailure's checkpoint: the same pending window, marked failed so the next execution resumes it now. */
export function failedCheckpoint(
  stored: PipelineCheckpoint & { pending: ClaimedPending },
  errorName: string,
  nowMs: number,
): PipelineCheckpoint {
  return {
    ...stored,
    pending: { ...stored.pending, failedAt: new Date(nowMs).toISOString(), error: errorName.slice(0, 200) },
  };
}
