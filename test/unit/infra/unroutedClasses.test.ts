import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type ConnectorConfig, unroutedClasses } from "../../../infra/config.ts";

const devConnectors = (
  parse(readFileSync(new URL("../../../Pulumi.dev.yaml", import.meta.url), "utf8")) as {
    config: Record<string, unknown>;
  }
).config["seclake-pipelines:connectors"] as ConnectorConfig[];

describe("unroutedClasses", () => {
  it("lists the classes a connector's mappings produce that no custom source takes", () => {
    const okta = devConnectors.find((c) => c.kind === "okta") as ConnectorConfig;
    const onlyAuth = { ...okta, customSources: okta.customSources.filter((s) => s.classUid === 3002) };
    expect(unroutedClasses(onlyAuth)).toEqual([3001, 3004, 3005, 3006, 6003]);
  });

  it("is empty for every connector of the example dev stack", () => {
    for (const connector of devConnectors) expect(unroutedClasses(connector), connector.name).toEqual([]);
  });
});
