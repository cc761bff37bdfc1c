import aslValidator from "asl-validator";
import { describe, expect, it } from "vitest";
import { definitionFor } from "../../functions/core/pipeline/definition.ts";
import { environmentSchema } from "../../functions/handlers/environment.ts";
import { PENDING_LEASE_SECONDS } from "../../infra/lambdaEnvironment.ts";
import definition from "../../statemachine/connector.asl.json" with { type: "json" };

type State = Record<string, unknown> & { Type: string };
type Machine = { StartAt: string; States: Record<string, State> };

/** Every state of the definition with its machine, Map item processors included. */
function allStates(machine: Machine, path: string[] = []): { name: string; path: string[]; state: State }[] {
  return Object.entries(machine.States).flatMap(([name, state]) => {
    const here = { name, path, state };
    const inner = (state.ItemProcessor ?? state.Iterator) as Machine | undefined;
    return inner ? [here, ...allStates(inner, [...path, name])] : [here];
  });
}

const machine = definition as unknown as Machine;
/** `${Name}`, written so that no string literal looks like a forgotten template. */
const placeholder = (name: string) => `\${${name}}`;
const states = allStates(machine);
const tasks = states.filter((s) => s.state.Type === "Task");
const lambdaTasks = tasks.filter((s) => String(s.state.Resource).endsWith("FunctionArn}"));

const LAMBDA_SERVICE_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
];

