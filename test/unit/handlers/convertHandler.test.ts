import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../../functions/adapters/localObjectStore.ts";
import { LocalObjectWriter } from "../../../functions/adapters/localObjectWriter.ts";
import { recordingTelemetry } from "../../../functions/adapters/observability.ts";
import { makeHandler } from "../../../functions/handlers/convert.ts";
import type { HandlerDeps } from "../../../functions/handlers/deps.ts";
import { loadEnvironment } from "../../../functions/handlers/environment.ts";
import { listFiles } from "../../helpers/parquetReadBack.ts";

const root = mkdtempSync(join(tmpdir(), "seclake-convert-handler-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const source = {
  name: "okta-auth",
  classUid: 3002,
  providerRoleArn: "arn:aws:iam::111122223333:role/provider-okta-auth",
  externalId: "ext-okta-auth",
  lakePrefix: "ext/okta-auth/1.0/",
};
const window = {
  windowId: "w1",
  since: "2024-03-09T00:00:00.000Z",
  until: "2024-03-09T01:00:00.000Z",
  boundaryIds: [],
  cursor: null,
  resumed: false,
  checkpointVersion: 1,
};
const event = (i: number) =>
  JSON.stringify({ class_uid: 3002, time: Date.UTC(2024, 2, 9) + i * 1000, metadata: { uid: `syn-${i}` } });

function setup(name: string) {
  const staging = new LocalObjectStore(join(root, name, "staging"));
  const lake = join(root, name, "lake");
  const unused = () => {
    throw new Error("not used by Convert");
  };
  const deps: HandlerDeps = {
    env: loadEnvironment({
      SECLAKE_CONNECTOR: "okta-test",
      SECLAKE_SOURCE_KIND: "okta",
      SECLAKE_BASE_URL: "https://example.okta.com",
      SECLAKE_SECRET_ID: "okta-test",
      SECLAKE_STAGING_BUCKET: "staging-bucket",
      SECLAKE_CHECKPOINT_PARAMETER: "/seclake/okta-test/checkpoint",
      SECLAKE_CUSTOM_SOURCES: JSON.stringify([source]),
      SECLAKE_LAKE_BUCKET: "aws-security-data-lake-us-east-1-example",
      SECLAKE_LAKE_REGION: "us-east-1",
      SECLAKE_LAKE_ACCOUNT_ID: "111122223333",
    }),
    staging,
    parameters: { get: unused, put: unused } as unknown as HandlerDeps["parameters"],
    connector: unused,
    lakeWriter: async () => new LocalObjectWriter(lake),
    telemetry: recordingTelemetry(),
    now: () => new Date("2024-03-09T02:00:00Z"),
  };
  const run = (keys: string[]) =>
    makeHandler(deps)({
      window,
      source: { customSource: "okta-auth", classUid: 3002, keys, events: 3, newDays: [] },
      executionId: "exec-1",
    });
  return { staging, lake, run };
}

describe("ConvertSource handler", () => {
  it("reads the staged parts and writes below the source's lakePrefix", async () => {
    const { staging, lake, run } = setup("ok");
    const keys = [
      "staging/ocsf/okta-auth/eventDay=20240309/w1-0.ndjson",
      "staging/ocsf/okta-auth/eventDay=20240309/w1-1.ndjson",
    ];
    await staging.put(keys[0] as string, `${event(2)}\n${event(0)}\n`);
    await staging.put(keys[1] as string, `${event(1)}\n`);
    const result = await run(keys);
    const key = "ext/okta-auth/1.0/region=us-east-1/accountId=111122223333/eventDay=20240309/w1-0.parquet";
    expect(result).toMatchObject({ keys: [key], counts: { rows: 3 } });
    expect(listFiles(lake)).toEqual([key]);
  });

  it("fails naming a missing part", async () => {
    const { staging, run } = setup("missing");
    await staging.put("staging/ocsf/okta-auth/eventDay=20240309/w1-0.ndjson", `${event(0)}\n`);
    await expect(
      run([
        "staging/ocsf/okta-auth/eventDay=20240309/w1-0.ndjson",
        "staging/ocsf/okta-auth/eventDay=20240309/w1-1.ndjson",
      ]),
    ).rejects.toThrow(
      "ConvertSource: staged part staging/ocsf/okta-auth/eventDay=20240309/w1-1.ndjson is missing",
    );
  });
});
