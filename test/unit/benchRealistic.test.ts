import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { authenticationTemplates, generateRealisticAuthentication } from "../../bench/realistic.ts";

const root = mkdtempSync(join(tmpdir(), "seclake-realistic-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("bench realistic corpus", () => {
  it("maps every template to Authentication, with a fresh id and time in raw_data and the rest repeated", async () => {
    const templates = authenticationTemplates();
    const sources = new Set(templates.map((t) => t.mappings.source));
    expect(sources).toEqual(new Set(["okta", "onelogin", "sailpoint"]));
    const count = 2 * templates.length + 5;
    const path = join(root, "auth.ndjson");
    await generateRealisticAuthentication(count, path);
    const events = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.length).toBe(count);
    expect(events.every((e) => e.class_uid === 3002)).toBe(true);
    const uids = events.map((e) => String((e.metadata as { uid: unknown }).uid));
    expect(new Set(uids).size).toBe(count);
    const times = events.map((e) => e.time as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBeGreaterThan(count * 0.9);
    // The fresh id was written into the raw event before mapping, so raw_data carries it.
    expect(events.every((e, i) => String(e.raw_data).includes(uids[i] as string))).toBe(true);
    // Everything else repeats: the copy of a template one cycle later differs only in those fields.
    const strip = (e: Record<string, unknown>) => {
      const { time: _t, raw_data: _r, metadata, ...rest } = e;
      const { uid: _u, original_time: _o, ...meta } = metadata as Record<string, unknown>;
      return { ...rest, metadata: meta };
    };
    const first = events[3] as Record<string, unknown>;
    const again = events[3 + templates.length] as Record<string, unknown>;
    expect(strip(again)).toEqual(strip(first));
  });
});
