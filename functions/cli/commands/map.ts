import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, InputError } from "../../core/errors.ts";
import { loadSourceMappings } from "../../core/mapping/engine.ts";
import { MapRun } from "../../core/mapping/stream.ts";
import { AtomicFiles, checkReadable, readLines } from "../ndjsonFiles.ts";

/**
 * `seclake map --source <s> --in raw.ndjson --out dir [--base-event]`: `<dir>/<class_uid>.ndjson` per
 * class and `<dir>/quarantine.ndjson`; one JSON summary line on stdout. With `--base-event`, events whose
 * type no mapping routes become Base Event (class 0) in `0.ndjson` instead of being counted as skipped.
 * Outputs appear only when the whole input was read (temporary names, renamed at the end); class files
 * of an earlier run that this run did not produce are removed so the directory never mixes two runs.
 */
export async function run(opts: Record<string, string | boolean | undefined>): Promise<number> {
  const source = String(opts.source);
  const input = String(opts.in);
  const outDir = String(opts.out);
  let mappings: ReturnType<typeof loadSourceMappings>;
  try {
    mappings = loadSourceMappings(source, { baseEvent: opts.baseEvent === true });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new InputError(`--source ${source}: ${(error as Error).message}`, { cause: error });
  }
  checkReadable(input);
  const files = new AtomicFiles(outDir);
  files.touch("quarantine.ndjson");
  const run = new MapRun(mappings, {
    file: input,
    sink: {
      mapped: (classUid, json) => files.append(`${classUid}.ndjson`, json),
      quarantined: (record) => files.append("quarantine.ndjson", JSON.stringify(record)),
    },
  });
  try {
    let n = 0;
    for await (const line of readLines(input)) run.push(line, ++n);
  } catch (error) {
    files.abort();
    throw new InputError(
      `--in ${input}: read failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { cause: error },
    );
  }
  const written = new Set(files.commit());
  for (const name of readdirSync(outDir)) {
    if (/^\d+\.ndjson$/.test(name) && !written.has(name)) rmSync(join(outDir, name), { force: true });
  }
  process.stdout.write(`${JSON.stringify(run.counts)}\n`);
  return 0;
}
