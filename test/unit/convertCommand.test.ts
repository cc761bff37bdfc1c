import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../functions/cli/main.ts";
import { listFiles } from "../helpers/parquetReadBack.ts";

const out = mkdtempSync(join(tmpdir(), "seclake-convert-cli-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

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

function capture() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    stdout.push(String(s));
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    stderr.push(String(s));
    return true;
  });
  return { stdout, stderr };
}

describe("seclake convert", () => {
  it("writes the layout of DESIGN.md §5 and prints one JSON summary", async () => {
    const io = capture();
    expect(await main(args({ window: "synwin-1" }))).toBe(0);
    const summary = JSON.parse(io.stdout.join(""));
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

  it.each([
    [{ region: "Frankfurt" }, /region \(--region\): expected an AWS region/],
    [{ account: "12-34" }, /accountId \(--account\): expected a 12-digit AWS account id, got "12-34"/],
    [{ source: "bad source" }, /customSource \(--source\)/],
    [{ class: "9999" }, /--class: expected an OCSF 1.1.0 class_uid/],
    [{ in: join(out, "missing.ndjson") }, /--in: cannot read/],
    [{ class: "3002" }, /3005\.ndjson:\d+: class_uid: expected 3002/],
  ])("fails with one clear stderr line for %o", async (over, message) => {
    const io = capture();
    expect(await main(args(over))).toBe(1);
    expect(io.stderr.join("")).toMatch(message);
    expect(io.stderr.join("").trim().split("\n")).toHaveLength(1);
  });
});
