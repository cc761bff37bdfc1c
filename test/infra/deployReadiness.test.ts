import { describe, expect, it } from "vitest";
import { loadEnvironment } from "../../functions/handlers/environment.ts";
import { SECURITY_LAKE_EVENT_CLASSES, unlistedClassNotice } from "../../infra/securityLakeClasses.ts";
import { type Recorded, runProgram } from "../helpers/pulumiHarness.ts";

type Mutable = Record<string, unknown>;
const connectorsOf = (config: Mutable) => config["seclake-pipelines:connectors"] as Mutable[];
const sourcesOf = (config: Mutable, i: number) => connectorsOf(config)[i]?.customSources as Mutable[];
const lake = "aws-security-data-lake-us-east-1-exampleexampleexample";

/** The handler environment a function of the program was given. */
function environmentOf(resources: Recorded[], functionName: string) {
  const fn = resources.find((r) => r.name === functionName) as Recorded;
  return loadEnvironment((fn.inputs.environment as { variables: Record<string, string> }).variables);
}

describe("what mocks accept and AWS would not", () => {
  it("an existing source's location (as the console shows it) is where Convert writes", async () => {
    const { resources } = await runProgram("dev", (config) => {
      (sourcesOf(config, 0)[0] as Mutable).location = `s3://${lake}/ext/sailpoint-auth/2.0`;
    });
    const env = environmentOf(resources, "sailpoint-prod-convert");
    expect(env.customSources.map((s) => s.lakePrefix)).toEqual([
      "ext/sailpoint-auth/2.0/",
      "ext/sailpoint-acct-chng/",
      "ext/sailpoint-sched-job/",
    ]);
  }, 60_000);

  it("a class Security Lake does not list is created without an event class, never an invented name", async () => {
    const { resources } = await runProgram("prod", (config) => {
      sourcesOf(config, 1).push({
        name: "okta-user-access",
        classUid: 3005,
        externalId: "seclake-prod-okta-ua",
      });
    });
    const created = resources
      .filter((r) => r.type === "aws:securitylake/customLogSource:CustomLogSource")
      .map((r) => [r.inputs.sourceName, r.inputs.eventClasses]);
    expect(created).toContainEqual(["okta-user-access", undefined]);
    expect(created).toContainEqual(["okta-auth", ["AUTHENTICATION"]]);
  }, 60_000);

  it("starting Security Lake's crawler from another account fails the deployment, naming the key", async () => {
    const change = (config: Mutable) => {
      (sourcesOf(config, 0)[0] as Mutable).crawlerName = "sailpoint-auth";
    };
    await expect(runProgram("dev", change, false, "999988887777")).rejects.toThrow(
      /connectors\[0\]\.customSources\[0\]\.crawlerName: the stack deploys to account 999988887777/,
    );
  }, 60_000);
});

describe("Security Lake's event class names", () => {
  it("come from its own list, not from upper-casing OCSF names", () => {
    expect(SECURITY_LAKE_EVENT_CLASSES[3004]).toBe("ENTITY_MANAGEMENT_AUDIT");
    expect(SECURITY_LAKE_EVENT_CLASSES[3003]).toBe("AUTHORIZATION");
    expect(SECURITY_LAKE_EVENT_CLASSES[1006]).toBe("SCHEDULED_JOB_ACTIVITY");
    // User Access Management and Group Management, which Okta and OneLogin produce, are not listed.
    expect(SECURITY_LAKE_EVENT_CLASSES[3005]).toBeUndefined();
    expect(SECURITY_LAKE_EVENT_CLASSES[3006]).toBeUndefined();
    expect(unlistedClassNotice("okta-group-mgmt", 3006)).toMatch(
      /custom source okta-group-mgmt: Security Lake does not list OCSF class 3006 \(Group Management\).*created without an event class/,
    );
  });
});
