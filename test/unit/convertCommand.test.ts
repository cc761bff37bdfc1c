import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runSeclake } from "../helpers/cli.ts";
import { listFiles } from "../helpers/parquetReadBack.ts";

const out = mkdtempSync(join(tmpdir(), "seclake-convert-cli-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const fixture = join(import.meta.dirname, "..", "fixtures", "ocsf", "3005.ndjson");
const args = (over: Record<string, string> = {}) => {
  const flags = {
    in: fixture,
    class: "3005",
    source: "syn-uam",
    region: "eu-west-1",
    account: "123456789012",
    out,
    ...over,
  };
  return ["convert", ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])];
};

describe("seclake convert", () => {
  it("writes the layout of DESIGN.md §5 and prints one JSON summary", async () => {
    const run = await runSeclake(args({ window: "synwin-1" }));
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ rows: 4, windowId: "synwin-1" });
    expect(summary.partitions).toEqual([
      "ext/syn-uam/region=eu-west-1/accountId=123456789012/eventDay=20240309",
      "ext/syn-uam/region=eu-west-1/accountId=123456789012/eventDay=20240310",
    ]);
    expect(listFiles(out)).toEqual([
      "ext/syn-uam/region=eu-west-1/accountId=123456789012/eventDay=20240309/synwin-1-0.parquet",
      "ext/syn-uam/region=eu-west-1/accountId=123456789012/eventDay=20240310/synwin-1-0.parquet",
    ]);
  });

  it("removes the files it had written when a later one fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seclake-convert-cli-fail-"));
    const input = join(out, "two-days.ndjson");
    writeFileSync(
      input,
      `${JSON.stringify({ class_uid: 3005, time: Date.UTC(2024, 0, 1) })}\n${JSON.stringify({ class_uid: 3005, time: Date.UTC(2024, 0, 2), severity_id: "high" })}\n`,
    );
    try {
      const run = await runSeclake(args({ in: input, out: dir, window: "synwin-2" }));
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/two-days\.ndjson:2: severity_id/);
      expect(listFiles(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ region: "Frankfurt" }, /region \(--region\): expected an AWS region/],
    [{ account: "12-34" }, /accountId \(--account\): expected a 12-digit AWS account id, got "12-34"/],
    [{ source: "bad source" }, /customSource \(--source\)/],
    [{ class: "9999" }, /--class: expected an OCSF 1.1.0 class_uid/],
    [{ in: join(out, "missing.ndjson") }, /--in: cannot read/],
    [{ class: "3002" }, /3005\.ndjson:\d+: class_uid: expected 3002/],
  ])("fails with one clear stderr line for %o", async (over, message) => {
    const run = await runSeclake(args(over));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});
