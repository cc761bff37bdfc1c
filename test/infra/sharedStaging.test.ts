import { beforeAll, describe, expect, it } from "vitest";
import { type Recorded, runProgram } from "../helpers/pulumiHarness.ts";

// Pulumi.dev.yaml with `staging.bucket` set: every connector stages into one existing bucket.
const shared = "example-seclake-staging-111122223333";
let resources: Recorded[];
beforeAll(async () => {
  ({ resources } = await runProgram("dev", (config) => {
    config["seclake-pipelines:staging"] = { bucket: shared, expirationDays: 14 };
  }));
}, 60_000);

describe("a shared staging bucket", () => {
  it("creates no bucket, and points every crawler and function at the shared one", () => {
    expect(resources.filter((r) => r.type.startsWith("aws:s3/"))).toEqual([]);
    const crawlers = resources.filter((r) => r.type === "aws:glue/crawler:Crawler");
    for (const c of crawlers) {
      for (const t of c.inputs.s3Targets as { path: string }[])
        expect(t.path.startsWith(`s3://${shared}/staging/ocsf/`)).toBe(true);
    }
    for (const f of resources.filter((r) => r.type === "aws:lambda/function:Function")) {
      expect(
        (f.inputs.environment as { variables: Record<string, string> }).variables.SECLAKE_STAGING_BUCKET,
      ).toBe(shared);
    }
  });

  it("keeps each connector's writes to its own prefixes of the shared bucket", () => {
    const writes = (policyName: string) =>
      (
        JSON.parse(resources.find((r) => r.name === policyName)?.inputs.policy as string).Statement as {
          Action: string[];
          Resource: string[];
        }[]
      )
        .filter((s) => s.Action.includes("s3:PutObject"))
        .flatMap((s) => s.Resource);
    expect(writes("okta-prod-fetch-policy")).toEqual([`arn:aws:s3:::${shared}/staging/raw/okta-prod/*`]);
    expect(writes("okta-prod-map-policy").sort()).toEqual(
      [
        `arn:aws:s3:::${shared}/staging/ocsf/okta-auth/*`,
        `arn:aws:s3:::${shared}/staging/ocsf/okta-acct-chng/*`,
        `arn:aws:s3:::${shared}/staging/ocsf/okta-entity-mgmt/*`,
        `arn:aws:s3:::${shared}/staging/ocsf/okta-user-access/*`,
        `arn:aws:s3:::${shared}/staging/ocsf/okta-group-mgmt/*`,
        `arn:aws:s3:::${shared}/staging/ocsf/okta-api-activity/*`,
        `arn:aws:s3:::${shared}/staging/quarantine/okta-prod/*`,
      ].sort(),
    );
  });
});