describe("statemachine/connector.asl.json", () => {
  it("passes asl-validator", () => {
    const result = aslValidator(definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it("has the state names the handlers and the local runner look up", () => {
    const names = states.map((s) => s.name);
    for (const name of [
      "LoadCheckpoint",
      "Fetch",
      "Map",
      "StartCrawler",
      "WaitForCrawler",
      "GetCrawler",
      "IsCrawlerReady",
      "Convert",
      "ConvertSource",
      "StartLakeCrawler",
      "Commit",
      "HasMore",
      "RecordFailure",
      "Fail",
      "Succeed",
    ]) {
      expect(names).toContain(name);
    }
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(machine.States.Convert?.Type).toBe("Map");
    expect(machine.States.Fail?.Type).toBe("Fail");
    expect(machine.States.Fail).toMatchObject({ CausePath: "$.error.Cause", ErrorPath: "$.error.Error" });
  });

  it("gives every Task a commented, capped, jittered Retry", () => {
    for (const { name, state } of tasks) {
      const retry = state.Retry as Record<string, unknown>[] | undefined;
      expect(retry, name).toBeDefined();
      expect(retry?.length, name).toBeGreaterThan(0);
      for (const rule of retry ?? []) {
        expect(rule.Comment, name).toEqual(expect.any(String));
        expect(rule.MaxDelaySeconds, name).toEqual(expect.any(Number));
        expect(rule.JitterStrategy, name).toBe("FULL");
        expect(rule.BackoffRate, name).toBeGreaterThan(1);
        // Only named errors: a catch-all retry would repeat bugs and config errors.
        expect(rule.ErrorEquals, name).not.toContain("States.ALL");
        expect(rule.ErrorEquals, name).not.toContain("States.TaskFailed");
      }
    }
  });

  it("retries Lambda service errors on every Lambda task, and source throttling on Fetch", () => {
    for (const { name, state } of lambdaTasks) {
      const errors = (state.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
      expect(errors, name).toEqual(expect.arrayContaining(LAMBDA_SERVICE_ERRORS));
      expect(errors, name).not.toContain("SourceApiError");
    }
    const fetchRetry = (machine.States.Fetch?.Retry ?? []) as { ErrorEquals: string[] }[];
    const fetchErrors = fetchRetry.flatMap((r) => r.ErrorEquals);
    expect(fetchErrors).toEqual(expect.arrayContaining(["RateLimitedError", "SourceUnavailableError"]));
  });

  it("catches every failure of the main path into RecordFailure with the input kept", () => {
    // Acknowledge runs after Commit: the window is committed, so its failure must not mark it failed.
    const topLevel = Object.entries(machine.States).filter(
      ([name, s]) =>
        (s.Type === "Task" || s.Type === "Map") && name !== "RecordFailure" && name !== "Acknowledge",
    );
    expect(topLevel.length).toBe(8);
    for (const [name, state] of topLevel) {
      const catches = state.Catch as { ErrorEquals: string[]; ResultPath: string; Next: string }[];
      const all = catches?.find((c) => c.ErrorEquals.includes("States.ALL"));
      expect(all, name).toEqual({
        ErrorEquals: ["States.ALL"],
        ResultPath: "$.error",
        Next: "RecordFailure",
      });
    }
    expect(machine.States.RecordFailure).toMatchObject({ Next: "Fail", ResultPath: null });
    const recordCatch = machine.States.RecordFailure?.Catch as { Next: string }[];
    expect(recordCatch.map((c) => c.Next)).toEqual(["Fail"]);
  });

  it("keeps only the crawler State, treats a running crawl as wait-and-poll and caps the poll loop", () => {
    expect(machine.States.GetCrawler).toMatchObject({
      Resource: placeholder("GlueGetCrawlerArn"),
      ResultSelector: { "State.$": "$.Crawler.State" },
      ResultPath: "$.crawler",
    });
    const start = machine.States.StartCrawler as State & {
      Retry: { ErrorEquals: string[] }[];
      Catch: { ErrorEquals: string[]; Next: string }[];
    };
    expect(start.Resource).toBe(placeholder("GlueStartCrawlerArn"));
    expect(start.Retry.flatMap((r) => r.ErrorEquals)).toContain("Glue.CrawlerRunningException");
    expect(start.Catch[0]).toMatchObject({
      ErrorEquals: ["Glue.CrawlerRunningException"],
      Next: "WaitForCrawler",
    });
    const choices = (machine.States.IsCrawlerReady as unknown as { Choices: Record<string, unknown>[] })
      .Choices;
    expect(choices[0]).toMatchObject({ Variable: "$.crawler.State", StringEquals: "READY" });
    expect(choices.some((c) => c.Variable === "$.crawlerPoll.polls" && c.NumericGreaterThanEquals)).toBe(
      true,
    );
  });

  it("bounds the More? loop per execution", () => {
    const choice = machine.States.HasMore as unknown as { Choices: { And: Record<string, unknown>[] }[] };
    expect(choice.Choices[0]?.And).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Variable: "$.loop.iteration", NumericLessThan: 10 }),
      ]),
    );
  });

  it("times out an execution before its pending-window lease runs out", () => {
    const timeout = (definition as { TimeoutSeconds?: number }).TimeoutSeconds;
    // The lease infra deploys, and the handlers' default (used by the local run).
    const defaultLease = environmentSchema.shape.SECLAKE_PENDING_LEASE_SECONDS.parse(undefined);
    expect(timeout).toBeGreaterThan(0);
    expect(timeout).toBeLessThan(PENDING_LEASE_SECONDS);
    expect(timeout).toBeLessThan(defaultLease);
  });

  it("uses exactly the placeholders infra substitutes", () => {
    const text = JSON.stringify(definition);
    const found = [...new Set([...text.matchAll(/\$\{([A-Za-z]+)\}/g)].map((m) => m[1]))].sort();
    expect(found).toEqual([
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
    ]);
    for (const p of found) expect(p).toMatch(/^[A-Z][A-Za-z]+(Arn|Name)$/);
    // No ARN, partition or account id typed into the definition: China and GovCloud use aws-cn and
    // aws-us-gov, so every ARN comes from infra, which knows the partition.
    expect(text).not.toMatch(/arn:aws/);
    expect(text).not.toMatch(/\d{12}/);
  });

  it("ends successfully, saying so, when another execution holds the window", () => {
    expect(machine.States.LoadCheckpoint).toMatchObject({ ResultPath: "$.claim", Next: "WindowClaimed" });
    const choice = machine.States.WindowClaimed as unknown as {
      Choices: Record<string, unknown>[];
      Default: string;
    };
    expect(choice.Choices).toEqual([
      { Variable: "$.claim.heldBy", IsPresent: true, Next: "AnotherExecutionAtWork" },
    ]);
    expect(machine.States.AnotherExecutionAtWork).toMatchObject({
      Type: "Pass",
      End: true,
      Parameters: { outcome: "another-execution-at-work", "heldBy.$": "$.claim.heldBy" },
    });
    expect(machine.States[choice.Default]).toMatchObject({
      InputPath: "$.claim.window",
      ResultPath: "$.window",
    });
  });

  it("never fails a window over Security Lake's crawler: every error of its start is caught and recorded", () => {
    const inner = (machine.States.Convert as unknown as { ItemProcessor: Machine }).ItemProcessor.States;
    const start = inner.StartLakeCrawler as State & { Catch: { ErrorEquals: string[]; Next: string }[] };
    expect(start.Catch.at(-1)).toMatchObject({ ErrorEquals: ["States.ALL"], Next: "LakeCrawlerNotStarted" });
    // Every path to SourceConverted sets $.lakeCrawler, which SourceConverted (and then Commit) reads.
    for (const name of [
      "StartLakeCrawler",
      "LakeCrawlerAlreadyRunning",
      "LakeCrawlerNotStarted",
      "NoLakeCrawler",
    ]) {
      expect(inner[name], name).toMatchObject({ ResultPath: "$.lakeCrawler" });
    }
    expect(inner.SourceConverted).toMatchObject({ Parameters: { "lakeCrawler.$": "$.lakeCrawler" } });
    // The Map's own Catch (to RecordFailure) is then reached by Convert errors only.
    expect(machine.States.Commit).toMatchObject({ Parameters: { "convert.$": "$.convert" } });
    expect(machine.States.NothingToConvert).toMatchObject({
      Result: [],
      ResultPath: "$.convert",
      Next: "Commit",
    });
  });
});

