import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  boundaryId,
  type Checkpoint,
  MAX_BOUNDARY_IDS,
  parseCheckpoint,
  serializeCheckpoint,
} from "../../../functions/core/checkpoint/index.ts";
import { CheckpointError } from "../../../functions/core/errors.ts";

const valid: Checkpoint = {
  version: 1,
  since: "2024-01-15T17:15:10.234Z",
  boundaryIds: [boundaryId("syn-1")],
  pending: null,
};

describe("checkpoint JSON", () => {
  it("round-trips the DESIGN.md §3 shape, with and without a pending window and S3 cursor", () => {
    const pending: Checkpoint = {
      ...valid,
      pending: {
        windowId: "w1",
        since: valid.since,
        until: "2024-01-15T18:00:00.000Z",
        executionId: "arn:x",
      },
      cursor: "inbox/2024/01/15/a.ndjson.gz",
    };
    for (const cp of [valid, pending]) expect(parseCheckpoint(serializeCheckpoint(cp))).toEqual(cp);
  });

  it.each([
    ["not json", "{", /not JSON/],
    ["wrong version", JSON.stringify({ ...valid, version: 2 }), /version/],
    ["bad since", JSON.stringify({ ...valid, since: "yesterday" }), /since/],
    ["missing boundaryIds", JSON.stringify({ version: 1, since: valid.since, pending: null }), /boundaryIds/],
    [
      "pending without until",
      JSON.stringify({ ...valid, pending: { windowId: "w", since: valid.since } }),
      /pending/,
    ],
  ])("rejects %s with a CheckpointError naming the field", (_name, text, pattern) => {
    expect(() => parseCheckpoint(text, "/seclake/okta/checkpoint")).toThrow(CheckpointError);
    expect(() => parseCheckpoint(text, "/seclake/okta/checkpoint")).toThrow(pattern);
  });

  it("hashes boundary ids to 16 hex digits, stably", () => {
    expect(boundaryId("syn-1")).toMatch(/^[0-9a-f]{16}$/);
    expect(boundaryId("syn-1")).toBe(boundaryId("syn-1"));
    expect(boundaryId("syn-1")).not.toBe(boundaryId("syn-2"));
  });

  it("stays far below the SSM 4,096-character limit with a full boundary list, pending window and long cursor", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 300 }), { maxLength: MAX_BOUNDARY_IDS }),
        fc.string({ maxLength: 1024 }),
        fc.string({ maxLength: 128 }),
        (ids, cursor, executionId) => {
          const cp: Checkpoint = {
            version: 1,
            since: "2024-01-15T17:15:10.234Z",
            boundaryIds: ids.map(boundaryId),
            pending: {
              windowId: "20240115T171510234Z-0123456789ab",
              since: valid.since,
              until: valid.since,
              executionId,
            },
            cursor,
          };
          // 1,024-character S3 keys are the service maximum; the rest must leave ample room.
          expect(serializeCheckpoint(cp).length).toBeLessThan(3600);
        },
      ),
    );
  });

  it("refuses to serialise a checkpoint over the SSM limit", () => {
    const big = { ...valid, boundaryIds: Array.from({ length: 400 }, (_, i) => boundaryId(String(i))) };
    expect(() => serializeCheckpoint(big)).toThrow(/4096/);
  });
});
