import { describe, expect, it } from "vitest";
import { DAYS_PER_MONTH, HOURS_PER_MONTH, scheduleStats } from "../../../functions/core/cost/schedule.ts";
import { InputError } from "../../../functions/core/errors.ts";

describe("scheduleStats", () => {
  it.each([
    ["rate(1 hour)", 730, 730, DAYS_PER_MONTH, 60],
    ["rate(5 minutes)", 8760, 730, DAYS_PER_MONTH, 5],
    ["rate(90 minutes)", 486.67, 486.67, DAYS_PER_MONTH, 90],
    ["rate(2 days)", 15.21, 15.21, 15.21, 2880],
    ["cron(0 * * * ? *)", 730, 730, DAYS_PER_MONTH, 60],
    ["cron(0/15 * * * ? *)", 2920, 730, DAYS_PER_MONTH, 15],
    ["cron(30 2 * * ? *)", DAYS_PER_MONTH, DAYS_PER_MONTH, DAYS_PER_MONTH, 1440],
  ])("%s runs %d times a month in %d hours on %d days", (expression, runs, hours, days, interval) => {
    const s = scheduleStats(expression);
    expect(s.runsPerMonth).toBeCloseTo(runs, 1);
    expect(s.hoursWithRunsPerMonth).toBeCloseTo(hours, 1);
    expect(s.daysWithRunsPerMonth).toBeCloseTo(days, 1);
    expect(s.meanIntervalMinutes).toBeCloseTo(interval, 1);
  });

  it("counts weekdays, hour ranges, lists and names", () => {
    // Every 15 minutes from 08:00 to 17:45 on weekdays: 4 × 10 a day on 5/7 of the days.
    const weekdays = scheduleStats("cron(0/15 8-17 ? * MON-FRI *)");
    expect(weekdays.runsPerMonth).toBeCloseTo(40 * (5 / 7) * DAYS_PER_MONTH, 6);
    expect(weekdays.hoursWithRunsPerMonth).toBeCloseTo(10 * (5 / 7) * DAYS_PER_MONTH, 6);
    // A wrapping hour range and a list of days of the month.
    expect(scheduleStats("cron(0 22-1 1,15 * ? *)").runsPerMonth).toBeCloseTo(
      4 * 2 * (DAYS_PER_MONTH / 31),
      6,
    );
    // Once a month (last day), on some months only.
    expect(scheduleStats("cron(0 12 L * ? *)").runsPerMonth).toBe(1);
    expect(scheduleStats("cron(0 12 L JAN,JUL ? *)").runsPerMonth).toBeCloseTo(2 / 12, 6);
    expect(scheduleStats("cron(0 9 ? * 2#1 *)").runsPerMonth).toBe(1);
  });

  it("never bills a metric for more hours than a month has", () => {
    expect(scheduleStats("rate(5 minutes)").hoursWithRunsPerMonth).toBe(HOURS_PER_MONTH);
  });

  it.each(["at(2025-01-01T00:00:00)", "rate(hourly)", "cron(0 * * *)"])("rejects %s", (expression) => {
    expect(() => scheduleStats(expression)).toThrow(InputError);
  });
});
