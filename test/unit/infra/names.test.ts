import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../functions/core/errors.ts";
import { connectorNames, FUNCTION_ROLES, functionRolesFor, kebab } from "../../../infra/names.ts";

const allNames = (stack: string, connector: string) => {
  const n = connectorNames(stack, connector);
  return [
    ...FUNCTION_ROLES.flatMap((r) => [n.function(r), n.functionRole(r), n.functionLogGroup(r)]),
    n.stateMachine,
    n.stateMachineRole,
    n.stateMachineLogGroup,
    n.schedule,
    n.scheduleRole,
    n.checkpointParameter,
    n.secret,
    n.stagingBucketPrefix,
    n.stagingDatabase,
    n.stagingCrawler,
    n.stagingCrawlerRole,
    n.lakeCrawlerRole,
    n.failedExecutionsAlarm,
    n.queue,
    n.deadLetterQueue,
    n.intakeRule,
    n.deadLetterAlarm,
    n.queueAgeAlarm,
  ];
};

describe("connector names", () => {
  it("derives every physical name from stack and connector", () => {
    const n = connectorNames("dev", "sailpoint-prod");
    expect(n.function("recordFailure")).toBe("seclake-dev-sailpoint-prod-record-failure");
    expect(n.stateMachine).toBe("seclake-dev-sailpoint-prod");
    expect(n.checkpointParameter).toBe("/seclake/dev/sailpoint-prod/checkpoint");
    expect(n.secret).toBe("seclake/dev/sailpoint-prod/credentials");
    expect(n.stagingDatabase).toBe("seclake_dev_sailpoint_prod_staging");
    expect(n.stateMachineLogGroup).toBe("/aws/vendedlogs/states/seclake-dev-sailpoint-prod");
    expect(n.stagingBucketPrefix).toBe("seclake-dev-sailpoint-prod-");
  });

  it("kebab-cases function roles", () => {
    expect(FUNCTION_ROLES.map(kebab)).toEqual([
      "load-checkpoint",
      "fetch",
      "map",
      "convert",
      "commit",
      "acknowledge",
      "record-failure",
    ]);
  });

  it("a pull connector has six functions, a push connector also Acknowledge, in ASL order", () => {
    expect(functionRolesFor("pull")).toEqual([
      "loadCheckpoint",
      "fetch",
      "map",
      "convert",
      "commit",
      "recordFailure",
    ]);
    expect(functionRolesFor("push")).toEqual(FUNCTION_ROLES);
  });

  it("push intake names: SQS queue names (<= 80 of A-Z a-z 0-9 - _), an EventBridge rule name (<= 64)", () => {
    const n = connectorNames("dev", "okta-push");
    expect([n.queue, n.deadLetterQueue, n.intakeRule]).toEqual([
      "seclake-dev-okta-push-events",
      "seclake-dev-okta-push-events-dlq",
      "seclake-dev-okta-push-intake",
    ]);
    for (const q of [n.queue, n.deadLetterQueue]) expect(q).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(n.intakeRule).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
  });

  it("two stacks or two connectors never share a name", () => {
    const a = new Set(allNames("dev", "okta"));
    for (const other of [allNames("prod", "okta"), allNames("dev", "okta-eu")]) {
      for (const name of other) expect(a.has(name), name).toBe(false);
    }
  });

  it("a name past an AWS limit fails with the name, the limit and what to shorten", () => {
    expect(() => connectorNames("dev", "a-very-long-connector-name-for-tenant-x")).toThrow(ConfigError);
    expect(() => connectorNames("dev", "a-very-long-connector-name-for-tenant-x")).toThrow(
      /is \d+ characters, the limit is (64|37): shorten the stack name "dev" or the connector name/,
    );
  });

  it("rejects upper case, underscores and path characters in stack or connector", () => {
    for (const bad of ["Okta", "okta_prod", "okta/prod", "-okta", "okta-", "okta--prod", "1okta"]) {
      expect(() => connectorNames("dev", bad), bad).toThrow(/connectors: name/);
    }
    expect(() => connectorNames("Dev", "okta")).toThrow(/stack name "Dev"/);
  });

  it("property: a pair is accepted exactly when the longest name (the load-checkpoint Lambda) fits 64", () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
    const part = fc.array(word, { minLength: 1, maxLength: 4 }).map((words) => words.join("-"));
    fc.assert(
      fc.property(part, part, (stack, connector) => {
        const fits = `seclake-${stack}-${connector}-load-checkpoint`.length <= 64;
        let accepted = true;
        try {
          const n = connectorNames(stack, connector);
          expect(n.stagingBucketPrefix.length).toBeLessThanOrEqual(37);
          const sixtyFour = [
            ...FUNCTION_ROLES.flatMap((r) => [n.function(r), n.functionRole(r)]),
            n.schedule,
            n.intakeRule,
          ];
          expect(sixtyFour.filter((name) => name.length > 64)).toEqual([]);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          accepted = false;
        }
        expect(accepted).toBe(fits);
      }),
      { numRuns: 300 },
    );
  });
});
