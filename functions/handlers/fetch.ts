import { z } from "zod";
import { rawPageSink, removeStalePages } from "../adapters/sources/pageSink.ts";
import { awsDeps } from "./awsDeps.ts";
import { type FetchResult, windowSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler, stateHandler } from "./deps.ts";

/** The input of the ASL's `Fetch` state. */
export const fetchInput = z.object({ window: windowSchema, executionId: z.string().min(1) }).strict();

/**
 * Pages the source over the window into `staging/raw/<connector>/<windowId>/page-<n>.ndjson.gz`.
 * Keys are deterministic, so a retried Fetch overwrites its own pages.
 */
export function makeHandler(deps: HandlerDeps): StateHandler<FetchResult> {
  return stateHandler(deps, "Fetch", fetchInput, async ({ window }) => {
    const connector = deps.connector();
    const sink = rawPageSink(deps.staging, deps.env.connector, window.windowId);
    const result = await connector.fetch(window, { maxEvents: deps.env.maxEvents }, sink);
    // An earlier attempt at this window may have written more pages; Map must not read them.
    await removeStalePages(deps.staging, deps.env.connector, window.windowId, result.keys);
    deps.telemetry.metric("EventsFetched", result.fetched);
    return {
      keys: [...result.keys],
      counts: { events: result.fetched, pages: result.pages },
      hasMore: result.hasMore,
      next: {
        since: result.next.since,
        boundaryIds: [...result.next.boundaryIds],
        cursor: result.next.cursor,
      },
    };
  });
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
