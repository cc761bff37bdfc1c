import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { InputError } from "../core/errors.ts";

/** Fails early, before any output exists, when `file` cannot be read as a regular file. */
export function checkReadable(file: string, option = "--in"): void {
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch (error) {
    throw new InputError(
      `${option} ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  if (!isFile) throw new InputError(`${option} ${file}: not a regular file`);
}

/** The lines of an NDJSON file, streamed (constant memory whatever the file size). */
export function readLines(file: string): AsyncIterable<string> {
  return createInterface({
    input: createReadStream(file, { encoding: "utf8" }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
}

/**
 * Output files written under temporary names and renamed into place only by `commit()`, so an interrupted
 * or failed command never leaves a file that looks complete.
 */
export class AtomicFiles {
  private readonly open = new Map<string, { fd: number; tmp: string; buffer: string[]; size: number }>();

  constructor(readonly dir: string) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new InputError(
        `--out ${dir}: cannot create (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
  }

  /** Appends one line to `name` (created on first use). */
  append(name: string, line: string): void {
    let f = this.open.get(name);
    if (!f) {
      const tmp = join(this.dir, `.${name}.${process.pid}.tmp`);
      let fd: number;
      try {
        fd = openSync(tmp, "w");
      } catch (error) {
        throw new InputError(
          `--out ${this.dir}: cannot write ${name} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
        );
      }
      f = { fd, tmp, buffer: [], size: 0 };
      this.open.set(name, f);
    }
    f.buffer.push(line, "\n");
    f.size += line.length + 1;
    if (f.size > 1 << 20) this.flush(f);
  }

  /** Makes sure `name` exists (empty) at commit. */
  touch(name: string): void {
    if (!this.open.has(name)) {
      this.append(name, "");
      const f = this.open.get(name);
      if (f) {
        f.buffer = [];
        f.size = 0;
      }
    }
  }

  private flush(f: { fd: number; buffer: string[]; size: number }): void {
    if (f.buffer.length === 0) return;
    writeSync(f.fd, f.buffer.join(""));
    f.buffer = [];
    f.size = 0;
  }

  /** Flushes, closes and renames every file into place; returns the names written. */
  commit(): string[] {
    for (const f of this.open.values()) {
      this.flush(f);
      closeSync(f.fd);
    }
    const names = [...this.open.keys()];
    for (const [name, f] of this.open) renameSync(f.tmp, join(this.dir, name));
    this.open.clear();
    return names;
  }

  /** Removes the temporary files (after a failure). */
  abort(): void {
    for (const f of this.open.values()) {
      try {
        closeSync(f.fd);
      } catch {}
      if (existsSync(f.tmp)) rmSync(f.tmp, { force: true });
    }
    this.open.clear();
  }
}
