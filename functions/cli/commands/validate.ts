import { validateEvent } from "../../core/ocsf/validate.ts";
import { checkReadable, readLines } from "../ndjsonFiles.ts";

/**
 * `seclake validate --in ocsf.ndjson`: one stdout line per invalid event, `<file>:<line>: <path>: <reason>`,
 * then a JSON summary line; exit 1 when any event is invalid.
 */
export async function run(opts: Record<string, string | boolean | undefined>): Promise<number> {
  const input = String(opts.in);
  checkReadable(input);
  let n = 0;
  let count = 0;
  let invalid = 0;
  const out: string[] = [];
  for await (const line of readLines(input)) {
    n++;
    if (line.trim() === "") continue;
    count++;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch (error) {
      invalid++;
      out.push(`${input}:${n}: $: not JSON (${(error as Error).message})`);
      continue;
    }
    const issues = validateEvent(event);
    if (issues.length === 0) continue;
    invalid++;
    const [first] = issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    out.push(`${input}:${n}: ${first?.path}: ${first?.message}${more}`);
    if (out.length >= 1000) process.stdout.write(`${out.splice(0).join("\n")}\n`);
  }
  if (out.length > 0) process.stdout.write(`${out.join("\n")}\n`);
  process.stdout.write(`${JSON.stringify({ in: count, valid: count - invalid, invalid })}\n`);
  return invalid > 0 ? 1 : 0;
}
