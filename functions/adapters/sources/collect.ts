import { WindowCollector } from "../../core/checkpoint/collector.ts";
import type { FetchWindow } from "../../core/checkpoint/window.ts";
import { preview, SourceApiError } from "../../core/errors.ts";
import { oneLine } from "./rawJson.ts";
import type { FetchLimits, FetchResult, PageSink } from "./types.ts";

/** One event of an API page: its exact text and its parsed value. */
export interface PageElement {
  readonly raw: string;
  readonly value: unknown;
}

export interface EventFields {
  readonly id: string;
  readonly time: string;
}

/** ISO 8601 with a zone: a time without one would be read in the Lambda's local zone. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Drives a connector's page iterator through a WindowCollector and a sink. Pages are written as they
 * arrive (only the events delivered); the iterator is closed as soon as the run may stop, so no request
 * is made past maxEvents.
 */
export async function collectPages(
  source: string,
  window: FetchWindow,
  limits: FetchLimits,
  sink: PageSink,
  pages: AsyncIterable<readonly PageElement[]>,
  fields: EventFields,
): Promise<FetchResult> {
  const collector = new WindowCollector(source, window, limits.maxEvents);
  const keys: string[] = [];
  let apiPage = 0;
  for await (const page of pages) {
    apiPage += 1;
    const taken: string[] = [];
    let stop = false;
    for (const [i, element] of page.entries()) {
      const verdict = collector.offer(toEvent(source, element, fields, apiPage, i));
      if (verdict === "stop") {
        stop = true;
        break;
      }
      if (verdict === "take") taken.push(oneLine(element.raw));
    }
    if (taken.length > 0) keys.push(await sink.write({ index: keys.length + 1, events: taken }));
    if (stop || collector.canStopAfterPage()) break;
  }
  const { progress, hasMore } = collector.finish();
  return { fetched: collector.delivered, pages: keys.length, keys, hasMore, next: progress };
}

function toEvent(source: string, element: PageElement, fields: EventFields, page: number, index: number) {
  const where = `${source}: API page ${page}, event ${index + 1}`;
  const value = element.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SourceApiError(`${where}: expected a JSON object, got ${preview(value)}`, {
      source,
      retryable: false,
    });
  }
  const record = value as Record<string, unknown>;
  const id = record[fields.id];
  if (!((typeof id === "string" && id !== "") || typeof id === "number")) {
    throw new SourceApiError(`${where}: ${fields.id}: expected an id, got ${preview(id)}`, {
      source,
      retryable: false,
    });
  }
  const time = record[fields.time];
  const timeMs = typeof time === "string" && ISO_WITH_ZONE.test(time) ? Date.parse(time) : Number.NaN;
  if (!Number.isFinite(timeMs)) {
    throw new SourceApiError(
      `${where}: ${fields.time}: expected an ISO 8601 time with zone, got ${preview(time)}`,
      {
        source,
        retryable: false,
      },
    );
  }
  return { raw: element.raw, id: String(id), timeMs };
}

/** Pairs each raw element with its parsed value, checking the counts agree. */
export function pageElements(raws: readonly string[], values: readonly unknown[]): PageElement[] {
  if (raws.length !== values.length) throw new Error("raw split disagrees with JSON.parse");
  return raws.map((raw, i) => ({ raw, value: values[i] }));
}
