import { beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../functions/core/errors.ts";
import { type Recorded, runProgram } from "../helpers/pulumiHarness.ts";

type Config = Record<string, unknown>;
const connectors = (c: Config) => c["seclake-pipelines:connectors"] as Config[];
const sources = (c: Config, i: number) => connectors(c)[i]?.customSources as Config[];

beforeEach(() => {
  // Each case imports infra/index.ts afresh, as `pulumi preview` would run it.
  vi.resetModules();
});

describe("the program with bad config fails before declaring any resource", () => {
  it.each([
    ["missing tenant", (c: Config) => delete connectors(c)[0]?.baseUrl, "connectors[0].baseUrl: is required"],
    [
      "schedule every minute",
      (c: Config) => {
        (connectors(c)[1] as Config).schedule = "rate(1 minute)";
      },
      "connectors[1].schedule",
    ],
    [
      "SailPoint maxEvents 50,000",
      (c: Config) => {
        (connectors(c)[0] as Config).maxEvents = 50_000;
      },
      "connectors[0].maxEvents: must be at most 10000 for SailPoint",
    ],
    [
      "custom source name with /",
      (c: Config) => {
        (sources(c, 0)[2] as Config).name = "sailpoint/sched";
      },
      "connectors[0].customSources[2].name",
    ],
    [
      "duplicate custom source names",
      (c: Config) => {
        (sources(c, 3)[0] as Config).name = "okta-auth";
      },
      'connectors[3].customSources[0].name: "okta-auth" is also connectors[1].customSources[0].name',
    ],
    [
      "push without an event source",
      (c: Config) => delete connectors(c)[4]?.eventSource,
      "connectors[4].eventSource: is required for mode push",
    ],
    [
      "push for SailPoint",
      (c: Config) => {
        Object.assign(connectors(c)[0] as Config, { mode: "push", eventSource: "aws.partner/okta.com/a/b" });
      },
      "connectors[0].mode: push is only for kind okta or onelogin",
    ],
    [
      "a staging expiry shorter than the queue's retention, with a push connector",
      (c: Config) => {
        c["seclake-pipelines:staging"] = { expirationDays: 3 };
      },
      "staging.expirationDays: must be at least 14 with a push connector",
    ],
  ])("%s", async (_what, change, key) => {
    let failure: (Error & { resources?: Recorded[] }) | undefined;
    try {
      await runProgram("dev", change, false);
    } catch (error) {
      failure = error as Error & { resources?: Recorded[] };
    }
    // resetModules gives the program its own copy of errors.ts, so compare by name (the contract).
    expect(failure?.name).toBe(ConfigError.name);
    expect(failure?.message).toContain(`seclake-pipelines:${key}`);
    expect(failure?.resources).toEqual([]);
  });
});
