import { createHash } from "node:crypto";
import { z } from "zod";
import { CheckpointError } from "../errors.ts";

/**
 * The connector checkpoint (DESIGN.md §3), stored as one SSM String parameter.
 *
 * - `since`: the next window's inclusive lower bound (ISO 8601, UTC, milliseconds).
 * - `boundaryIds`: hashed ids of the events already delivered *at* `since`. The next window fetches
 *   `since` again (inclusive) and drops these, so events sharing a millisecond with the checkpoint are
 *   neither lost (the anchor's strict `>`) nor written twice.
 * - `pending`: a window that was fetched but not committed; the next run resumes exactly that window.
 * - `cursor`: only for the S3 inbox connector: the last fully processed object key (`StartAfter`).
 *   Absent or null for API connectors.
 */
const isoInstant = z.iso.datetime({ offset: true });

export const pendingWindowSchema = z.object({
  windowId: z.string().min(1),
  since: isoInstant,
  until: isoInstant,
  executionId: z.string(),
});

export const checkpointSchema = z.object({
  version: z.literal(1),
  since: isoInstant,
  boundaryIds: z.array(z.string()),
  pending: pendingWindowSchema.nullable(),
  cursor: z.string().nullable().optional(),
});

export type PendingWindow = z.infer<typeof pendingWindowSchema>;
export type Checkpoint = z.infer<typeof checkpointSchema>;

/** SSM standard-tier parameters hold at most 4,096 characters; we stay far below. */
export const SSM_STANDARD_LIMIT = 4096;

/**
 * The most boundary ids a checkpoint carries. Each is a 16-hex-digit hash (18 characters with quotes
 * and comma), so the list stays under ~1.9 KB and the whole JSON far below the SSM limit even with a
 * pending window and a long S3 cursor. A millisecond holding more events than this is never split: the
 * collector delivers the whole group before it stops (see WindowCollector).
 */
export const MAX_BOUNDARY_IDS = 100;

/** Parses a stored checkpoint; throws CheckpointError naming what is wrong (never echoing the whole value). */
export function parseCheckpoint(text: string, where = "checkpoint"): Checkpoint {
  return parseCheckpointWith(checkpointSchema, text, where);
}

/**
 * Parses stored checkpoint JSON with `schema` (the plain checkpoint or an extension of it); throws
 * CheckpointError naming `where` and the first failing field, never echoing the value.
 */
export function parseCheckpointWith<T>(schema: z.ZodType<T>, text: string, where: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`${where}: not JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join(".") || "(root)";
    throw new CheckpointError(`${where}: ${path}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** Serialises a checkpoint; throws CheckpointError if it would not fit a standard SSM parameter. */
export function serializeCheckpoint(checkpoint: Checkpoint): string {
  const text = JSON.stringify(checkpointSchema.parse(checkpoint));
  if (text.length > SSM_STANDARD_LIMIT) {
    throw new CheckpointError(
      `checkpoint is ${text.length} characters, over the SSM standard tier's ${SSM_STANDARD_LIMIT}`,
    );
  }
  return text;
}

/** The short, stable hash kept in `boundaryIds` for a source event id. */
export function boundaryId(eventId: string): string {
  return createHash("sha256").update(eventId).digest("hex").slice(0, 16);
}

/** ISO 8601 UTC with milliseconds, the only form this module writes. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Epoch milliseconds of an ISO instant; throws CheckpointError when it is not one. */
export function parseInstant(value: string, what: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new CheckpointError(`${what}: expected an ISO 8601 instant, got ${value}`);
  return ms;
}
