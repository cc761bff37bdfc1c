import { randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import type { ObjectUpload, ObjectWriter } from "../core/ports.ts";
import { checkKey } from "./objectKeys.ts";

/**
 * A directory standing in for a bucket: `<root>/<key>`. An object is written to a hidden temp name in
 * its final directory, fsynced, then renamed over the key (atomic on POSIX), so a reader sees either the
 * old object or the whole new one, and a crash leaves only a `.seclake-tmp-*` file that is never a `.parquet`.
 */
export class LocalObjectWriter implements ObjectWriter {
  constructor(private readonly root: string) {}

  private path(key: string): string {
    return join(this.root, ...checkKey(key).split("/"));
  }

  async begin(key: string): Promise<ObjectUpload> {
    const target = this.path(key);
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    // Same temp-name mark as LocalObjectStore, whose list() skips such files.
    const temp = `${dir}${sep}.seclake-tmp-${randomBytes(6).toString("hex")}`;
    const handle: FileHandle = await open(temp, "wx");
    let size = 0;
    let closed = false;
    const close = async () => {
      if (!closed) {
        closed = true;
        await handle.close();
      }
    };
    return {
      async write(chunk) {
        await handle.write(chunk);
        size += chunk.length;
      },
      async commit() {
        await handle.sync();
        await close();
        await rename(temp, target);
        return size;
      },
      async abort() {
        await close().catch(() => undefined);
        await rm(temp, { force: true });
      },
    };
  }

  /**
   * Removes an object; no error when it does not exist. Not part of `ObjectWriter` (the lake cannot
   * delete): `seclake convert` passes it as `removeOnFailure`.
   */
  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
