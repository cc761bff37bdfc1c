import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../../functions/adapters/localObjectStore.ts";
import { recordingTelemetry } from "../../../functions/adapters/observability.ts";
import type { StagingCatalog } from "../../../functions/core/ports.ts";
import type { HandlerDeps } from "../../../functions/handlers/deps.ts";
import { loadEnvironment } from "../../../functions/handlers/environment.ts";
import { makeHandler } from "../../../functions/handlers/map.ts";

// The second sample is a user.session.start (Authentication, 3002).
const sample = JSON.parse(
  readFileSync(new URL("../../fixtures/okta/samples.ndjson", import.meta.url), "utf8")
    .trim()
    .split("\n")[1] as string,
) as Record<string, unknown>;
const at = (uuid: string, published: string) => JSON.stringify({ ...sample, uuid, published });
const PAGE = [
  at("e1", "2024-05-01T23:59:59.000Z"),
  at("e2", "2024-05-02T00:00:00.000Z"),
  at("e3", "2024-05-01T12:00:00.000Z"),
].join("\n");

function world(catalog?: StagingCatalog) {
  const staging = new LocalObjectStore(mkdtempSync(join(tmpdir(), "seclake-map-staging-")));
  const env = loadEnvironment({
    SECLAKE_CONNECTOR: "okta-test",
    SECLAKE_SOURCE_KIND: "okta",
    SECLAKE_BASE_URL: "https://example.okta.com",
    SECLAKE_SECRET_ID: "okta-test",
    SECLAKE_STAGING_BUCKET: "staging-bucket",
    SECLAKE_CHECKPOINT_PARAMETER: "/seclake/okta-test/checkpoint",
    SECLAKE_CUSTOM_SOURCES: JSON.stringify([
      {
        name: "okta-auth",
        classUid: 3002,
        providerRoleArn: "arn:aws:iam::111122223333:role/provider-okta-auth",
        externalId: "ext",
        lakePrefix: "ext/okta-auth/",
        crawlerName: "lake-okta-auth",
      },
    ]),
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
    now: () => new Date("2024-05-03T00:00:00Z"),
    ...(catalog ? { catalog } : {}),
  };
  const map = async (windowId: string) => {
    const rawKey = `staging/raw/okta-test/${windowId}/page-00001.ndjson.gz`;
    await staging.put(rawKey, gzipSync(`${PAGE}\n`));
    const window = {
      windowId,
      since: "2024-05-01T00:00:00.000Z",
      until: "2024-05-03T00:00:00.000Z",
      boundaryIds: [],
      cursor: null,
      resumed: false,
      checkpointVersion: 1,
    };
    return makeHandler(deps)({ window, keys: [rawKey], executionId: "exec-1" });
  };
  const keys = async () => (await staging.list("staging/ocsf/")).map((o) => o.key);
  return { staging, map, keys };
}

describe("Map stages OCSF by event day and reports the partitions it creates", () => {
  it("writes a part per UTC event day under eventDay=<YYYYMMDD>/<windowId>-<n>.ndjson", async () => {
    const { staging, map, keys } = world();
    const result = await map("w1");
    expect(await keys()).toEqual([
      "staging/ocsf/okta-auth/eventDay=20240501/w1-0.ndjson",
      "staging/ocsf/okta-auth/eventDay=20240502/w1-0.ndjson",
    ]);
    const day1 = Buffer.from(
      (await staging.get("staging/ocsf/okta-auth/eventDay=20240501/w1-0.ndjson")) ?? [],
    )
      .toString("utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { metadata: { uid: string } }).metadata.uid);
    expect(day1.sort()).toEqual(["e1", "e3"]);
    expect(result.sources).toEqual([
      expect.objectContaining({ customSource: "okta-auth", events: 3, newDays: ["20240501", "20240502"] }),
    ]);
    expect(result.newPartitions).toEqual(["okta-auth/eventDay=20240501", "okta-auth/eventDay=20240502"]);
    // Without a catalogue (or before the table exists), only the crawler can add them.
    expect(result.needsCrawl).toEqual(["okta-auth"]);
  });

  it("adds new days to an existing staging table through the catalogue instead of a crawl", async () => {
    const added: [string, readonly string[]][] = [];
    const { map } = world({
      addPartitions: async (source, days) => {
        added.push([source, days]);
        return true;
      },
    });
    const result = await map("w1");
    expect(added).toEqual([["okta-auth", ["20240501", "20240502"]]]);
    expect(result.needsCrawl).toEqual([]);
  });

  it("a day another window already staged is not new; a retry of the same window still is", async () => {
    const { staging, map } = world();
    // w10 shares w1's first characters: it is another window all the same.
    await staging.put("staging/ocsf/okta-auth/eventDay=20240501/w10-0.ndjson", "{}\n");
    const first = await map("w1");
    expect(first.newPartitions).toEqual(["okta-auth/eventDay=20240502"]);
    const retry = await map("w1");
    expect(retry.newPartitions).toEqual(["okta-auth/eventDay=20240502"]);
    expect(retry.keys).toEqual(first.keys);
  });

  it("removes this window's parts that an earlier attempt wrote and this one did not", async () => {
    const { staging, map, keys } = world();
    await staging.put("staging/ocsf/okta-auth/eventDay=20240501/w1-1.ndjson", "{}\n");
    await map("w1");
    expect(await keys()).toEqual([
      "staging/ocsf/okta-auth/eventDay=20240501/w1-0.ndjson",
      "staging/ocsf/okta-auth/eventDay=20240502/w1-0.ndjson",
    ]);
  });
});
