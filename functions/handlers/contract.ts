import { z } from "zod";
import { InputError } from "../core/errors.ts";

/**
 * The payloads that travel between the states of statemachine/connector.asl.json. They carry S3 keys,
 * ids and counts only, never events or secrets, so they stay far below the 256 KB state limit.
 */

const isoTime = z.iso.datetime({ offset: true });
const s3Key = z.string().min(1).max(1024);

/** The window one loop of an execution works on; LoadCheckpoint's result at `$.window`. */
export const windowSchema = z
  .object({
    /** Names every object the window writes; the same window always gets the same id. */
    windowId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/),
    /** Inclusive start. */
    since: isoTime,
    /** Exclusive end. */
    until: isoTime,
    /** Ids of events at exactly `since` that an earlier window already delivered (de-duplication). */
    boundaryIds: z.array(z.string()).max(1000),
    /** S3 inbox only: the last object key already processed (StartAfter); null for APIs. */
    cursor: z.string().nullable(),
    /** True when the window is a pending one taken over from a failed or expired execution. */
    resumed: z.boolean(),
    /** Checkpoint parameter version this execution wrote when it recorded the window as pending. */
    checkpointVersion: z.number().int().nonnegative(),
  })
  .strict();
export type Window = z.infer<typeof windowSchema>;

/** Who holds the connector's window when LoadCheckpoint finds another live execution at work. */
export const heldBySchema = z
  .object({ executionId: z.string().min(1), windowId: z.string().min(1), leaseUntil: isoTime })
  .strict();

/**
 * LoadCheckpoint's result at `$.claim`: the window this execution now owns, or the execution that
 * holds it (the state machine then ends successfully, saying so).
 */
export const claimResultSchema = z.union([
  z.object({ window: windowSchema }).strict(),
  z.object({ heldBy: heldBySchema }).strict(),
]);
export type ClaimResult = z.infer<typeof claimResultSchema>;

/** Where the checkpoint moves once the window is committed (computed by Fetch from what it delivered). */
export const cursorSchema = z
  .object({ since: isoTime, boundaryIds: z.array(z.string()).max(1000), cursor: z.string().nullable() })
  .strict();
export type Cursor = z.infer<typeof cursorSchema>;

/** Fetch's result at `$.fetch`. */
export const fetchResultSchema = z
  .object({
    keys: z.array(s3Key),
    counts: z.object({
      events: z.number().int().nonnegative(),
      pages: z.number().int().nonnegative(),
      /** Push: redeliveries dropped (their events were already taken). */
      duplicates: z.number().int().nonnegative().optional(),
      /** Push: messages that were not events of this source, left for the dead-letter queue. */
      poison: z.number().int().nonnegative().optional(),
    }),
    /** The source has more events in the window than maxEvents allowed. */
    hasMore: z.boolean(),
    next: cursorSchema,
  })
  .strict();
export type FetchResult = z.infer<typeof fetchResultSchema>;

/** One custom source with data in the window: an item of the Convert Map state. */
export const sourceBatchSchema = z
  .object({
    customSource: z.string().min(1),
    classUid: z.number().int().nonnegative(),
    keys: z.array(s3Key).min(1),
    events: z.number().int().positive(),
    /** Event days (YYYYMMDD) whose staging partition this window created: only then is a crawl needed. */
    newDays: z.array(z.string().regex(/^\d{8}$/)),
    /** The Security Lake crawler to start after Convert when the window adds a day (absent: none configured). */
    lakeCrawlerName: z.string().min(1).optional(),
  })
  .strict();
export type SourceBatch = z.infer<typeof sourceBatchSchema>;

/** Map's result at `$.map`. */
export const mapResultSchema = z
  .object({
    keys: z.array(s3Key),
    counts: z.object({
      in: z.number().int().nonnegative(),
      mapped: z.record(z.string(), z.number().int().nonnegative()),
      skipped: z.number().int().nonnegative(),
      quarantined: z.number().int().nonnegative(),
      /** Mapped events with a value converted to its attribute's JSON type (lossless coercion). */
      coerced: z.number().int().nonnegative(),
      /** `ocsf` source only: attributes moved into `unmapped` because their class does not define them. */
      movedToUnmapped: z.number().int().nonnegative().optional(),
    }),
    sources: z.array(sourceBatchSchema),
    /** `<customSource>/eventDay=<YYYYMMDD>` of every staging partition the window created (§2.4). */
    newPartitions: z.array(z.string()),
    /** Custom sources whose new days only a crawl can catalogue (their staging table does not exist yet). */
    needsCrawl: z.array(z.string()),
  })
  .strict();
export type MapResult = z.infer<typeof mapResultSchema>;

/** ConvertSource's result (inside the Convert Map state). */
export const convertResultSchema = z
  .object({
    keys: z.array(s3Key),
    counts: z.object({ rows: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
  })
  .strict();
export type ConvertResult = z.infer<typeof convertResultSchema>;

/** What the Security Lake crawler start did for one custom source (best effort, never fails the window). */
export const lakeCrawlerOutcomeSchema = z.discriminatedUnion("status", [
  z.object({ status: z.literal("none") }).strict(),
  z.object({ status: z.literal("started") }).strict(),
  z.object({ status: z.literal("already-running") }).strict(),
  z.object({ status: z.literal("failed"), crawler: z.string(), error: z.string() }).strict(),
]);

/** One item of the Convert Map state's result at `$.convert` (the ASL's SourceConverted state). */
export const convertedSourceSchema = z
  .object({
    customSource: z.string().min(1),
    keys: z.array(s3Key),
    counts: convertResultSchema.shape.counts,
    lakeCrawler: lakeCrawlerOutcomeSchema,
  })
  .strict();
export type ConvertedSource = z.infer<typeof convertedSourceSchema>;

/** Commit's result at `$.commit`; HasMore loops on `hasMore`. */
export const commitResultSchema = z
  .object({
    hasMore: z.boolean(),
    /** The new checkpoint's start. */
    since: isoTime,
    checkpointVersion: z.number().int().nonnegative(),
  })
  .strict();
export type CommitResult = z.infer<typeof commitResultSchema>;

/** The error a Catch put at `$.error` (Step Functions' shape). */
export const stateErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() }).loose();

/**
 * Parses a handler's input with its schema; a mismatch throws `InputError` naming the state and the
 * zod issue paths (the ASL and the handler disagree: a bug, never retried).
 */
export function parseInput<T>(state: string, schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues
    .map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
  throw new InputError(`${state}: input does not match the state machine contract: ${where}`);
}