describe("one definition for both modes (functions/core/pipeline/definition.ts)", () => {
  it("push runs the template as written; pull has a Pass for Acknowledge and no function to deploy for it", () => {
    expect(definitionFor(definition, { mode: "push", cloudTrailLake: true })).toEqual(definition);
    const pull = definitionFor(definition, { mode: "pull", cloudTrailLake: true }) as unknown as Machine;
    expect(pull.States.Acknowledge).toMatchObject({ Type: "Pass", Next: machine.States.Acknowledge?.Next });
    expect(pull.States.AcknowledgeFailed).toBeUndefined();
    expect(JSON.stringify(pull)).not.toContain("AcknowledgeFunctionArn");
    const { isValid, errors } = aslValidator(pull);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
    // Every other state is the template's.
    for (const [name, state] of Object.entries(machine.States)) {
      if (!name.startsWith("Acknowledge")) expect(pull.States[name], name).toEqual(state);
    }
  });

  it("without a CloudTrail Lake channel, Deliver is a Pass between Convert and Commit", () => {
    const plain = definitionFor(definition, { mode: "pull" }) as unknown as Machine;
    expect(machine.States.Convert?.Next).toBe("Deliver");
    expect(machine.States.Deliver).toMatchObject({ Type: "Task", Next: "Commit", ResultPath: "$.deliver" });
    expect(plain.States.Deliver).toMatchObject({ Type: "Pass", Next: "Commit", ResultPath: "$.deliver" });
    expect(JSON.stringify(plain)).not.toMatch(/DeliverFunctionArn|AcknowledgeFunctionArn/);
    expect(aslValidator(plain).errors).toEqual([]);
  });

  it("acknowledges after Commit, and a failed acknowledgement goes on instead of failing the committed window", () => {
    expect(machine.States.Commit?.Next).toBe("Acknowledge");
    const ack = machine.States.Acknowledge as State & { Catch: { ErrorEquals: string[]; Next: string }[] };
    expect(ack.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ["States.ALL"], Next: "AcknowledgeFailed" }),
    ]);
    expect(machine.States.AcknowledgeFailed?.Next).toBe(ack.Next);
  });
});
