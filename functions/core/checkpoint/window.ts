import { createHash } from "node:crypto";
import { ConfigError } from "../errors.ts";
import { type Checkpoint, parseInstant, toIso } from "./checkpoint.ts";

/** One fetch window `[since, until)` and what the previous run already delivered at `since`. */
export interface FetchWindow {
  /** Deterministic: the same window always gets the same id, so a retried window overwrites its objects. */
  readonly windowId: string;
  readonly since: string;
  readonly until: string;
  readonly boundaryIds: readonly string[];
  /** S3 inbox only: the last fully processed key; null for API sources. */
  readonly cursor: string | null;
}

export interface WindowConfig {
  /** How far behind "now" a window ends, covering the source's index delay. Default 60. */
  readonly lagSeconds?: number;
  /** The longest window one run opens. Default 86,400 (one day). */
  readonly maxWindowSeconds?: number;
  /** Where the very first window starts, counted back from now. Default 86,400 (24 h). */
  readonly initialLookbackSeconds?: number;
}

export const DEFAULT_LAG_SECONDS = 60;
export const DEFAULT_MAX_WINDOW_SECONDS = 86_400;
export const DEFAULT_INITIAL_LOOKBACK_SECONDS = 86_400;

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) throw new ConfigError(`${name} must be a non-negative number, got ${v}`);
  return v;
}

/**
 * Opens the window a run fetches. A pending window (a run that fetched but did not commit) is resumed
 * exactly, with the same id. Otherwise `since` is the checkpoint's (or now − initialLookback on the first
 * run) and `until = min(now − lag, since + maxWindow)`, never before `since` (then the window is empty).
 */
export function openWindow(
  checkpoint: Checkpoint | undefined,
  nowMs: number,
  config: WindowConfig = {},
): FetchWindow {
  const lagMs = nonNegative(config.lagSeconds, DEFAULT_LAG_SECONDS, "lagSeconds") * 1000;
  const maxWindowMs =
    nonNegative(config.maxWindowSeconds, DEFAULT_MAX_WINDOW_SECONDS, "maxWindowSeconds") * 1000;
  const lookbackMs =
    nonNegative(config.initialLookbackSeconds, DEFAULT_INITIAL_LOOKBACK_SECONDS, "initialLookbackSeconds") *
    1000;
  if (maxWindowMs === 0) throw new ConfigError("maxWindowSeconds must be greater than 0");

  const cursor = checkpoint?.cursor ?? null;
  const boundaryIds = checkpoint?.boundaryIds ?? [];
  if (checkpoint?.pending) {
    const { windowId, since, until } = checkpoint.pending;
    return { windowId, since, until, boundaryIds, cursor };
  }
  const sinceMs = checkpoint ? parseInstant(checkpoint.since, "checkpoint.since") : nowMs - lookbackMs;
  const untilMs = Math.max(sinceMs, Math.min(nowMs - lagMs, sinceMs + maxWindowMs));
  return makeWindow(toIso(sinceMs), toIso(untilMs), boundaryIds, cursor);
}

/** Builds a window with its deterministic id (also used by `seclake fetch` for explicit windows). */
export function makeWindow(
  since: string,
  until: string,
  boundaryIds: readonly string[] = [],
  cursor: string | null = null,
): FetchWindow {
  const sinceIso = toIso(parseInstant(since, "since"));
  const untilIso = toIso(parseInstant(until, "until"));
  return {
    windowId: windowIdOf(sinceIso, untilIso, boundaryIds, cursor),
    since: sinceIso,
    until: untilIso,
    boundaryIds,
    cursor,
  };
}

/**
 * `<since compact>-<hash>`: readable and sortable by start, and unique per (since, until, boundary, cursor)
 * so two different windows never share object keys.
 */
export function windowIdOf(
  since: string,
  until: string,
  boundaryIds: readonly string[],
  cursor: string | null,
): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([since, until, [...boundaryIds].sort(), cursor]))
    .digest("hex")
    .slice(0, 12);
  return `${since.replace(/[-:.]/g, "")}-${hash}`;
}

/** Where a window's fetch ended: the next window's lower bound and what was delivered at it. */
export interface WindowProgress {
  readonly since: string;
  readonly boundaryIds: readonly string[];
  readonly cursor: string | null;
}

/** The checkpoint to commit after every object of `progress`'s window is durably written. */
export function nextCheckpoint(progress: WindowProgress): Checkpoint {
  const checkpoint: Checkpoint = {
    version: 1,
    since: progress.since,
    boundaryIds: [...progress.boundaryIds],
    pending: null,
  };
  if (progress.cursor !== null) checkpoint.cursor = progress.cursor;
  return checkpoint;
}

/** The checkpoint recording `window` as fetched but not committed (the failure path writes it). */
export function withPending(
  checkpoint: Checkpoint | undefined,
  window: FetchWindow,
  executionId: string,
): Checkpoint {
  const base: Checkpoint = checkpoint ?? {
    version: 1,
    since: window.since,
    boundaryIds: [...window.boundaryIds],
    pending: null,
  };
  return {
    ...base,
    pending: { windowId: window.windowId, since: window.since, until: window.until, executionId },
  };
}

/**
 * True when a checkpoint is at least one full `maxWindow` behind `now − lag` (a backfill): the state
 * machine's "More?" loop should run again even though the last fetch did not hit maxEvents. A checkpoint
 * with a pending window is always behind (that window must be retried).
 */
export function isBehind(checkpoint: Checkpoint, nowMs: number, config: WindowConfig = {}): boolean {
  if (checkpoint.pending) return true;
  const lagMs = nonNegative(config.lagSeconds, DEFAULT_LAG_SECONDS, "lagSeconds") * 1000;
  const maxWindowMs =
    nonNegative(config.maxWindowSeconds, DEFAULT_MAX_WINDOW_SECONDS, "maxWindowSeconds") * 1000;
  return nowMs - lagMs - parseInstant(checkpoint.since, "checkpoint.since") >= maxWindowMs;
}
