import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { loadSourceMappings, MapRun, type QuarantineRecord, splitLines } from "../core/mapping/index.ts";
import { dayNumber, eventDay } from "../core/parquet/layout.ts";
import { awsDeps } from "./awsDeps.ts";
import { type MapResult, type SourceBatch, windowSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler, stateHandler } from "./deps.ts";
import type { CustomSourceConfig } from "./environment.ts";

/** The input of the ASL's `Map` state. */
export const mapInput = z
  .object({ window: windowSchema, keys: z.array(z.string().min(1)), executionId: z.string().min(1) })
  .strict();

/** A part file is closed at this many bytes of OCSF NDJSON, bounding the handler's memory. */
export const PART_BYTES = 64 * 1024 * 1024;

/**
 * `staging/ocsf/<customSource>/eventDay=<YYYYMMDD>/`: one partition of the staging table of a custom
 * source (DESIGN.md §2.4). Days are the events' UTC days, as in the lake, so the files a window adds to a
 * day Athena already knows need no crawl.
 */
export function ocsfDayPrefix(customSource: string, day: string): string {
  return `staging/ocsf/${customSource}/eventDay=${day}/`;
}

/** `…/eventDay=<YYYYMMDD>/<windowId>-<n>.ndjson`, n = 0, 1, … per day (as the lake's Parquet parts). */
export function ocsfPartKey(customSource: string, day: string, windowId: string, part: number): string {
  return `${ocsfDayPrefix(customSource, day)}${windowId}-${part}.ndjson`;
}

/** `staging/quarantine/<connector>/<windowId>.ndjson`: one JSON record per event that failed mapping. */
export function quarantineKey(connector: string, windowId: string): string {
  return `staging/quarantine/${connector}/${windowId}.ndjson`;
}

/** One day's buffered lines of one custom source, and how many parts of that day are written. */
interface DayBuffer {
  lines: string[];
  bytes: number;
  parts: number;
}

/**
 * The OCSF NDJSON of one custom source in one window, per event day. The bytes buffered over all days
 * are bounded by PART_BYTES: past it, every day's buffer becomes a part (a window spanning many days,
 * such as an inbox of old files, makes smaller parts instead of more memory).
 */
class SourceParts {
  readonly keys: string[] = [];
  readonly days = new Map<string, DayBuffer>();
  events = 0;
  #bytes = 0;

  constructor(
    readonly config: CustomSourceConfig,
    readonly windowId: string,
  ) {}

  /** Buffers one event; true when the buffers should be taken. */
  add(line: string, timeMs: number): boolean {
    const day = eventDay(dayNumber(timeMs));
    let buffer = this.days.get(day);
    if (!buffer) {
      buffer = { lines: [], bytes: 0, parts: 0 };
      this.days.set(day, buffer);
    }
    buffer.lines.push(line);
    buffer.bytes += line.length + 1;
    this.#bytes += line.length + 1;
    this.events += 1;
    return this.#bytes >= PART_BYTES;
  }

  /** A part per day with buffered lines: its key and body. */
  take(): { key: string; body: string }[] {
    const parts: { key: string; body: string }[] = [];
    for (const [day, buffer] of [...this.days].sort(([a], [b]) => a.localeCompare(b))) {
      if (buffer.lines.length === 0) continue;
      const key = ocsfPartKey(this.config.name, day, this.windowId, buffer.parts);
      parts.push({ key, body: `${buffer.lines.join("\n")}\n` });
      this.keys.push(key);
      buffer.parts += 1;
      buffer.lines = [];
      buffer.bytes = 0;
    }
    this.#bytes = 0;
    return parts;
  }
}

/**
 * Maps the window's raw pages to OCSF, one NDJSON series per custom source (the source that the
 * connector config assigns to the event's class) and event day, and writes events that fail mapping or
 * validation to the window's quarantine file with the reason and the raw event. Keys depend only on the
 * window and the data; parts and quarantine left by an earlier attempt at the same window are replaced,
 * never added to. A day new to the staging catalogue is added to its table there (one request); only
 * a source whose table does not exist yet is reported in `needsCrawl`, and only then does the state
 * machine start the crawler (DESIGN.md §2.4).
 */
