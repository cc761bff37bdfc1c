import { gunzipSync } from "node:zlib";
import type { FetchWindow } from "../../core/checkpoint/window.ts";
import { unreadableLine } from "../../core/mapping/stream.ts";
import type { ObjectStore } from "../../core/ports.ts";
import { oneLine } from "./rawJson.ts";
import {
  type FetchLimits,
  type FetchResult,
  type PageSink,
  type SourceConnector,
  type SourceLogger,
  silentLogger,
} from "./types.ts";

export interface S3InboxConfig {
  /** Bucket or directory the producer drops NDJSON files into. */
  readonly store: ObjectStore;
  /** Key prefix of the inbox, e.g. "zscaler-dspm/" ("" for the whole store). */
  readonly prefix: string;
  /** The bucket's name, for naming a line that cannot be read (`<bucket>/<key>:<line>`). */
  readonly bucket?: string;
  readonly logger?: SourceLogger;
}

const LIST_BATCH = 1000;

/**
 * For producers that drop NDJSON (or OCSF NDJSON) files, gzipped or not, e.g. Zscaler DSPM alert exports.
 * Objects are read in key order after the checkpoint's `cursor` (S3 `StartAfter`); each object is one
 * page; the cursor advances only past objects read completely. A run stops at the first object boundary
 * at or past maxEvents. Producers must name objects so key order is arrival order (e.g. a date prefix).
 * Files are written by other people's code: a line that is not a JSON object (malformed, truncated), or
 * an object that cannot be decoded at all (corrupt gzip, not UTF-8), is staged as an "unreadable" record
 * naming `<bucket>/<key>[:<line>]` and the reason, which the map step quarantines; the rest of the file
 * and of the inbox flows on.
 */
export class S3InboxConnector implements SourceConnector {
  readonly source = "s3-inbox";
  readonly #logger: SourceLogger;

  constructor(private readonly config: S3InboxConfig) {
    this.#logger = config.logger ?? silentLogger;
  }

  async fetch(window: FetchWindow, limits: FetchLimits, sink: PageSink): Promise<FetchResult> {
    let cursor = window.cursor;
    let fetched = 0;
    let hasMore = false;
    const keys: string[] = [];
    outer: for (;;) {
      const listed = await this.config.store.list(this.config.prefix, {
        startAfter: cursor ?? undefined,
        limit: LIST_BATCH,
      });
      if (listed.length === 0) break;
      for (const object of listed) {
        if (fetched >= limits.maxEvents) {
          hasMore = true;
          break outer;
        }
        const events = object.key.endsWith("/") ? [] : await this.#read(object.key);
        if (events.length > 0) keys.push(await sink.write({ index: keys.length + 1, events }));
        fetched += events.length;
        cursor = object.key;
      }
      if (listed.length < LIST_BATCH) break;
    }
    return {
      fetched,
      pages: keys.length,
      keys,
      hasMore,
      next: { since: window.until, boundaryIds: [], cursor },
    };
  }

  async #read(key: string): Promise<string[]> {
    const bytes = await this.config.store.get(key);
    if (!bytes) {
      // Deleted between list and get: nothing to read, and nothing lost that we could have read.
      this.#logger.warn("inbox object vanished before it was read", { key });
      return [];
    }
    const file = this.config.bucket ? `${this.config.bucket}/${key}` : key;
    let text: string;
    try {
      const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
      text = new TextDecoder("utf-8", { fatal: true }).decode(gzipped ? gunzipSync(bytes) : bytes);
    } catch (error) {
      this.#logger.warn("inbox object cannot be decoded; quarantined", { key });
      return [unreadableLine({ file }, `unreadable object (${(error as Error).message})`, "")];
    }
    const events: string[] = [];
    const lines = text.split("\n");
    for (const [i, line] of lines.entries()) {
      const trimmed = line.endsWith("\r") ? line.slice(0, -1) : line;
      if (trimmed.trim() === "") continue;
      let value: unknown;
      let reason: string | undefined;
      try {
        value = JSON.parse(trimmed);
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          reason = "expected one JSON object per line";
        }
      } catch (error) {
        reason = `not JSON (${(error as Error).message})`;
      }
      events.push(
        reason === undefined ? oneLine(trimmed) : unreadableLine({ file, line: i + 1 }, reason, trimmed),
      );
    }
    return events;
  }
}
