import { loadSourceMappings, mapRecord } from "../core/mapping/index.ts";
import { passThroughRecord } from "../core/mapping/passThrough.ts";
import type { ObjectStore } from "../core/ports.ts";
import { dspmAlertFiles, type InboxAlertFile } from "./dspmInbox.ts";
import { type ApiKind, sampleCorpus } from "./mockApis/index.ts";

/**
 * The files in the embedded default's S3 inboxes (one folder of the local inbox bucket per inbox
 * connector). Deterministic: the same keys and bytes every run.
 */
export function localInboxFiles(mappingSource: string, small = false): InboxAlertFile[] {
  switch (mappingSource) {
    case "zscaler-dspm":
      return small ? dspmAlertFiles(3, 12) : dspmAlertFiles();
    case "ocsf":
      return ocsfInboxFiles();
    default:
      throw new Error(`local run: no inbox of ${mappingSource} events`);
  }
}

/** Drops the files into the inbox store (idempotent: same keys, same bytes). */
export async function writeInbox(store: ObjectStore, files: readonly InboxAlertFile[]): Promise<void> {
  for (const file of files) await store.put(file.key, `${file.lines.join("\n")}\n`);
}

/** The event time of an inbox line, epoch ms (NaN when it has none): DSPM's and OCSF's. */
export function inboxEventTime(line: string): number {
  try {
    const event = JSON.parse(line) as { csp_event_timestamp?: unknown; time?: unknown };
    if (typeof event.time === "number") return event.time;
    return Date.parse(String(event.csp_event_timestamp));
  } catch {
    return Number.NaN;
  }
}

/**
 * An inbox of a producer that already writes OCSF 1.1.0 (Monad, Tenzir, a customer's own code): the
 * shared samples of every source, mapped by our own mappings, in one file per source; then a file with
 * what such a producer gets wrong: an attribute the class does not define (moved into `unmapped`), and
 * events to quarantine (no time, an unknown class, a wrong type, a truncated line).
 */
export function ocsfInboxFiles(): InboxAlertFile[] {
  const files: InboxAlertFile[] = [];
  const sources: [string, string[]][] = [
    ...(["sailpoint", "okta", "onelogin"] as ApiKind[]).map(
      (kind) => [kind, sampleCorpus(kind).map((e) => JSON.stringify(e.body))] as [string, string[]],
    ),
    ["zscaler-dspm", dspmAlertFiles(1, 8).flatMap((f) => f.lines)],
  ];
  for (const [n, [source, raws]] of sources.entries()) {
    const mappings = loadSourceMappings(source);
    const lines: string[] = [];
    for (const raw of raws) {
      const outcome = mapRecord(mappings, raw);
      if (outcome.kind === "mapped") lines.push(JSON.stringify(outcome.event));
    }
    files.push({ key: `ocsf/2024/10/${String(n + 1).padStart(2, "0")}/${source}.ndjson`, lines });
  }
  const template = JSON.parse(files[1]?.lines[0] ?? "{}") as Record<string, unknown>;
  const variant = (uid: string, change: Record<string, unknown>) => {
    const event: Record<string, unknown> = {
      ...template,
      metadata: { ...(template.metadata as object), uid },
      ...change,
    };
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete event[k];
    return JSON.stringify(event);
  };
  files.push({
    key: "ocsf/2024/10/09/producer-quirks.ndjson",
    lines: [
      variant("syn-ocsf-extra", { vendor_risk_score: 71 }),
      variant("syn-ocsf-no-time", { time: undefined }),
      variant("syn-ocsf-unknown-class", { class_uid: 9999 }),
      variant("syn-ocsf-bad-severity", { severity_id: "high" }),
      variant("syn-ocsf-truncated", {}).slice(0, 80),
    ],
  });
  return files;
}

/** The OCSF classes the local OCSF inbox holds valid events of (one custom source each). */
export function ocsfInboxClasses(): number[] {
  const classes = new Set<number>();
  for (const line of ocsfInboxFiles().flatMap((f) => f.lines)) {
    const outcome = passThroughRecord(line);
    if (outcome.kind === "mapped") classes.add(outcome.classUid);
  }
  return [...classes].sort((a, b) => a - b);
}
