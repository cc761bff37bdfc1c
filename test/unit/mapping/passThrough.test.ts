import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSourceMappings, mapRecord } from "../../../functions/core/mapping/engine.ts";
import { MapRun } from "../../../functions/core/mapping/stream.ts";
import { runSeclake } from "../../helpers/cli.ts";

const ocsfSource = loadSourceMappings("ocsf");
const goldenRoot = new URL("../../golden/", import.meta.url).pathname;

/** Every event our own mappings produced (the golden files), as JSON lines. */
function goldenLines(): string[] {
  const lines: string[] = [];
  for (const source of readdirSync(goldenRoot, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(goldenRoot, source.name)).filter((f) => f.endsWith(".ndjson"))) {
      lines.push(
        ...readFileSync(join(goldenRoot, source.name, file), "utf8")
          .split("\n")
          .filter(Boolean),
      );
    }
  }
  return lines;
}

/** A valid Authentication event from the goldens, parsed. */
function anAuthentication(): Record<string, unknown> {
  const line = readFileSync(join(goldenRoot, "okta/authentication.ndjson"), "utf8").split("\n")[0] as string;
  return JSON.parse(line) as Record<string, unknown>;
}

describe("the ocsf pass-through source", () => {
  it("round-trips: every event our mappings produce comes out identical, nothing moved", () => {
    const lines = goldenLines();
    expect(lines.length).toBeGreaterThan(100);
    for (const line of lines) {
      const outcome = mapRecord(ocsfSource, line);
      expect(outcome.kind, line.slice(0, 120)).toBe("mapped");
      if (outcome.kind !== "mapped") continue;
      expect(outcome.moved).toBe(0);
      expect(outcome.event).toEqual(JSON.parse(line));
      expect(outcome.classUid).toBe((JSON.parse(line) as { class_uid: number }).class_uid);
    }
  });

  it("moves attributes the class does not define into unmapped, at their path, counted and never dropped", () => {
    const event = anAuthentication();
    event.vendor_extra = { a: 1 };
    (event.actor as { user: Record<string, unknown> }).user.nickname = "homie";
    event.observables = [
      { name: "x", type_id: 99, type: "Other", value: "v" },
      { name: "y", type_id: 99, type: "Other", ghost: true },
    ];
    event.cloud = { provider: "AWS" }; // a profile attribute, but the event does not declare the cloud profile
    event.unmapped = { kept: "as the producer wrote it" };
    const outcome = mapRecord(ocsfSource, JSON.stringify(event));
    expect(outcome).toMatchObject({ kind: "mapped", classUid: 3002, moved: 4 });
    if (outcome.kind !== "mapped") return;
    expect(outcome.event.unmapped).toEqual({
      kept: "as the producer wrote it",
      vendor_extra: { a: 1 },
      actor: { user: { nickname: "homie" } },
      observables: [null, { ghost: true }],
      cloud: { provider: "AWS" },
    });
    expect(outcome.event.vendor_extra).toBeUndefined();
    expect(outcome.event.raw_data).toBe(event.raw_data); // no raw_data of its own: the producer's is kept
  });

  it.each([
    [{ time: undefined }, "time", "required"],
    [{ class_uid: 9999 }, "class_uid", "OCSF 1.1.0 class"],
    [{ activity_id: "logon" }, "activity_id", "expected an integer"],
    [{ severity_id: 42 }, "severity_id", "not a valid severity_id"],
  ])("an invalid OCSF event is quarantined with path and reason (%j)", (change, path, message) => {
    const event = { ...anAuthentication(), ...change };
    for (const [k, v] of Object.entries(change))
      if (v === undefined) delete (event as Record<string, unknown>)[k];
    const outcome = mapRecord(ocsfSource, JSON.stringify(event));
    expect(outcome).toMatchObject({ kind: "quarantined", reason: { path } });
    if (outcome.kind === "quarantined") expect(outcome.reason.message).toContain(message);
  });

  it("counts moved attributes in the run summary", () => {
    const run = new MapRun(ocsfSource);
    const event = anAuthentication();
    event.extra_one = 1;
    run.push(JSON.stringify(event), 1);
    run.push("{not json", 2);
    expect(run.counts).toEqual({
      in: 2,
      mapped: { "3002": 1 },
      skipped: 0,
      quarantined: 1,
      coerced: 0,
      movedToUnmapped: 1,
    });
  });

  it("seclake map --source ocsf writes one file per class and a summary line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seclake-ocsf-"));
    const input = join(dir, "in.ndjson");
    const auth = anAuthentication();
    writeFileSync(input, `${JSON.stringify(auth)}\n${JSON.stringify({ ...auth, class_uid: 1 })}\n`);
    const { code, stdout } = await runSeclake([
      "map",
      "--source",
      "ocsf",
      "--in",
      input,
      "--out",
      join(dir, "out"),
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      in: 2,
      mapped: { "3002": 1 },
      quarantined: 1,
      movedToUnmapped: 0,
    });
    expect(readFileSync(join(dir, "out", "3002.ndjson"), "utf8").trim()).toBe(JSON.stringify(auth));
  });
});
