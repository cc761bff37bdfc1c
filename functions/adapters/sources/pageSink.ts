import { gzipSync } from "node:zlib";
import type { ObjectStore } from "../../core/ports.ts";
import type { PageSink, RawPage } from "./types.ts";

/** `page-00001.ndjson.gz`: zero-padded so key order (how stores list) is page order. */
export function pageFileName(index: number): string {
  return `page-${String(index).padStart(5, "0")}.ndjson.gz`;
}

/** DESIGN.md §2: `staging/raw/<connector>/<windowId>/page-<n>.ndjson.gz`. */
export function rawPageKey(connector: string, windowId: string, index: number): string {
  return `${rawPagePrefix(connector, windowId)}${pageFileName(index)}`;
}

/** Gzipped NDJSON, one event per line exactly as the source returned it, one object per page. */
export function encodePage(page: RawPage): Uint8Array {
  return gzipSync(page.events.length === 0 ? "" : `${page.events.join("\n")}\n`);
}

/** Writes pages to an object store under `keyOf(index)`; deterministic keys make retries overwrite. */
export class ObjectStorePageSink implements PageSink {
  constructor(
    private readonly store: ObjectStore,
    private readonly keyOf: (index: number) => string,
  ) {}

  async write(page: RawPage): Promise<string> {
    const key = this.keyOf(page.index);
    await this.store.put(key, encodePage(page), { contentType: "application/x-ndjson" });
    return key;
  }
}

/** The pipeline's sink for one window. */
export function rawPageSink(store: ObjectStore, connector: string, windowId: string): ObjectStorePageSink {
  return new ObjectStorePageSink(store, (index) => rawPageKey(connector, windowId, index));
}

/** The folder holding a window's raw pages. */
export function rawPagePrefix(connector: string, windowId: string): string {
  return `staging/raw/${connector}/${windowId}/`;
}

/**
 * Deletes the window's pages that this run did not write. A retried window overwrites its pages by
 * name, but an earlier attempt that wrote more pages (the source's paging shifted) would leave extra
 * ones behind, and their events would be mapped twice. Call after a successful fetch, before Map.
 * Returns the keys removed.
 */
export async function removeStalePages(
  store: ObjectStore,
  connector: string,
  windowId: string,
  written: readonly string[],
): Promise<string[]> {
  const keep = new Set(written);
  const prefix = rawPagePrefix(connector, windowId);
  // Pages only: the window's manifests (fetch.json, a push window's messages.json) live beside them.
  const stale = (await store.list(prefix))
    .map((o) => o.key)
    .filter((k) => /^page-\d+\.ndjson\.gz$/.test(k.slice(prefix.length)) && !keep.has(k));
  for (const key of stale) await store.delete(key);
  return stale;
}
