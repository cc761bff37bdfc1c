import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../functions/cli/main.ts";
import { commands } from "../../functions/cli/spec.ts";

const bin = new URL("../../functions/cli/seclake.mjs", import.meta.url).pathname;
const runCli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

describe("seclake command line", () => {
  it("declares the sub-commands of DESIGN.md §5", () => {
    expect(commands.map((c) => c.name)).toEqual([
      "fetch",
      "map",
      "validate",
      "convert",
      "local",
      "query",
      "bench",
      "cost",
    ]);
  });

  it("parses map options with their exact flag names", () => {
    const parsed = parseArgs(["map", "--source", "okta", "--in", "raw.ndjson", "--out", "out"]);
    expect(parsed?.command.name).toBe("map");
    expect(parsed?.options).toEqual({ source: "okta", in: "raw.ndjson", out: "out" });
  });

  it("query takes its SQL as the one positional argument", () => {
    expect(parseArgs(["query", "--json", "SELECT 1"])?.options).toEqual({
      out: ".lake",
      json: true,
      sql: "SELECT 1",
    });
    expect(parseArgs(["query"])?.options).toEqual({ out: ".lake", sql: undefined });
  });

  it("bench runs both parts unless --only names one", () => {
    expect(parseArgs(["bench"])?.options).toEqual({ events: "100000", only: "all" });
    expect(parseArgs(["bench", "--only", "mapping"])?.options).toEqual({ events: "100000", only: "mapping" });
  });

  it("applies defaults (convert --window is optional, local --out is .lake)", () => {
    expect(parseArgs(["local"])?.options).toEqual({ out: ".lake" });
    const convert = parseArgs([
      ...["convert", "--in", "a.ndjson", "--class", "3002", "--source", "s"],
      ...["--region", "us-east-1", "--account", "123456789012", "--out", "o"],
    ]);
    expect(convert?.options.window).toBeUndefined();
  });

  it("local --json ends with the run's figures; a second run over the same --out starts no crawl", () => {
    const out = mkdtempSync(join(tmpdir(), "seclake-local-json-"));
    try {
      const last = () => {
        const result = runCli("local", "--source", "zscaler-dspm", "--out", out, "--json");
        expect(result.status, result.stderr).toBe(0);
        const line = result.stdout.trim().split("\n").at(-1) ?? "";
        return JSON.parse(line).connectors["zscaler-dspm"];
      };
      const first = last();
      expect(first).toMatchObject({ loops: 1, crawls: 1, quarantined: 2 });
      expect(first.mapped).toBe(first.rows);
      expect(first.files).toBeGreaterThan(0);
      expect(Object.keys(first)).toEqual(
        expect.arrayContaining(["loops", "crawls", "fetched", "mapped", "quarantined", "rows", "files"]),
      );
      expect(last()).toMatchObject({ crawls: 0, fetched: 0, rows: 0, files: 0 });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("rejects an unknown source and a missing required option", () => {
    expect(() => parseArgs(["map", "--source", "nope", "--in", "x", "--out", "y"])).toThrow(/nope/);
    expect(() => parseArgs(["convert", "--in", "x"])).toThrow(/--class/);
  });

  it("lists every sub-command in --help", () => {
    const result = runCli("--help");
    expect(result.status).toBe(0);
    for (const spec of commands) expect(result.stdout).toContain(spec.name);
  });

  it("prints one line on stderr and exits 2 on bad usage", () => {
    const result = runCli("map", "--source", "nope", "--in", "x", "--out", "y");
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("nope");
  });
});
