import { describe, expect, it } from "vitest";
import { ENVIRONMENT_VARIABLES, loadEnvironment } from "../../../functions/handlers/environment.ts";

const base = {
  SECLAKE_CONNECTOR: "sailpoint-prod",
  SECLAKE_SOURCE_KIND: "sailpoint",
  SECLAKE_BASE_URL: "https://syn-tenant.api.identitynow.com",
  SECLAKE_SECRET_ID: "seclake/sailpoint-prod",
  SECLAKE_STAGING_BUCKET: "syn-staging",
  SECLAKE_CHECKPOINT_PARAMETER: "/seclake/sailpoint-prod/checkpoint",
  SECLAKE_CUSTOM_SOURCES: JSON.stringify([
    {
      name: "sailpoint-auth",
      classUid: 3002,
      providerRoleArn: "arn:aws:iam::123456789012:role/syn-provider",
      externalId: "syn-external",
      lakePrefix: "ext/sailpoint-auth/1.0/",
      crawlerName: "syn-crawler",
    },
  ]),
  SECLAKE_LAKE_BUCKET: "aws-security-data-lake-eu-west-1-syn",
  SECLAKE_LAKE_REGION: "eu-west-1",
  SECLAKE_LAKE_ACCOUNT_ID: "123456789012",
};

describe("loadEnvironment", () => {
  it("parses the contract with its defaults", () => {
    const env = loadEnvironment(base);
    expect(env).toMatchObject({
      connector: "sailpoint-prod",
      mappingSource: "sailpoint",
      maxEvents: 10_000,
      lagSeconds: 300,
      mappingsDir: "mappings",
      lake: { region: "eu-west-1", accountId: "123456789012" },
    });
    expect(env.customSources[0]?.crawlerName).toBe("syn-crawler");
    expect(ENVIRONMENT_VARIABLES).toContain("SECLAKE_CUSTOM_SOURCES");
    expect(ENVIRONMENT_VARIABLES).toContain("POWERTOOLS_SERVICE_NAME");
  });

  it.each([
    [{ SECLAKE_MAX_EVENTS: "0" }, /SECLAKE_MAX_EVENTS/],
    [{ SECLAKE_SECRET_ID: undefined }, /SECLAKE_SECRET_ID: required for SECLAKE_SOURCE_KIND=sailpoint/],
    [{ SECLAKE_SOURCE_KIND: "s3-inbox" }, /SECLAKE_MAPPING_SOURCE: required.*SECLAKE_BASE_URL: s3-inbox/],
    [{ SECLAKE_CUSTOM_SOURCES: "[{" }, /SECLAKE_CUSTOM_SOURCES: not JSON/],
    [{ SECLAKE_CUSTOM_SOURCES: "[]" }, /SECLAKE_CUSTOM_SOURCES/],
    [{ SECLAKE_CUSTOM_SOURCES: '[{"name":"a","classUid":3002}]' }, /\[0.providerRoleArn\]/],
  ])("rejects %o naming the variable", (override, message) => {
    expect(() => loadEnvironment({ ...base, ...override })).toThrow(message);
  });

  it("never echoes a value into the error", () => {
    expect(() => loadEnvironment({ ...base, SECLAKE_LAKE_ACCOUNT_ID: "syn-secret-looking-value" })).toThrow(
      /^(?!.*syn-secret-looking-value).*SECLAKE_LAKE_ACCOUNT_ID/,
    );
  });
});
