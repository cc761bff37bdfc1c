import { describe, expect, it } from "vitest";
import {
  SourceApiError,
  SourceUnavailableError,
  StorageUnavailableError,
} from "../../../functions/core/errors.ts";
import { forStepFunctions } from "../../../functions/handlers/deps.ts";
import { handler as fetchHandler } from "../../../functions/handlers/fetch.ts";

describe("forStepFunctions", () => {
  it("renames a retryable source error so the ASL retries it, and leaves 4xx alone", () => {
    const retryable = new SourceApiError("okta: 503", { source: "okta", status: 503, retryable: true });
    const translated = forStepFunctions(retryable);
    expect(translated).toBeInstanceOf(SourceUnavailableError);
    expect((translated as Error).name).toBe("SourceUnavailableError");
    expect((translated as Error).cause).toBe(retryable);
    const denied = new SourceApiError("okta: 401", { source: "okta", status: 401, retryable: false });
    expect(forStepFunctions(denied)).toBe(denied);
  });

  it("turns AWS SDK throttling and 5xx into StorageUnavailableError, not access errors", () => {
    const slow = Object.assign(new Error("slow down"), {
      name: "SlowDown",
      $metadata: { httpStatusCode: 503 },
    });
    expect((forStepFunctions(slow) as Error).name).toBe("StorageUnavailableError");
    expect(forStepFunctions(slow)).toBeInstanceOf(StorageUnavailableError);
    const denied = Object.assign(new Error("denied"), {
      name: "AccessDenied",
      $metadata: { httpStatusCode: 403 },
    });
    expect(forStepFunctions(denied)).toBe(denied);
  });
});

describe("handler modules", () => {
  it("can be imported without an environment and fail with ConfigError naming variables when invoked", async () => {
    await expect(fetchHandler({})).rejects.toMatchObject({
      name: "ConfigError",
      message: expect.stringContaining("SECLAKE_CONNECTOR"),
    });
  });
});
