import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { MIN_SCHEDULE_MINUTES, scheduleProblem } from "../../../infra/schedule.ts";

/** Every `schedule:` value anywhere in a Pulumi.<stack>.yaml. */
function stackSchedules(stack: string): string[] {
  const text = readFileSync(new URL(`../../../Pulumi.${stack}.yaml`, import.meta.url), "utf8");
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === "schedule" && typeof value === "string") found.push(value);
        else walk(value);
      }
    }
  };
  walk(parse(text));
  return found;
}

describe("scheduleProblem accepts", () => {
  it.each([
    "rate(1 hour)",
    "rate(5 minutes)",
    "rate(1 day)",
    "rate(2 days)",
    "rate(90 minutes)",
    "rate(2 hours)",
    "cron(0 12 * * ? *)",
    "cron(5/30 * * * ? *)",
    "cron(0 8 ? * MON-FRI *)",
    "cron(0 0 L * ? *)",
    "cron(0 0 ? * 6#3 *)",
    "cron(15 10 ? * 6L 2027-2030)",
    "cron(0 * * * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(*/10 * * * ? *)",
    "cron(0,30 8-18 ? * MON-FRI *)",
    "cron(55,0 * * * ? *)",
    "cron(0/30 20-2 ? * MON-FRI *)", // AWS's own example: an hours range that wraps past midnight
    "cron(0 9 15W * ? *)",
    "cron(0 9 LW * ? *)",
    "cron(0 0 ? * L *)",
    "cron(0 18 ? JAN,JUL,DEC SUN,SAT *)",
    "cron(0 6 1 1-12/3 ? *)",
    "cron(0 0 1 * ? 2199)",
    "cron(0 0 ? * FRI-MON *)",
    "cron(58,1 9,17 * * ? *)", // 9:58 and 17:01 are hours apart, not 3 minutes
    "cron(58 23,0 * * ? *)",
  ])("%s", (expression) => {
    expect(scheduleProblem(expression)).toBeUndefined();
  });

  it.each(["dev", "prod"])("every schedule in Pulumi.%s.yaml", (stack) => {
    const schedules = stackSchedules(stack);
    expect(schedules.length).toBeGreaterThan(0);
    for (const expression of schedules)
      expect([expression, scheduleProblem(expression)]).toEqual([expression, undefined]);
  });
});

describe("scheduleProblem rejects", () => {
  it.each([
    ["cron(0 12 1 * MON *)", /one of day-of-month and day-of-week must be "\?"/],
    ["cron(0 12 * * * *)", /one of day-of-month and day-of-week must be "\?"/],
    ["cron(0 0 ? * ? *)", /only one of day-of-month and day-of-week can be "\?"/],
    ["cron(0/1 * * * ? *)", /can run 1 minute\(s\) apart; the minimum is every 5 minutes/],
    ["cron(*/2 * * * ? *)", /can run 2 minute\(s\) apart/],
    ["cron(58,1 9-10 * * ? *)", /can run 3 minute\(s\) apart/],
    ["cron(0,58 0,23 * * ? *)", /can run 2 minute\(s\) apart/],
    ["rate(1 minute)", /"rate\(1 minute\)" runs every 1 minute\(s\); the minimum is every 5 minutes/],
    ["rate(4 minutes)", /runs every 4 minute\(s\)/],
    ["rate(0 hours)", /the rate must be at least 1/],
    ["rate(1 hours)", /write "1 hour"/],
    ["rate(5 hour)", /write "5 hours"/],
    ["rate(1 week)", /must be rate\(<n> <minutes\|hours\|days>\) or cron\(<6 fields>\)/],
    ["at(2027-01-01T00:00:00)", /is a one-time schedule; a connector needs a recurring/],
    ["every hour", /must be rate\(/],
    ["RATE(5 minutes)", /must be rate\(/],
    ["cron(0 0 * * ?)", /cron needs 6 fields .*, not 5/],
    ["cron(0 0 1 * * ? *)", /cron needs 6 fields .*, not 7/],
    ["cron()", /cron needs 6 fields .*, not 0/],
    ["cron(60 * * * ? *)", /minutes field "60" must use values 0-59/],
    ["cron(0 24 * * ? *)", /hours field "24" must use values 0-23/],
    ["cron(0 0 32 * ? *)", /day-of-month field "32" must use values 1-31/],
    ["cron(0 0 1-40 * ? *)", /day-of-month field "1-40" must use values 1-31/],
    ["cron(0 0 ? 13 * *)", /month field "13" must use values 1-12 or JAN-DEC/],
    ["cron(0 0 1 JAN-FOO ? *)", /month field "JAN-FOO" can only use 1-12 or JAN-DEC with , - \* \//],
    ["cron(0 0 1 L ? *)", /month field "L" can only use 1-12 or JAN-DEC/],
    ["cron(0 0 ? * 8 *)", /day-of-week field "8" must use values 1-7 or SUN-SAT/],
    ["cron(0 0 ? * 0 *)", /day-of-week field "0" must use values 1-7/],
    ["cron(0 0 ? * mon *)", /day-of-week field "mon" must be in upper case/],
    ["cron(0 0 ? * 1/2 *)", /day-of-week field "1\/2" cannot use "\/"/],
    ["cron(0 0 ? * 3#1,6#3 *)", /must use L, <day>L \(e\.g\. 6L\) or <day>#<1-5> \(e\.g\. 3#2\) alone/],
    ["cron(0 0 ? * 3#6 *)", /day-of-week field "3#6" must use L, <day>L/],
    ["cron(0 0 W * ? *)", /day-of-month field "W" must use L, LW or <day>W/],
    ["cron(0 0 L-2 * ? *)", /day-of-month field "L-2" must use L, LW or <day>W/],
    ["cron(0 0 15W,20 * ? *)", /must use L, LW or <day>W \(e\.g\. 15W\) alone/],
    ["cron(? 0 * * ? *)", /minutes field "\?" cannot use "\?"/],
    ["cron(0 0 1,? * ? *)", /must use "\?" alone/],
    ["cron(0 0 * * ? 1969)", /year field "1969" must use values 1970-2199/],
    ["cron(0 0 * * ? 2030-2027)", /must not run backwards/],
    ["cron(0/0 * * * ? *)", /must use an increment of 1-59/],
    ["cron(0 0/24 * * ? *)", /hours field "0\/24" must use an increment of 1-23/],
  ])("%s", (expression, problem) => {
    const found = scheduleProblem(expression);
    expect(found).toMatch(problem);
    // One sentence that quotes the expression.
    expect(found).toContain(`"${expression}"`);
  });
});

it("the minimum frequency is five minutes", () => {
  expect(MIN_SCHEDULE_MINUTES).toBe(5);
  expect(scheduleProblem("rate(5 minutes)")).toBeUndefined();
  expect(scheduleProblem("cron(0/5 * * * ? *)")).toBeUndefined();
  expect(scheduleProblem("cron(0/4 * * * ? *)")).toMatch(/can run 4 minute\(s\) apart/);
});
