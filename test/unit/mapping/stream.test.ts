import { describe, expect, it } from "vitest";
import { loadSourceMappings } from "../../../functions/core/mapping/engine.ts";
import {
  MapRun,
  mapLines,
  type QuarantineRecord,
  splitLines,
} from "../../../functions/core/mapping/stream.ts";
import { makeMappingsDir, SYN_AUTH, SYN_SOURCE, synEvent } from "../../helpers/mappingDir.ts";

const dir = makeMappingsDir({ "syn/_source.yaml": SYN_SOURCE, "syn/authentication.yaml": SYN_AUTH });
const mappings = loadSourceMappings("syn", { dir });
const line = (over: Record<string, unknown> = {}) => JSON.stringify(synEvent(over));

async function* lines(items: string[]) {
  for (const item of items) yield item;
}

describe("MapRun / mapLines", () => {
  it("counts every non-blank line once and keeps outputs, skips and quarantine records", async () => {
    // Prepare
    const input = [
      `\ufeff${line()}`,
      "",
      line({ uuid: "syn-0002", eventType: "system.x" }),
      "   ",
      "{broken",
      line({ uuid: "syn-0003", published: "never" }),
      line({ uuid: "syn-0004", eventType: "system.x" }),
    ];

    // Act
    const run = await mapLines(mappings, lines(input), { file: "in.ndjson" });

    // Assess
    expect(run.counts).toEqual({ in: 5, mapped: { "3002": 1 }, skipped: 2, quarantined: 2, coerced: 0 });
    expect(Object.fromEntries(run.skippedTypes)).toEqual({ "system.x": 2 });
    expect(run.outputs.get(3002)?.map((l) => JSON.parse(l).metadata.uid)).toEqual(["syn-0001"]);
    expect(run.quarantine).toEqual<QuarantineRecord[]>([
      { reason: expect.objectContaining({ path: "$" }), file: "in.ndjson", line: 5, raw: "{broken" },
      {
        reason: {
          path: "published",
          message: 'expected a time (ISO 8601, YYYY-MM-DD HH:MM:SS or epoch), got "never"',
        },
        file: "in.ndjson",
        line: 6,
        eventType: "user.session.start",
        raw: input[5] as string,
      },
    ]);
  });

  it("hands results to a sink instead of keeping them", () => {
    const mapped: number[] = [];
    const quarantined: QuarantineRecord[] = [];
    const run = new MapRun(mappings, {
      sink: { mapped: (uid) => mapped.push(uid), quarantined: (r) => quarantined.push(r) },
    });
    run.push(line(), 1);
    run.push("[]", 2);
    expect(mapped).toEqual([3002]);
    expect(quarantined.map((q) => q.line)).toEqual([2]);
    expect(run.outputs.size).toBe(0);
    expect(run.quarantine).toEqual([]);
  });

  it("splits CRLF and LF text", () => {
    expect(splitLines("a\r\nb\nc")).toEqual(["a", "b", "c"]);
  });
});
