import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listSources, loadSourceMappings } from "../../functions/core/mapping/engine.ts";
import { MapRun, splitLines } from "../../functions/core/mapping/stream.ts";
import { ocsf } from "../../functions/core/ocsf/schema.ts";
import { validateEvent } from "../../functions/core/ocsf/validate.ts";

/**
 * Golden files: every test/fixtures/<source>/*.ndjson mapped with mappings/<source>/, compared with
 * test/golden/<source>/<ocsf_class>.ndjson and summary.json. Intentional changes:
 * `npx vitest run test/golden -u`, then read the diff like code (mappings/README.md).
 */
const here = new URL(".", import.meta.url).pathname;
const fixturesRoot = join(here, "../fixtures");
// test/fixtures/ocsf/ holds already-mapped OCSF events (inputs of the Parquet tests), not a source's raw events.
const OCSF_FIXTURES = "ocsf";
const sources = existsSync(fixturesRoot)
  ? readdirSync(fixturesRoot, { withFileTypes: true })
      .filter(
        (d) =>
          d.isDirectory() &&
          d.name !== OCSF_FIXTURES &&
          readdirSync(join(fixturesRoot, d.name)).some((f) => f.endsWith(".ndjson")),
      )
      .map((d) => d.name)
      .sort()
  : [];

/** JSON with object keys sorted at every depth, so golden diffs show content changes only. */
function sortedJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

function byTimeThenUid(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ta = a.time as number;
  const tb = b.time as number;
  if (ta !== tb) return ta - tb;
  const ua = String((a.metadata as Record<string, unknown>).uid);
  const ub = String((b.metadata as Record<string, unknown>).uid);
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

describe.each(sources)("golden: %s", (source) => {
  // EventBridge envelopes (push) are SQS message bodies, not source events: test/unit/push has their goldens.
  const files = readdirSync(join(fixturesRoot, source))
    .filter((f) => f.endsWith(".ndjson") && !f.startsWith("eventbridge"))
    .sort();

  it("has mappings", () => {
    expect(listSources()).toContain(source);
  });

  it("maps every fixture to the golden files", async () => {
    // Prepare
    const mappings = loadSourceMappings(source);
    const byClass = new Map<number, Record<string, unknown>[]>();
    const summary = {
      total: { in: 0, mapped: {} as Record<string, number>, skipped: 0, quarantined: 0 },
      files: {} as Record<string, unknown>,
      quarantined: [] as unknown[],
      skipped: {} as Record<string, number>,
    };

    // Act
    for (const file of files) {
      const run = new MapRun(mappings, { file });
      splitLines(readFileSync(join(fixturesRoot, source, file), "utf8")).forEach((line, i) => {
        const outcome = run.push(line, i + 1);
        if (outcome?.kind !== "mapped") return;
        const list = byClass.get(outcome.classUid) ?? [];
        list.push(outcome.event);
        byClass.set(outcome.classUid, list);
      });
      summary.files[file] = run.counts;
      summary.total.in += run.counts.in;
      summary.total.skipped += run.counts.skipped;
      summary.total.quarantined += run.counts.quarantined;
      for (const [k, n] of Object.entries(run.counts.mapped))
        summary.total.mapped[k] = (summary.total.mapped[k] ?? 0) + n;
      for (const q of run.quarantine) {
        summary.quarantined.push({ file: q.file, line: q.line, eventType: q.eventType, ...q.reason });
      }
      for (const [type, n] of run.skippedTypes) summary.skipped[type] = (summary.skipped[type] ?? 0) + n;
      if (file === "samples.ndjson") {
        // Assess: copies of the shared real samples must all map.
        expect(run.quarantine.map((q) => `${q.line}: ${q.reason.path}: ${q.reason.message}`)).toEqual([]);
        expect(Object.fromEntries(run.skippedTypes)).toEqual({});
      }
    }

    // Assess
    for (const [classUid, events] of [...byClass].sort((a, b) => a[0] - b[0])) {
      for (const event of events) {
        expect(validateEvent(event), `${source} ${String((event.metadata as { uid: string }).uid)}`).toEqual(
          [],
        );
      }
      const rows = [...events].sort(byTimeThenUid).map((e) => sortedJson(e));
      await expect(`${rows.join("\n")}\n`).toMatchFileSnapshot(
        join(here, source, `${ocsf.class(classUid).name}.ndjson`),
      );
    }
    await expect(`${sortedJson(summary, 2)}\n`).toMatchFileSnapshot(join(here, source, "summary.json"));
    // A golden file for a class the fixtures no longer produce would never be checked again.
    const produced = [...byClass.keys()].map((uid) => `${ocsf.class(uid).name}.ndjson`);
    const stale = existsSync(join(here, source))
      ? readdirSync(join(here, source)).filter((f) => f.endsWith(".ndjson") && !produced.includes(f))
      : [];
    expect(stale, `stale golden files in test/golden/${source}: delete them`).toEqual([]);
  });
});
