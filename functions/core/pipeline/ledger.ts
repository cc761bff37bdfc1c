import type { ObjectStore } from "../ports.ts";

/**
 * The de-dup ledger of a push connector (DESIGN.md §2.1): the ids of the events each committed window
 * delivered, in the staging bucket at `staging/ledger/<connector>/<YYYYMMDDHH>/<windowId>.txt`, one id
 * per line, grouped by the events' UTC hour. Commit writes a window's entries before its messages are
 * deleted; Fetch drops (and deletes) a message whose event id is already there: a redelivery after a
 * crash between Commit and the delete, a message whose visibility expired while its window ran, or one
 * of SQS's own duplicate deliveries.
 *
 * Bounded: a lookup reads only the hours of the events it checks (a fetch of fresh events touches one
 * or two), each hour once per Fetch. At 1M events a day an hour holds ~42,000 ids, ~1.5 MB of text in
 * as many objects as windows committed events of that hour (12 on a 5-minute schedule). Entries expire
 * with the staging lifecycle, which must outlive the queue's retention (14 days: infra checks it), so
 * no message can come back after its id is gone.
 */

/** `YYYYMMDDHH` of an epoch-millisecond time (UTC). */
export function ledgerHour(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 13).replace(/[-T]/g, "");
}

export function ledgerPrefix(connector: string): string {
  return `staging/ledger/${connector}/`;
}

export function ledgerKey(connector: string, hour: string, windowId: string): string {
  return `${ledgerPrefix(connector)}${hour}/${windowId}.txt`;
}

/** Event ids by their UTC hour, as a window's fetch collected them. */
export type IdsByHour = Readonly<Record<string, readonly string[]>>;

export class Ledger {
  readonly #hours = new Map<string, Promise<Set<string>>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly connector: string,
  ) {}

  /** Whether a committed window delivered `id` (an event of `hour`). */
  async has(id: string, hour: string): Promise<boolean> {
    let ids = this.#hours.get(hour);
    if (!ids) {
      ids = this.#load(hour);
      this.#hours.set(hour, ids);
    }
    return (await ids).has(id);
  }

  /** Writes a window's entries; idempotent (one object per hour and window, overwritten on a retry). */
  async record(windowId: string, ids: IdsByHour): Promise<number> {
    let written = 0;
    for (const [hour, list] of Object.entries(ids).sort(([a], [b]) => a.localeCompare(b))) {
      if (list.length === 0) continue;
      await this.store.put(ledgerKey(this.connector, hour, windowId), `${list.join("\n")}\n`, {
        contentType: "text/plain",
      });
      written += list.length;
    }
    return written;
  }

  async #load(hour: string): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const object of await this.store.list(`${ledgerPrefix(this.connector)}${hour}/`)) {
      const body = await this.store.get(object.key);
      if (!body) continue;
      for (const id of new TextDecoder().decode(body).split("\n")) if (id) ids.add(id);
    }
    return ids;
  }
}
