import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { CheckpointError } from "../core/errors.ts";
import type { ParameterStore, StoredParameter } from "../core/ports.ts";

/** Serialises read-compare-write per file within this process (see the class comment). */
const fileLocks = new Map<string, Promise<unknown>>();

async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const previous = fileLocks.get(path) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => undefined);
  fileLocks.set(path, settled);
  try {
    return await next;
  } finally {
    if (fileLocks.get(path) === settled) fileLocks.delete(path);
  }
}

/**
 * SSM Parameter Store as one JSON file `{ "<name>": { "value", "version" } }`. Versions start at 1 and
 * grow by one per put, as in SSM. The conditional put is atomic among all stores of this process that
 * share the file (an in-process lock around read-compare-rename); two *processes* writing the same
 * file are not guarded, which the local run never does (one process drives every execution).
 */
export class LocalParameterStore implements ParameterStore {
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  async get(name: string): Promise<StoredParameter | undefined> {
    return (await this.#read())[name];
  }

  async put(
    name: string,
    value: string,
    options: { expectedVersion?: number | null } = {},
  ): Promise<StoredParameter> {
    return withFileLock(this.path, async () => {
      const all = await this.#read();
      const current = all[name];
      if (options.expectedVersion !== undefined) {
        const expected = options.expectedVersion;
        const actual = current?.version ?? null;
        if (actual !== expected) {
          throw new CheckpointError(
            `parameter ${name}: expected version ${expected ?? "(none)"}, found ${actual ?? "(none)"}: another execution wrote it`,
          );
        }
      }
      const stored = { value, version: (current?.version ?? 0) + 1 };
      all[name] = stored;
      await this.#write(all);
      return stored;
    });
  }

  async #read(): Promise<Record<string, StoredParameter>> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw error;
    }
    try {
      return JSON.parse(text) as Record<string, StoredParameter>;
    } catch (error) {
      throw new CheckpointError(`${this.path}: not JSON (${(error as Error).message}); fix or delete it`, {
        cause: error,
      });
    }
  }

  async #write(all: Record<string, StoredParameter>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(temp, `${JSON.stringify(all, null, 2)}\n`);
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
