import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runSeclake } from "../../helpers/cli.ts";

const fixtures = new URL("../../fixtures/ocsf/", import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), "seclake-query-"));
const lines = (file: string) => readFileSync(join(fixtures, file), "utf8").split("\n").filter(Boolean).length;

beforeAll(async () => {
  // A lake of two custom sources, written the way the pipeline writes it.
  for (const [file, classUid, source] of [
    ["3002.ndjson", "3002", "syn-auth"],
    ["3001.ndjson", "3001", "syn-acct-chng"],
  ] as const) {
    const convert = await runSeclake([
      "convert",
      "--in",
      join(fixtures, file),
      "--class",
      classUid,
      "--source",
      source,
      "--region",
      "us-east-1",
      "--account",
      "123456789012",
      "--out",
      out,
    ]);
    expect(convert.code, convert.stderr).toBe(0);
  }
}, 60_000);

describe("seclake query", () => {
  it("without SQL prints events per custom source and class, as a table", async () => {
    const { code, stdout } = await runSeclake(["query", "--out", out]);
    expect(code).toBe(0);
    const rows = stdout.trim().split("\n");
    expect(rows[0]).toMatch(/^custom_source\s+class_uid\s+class_name\s+events$/);
    // The fixtures are minimal OCSF events without class_name: NULL, as DuckDB shows it.
    expect(rows[2]).toMatch(new RegExp(`^syn-acct-chng\\s+3001\\s+NULL\\s+${lines("3001.ndjson")}$`));
    expect(rows[3]).toMatch(new RegExp(`^syn-auth\\s+3002\\s+NULL\\s+${lines("3002.ndjson")}$`));
    expect(rows.at(-1)).toBe("(2 rows)");
  });

  it("names a view per custom source as Athena does (- → _), with its partitions, and --json prints rows", async () => {
    const sql =
      "SELECT eventDay, count(*) AS n, min(time) AS first FROM syn_auth GROUP BY ALL ORDER BY ALL LIMIT 1";
    const { code, stdout } = await runSeclake(["query", "--out", out, "--json", sql]);
    expect(code).toBe(0);
    const row = JSON.parse(stdout.trim().split("\n")[0] as string) as Record<string, unknown>;
    expect(row).toEqual({ eventDay: expect.any(Number), n: expect.any(Number), first: expect.any(Number) });
  });

  it("a SQL error is one clear line and exit 1", async () => {
    const { code, stderr } = await runSeclake(["query", "--out", out, "SELEC 1"]);
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^seclake query: SQL: Parser Error: syntax error/),
    ]);
  });

  it("an empty or missing lake says what to run", async () => {
    const { code, stderr } = await runSeclake(["query", "--out", join(out, "nowhere")]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no Parquet under .*; run `seclake local` first/);
  });
});
