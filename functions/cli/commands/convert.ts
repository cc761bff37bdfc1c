import { access } from "node:fs/promises";
import { LocalObjectWriter } from "../../adapters/localObjectWriter.ts";
import { InputError } from "../../core/errors.ts";
import { ocsf } from "../../core/ocsf/schema.ts";
import { convertOcsf } from "../../core/parquet/index.ts";

/**
 * `seclake convert`: OCSF NDJSON of one class → ZSTD Parquet under `<out>/ext/<source>/region=…/…`.
 * Prints one JSON summary line: {"rows","files":[{key,rows,bytes,eventDay}],"bytes","partitions","windowId"}.
 * On failure the files already written are removed: a local directory, unlike the lake, can delete.
 */
export async function run(opts: Record<string, string | boolean | undefined>): Promise<number> {
  const input = String(opts.in);
  const classText = String(opts.class);
  const classUid = Number(classText);
  if (!/^\d+$/.test(classText) || !ocsf.findClass(classUid)) {
    throw new InputError(
      `--class: expected an OCSF 1.1.0 class_uid such as 3002, got ${JSON.stringify(classText)}`,
    );
  }
  try {
    await access(input);
  } catch {
    throw new InputError(`--in: cannot read ${input}`);
  }
  const writer = new LocalObjectWriter(String(opts.out));
  const summary = await convertOcsf({
    input,
    inputName: input,
    classUid,
    customSource: String(opts.source),
    region: String(opts.region),
    accountId: String(opts.account),
    windowId: typeof opts.window === "string" ? opts.window : undefined,
    writer,
    removeOnFailure: (key) => writer.delete(key),
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}
