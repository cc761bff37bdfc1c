import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../functions/adapters/localObjectStore.ts";
import { recordingTelemetry } from "../../functions/adapters/observability.ts";
import { queryLake } from "../../functions/cli/lakeQuery.ts";
import { loadSourceMappings, mapRecord } from "../../functions/core/mapping/index.ts";
import { EVERY_RUN, PIPELINE_METRICS } from "../../functions/core/metrics.ts";
import { localInboxFiles } from "../../functions/local/inboxes.ts";
import { type ApiKind, defaultCorpus } from "../../functions/local/mockApis/index.ts";
import { LOCAL_CONNECTORS } from "../../functions/local/runtime.ts";
import {
  type ConnectorTotals,
  drainConnector,
  openSession,
  pushCorpus,
} from "../../functions/local/session.ts";
import { lakeSnapshot } from "./harness.ts";

/** `seclake local` minus the terminal: every connector, the embedded corpora (with less generated volume). */
const GENERATED = 100;

async function runAll(out: string): Promise<Map<string, ConnectorTotals>> {
  const totals = new Map<string, ConnectorTotals>();
  for (const spec of LOCAL_CONNECTORS) {
    const telemetry = recordingTelemetry();
    const session = await openSession(spec, { out, generated: GENERATED, telemetry });
    try {
      const { totals: t, last } = await drainConnector(session);
      expect(last.status, `${spec.name}: ${last.error?.Cause}`).toBe("SUCCEEDED");
      totals.set(spec.name, t);
      // Logs carry names, ids and counts: never a credential, never an event.
      const logs = JSON.stringify(telemetry.logs);
      for (const secret of Object.values(session.mock?.credentials ?? {})) {
        if (typeof secret === "string" && secret.length > 8) expect(logs).not.toContain(secret);
      }
      expect(logs).not.toMatch(/"(raw_data|displayMessage|alert_description|user_name)"/);
      expect(telemetry.total("EventsFetched")).toBe(t.fetched);
      // Every metric carries the dimensions the catalogue (and so the dashboard and alarms) name.
      for (const m of telemetry.metrics) {
        expect(Object.keys(m.dimensions).sort(), m.name).toEqual(
          ["connector", ...PIPELINE_METRICS[m.name].dimensions].sort(),
        );
      }
      expect(new Set(telemetry.metrics.map((m) => m.name))).toContain("CheckpointLagSeconds");
      // A custom metric is billed for every hour it is published in: zeros only for the every-run ones.
      for (const m of telemetry.metrics.filter((x) => x.value === 0))
        expect(EVERY_RUN, m.name).toContain(m.name);
    } finally {
      await session.close();
    }
  }
  return totals;
}

/** class_uid → events the lake must hold, computed from the corpora with the mapping engine alone. */
function expectedPerClass(): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (source: string, raws: readonly string[]) => {
    const mappings = loadSourceMappings(source);
    for (const raw of raws) {
      const outcome = mapRecord(mappings, raw);
      if (outcome.kind === "mapped") {
        const key = String(outcome.event.class_name);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  };
  for (const spec of LOCAL_CONNECTORS) {
    if (spec.mode === "push")
      add(
        spec.mappingSource,
        pushCorpus(GENERATED).map((e) => JSON.stringify(e.body)),
      );
    else if (spec.kind === "s3-inbox")
      add(
        spec.mappingSource,
        localInboxFiles(spec.mappingSource).flatMap((f) => f.lines),
      );
    else
      add(
        spec.mappingSource,
        defaultCorpus(spec.kind as ApiKind, GENERATED).map((e) => JSON.stringify(e.body)),
      );
  }
  return counts;
}

describe("seclake local", () => {
  let out: string;
  let first: Map<string, ConnectorTotals>;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "seclake-local-"));
    first = await runAll(out);
  }, 120_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it("runs every connector, SailPoint into its three custom sources", () => {
    expect([...first.keys()]).toEqual(["sailpoint", "okta", "okta-push", "onelogin", "zscaler-dspm", "ocsf"]);
    expect([...(first.get("sailpoint")?.sources.keys() ?? [])].sort()).toEqual([
      "sailpoint-acct-chng",
      "sailpoint-auth",
      "sailpoint-sched-job",
    ]);
    for (const t of first.values()) {
      expect(t.fetched).toBeGreaterThan(0);
      // A crawl only for windows that add a day: never more crawls than windows, and at least one.
      expect(t.crawls).toBeGreaterThan(0);
      expect(t.crawls).toBeLessThanOrEqual(t.windows);
    }
  });

  it("stages OCSF by custom source and event day, as the staging catalogue partitions it", async () => {
    const staged = (await new LocalObjectStore(out).list("staging/ocsf/")).map((o) => o.key);
    expect(staged.length).toBeGreaterThan(0);
    for (const key of staged) {
      expect(key).toMatch(/^staging\/ocsf\/[a-z-]+\/eventDay=\d{8}\/[0-9TZ]+-[0-9a-f]{12}-\d+\.ndjson$/);
    }
  });

  it("seclake query over the lake returns every mapped event, typed, per class", async () => {
    const result = await queryLake(out, "SELECT class_name, count(*) AS events FROM lake GROUP BY ALL");
    const got = new Map(result.rows.map((r) => [String(r[0]), Number(r[1])]));
    expect(got).toEqual(expectedPerClass());
    const duck = await DuckDBInstance.create(":memory:");
    const connection = await duck.connect();
    try {
      const types = (
        await connection.runAndReadAll(
          `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${out}/ext/okta-auth/*/*/*/*.parquet'))`,
        )
      ).getRowObjects();
      const typeOf = new Map(types.map((t) => [String(t.column_name), String(t.column_type)]));
      expect(typeOf.get("time")).toBe("BIGINT");
      expect(typeOf.get("class_uid")).toBe("INTEGER");
      expect(typeOf.get("metadata")).toMatch(/^STRUCT\(/);
      const perSource = (
        await connection.runAndReadAll(
          `SELECT split_part(filename, '/ext/', 2) AS f, class_uid FROM read_parquet('${out}/ext/*/*/*/*/*.parquet', union_by_name = true)`,
        )
      ).getRowObjects();
      for (const row of perSource) {
        const source = String(row.f).split("/")[0] ?? "";
        const expectedClass = [...first.values()]
          .flatMap((t) => [...t.sources])
          .find(([n]) => n === source)?.[1].classUid;
        expect(row.class_uid, source).toBe(expectedClass);
      }
    } finally {
      connection.closeSync();
    }
  });

  it("writes nothing when run again", async () => {
    const before = await lakeSnapshot(out);
    const staged = (await new LocalObjectStore(out).list("staging/")).map((o) => o.key);
    const again = await runAll(out);
    for (const t of again.values()) {
      expect(t.fetched).toBe(0);
      expect(t.sources.size).toBe(0);
      expect(t.crawls).toBe(0);
      expect(t.lakeCrawls).toBe(0);
    }
    expect(await lakeSnapshot(out)).toEqual(before);
    expect((await new LocalObjectStore(out).list("staging/")).map((o) => o.key)).toEqual(staged);
  }, 60_000);
});
