import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { prng } from "./corpus.ts";

export interface InboxFile {
  readonly key: string;
  /** The exact lines of the file (each one event). */
  readonly lines: readonly string[];
  readonly gzip: boolean;
}

/**
 * Zscaler DSPM alert exports in the field names of mappings/zscaler-dspm (no public DSPM sample exists,
 * see samples/PROVENANCE.md: the values are synthetic): one NDJSON file per export, every other one gzipped, under a date prefix so key
 * order is arrival order.
 */
export function dspmInboxCorpus(
  options: { files?: number; eventsPerFile?: number; seed?: number } = {},
): InboxFile[] {
  const random = prng(options.seed ?? 11);
  const files: InboxFile[] = [];
  let n = 0;
  const severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];
  for (let f = 0; f < (options.files ?? 6); f += 1) {
    const day = `2024/03/${String(1 + Math.floor(f / 3)).padStart(2, "0")}`;
    const lines: string[] = [];
    for (let e = 0; e < (options.eventsPerFile ?? 25); e += 1) {
      n += 1;
      const time = new Date(Date.parse("2024-03-01T00:00:00Z") + n * 61_000).toISOString();
      lines.push(
        JSON.stringify({
          alert_id: `syn-dspm-${String(n).padStart(6, "0")}`,
          csp_event_timestamp: time,
          alert_created_dt: time,
          alert_updated_dt: time,
          alert_status: "OPEN",
          alert_description: "Sensitive data exposed in publicly accessible storage",
          risk: severities[Math.floor(random() * severities.length)],
          policy_name: "Public bucket with PII",
          policy_type: "Data Exposure",
          csp: "AWS",
          account_id: "123456789012",
          account_name: "syn-data",
          resource_name: `syn-bucket-${Math.floor(random() * 9)}`,
          resource_type: "S3_BUCKET",
          identity_email: "dspm-scanner@example.com",
        }),
      );
    }
    files.push({
      key: `dspm/${day}/alerts-${String(f + 1).padStart(4, "0")}.ndjson${f % 2 ? ".gz" : ""}`,
      lines,
      gzip: f % 2 === 1,
    });
  }
  return files;
}

/** Writes an inbox corpus into `dir` (key = relative path). */
export async function writeInbox(dir: string, files: readonly InboxFile[]): Promise<void> {
  for (const file of files) {
    const path = join(dir, file.key);
    await mkdir(dirname(path), { recursive: true });
    const text = `${file.lines.join("\n")}\n`;
    await writeFile(path, file.gzip ? gzipSync(text) : text);
  }
}

export async function tempInbox(
  files: readonly InboxFile[],
): Promise<{ dir: string; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "seclake-inbox-"));
  await writeInbox(dir, files);
  return { dir, close: () => rm(dir, { recursive: true, force: true }) };
}
