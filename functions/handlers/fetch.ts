import { z } from "zod";
import { rawPagePrefix, rawPageSink, removeStalePages } from "../adapters/sources/pageSink.ts";
import type { ObjectStore } from "../core/ports.ts";
import { awsDeps } from "./awsDeps.ts";
import { type FetchResult, fetchResultSchema, type Window, windowSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler, stateHandler } from "./deps.ts";

/** The input of the ASL's `Fetch` state. */
export const fetchInput = z.object({ window: windowSchema, executionId: z.string().min(1) }).strict();

/** `staging/raw/<connector>/<windowId>/fetch.json`: written last, so it exists only after a whole fetch. */
export function fetchManifestKey(connector: string, windowId: string): string {
  return `${rawPagePrefix(connector, windowId)}fetch.json`;
}

const manifestSchema = z
  .object({ version: z.literal(1), windowId: z.string(), result: fetchResultSchema })
  .strict();

/**
 * Pages the source over the window into `staging/raw/<connector>/<windowId>/page-<n>.ndjson.gz`, then
 * records the result in the window's fetch manifest. Keys are deterministic, so a retried Fetch
 * overwrites its own pages.
 *
 * A resumed window whose fetch completed (its manifest and every page it names are staged) is not
 * fetched again: Fetch returns the manifest. Everything after Fetch is then a pure function of those
 * staged pages, so a window that failed after Convert had written some of its Parquet writes exactly the
 * same keys with the same contents on the retry. That is what makes lake writes correct without deletes,
 * which the provider role's permissions boundary denies (a source that re-pages differently, or has
 * more events by now, would otherwise give a different file plan and leave a stale part behind).
 */
export function makeHandler(deps: HandlerDeps): StateHandler<FetchResult> {
  return stateHandler(deps, "Fetch", fetchInput, async ({ window }) => {
    const connectorName = deps.env.connector;
    const manifestKey = fetchManifestKey(connectorName, window.windowId);
    const staged = await stagedFetch(deps.staging, connectorName, window);
    if (staged.result && window.resumed) {
      deps.telemetry.info("resuming from the window's staged pages", { pages: staged.result.keys.length });
      return staged.result;
    }
    // A fresh fetch makes what an earlier attempt staged invalid until it completes. (Deleted only when
    // present: in a versioned bucket a delete always leaves a marker.)
    if (staged.manifest) await deps.staging.delete(manifestKey);
    const connector = deps.connector();
    const sink = rawPageSink(deps.staging, connectorName, window.windowId);
    const fetched = await connector.fetch(window, { maxEvents: deps.env.maxEvents }, sink);
    // An earlier attempt at this window may have written more pages; Map must not read them.
    await removeStalePages(deps.staging, connectorName, window.windowId, fetched.keys);
    deps.telemetry.metric("EventsFetched", fetched.fetched);
    // Emitted only when non-zero: a custom metric is billed for every hour it is published in.
    if (fetched.dropped?.duplicates) deps.telemetry.metric("DuplicatesDropped", fetched.dropped.duplicates);
    if (fetched.dropped?.poison) deps.telemetry.metric("PoisonMessages", fetched.dropped.poison);
    const result: FetchResult = {
      keys: [...fetched.keys],
      counts: {
        events: fetched.fetched,
        pages: fetched.pages,
        ...(fetched.dropped
          ? { duplicates: fetched.dropped.duplicates, poison: fetched.dropped.poison }
          : {}),
      },
      hasMore: fetched.hasMore,
      next: {
        since: fetched.next.since,
        boundaryIds: [...fetched.next.boundaryIds],
        cursor: fetched.next.cursor,
      },
    };
    // Only pages need a manifest: a window that staged none has nothing in the lake to reproduce.
    if (result.keys.length > 0) {
      const manifest = { version: 1 as const, windowId: window.windowId, result };
      await deps.staging.put(manifestKey, JSON.stringify(manifest), { contentType: "application/json" });
    }
    return result;
  });
}

/**
 * Whether the window has a fetch manifest, and its result when the manifest is valid and every page it
 * names is still staged (pages expire with the staging lifecycle; a window resumed after that is
 * fetched again).
 */
async function stagedFetch(
  staging: ObjectStore,
  connector: string,
  window: Window,
): Promise<{ manifest: boolean; result?: FetchResult }> {
  const body = await staging.get(fetchManifestKey(connector, window.windowId));
  if (!body) return { manifest: false };
  const parsed = manifestSchema.safeParse(safeJson(new TextDecoder().decode(body)));
  if (!parsed.success || parsed.data.windowId !== window.windowId) return { manifest: true };
  const present = new Set((await staging.list(rawPagePrefix(connector, window.windowId))).map((o) => o.key));
  if (!parsed.data.result.keys.every((key) => present.has(key))) return { manifest: true };
  return { manifest: true, result: parsed.data.result };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
