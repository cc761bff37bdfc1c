import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StaticSecretsProvider } from "../../../functions/adapters/envSecrets.ts";
import { CheckpointError } from "../../../functions/core/errors.ts";
import { claimWindow, serializePipelineCheckpoint } from "../../../functions/core/pipeline/claim.ts";
import type { StoredParameter } from "../../../functions/core/ports.ts";
import { makeHandler } from "../../../functions/handlers/loadCheckpoint.ts";
import { LOCAL_CONNECTORS, localRuntime } from "../../../functions/local/runtime.ts";

const NOW = Date.parse("2026-11-30T12:00:00.000Z");

function world() {
  const spec = LOCAL_CONNECTORS.find((s) => s.name === "okta");
  if (!spec) throw new Error("no okta connector");
  return localRuntime(spec, {
    out: mkdtempSync(join(tmpdir(), "seclake-load-")),
    baseUrl: "https://syn.example.invalid",
    secrets: new StaticSecretsProvider({}),
    now: () => new Date(NOW),
    pendingLeaseSeconds: 3600,
  });
}

describe("LoadCheckpoint against a concurrent execution", () => {
  it("losing the race to record the window (conditional write) ends with heldBy, not an error", async () => {
    const runtime = world();
    const name = runtime.env.checkpointParameter;
    let raced = false;
    // Another execution records its claim between our read and our conditional write.
    const parameters = {
      get: (n: string) => runtime.parameters.get(n),
      async put(
        n: string,
        value: string,
        options?: { expectedVersion?: number | null },
      ): Promise<StoredParameter> {
        if (!raced) {
          raced = true;
          const theirs = claimWindow(undefined, "exec-other", NOW, { leaseSeconds: 3600 }).checkpoint;
          await runtime.parameters.put(n, serializePipelineCheckpoint(theirs));
          throw new CheckpointError(`parameter ${n}: expected version none: another execution wrote it`);
        }
        return runtime.parameters.put(n, value, options);
      },
    };
    const handler = makeHandler({ ...runtime.deps, parameters });
    const result = await handler({ executionId: "exec-mine" });
    expect(result).toEqual({ heldBy: expect.objectContaining({ executionId: "exec-other" }) });
    const stored = await runtime.parameters.get(name);
    expect(JSON.parse(stored?.value ?? "{}").pending.executionId).toBe("exec-other");
  });

  it("a checkpoint that cannot be read still fails (only another live execution is not an error)", async () => {
    const runtime = world();
    await runtime.parameters.put(runtime.env.checkpointParameter, "{not json");
    await expect(makeHandler(runtime.deps)({ executionId: "exec-mine" })).rejects.toMatchObject({
      name: "CheckpointError",
    });
  });
});
