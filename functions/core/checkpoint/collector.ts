import { SourceApiError } from "../errors.ts";
import { boundaryId, MAX_BOUNDARY_IDS, parseInstant, toIso } from "./checkpoint.ts";
import type { FetchWindow, WindowProgress } from "./window.ts";

/** What a connector knows of one event: its raw text (kept byte for byte), id and time. */
export interface SourceEvent {
  readonly raw: string;
  readonly id: string;
  readonly timeMs: number;
}

export type Verdict = "take" | "skip" | "stop";

/**
 * Decides, event by event in the source's ascending time order, what one run delivers from a window:
 *
 * - the lower bound is inclusive and the upper exclusive, whatever the API does at its edges;
 * - an event at the checkpoint's `since` whose id is in `boundaryIds` was delivered by the previous run;
 * - an id seen twice within one millisecond (a page boundary replayed by the API) is delivered once;
 * - at `maxEvents` the run stops and the progress points at the last event delivered (`since` = its
 *   time, `boundaryIds` = ids delivered at that time), unless that millisecond already holds
 *   MAX_BOUNDARY_IDS ids: then the whole millisecond is delivered first, so the checkpoint stays small.
 *
 * Memory is bounded by the ids of one millisecond, never the whole window.
 */
export class WindowCollector {
  readonly #source: string;
  readonly #sinceMs: number;
  readonly #untilMs: number;
  readonly #maxEvents: number;
  #lastMs: number;
  #idsAtLast: Set<string>;
  #delivered = 0;
  #stopped: WindowProgress | undefined;

  constructor(source: string, window: FetchWindow, maxEvents: number) {
    if (!Number.isInteger(maxEvents) || maxEvents < 1) {
      throw new RangeError(`maxEvents must be a positive integer, got ${maxEvents}`);
    }
    this.#source = source;
    this.#sinceMs = parseInstant(window.since, "window.since");
    this.#untilMs = parseInstant(window.until, "window.until");
    this.#maxEvents = maxEvents;
    this.#lastMs = this.#sinceMs;
    this.#idsAtLast = new Set(window.boundaryIds);
  }

  get delivered(): number {
    return this.#delivered;
  }

  /** True once the run has stopped at maxEvents; the connector should fetch no further. */
  get stopped(): boolean {
    return this.#stopped !== undefined;
  }

  offer(event: SourceEvent): Verdict {
    if (this.#stopped) return "stop";
    if (event.timeMs < this.#sinceMs || event.timeMs >= this.#untilMs) return "skip";
    if (event.timeMs < this.#lastMs) {
      throw new SourceApiError(
        `${this.#source}: events out of time order (${toIso(event.timeMs)} after ${toIso(this.#lastMs)}); ` +
          "cannot checkpoint safely",
        { source: this.#source, retryable: false },
      );
    }
    const hashed = boundaryId(event.id);
    const sameMs = event.timeMs === this.#lastMs;
    if (sameMs && this.#idsAtLast.has(hashed)) return "skip";
    if (this.#delivered >= this.#maxEvents) {
      if (!sameMs) {
        // Every event of the last millisecond has been seen: the next run starts just after it.
        return this.#stop({ since: toIso(this.#lastMs + 1), boundaryIds: [], cursor: null });
      }
      if (this.#idsAtLast.size <= MAX_BOUNDARY_IDS) return this.#stop(this.#boundaryProgress());
    }
    if (!sameMs) {
      this.#lastMs = event.timeMs;
      this.#idsAtLast = new Set();
    }
    this.#idsAtLast.add(hashed);
    this.#delivered += 1;
    return "take";
  }

  /**
   * Call after each page: true when the run may stop without fetching the next page (maxEvents reached
   * and the last millisecond's ids fit the checkpoint).
   */
  canStopAfterPage(): boolean {
    if (this.#stopped) return true;
    if (this.#delivered >= this.#maxEvents && this.#idsAtLast.size <= MAX_BOUNDARY_IDS) {
      this.#stopped = this.#boundaryProgress();
      return true;
    }
    return false;
  }

  /** The progress to checkpoint: where the run stopped, or the window's end when the source ran dry. */
  finish(): { progress: WindowProgress; hasMore: boolean } {
    if (this.#stopped) return { progress: this.#stopped, hasMore: true };
    return { progress: { since: toIso(this.#untilMs), boundaryIds: [], cursor: null }, hasMore: false };
  }

  #boundaryProgress(): WindowProgress {
    return { since: toIso(this.#lastMs), boundaryIds: [...this.#idsAtLast], cursor: null };
  }

  #stop(progress: WindowProgress): Verdict {
    this.#stopped = progress;
    return "stop";
  }
}