export function makeHandler(deps: HandlerDeps): StateHandler<MapResult> {
  const { env } = deps;
  const byClass = new Map(env.customSources.map((s) => [s.classUid, s]));
  return stateHandler(deps, "Map", mapInput, async ({ window, keys }) => {
    const mappings = loadSourceMappings(env.mappingSource, {
      dir: env.mappingsDir,
      baseEvent: byClass.has(0),
    });
    const parts = new Map<number, SourceParts>();
    const quarantined: string[] = [];
    const written: string[] = [];
    const pendingWrites: { key: string; body: string }[] = [];
    const run = new MapRun(mappings, {
      sink: {
        mapped(classUid, json, event) {
          const config = byClass.get(classUid);
          if (!config) {
            // A class the connector feeds to no custom source: kept, with the reason, for replay.
            quarantined.push(
              JSON.stringify({
                reason: {
                  path: "class_uid",
                  message: `class ${classUid} has no custom source in the connector config`,
                },
                raw: json,
              }),
            );
            run.counts.quarantined += 1;
            return;
          }
          let source = parts.get(classUid);
          if (!source) {
            source = new SourceParts(config, window.windowId);
            parts.set(classUid, source);
          }
          // The engine has validated `time` (timestamp_t, epoch milliseconds) before an event reaches the sink.
          if (source.add(json, event.time as number)) pendingWrites.push(...source.take());
        },
        quarantined(record: QuarantineRecord) {
          quarantined.push(JSON.stringify(record));
        },
      },
    });
    for (const key of keys) {
      const body = await deps.staging.get(key);
      if (!body) throw new Error(`Map: raw page ${key} is missing from the staging bucket`);
      const lines = splitLines(gunzipSync(body).toString("utf8"));
      for (const [i, line] of lines.entries()) run.push(line, i + 1);
      for (const part of pendingWrites.splice(0)) {
        await deps.staging.put(part.key, part.body, { contentType: "application/x-ndjson" });
        written.push(part.key);
      }
    }
    const sources: SourceBatch[] = [];
    const newPartitions: string[] = [];
    const needsCrawl: string[] = [];
    for (const source of [...parts.values()].sort((a, b) => a.config.name.localeCompare(b.config.name))) {
      for (const part of source.take()) {
        await deps.staging.put(part.key, part.body, { contentType: "application/x-ndjson" });
        written.push(part.key);
      }
      const newDays = await settleDays(deps, source, new Set(written));
      newPartitions.push(...newDays.map((day) => `${source.config.name}/eventDay=${day}`));
      if (newDays.length > 0 && !(await addedToCatalog(deps, source.config.name, newDays))) {
        needsCrawl.push(source.config.name);
      }
      sources.push({
        customSource: source.config.name,
        classUid: source.config.classUid,
        keys: source.keys,
        events: source.events,
        newDays,
        ...(source.config.crawlerName ? { lakeCrawlerName: source.config.crawlerName } : {}),
      });
    }
    const qKey = quarantineKey(env.connector, window.windowId);
    if (quarantined.length > 0) {
      await deps.staging.put(qKey, `${quarantined.join("\n")}\n`, { contentType: "application/x-ndjson" });
      written.push(qKey);
    } else {
      await deps.staging.delete(qKey);
    }
    // The engine counts a line quarantined when routed to a class without a source; keep `in` balanced.
    const counts = { ...run.counts, mapped: { ...run.counts.mapped } };
    for (const classUid of Object.keys(counts.mapped)) {
      if (!byClass.has(Number(classUid))) {
        delete counts.mapped[classUid];
      }
    }
    const mapped = Object.values(counts.mapped).reduce((n, v) => n + v, 0);
    deps.telemetry.metric("EventsMapped", mapped);
    // Only when not zero: a custom metric costs for every hour it is published in (core/metrics.ts).
    if (counts.skipped > 0) deps.telemetry.metric("EventsSkipped", counts.skipped);
    if (counts.quarantined > 0) deps.telemetry.metric("EventsQuarantined", counts.quarantined);
    if (counts.coerced > 0) deps.telemetry.metric("EventsCoerced", counts.coerced);
    deps.telemetry.info("mapped", {
      mappedByClass: counts.mapped,
      skipped: counts.skipped,
      quarantined: counts.quarantined,
      coerced: counts.coerced,
    });
    if (run.skippedTypes.size > 0) {
      deps.telemetry.info("event types without a mapping were skipped", {
        skippedTypes: Object.fromEntries([...run.skippedTypes].slice(0, 50)),
      });
    }
    return { keys: written, counts, sources, newPartitions, needsCrawl };
  });
}

/**
 * Lists each day folder the window wrote (one LIST request per source and day, never a crawl): parts of
 * this window that an earlier attempt wrote and this one did not are deleted, and a day holding no other
 * window's files is new to the staging catalogue. An earlier attempt at the window counts as nobody, so a
 * retried window crawls again rather than never. What this cannot see: a day that only an earlier attempt
 * wrote, which needs the mapping files to change between two attempts at the same raw pages (Convert reads
 * only the parts listed here, so the lake is unaffected; the stale part expires with staging).
 */
async function settleDays(deps: HandlerDeps, source: SourceParts, keep: Set<string>): Promise<string[]> {
  const newDays: string[] = [];
  for (const day of [...source.days.keys()].sort()) {
    const prefix = ocsfDayPrefix(source.config.name, day);
    const own = `${prefix}${source.windowId}-`;
    let others = false;
    for (const object of await deps.staging.list(prefix)) {
      if (!object.key.startsWith(own) || !/^\d+\.ndjson$/.test(object.key.slice(own.length))) others = true;
      else if (!keep.has(object.key)) await deps.staging.delete(object.key);
    }
    if (!others) newDays.push(day);
  }
  return newDays;
}

/**
 * Adds the days to the source's staging table through the catalogue (one request, no crawl). False
 * when only a crawl can do it: the table does not exist yet, or the catalogue refused, which must not
 * hold the window back (staging is for replay; the lake does not depend on it).
 */
async function addedToCatalog(deps: HandlerDeps, customSource: string, days: readonly string[]) {
  if (!deps.catalog) return false;
  try {
    return await deps.catalog.addPartitions(customSource, days);
  } catch (error) {
    deps.telemetry.warn("staging partitions could not be added; the staging crawler will add them", {
      customSource,
      errorName: (error as Error).name,
      errorMessage: (error as Error).message,
    });
    return false;
  }
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
