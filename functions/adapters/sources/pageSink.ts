import { gzipSync } from "node:zlib";
import type { ObjectStore } from "../ports.ts";
import type { PageSink, RawPage } from "./types.ts";

/** `page-00001.ndjson.gz`: zero-padded so key order (how stores list) is page order. */
export function pageFileName(index: number): string {
  return `page-${String(index).padStart(5, "0")}.ndjson.gz`;
}

/** DESIGN.md §2: `staging/raw/<connector>/<windowId>/page-<n>.ndjson.gz`. */
export function rawPageKey(connector: string, windowId: string, index: number): string {
  return `staging/raw/${connector}/${windowId}/${pageFileName(index)}`;
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
