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
 * Zscaler-DSPM-like alert exports (no public DSPM sample exists, see samples/PROVENANCE.md: the shape
 * is ours, synthetic): one NDJSON file per export, every other one gzipped, under a date prefix so key
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
      lines.push(
        JSON.stringify({
          alertId: `syn-dspm-${String(n).padStart(6, "0")}`,
          createdAt: new Date(Date.parse("2024-03-01T00:00:00Z") + n * 61_000).toISOString(),
          severity: severities[Math.floor(random() * severities.length)],
          status: "OPEN",
          title: "Sensitive data exposed in publicly accessible storage",
          policy: { id: "syn-policy-1", name: "Public bucket with PII" },
          asset: {
            type: "S3_BUCKET",
            name: `syn-bucket-${Math.floor(random() * 9)}`,
            cloudAccountId: "123456789012",
            region: "us-east-1",
          },
          dataTypes: ["EMAIL_ADDRESS", "US_SSN"],
          recordCount: Math.floor(random() * 10_000),
          actor: { email: "dspm-scanner@example.com", ip: "198.51.100.20" },
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
