import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../functions/core/errors.ts";
import { placeholders, renderAsl, sdkIntegrationArn } from "../../../infra/asl.ts";

/** `${Name}`, written so that no string literal looks like a forgotten template. */
const ph = (name: string) => `\${${name}}`;

const template = JSON.stringify({
  StartAt: "Fetch",
  States: {
    Fetch: { Type: "Task", Resource: ph("FetchFunctionArn"), Next: "Crawl" },
    Crawl: {
      Type: "Task",
      Resource: "arn:aws:states:::aws-sdk:glue:startCrawler",
      Parameters: { Name: ph("StagingCrawlerName"), "Path.$": "$.window.windowId" },
      End: true,
    },
  },
});
const values = {
  FetchFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:f",
  StagingCrawlerName: "seclake-dev-x-staging",
};

describe("renderAsl", () => {
  it("fills every placeholder and leaves JSONPath ($.x) alone", () => {
    const out = JSON.parse(renderAsl(template, values, "test.asl.json"));
    expect(out.States.Fetch.Resource).toBe(values.FetchFunctionArn);
    expect(out.States.Crawl.Parameters).toEqual({
      Name: "seclake-dev-x-staging",
      "Path.$": "$.window.windowId",
    });
  });

  it("a placeholder without a value names the placeholder and the file", () => {
    expect(() => renderAsl(template, { FetchFunctionArn: "x" }, "statemachine/c.asl.json")).toThrow(
      new ConfigError(`statemachine/c.asl.json: placeholder ${ph("StagingCrawlerName")} has no value`),
    );
  });

  it("a value without a placeholder names the value and the file", () => {
    expect(() => renderAsl(template, { ...values, CommitFunctionArn: "x" }, "c.asl.json")).toThrow(
      /c\.asl\.json: value given for \$\{CommitFunctionArn\} but the template has no such placeholder/,
    );
  });

  it("escapes values, so a quote cannot break out of its string", () => {
    const out = JSON.parse(renderAsl(template, { ...values, StagingCrawlerName: 'a","Type":"Pass' }, "t"));
    expect(out.States.Crawl.Parameters.Name).toBe('a","Type":"Pass');
    expect(out.States.Crawl.Type).toBe("Task");
  });

  it("the project's state machine has exactly the placeholders infra fills", () => {
    const asl = readFileSync(new URL("../../../statemachine/connector.asl.json", import.meta.url), "utf8");
    expect(placeholders(asl).sort()).toEqual(
      [
        "AcknowledgeFunctionArn",
        "CommitFunctionArn",
        "ConvertFunctionArn",
        "DeliverFunctionArn",
        "FetchFunctionArn",
        "GlueGetCrawlerArn",
        "GlueStartCrawlerArn",
        "LoadCheckpointFunctionArn",
        "MapFunctionArn",
        "RecordFailureFunctionArn",
        "StagingCrawlerName",
      ].sort(),
    );
  });

  it("SDK integration ARNs carry the partition of the region", () => {
    expect(sdkIntegrationArn("aws-cn", "glue", "startCrawler")).toBe(
      "arn:aws-cn:states:::aws-sdk:glue:startCrawler",
    );
    expect(sdkIntegrationArn("aws-us-gov", "glue", "getCrawler")).toBe(
      "arn:aws-us-gov:states:::aws-sdk:glue:getCrawler",
    );
  });
});
