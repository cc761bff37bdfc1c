import { InputError } from "../errors.ts";

/**
 * How often an EventBridge Scheduler expression runs, roughly: enough to price a month of runs. Assumes
 * the expression is valid (infra/schedule.ts checks it); the year field is ignored, and day-of-month
 * forms (L, W, lists) count as that many days of an average month.
 */

/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
const MINUTES_PER_DAY = 1440;

export interface ScheduleStats {
  readonly runsPerMonth: number;
  /** Clock hours with at least one run: what a custom metric sent once per run is billed for. */
  readonly hoursWithRunsPerMonth: number;
  /** Days with at least one run: at most one new event day (partition) each. */
  readonly daysWithRunsPerMonth: number;
  /** Average time between runs. */
  readonly meanIntervalMinutes: number;
}

export function scheduleStats(expression: string): ScheduleStats {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const unit = (rate[2] as string).startsWith("minute") ? 1 : rate[2]?.startsWith("hour") ? 60 : 1440;
    const interval = Number(rate[1]) * unit;
    if (interval <= 0) throw new InputError(`schedule "${expression}": the rate must be positive`);
    const runs = (HOURS_PER_MONTH * 60) / interval;
    return {
      runsPerMonth: runs,
      hoursWithRunsPerMonth: Math.min(HOURS_PER_MONTH, runs),
      daysWithRunsPerMonth: Math.min(DAYS_PER_MONTH, runs),
      meanIntervalMinutes: interval,
    };
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) throw new InputError(`schedule "${expression}": expected rate(<n> <unit>) or cron(<6 fields>)`);
  const fields = (cron[1] as string).trim().split(/\s+/);
  if (fields.length !== 6) throw new InputError(`schedule "${expression}": cron needs 6 fields`);
  const [minutes, hours, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  const perDay = count(minutes, 0, 59) * count(hours, 0, 23);
  const days = daysPerMonth(dayOfMonth, dayOfWeek) * (count(month, 1, 12, MONTHS) / 12);
  const runs = perDay * days;
  if (runs <= 0) throw new InputError(`schedule "${expression}": never runs`);
  return {
    runsPerMonth: runs,
    hoursWithRunsPerMonth: count(hours, 0, 23) * days,
    daysWithRunsPerMonth: days,
    meanIntervalMinutes: (DAYS_PER_MONTH * MINUTES_PER_DAY) / runs,
  };
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** Days a month the two day fields select (one of them is "?"). */
function daysPerMonth(dayOfMonth: string, dayOfWeek: string): number {
  if (dayOfMonth === "?") {
    // L, 5L, 3#2: one weekday a month.
    if (/[L#]/.test(dayOfWeek)) return 1;
    return (count(dayOfWeek, 1, 7, WEEKDAYS) / 7) * DAYS_PER_MONTH;
  }
  // L, LW, 15W: one day a month.
  if (/[LW]/.test(dayOfMonth)) return 1;
  // Days 29-31 are missing from some months: each day of the month occurs in DAYS_PER_MONTH / 31 of them.
  return count(dayOfMonth, 1, 31) * (DAYS_PER_MONTH / 31);
}

/** How many values of [min, max] a cron field selects: *, n, a-b, lists, and /step on any of them. */
function count(field: string, min: number, max: number, names: readonly string[] = []): number {
  const selected = new Set<number>();
  for (const item of field.split(",")) {
    const [range = "*", stepText] = item.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    let [from, to] = range === "*" ? [min, max] : range.split("-").map((v) => value(v, min, names));
    if (from === undefined || !Number.isFinite(from)) throw new InputError(`cron field "${field}"`);
    if (to === undefined) to = stepText === undefined ? from : max;
    const span = max - min + 1;
    // A range may wrap (hours 22-2).
    const length = (((to - from) % span) + span) % span;
    for (let k = 0; k <= length; k += step) selected.add(min + ((from - min + k) % span));
  }
  return selected.size;
}

function value(text: string, min: number, names: readonly string[]): number {
  const index = names.indexOf(text.toUpperCase());
  return index >= 0 ? min + index : Number(text);
}
