import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { stagingTableName } from "../core/pipeline/stagingTables.ts";
import type { Crawler, CrawlerState, ObjectStore } from "../core/ports.ts";

/** What the local crawler records for one staged table (the shape of a Glue table, trimmed). */
export interface LocalTable {
  readonly name: string;
  /** The staged prefix the table reads, e.g. "staging/ocsf/okta-auth/". */
  readonly location: string;
  /** One partition per folder below the table's (staging: `eventDay=<YYYYMMDD>`). */
  readonly partitions: readonly string[];
  readonly objects: number;
  readonly bytes: number;
}

/**
 * Stands in for the staging Glue crawler: a crawl lists `<prefix><table>/<partition>/…` in the staging
 * store and records one table per first-level folder in a JSON catalogue, as the Glue crawler makes
 * one table per custom source. A crawl reports RUNNING to the first `state` call after `start` and
 * READY afterwards, so the state machine's poll loop runs for real.
 */
export class LocalCrawler implements Crawler {
  readonly #running = new Map<string, number>();
  /** Crawls started by this instance (each one a billed Glue crawler run in AWS). */
  started = 0;
  /** Catalogue writes one at a time (crawls of the Convert Map state's iterations overlap). */
  #writes: Promise<unknown> = Promise.resolve();

  /**
   * @param prefixOf the folder a crawler reads, by crawler name: the staging crawler reads
   *   `staging/ocsf/`; each Security Lake crawler reads only its own `ext/<source>/`.
   */
  constructor(
    private readonly staging: ObjectStore,
    private readonly catalogPath: string,
    private readonly prefixOf: (crawler: string) => string = () => "staging/ocsf/",
  ) {}

  async start(name: string): Promise<{ alreadyRunning: boolean }> {
    if (this.#running.has(name)) return { alreadyRunning: true };
    this.#running.set(name, 1);
    this.started += 1;
    await this.#crawl(name);
    return { alreadyRunning: false };
  }

  async state(name: string): Promise<CrawlerState> {
    const polls = this.#running.get(name);
    if (polls === undefined) return "READY";
    if (polls > 0) {
      this.#running.set(name, polls - 1);
      return "RUNNING";
    }
    this.#running.delete(name);
    return "READY";
  }

  /**
   * Adds partitions to a table a crawl of `crawler` recorded (the local run's staging catalogue);
   * false when no crawl has made the table yet.
   */
  async addPartitions(crawler: string, table: string, partitions: readonly string[]): Promise<boolean> {
    const write = this.#writes.then(async () => {
      const catalog = await this.catalog();
      const tables = catalog[crawler] ?? [];
      const index = tables.findIndex((t) => t.name === table);
      const found = tables[index];
      if (!found) return false;
      tables[index] = { ...found, partitions: [...new Set([...found.partitions, ...partitions])].sort() };
      await this.#save(catalog);
      return true;
    });
    this.#writes = write.catch(() => undefined);
    return write;
  }

  /** The catalogue as last written: crawler name → tables. */
  async catalog(): Promise<Record<string, LocalTable[]>> {
    try {
      return JSON.parse(await readFile(this.catalogPath, "utf8")) as Record<string, LocalTable[]>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw error;
    }
  }

  async #crawl(name: string): Promise<void> {
    const prefix = this.prefixOf(name);
    const tables = new Map<string, { partitions: Set<string>; objects: number; bytes: number }>();
    for (const object of await this.staging.list(prefix)) {
      const [table, partition] = object.key.slice(prefix.length).split("/");
      // Hidden names are writers' temporary files, never data.
      if (!table || !partition || object.key.split("/").at(-1)?.startsWith(".")) continue;
      const entry = tables.get(table) ?? { partitions: new Set(), objects: 0, bytes: 0 };
      entry.partitions.add(partition);
      entry.objects += 1;
      entry.bytes += object.size;
      tables.set(table, entry);
    }
    const entries = [...tables].map(([table, t]) => ({
      name: stagingTableName(table),
      location: `${prefix}${table}/`,
      partitions: [...t.partitions].sort(),
      objects: t.objects,
      bytes: t.bytes,
    }));
    const write = this.#writes.then(async () => {
      const catalog = await this.catalog();
      catalog[name] = entries;
      await this.#save(catalog);
    });
    this.#writes = write.catch(() => undefined);
    await write;
  }

  async #save(catalog: Record<string, LocalTable[]>): Promise<void> {
    await mkdir(dirname(this.catalogPath), { recursive: true });
    const temp = `${this.catalogPath}.${randomBytes(4).toString("hex")}.tmp`;
    await writeFile(temp, `${JSON.stringify(catalog, null, 2)}\n`);
    await rename(temp, this.catalogPath);
  }
}
