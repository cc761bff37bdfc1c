import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { loadSourceMappings, MapRun, type QuarantineRecord, splitLines } from "../core/mapping/index.ts";
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

/** `staging/ocsf/<customSource>/<windowId>/part-<n>.ndjson` (n zero-padded so key order is part order). */
export function ocsfPartKey(customSource: string, windowId: string, part: number): string {
  return `staging/ocsf/${customSource}/${windowId}/part-${String(part).padStart(5, "0")}.ndjson`;
}

/** `staging/quarantine/<connector>/<windowId>.ndjson`: one JSON record per event that failed mapping. */
export function quarantineKey(connector: string, windowId: string): string {
  return `staging/quarantine/${connector}/${windowId}.ndjson`;
}

class SourceParts {
  readonly keys: string[] = [];
  events = 0;
  #lines: string[] = [];
  #bytes = 0;

  constructor(
    readonly config: CustomSourceConfig,
    readonly windowId: string,
  ) {}

  add(line: string): boolean {
    this.#lines.push(line);
    this.#bytes += line.length + 1;
    this.events += 1;
    return this.#bytes >= PART_BYTES;
  }

  /** The next part's key and body, or undefined when nothing is buffered. */
  take(): { key: string; body: string } | undefined {
    if (this.#lines.length === 0) return undefined;
    const key = ocsfPartKey(this.config.name, this.windowId, this.keys.length + 1);
    const body = `${this.#lines.join("\n")}\n`;
    this.keys.push(key);
    this.#lines = [];
    this.#bytes = 0;
    return { key, body };
  }
}

/**
 * Maps the window's raw pages to OCSF, one NDJSON series per custom source (the source that the
 * connector config assigns to the event's class), and writes events that fail mapping or validation to
 * the window's quarantine file with the reason and the raw event. Keys depend only on the window and the
 * data; parts and quarantine left by an earlier attempt at the same window are replaced, never added to.
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
        mapped(classUid, json) {
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
          if (source.add(json)) {
            const part = source.take();
            if (part) pendingWrites.push(part);
          }
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
    for (const source of [...parts.values()].sort((a, b) => a.config.name.localeCompare(b.config.name))) {
      const last = source.take();
      if (last) {
        await deps.staging.put(last.key, last.body, { contentType: "application/x-ndjson" });
        written.push(last.key);
      }
      sources.push({
        customSource: source.config.name,
        classUid: source.config.classUid,
        keys: source.keys,
        events: source.events,
        ...(source.config.crawlerName ? { lakeCrawlerName: source.config.crawlerName } : {}),
      });
    }
    await removeStaleParts(deps, window.windowId, new Set(written));
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
    for (const [classUid, n] of Object.entries(counts.mapped)) {
      deps.telemetry.metric("EventsMapped", n, { classUid });
    }
    deps.telemetry.metric("EventsSkipped", counts.skipped);
    deps.telemetry.metric("EventsQuarantined", counts.quarantined);
    deps.telemetry.metric("EventsCoerced", counts.coerced);
    if (run.skippedTypes.size > 0) {
      deps.telemetry.info("event types without a mapping were skipped", {
        skippedTypes: Object.fromEntries([...run.skippedTypes].slice(0, 50)),
      });
    }
    return { keys: written, counts, sources };
  });
}

/** Deletes OCSF parts of this window that an earlier attempt wrote and this one did not. */
async function removeStaleParts(deps: HandlerDeps, windowId: string, keep: Set<string>): Promise<void> {
  for (const config of deps.env.customSources) {
    for (const object of await deps.staging.list(`staging/ocsf/${config.name}/${windowId}/`)) {
      if (!keep.has(object.key)) await deps.staging.delete(object.key);
    }
  }
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
