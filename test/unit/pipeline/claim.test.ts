import { describe, expect, it } from "vitest";
import {
  assertOwner,
  claimWindow,
  committedCheckpoint,
  failedCheckpoint,
  type PipelineCheckpoint,
  parsePipelineCheckpoint,
  serializePipelineCheckpoint,
} from "../../../functions/core/pipeline/claim.ts";

const NOW = Date.parse("2024-06-01T12:00:00.000Z");
const OPTIONS = { lagSeconds: 60, maxWindowSeconds: 3600, initialLookbackSeconds: 7200, leaseSeconds: 600 };
const BASE: PipelineCheckpoint = {
  version: 1,
  since: "2024-06-01T10:00:00.000Z",
  boundaryIds: ["aaaaaaaaaaaaaaaa"],
  pending: null,
};

describe("claimWindow", () => {
  it("opens a new window and records it as pending for this execution with a lease", () => {
    const claim = claimWindow(BASE, "exec-1", NOW, OPTIONS);
    expect(claim.resumed).toBe(false);
    expect(claim.window).toMatchObject({ since: BASE.since, until: "2024-06-01T11:00:00.000Z" });
    expect(claim.checkpoint.pending).toMatchObject({
      windowId: claim.window.windowId,
      executionId: "exec-1",
      leaseUntil: "2024-06-01T12:10:00.000Z",
      attempts: 1,
    });
    expect(claim.checkpoint.since).toBe(BASE.since);
  });

  it("refuses a window another execution holds under a live lease", () => {
    const held = claimWindow(BASE, "exec-1", NOW, OPTIONS).checkpoint;
    expect(() => claimWindow(held, "exec-2", NOW + 1000, OPTIONS)).toThrow(/held by execution exec-1/);
  });

  it.each([
    ["the lease ended", (cp: PipelineCheckpoint) => cp, NOW + 601_000],
    ["RecordFailure marked it failed", (cp: PipelineCheckpoint) => markFailed(cp), NOW + 1000],
  ])("takes the exact pending window over when %s", (_, prepare, at) => {
    const first = claimWindow(BASE, "exec-1", NOW, OPTIONS);
    const taken = claimWindow(prepare(first.checkpoint), "exec-2", at, OPTIONS);
    expect(taken.resumed).toBe(true);
    expect(taken.window).toEqual(first.window);
    expect(taken.checkpoint.pending).toMatchObject({ executionId: "exec-2", attempts: 2 });
    expect(taken.checkpoint.pending?.failedAt).toBeUndefined();
  });

  it("lets the owner re-claim its own window (a retried LoadCheckpoint)", () => {
    const first = claimWindow(BASE, "exec-1", NOW, OPTIONS);
    const again = claimWindow(first.checkpoint, "exec-1", NOW + 5000, OPTIONS);
    expect(again.window).toEqual(first.window);
    expect(again.checkpoint.pending?.attempts).toBe(1);
  });
});

function markFailed(cp: PipelineCheckpoint): PipelineCheckpoint {
  if (!cp.pending) throw new Error("no pending");
  return failedCheckpoint({ ...cp, pending: cp.pending }, "SourceApiError", NOW);
}

describe("committedCheckpoint and assertOwner", () => {
  it("clears pending and moves to the progress", () => {
    const { window } = claimWindow(BASE, "exec-1", NOW, OPTIONS);
    const next = committedCheckpoint(window, { since: window.until, boundaryIds: [], cursor: null });
    expect(next).toEqual({ version: 1, since: window.until, boundaryIds: [], pending: null });
  });

  it("keeps the boundary ids when nothing was delivered past the window's start", () => {
    const { window } = claimWindow(BASE, "exec-1", NOW, OPTIONS);
    const next = committedCheckpoint(window, {
      since: window.since,
      boundaryIds: ["bbbbbbbbbbbbbbbb"],
      cursor: null,
    });
    expect(next.boundaryIds.sort()).toEqual(["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]);
  });

  it("rejects a commit by an execution that lost the window", () => {
    const held = claimWindow(BASE, "exec-2", NOW, OPTIONS).checkpoint;
    expect(() => assertOwner(held, "exec-1", held.pending?.windowId ?? "")).toThrow(
      /no longer this execution's/,
    );
    expect(() => assertOwner(undefined, "exec-1", "w")).toThrow(/pending: none/);
  });

  it("round-trips through the stored JSON and names a bad field", () => {
    const cp = claimWindow(BASE, "exec-1", NOW, OPTIONS).checkpoint;
    expect(parsePipelineCheckpoint(serializePipelineCheckpoint(cp), "p")).toEqual(cp);
    expect(() =>
      parsePipelineCheckpoint('{"version":1,"since":"x","boundaryIds":[],"pending":null}', "/p"),
    ).toThrow(/^\/p: since:/);
  });
});
