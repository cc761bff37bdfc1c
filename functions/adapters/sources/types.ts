import type { FetchWindow, WindowProgress } from "../../core/checkpoint/window.ts";

/** One page as delivered: each event's JSON text exactly as the source returned it, in source order. */
export interface RawPage {
  /** 1-based, in delivery order; names the page's object deterministically. */
  readonly index: number;
  readonly events: readonly string[];
}

/** Where pages go as soon as they are fetched, so a run's memory is one page, never the window. */
export interface PageSink {
  /** Writes the page durably and returns its object key. */
  write(page: RawPage): Promise<string>;
}

export interface FetchLimits {
  /** Stop after about this many events (a millisecond is never split past the checkpoint's capacity). */
  readonly maxEvents: number;
  /** Events per API request; each connector clamps it to what its API allows. */
  readonly pageSize?: number;
}

export interface FetchResult {
  readonly fetched: number;
  readonly pages: number;
  readonly keys: readonly string[];
  /** True when the run stopped at maxEvents; the window (or inbox) may hold more. */
  readonly hasMore: boolean;
  /** Where the next run starts: turn it into the checkpoint with `nextCheckpoint(next)` after commit. */
  readonly next: WindowProgress;
  /** Push: deliveries not staged, as redeliveries of events already taken, or as not events at all. */
  readonly dropped?: { readonly duplicates: number; readonly poison: number };
}

/**
 * A source of raw events. `fetch` pages the source over `window`, writes every page to `sink` before
 * asking for the next, and resolves only when the run is complete; on any error it rejects and the
 * caller must not advance the checkpoint (pages already written are overwritten by the retried window).
 */
export interface SourceConnector {
  readonly source: string;
  fetch(window: FetchWindow, limits: FetchLimits, sink: PageSink): Promise<FetchResult>;
}

/** The logging surface connectors need; Powertools' Logger satisfies it. Never given secrets or events. */
export interface SourceLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

export const silentLogger: SourceLogger = { info() {}, warn() {} };
