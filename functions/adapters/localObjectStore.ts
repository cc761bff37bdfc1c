import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ObjectInfo, ObjectStore } from "../core/ports.ts";
import { checkKey, compareKeys } from "./objectKeys.ts";

const TEMP_MARK = ".seclake-tmp-";

/**
 * A directory standing in for an S3 bucket: key `a/b/c` is the file `<root>/a/b/c`. Puts write a
 * temporary file next to the target and rename it, so readers see the old object or the whole new one.
 */
export class LocalObjectStore implements ObjectStore {
  constructor(readonly root: string) {}

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const path = join(this.root, checkKey(key));
    await mkdir(dirname(path), { recursive: true });
    const temp = join(dirname(path), `${TEMP_MARK}${randomBytes(6).toString("hex")}`);
    try {
      await writeFile(temp, body);
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(join(this.root, checkKey(key))));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string, options: { startAfter?: string; limit?: number } = {}): Promise<ObjectInfo[]> {
    // Walk only the deepest directory the prefix names; the rest of the prefix filters file names.
    const slash = prefix.lastIndexOf("/");
    const base = slash >= 0 ? prefix.slice(0, slash) : "";
    const keys: string[] = [];
    await this.#walk(base, keys);
    const startAfter = options.startAfter;
    const selected = keys
      .filter((k) => k.startsWith(prefix) && (startAfter === undefined || compareKeys(k, startAfter) > 0))
      .sort(compareKeys)
      .slice(0, options.limit ?? Number.POSITIVE_INFINITY);
    return Promise.all(selected.map(async (key) => ({ key, size: (await stat(join(this.root, key))).size })));
  }

  async delete(key: string): Promise<void> {
    await rm(join(this.root, checkKey(key)), { force: true });
  }

  async #walk(dir: string, out: string[]): Promise<void> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(join(this.root, dir), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === "ENOTDIR") return;
      throw error;
    }
    for (const entry of entries) {
      const key = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) await this.#walk(key, out);
      else if (entry.isFile() && !entry.name.startsWith(TEMP_MARK)) out.push(key);
    }
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT";
}
