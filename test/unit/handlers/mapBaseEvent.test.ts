import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../../functions/adapters/localObjectStore.ts";
import { recordingTelemetry } from "../../../functions/adapters/observability.ts";
import type { HandlerDeps } from "../../../functions/handlers/deps.ts";
import { loadEnvironment } from "../../../functions/handlers/environment.ts";
import { makeHandler, quarantineKey } from "../../../functions/handlers/map.ts";

// The second sample is a user.session.start (Authentication, 3002).
const okta = readFileSync(new URL("../../fixtures/okta/samples.ndjson", import.meta.url), "utf8")
  .trim()
  .split("\n")[1] as string;
const unrouted = JSON.stringify({
  ...JSON.parse(okta),
  uuid: "unrouted-1",
  eventType: "system.example.unrouted",
});
const mapped = JSON.parse(okta) as { uuid: string };

const source = (name: string, classUid: number) => ({
  name,
  classUid,
  providerRoleArn: `arn:aws:iam::111122223333:role/provider-${name}`,
  externalId: `ext-${name}`,
  lakePrefix: `ext/${name}/`,
});

async function mapWindow(customSources: ReturnType<typeof source>[]) {
  const root = mkdtempSync(join(tmpdir(), "seclake-map-"));
  const staging = new LocalObjectStore(root);
  const rawKey = "staging/raw/okta-test/w1/page-00001.ndjson.gz";
  await staging.put(rawKey, gzipSync(`${okta}\n${unrouted}\n`));
  const env = loadEnvironment({
    SECLAKE_CONNECTOR: "okta-test",
    SECLAKE_SOURCE_KIND: "okta",
    SECLAKE_BASE_URL: "https://example.okta.com",
    SECLAKE_SECRET_ID: "okta-test",
    SECLAKE_STAGING_BUCKET: "staging-bucket",
    SECLAKE_CHECKPOINT_PARAMETER: "/seclake/okta-test/checkpoint",
    SECLAKE_CUSTOM_SOURCES: JSON.stringify(customSources),
    SECLAKE_LAKE_BUCKET: "aws-security-data-lake-us-east-1-example",
    SECLAKE_LAKE_REGION: "us-east-1",
    SECLAKE_LAKE_ACCOUNT_ID: "111122223333",
    SECLAKE_MAPPINGS_DIR: new URL("../../../mappings/", import.meta.url).pathname,
  });
  const unused = () => {
    throw new Error("not used by Map");
  };
  const deps: HandlerDeps = {
    env,
    staging,
    parameters: { get: unused, put: unused } as unknown as HandlerDeps["parameters"],
    connector: unused,
    lakeWriter: unused,
    telemetry: recordingTelemetry(),
    now: () => new Date("2026-11-25T00:00:00Z"),
  };
  const window = {
    windowId: "w1",
    since: "2026-11-24T00:00:00.000Z",
    until: "2026-11-24T01:00:00.000Z",
    boundaryIds: [],
    cursor: null,
    resumed: false,
    checkpointVersion: 1,
  };
  const result = await makeHandler(deps)({ window, keys: [rawKey], executionId: "exec-1" });
  const read = async (key: string) => {
    const body = await staging.get(key);
    return body ? Buffer.from(body).toString("utf8").trim().split("\n") : [];
  };
  return { result, read };
}

describe("Map handler and Base Event", () => {
  it("counts an unrouted event type as skipped when no custom source takes class 0", async () => {
    const { result, read } = await mapWindow([source("okta-auth", 3002)]);
    expect(result.counts).toMatchObject({ in: 2, skipped: 1, quarantined: 0 });
    expect(result.sources.map((s) => s.classUid)).toEqual([3002]);
    expect(await read(quarantineKey("okta-test", "w1"))).toEqual([]);
  });

  it("writes an unrouted event as Base Event to the custom source for class 0", async () => {
    const { result, read } = await mapWindow([source("okta-auth", 3002), source("okta-other", 0)]);
    expect(result.counts).toMatchObject({ in: 2, mapped: { "0": 1, "3002": 1 }, skipped: 0, quarantined: 0 });
    const base = result.sources.find((s) => s.classUid === 0);
    expect(base).toMatchObject({ customSource: "okta-other", events: 1 });
    const [line] = await read(base?.keys[0] as string);
    expect(JSON.parse(line as string)).toMatchObject({
      class_uid: 0,
      activity_name: "system.example.unrouted",
      metadata: { uid: "unrouted-1" },
    });
    const auth = result.sources.find((s) => s.classUid === 3002);
    const [authLine] = await read(auth?.keys[0] as string);
    expect(JSON.parse(authLine as string).metadata.uid).toBe(mapped.uuid);
  });
});
