import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runSeclake } from "../../helpers/cli.ts";

const fixture = new URL("../../fixtures/zscaler-dspm/alerts.ndjson", import.meta.url).pathname;

const seclake = (...args: string[]) => runSeclake(args);

const tmp = () => mkdtempSync(join(tmpdir(), "seclake-cli-"));

afterEach(() => {
  vi.restoreAllMocks();
});

describe("seclake map", () => {
  it("writes one file per class, a quarantine file and a JSON summary", async () => {
    // Prepare
    const dir = tmp();
    const input = join(dir, "raw.ndjson");
    const good = readFileSync(fixture, "utf8").trim().split("\n");
    writeFileSync(input, [good[0], "", "{not json", good[1], '{"alert_id":"syn-x"}', "\r"].join("\n"));

    // Act
    const { code, stdout, stderr } = await seclake(
      "map",
      "--source",
      "zscaler-dspm",
      "--in",
      input,
      "--out",
      join(dir, "out"),
    );

    // Assess
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      in: 4,
      mapped: { "2001": 2 },
      skipped: 0,
      quarantined: 2,
      coerced: 0,
    });
    expect(stdout.trim().split("\n")).toHaveLength(1);
    expect(readdirSync(join(dir, "out")).sort()).toEqual(["2001.ndjson", "quarantine.ndjson"]);
    const quarantine = readFileSync(join(dir, "out", "quarantine.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(quarantine[0]).toMatchObject({ file: input, line: 3, raw: "{not json", reason: { path: "$" } });
    expect(quarantine[1]).toMatchObject({
      line: 5,
      reason: { path: "csp_event_timestamp", message: "no event time" },
    });
    const mapped = readFileSync(join(dir, "out", "2001.ndjson"), "utf8")
      .trim()
      .split("\n");
    expect(mapped.map((l) => JSON.parse(l).metadata.uid)).toEqual(["synalert-0001", "synalert-0002"]);

    // And the output validates.
    const validated = await seclake("validate", "--in", join(dir, "out", "2001.ndjson"));
    expect(validated.code).toBe(0);
    expect(JSON.parse(validated.stdout)).toEqual({ in: 2, valid: 2, invalid: 0 });
  });

  it("counts an unknown event type as skipped, or writes it as Base Event with --base-event", async () => {
    // Prepare: one mapped Okta event and one whose eventType no mapping routes.
    const dir = tmp();
    const input = join(dir, "raw.ndjson");
    const okta = readFileSync(new URL("../../fixtures/okta/samples.ndjson", import.meta.url), "utf8")
      .trim()
      .split("\n")[0] as string;
    const unknown = { ...JSON.parse(okta), uuid: "unknown-type-1", eventType: "system.example.unrouted" };
    writeFileSync(input, `${okta}\n${JSON.stringify(unknown)}\n`);

    // Act
    const skipped = await seclake("map", "--source", "okta", "--in", input, "--out", join(dir, "a"));
    const based = await seclake(
      "map",
      "--source",
      "okta",
      "--in",
      input,
      "--out",
      join(dir, "b"),
      "--base-event",
    );

    // Assess
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ in: 2, skipped: 1, quarantined: 0 });
    expect(readdirSync(join(dir, "a"))).not.toContain("0.ndjson");
    expect(based.code).toBe(0);
    expect(JSON.parse(based.stdout)).toMatchObject({ in: 2, mapped: { "0": 1 }, skipped: 0, quarantined: 0 });
    const base = JSON.parse(readFileSync(join(dir, "b", "0.ndjson"), "utf8"));
    expect(base).toMatchObject({
      class_uid: 0,
      category_uid: 0,
      type_uid: 99,
      activity_id: 99,
      activity_name: "system.example.unrouted",
      metadata: { uid: "unknown-type-1", version: "1.1.0" },
    });
    expect(JSON.parse(base.raw_data)).toEqual(unknown);
    const validated = await seclake("validate", "--in", join(dir, "b", "0.ndjson"));
    expect(validated.code).toBe(0);
  });

  it("removes class files of an earlier run that this run did not produce", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "out"));
    writeFileSync(join(dir, "out", "3002.ndjson"), "stale\n");
    writeFileSync(join(dir, "out", "notes.txt"), "mine\n");
    const { code } = await seclake(
      "map",
      "--source",
      "zscaler-dspm",
      "--in",
      fixture,
      "--out",
      join(dir, "out"),
    );
    expect(code).toBe(0);
    expect(readdirSync(join(dir, "out")).sort()).toEqual(["2001.ndjson", "notes.txt", "quarantine.ndjson"]);
  });

  it("fails with one line and no output for an unreadable input", async () => {
    const dir = tmp();
    const { code, stdout, stderr } = await seclake(
      "map",
      "--source",
      "zscaler-dspm",
      "--in",
      join(dir, "missing.ndjson"),
      "--out",
      join(dir, "out"),
    );
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^seclake map: --in .*missing\.ndjson: cannot read \(ENOENT\)\n$/);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  it("fails with one line for a directory as input", async () => {
    const dir = tmp();
    const { code, stderr } = await seclake(
      "map",
      "--source",
      "zscaler-dspm",
      "--in",
      dir,
      "--out",
      join(dir, "out"),
    );
    expect(code).toBe(1);
    expect(stderr).toContain("not a regular file");
  });

  it.skipIf(process.getuid?.() === 0)("fails with one line for an unwritable output directory", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "ro"));
    chmodSync(join(dir, "ro"), 0o500);
    const { code, stderr } = await seclake(
      "map",
      "--source",
      "zscaler-dspm",
      "--in",
      fixture,
      "--out",
      join(dir, "ro"),
    );
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain("cannot write");
  });

  it("fails with one line when the output path is a file", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "file"), "x");
    const { code, stderr } = await seclake(
      "map",
      "--source",
      "zscaler-dspm",
      "--in",
      fixture,
      "--out",
      join(dir, "file"),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^seclake map: --out .*file: cannot create \(EEXIST|ENOTDIR\)/);
  });
});

describe("seclake validate", () => {
  it("prints one line per invalid event with file, line, path and reason, and exits 1", async () => {
    // Prepare
    const dir = tmp();
    const out = join(dir, "out");
    await seclake("map", "--source", "zscaler-dspm", "--in", fixture, "--out", out);
    const events = readFileSync(join(out, "2001.ndjson"), "utf8").trim().split("\n");
    const broken = JSON.parse(events[1] as string);
    broken.severity_id = "4";
    broken.extra_field = 1;
    const input = join(dir, "ocsf.ndjson");
    writeFileSync(input, [events[0], JSON.stringify(broken), "", "nope"].join("\n"));

    // Act
    const { code, stdout } = await seclake("validate", "--in", input);

    // Assess
    expect(code).toBe(1);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toBe(`${input}:2: severity_id: expected an integer, got "4" (and 1 more)`);
    expect(lines[1]).toMatch(new RegExp(`^${input}:4: \\$: not JSON`));
    expect(JSON.parse(lines[2] as string)).toEqual({ in: 3, valid: 1, invalid: 2 });
  });

  it("fails with one line for a missing file", async () => {
    const { code, stderr } = await seclake("validate", "--in", "/nonexistent/x.ndjson");
    expect(code).toBe(1);
    expect(stderr).toBe("seclake validate: --in /nonexistent/x.ndjson: cannot read (ENOENT)\n");
  });
});
