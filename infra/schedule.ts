/**
 * EventBridge Scheduler schedule expressions, checked as the service documents them, plus this project's
 * own rules: a connector needs a recurring schedule that fires at most every MIN_SCHEDULE_MINUTES.
 *
 * Sources:
 * - https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html: at(...), rate(value
 *   unit) with a positive integer value and minute|minutes|hour|hours|day|days, six-field cron(...).
 * - https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html: rate, cron and one-time
 *   schedules; 60-second precision.
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html: the cron field table,
 *   the wildcards, one "#" expression per day-of-week, a "?" in one day field when the other has a value or *.
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html: the unit is singular
 *   for 1 and plural otherwise. (The Scheduler guide lists only plural units and says nothing either way.)
 * Where the docs are silent we take the stricter reading, so that nothing accepted here fails at deploy:
 * "?" in both day fields, lower-case names, L/W/# outside their documented forms (L, LW, nW, nL, n#k),
 * a year range that runs backwards, and an increment wider than the field are all rejected. We do accept
 * a step from "*" (as from the field's first value), LW, and ranges that wrap (AWS's own example has hours
 * 20-2), as Quartz-style cron does.
 */

/** Never schedule a connector more often than this: a run must finish before the next one starts. */
export const MIN_SCHEDULE_MINUTES = 5;

const DAY_MINUTES = 24 * 60;

interface Field {
  name: string;
  min: number;
  max: number;
  /** The wildcards AWS allows in this field, as its docs table lists them. */
  wildcards: string;
  names?: readonly string[];
  /** L, W and # forms, which stand alone in the field. */
  special?: { form: RegExp; hint: string };
}

const FIELDS: readonly Field[] = [
  { name: "minutes", min: 0, max: 59, wildcards: ", - * /" },
  { name: "hours", min: 0, max: 23, wildcards: ", - * /" },
  {
    name: "day-of-month",
    min: 1,
    max: 31,
    wildcards: ", - * ? / L W",
    special: { form: /^(L|LW|([1-9]|[12]\d|3[01])W)$/, hint: "must use L, LW or <day>W (e.g. 15W) alone" },
  },
  {
    name: "month",
    min: 1,
    max: 12,
    wildcards: ", - * /",
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  {
    name: "day-of-week",
    min: 1,
    max: 7,
    wildcards: ", - * ? L #",
    names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    // AWS: with "#" the field holds one expression only ("3#1,6#3" is invalid).
    special: {
      form: /^(L|[1-7]L|[1-7]#[1-5])$/,
      hint: "must use L, <day>L (e.g. 6L) or <day>#<1-5> (e.g. 3#2) alone",
    },
  },
  { name: "year", min: 1970, max: 2199, wildcards: ", - * /" },
];

const ITEM = /^(\*|\d+|[A-Za-z]+)(?:-(\d+|[A-Za-z]+))?(?:\/(\d+))?$/;

/**
 * Why an EventBridge Scheduler expression is not acceptable, or undefined when it is. Rejects anything
 * that can fire more often than every MIN_SCHEDULE_MINUTES minutes, because one execution must end before
 * the next begins (a second concurrent run would open the same checkpoint window).
 */
export function scheduleProblem(expression: string): string | undefined {
  if (/^at\(.*\)$/.test(expression)) {
    return `"${expression}" is a one-time schedule; a connector needs a recurring rate(...) or cron(...) schedule`;
  }
  const rate = /^rate\((0|[1-9]\d*) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) return rateProblem(expression, Number(rate[1]), rate[2] as string);
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return cronProblem(expression, cron[1] as string);
  return `"${expression}" must be rate(<n> <minutes|hours|days>) or cron(<6 fields>)`;
}

function rateProblem(expression: string, n: number, unit: string): string | undefined {
  if (n < 1) return `"${expression}": the rate must be at least 1, e.g. rate(1 hour)`;
  const singular = unit.replace(/s$/, "");
  const wanted = n === 1 ? singular : `${singular}s`;
  if (unit !== wanted) return `"${expression}": write "${n} ${wanted}"`;
  const minutes = n * (singular === "minute" ? 1 : singular === "hour" ? 60 : DAY_MINUTES);
  if (minutes < MIN_SCHEDULE_MINUTES) {
    return `"${expression}" runs every ${minutes} minute(s); the minimum is every ${MIN_SCHEDULE_MINUTES} minutes`;
  }
  return undefined;
}

function cronProblem(expression: string, body: string): string | undefined {
  const fields = body.trim() === "" ? [] : body.trim().split(/\s+/);
  if (fields.length !== FIELDS.length) {
    return `"${expression}": cron needs 6 fields (minutes hours day-of-month month day-of-week year), not ${fields.length}`;
  }
  const values: number[][] = [];
  for (const [i, field] of FIELDS.entries()) {
    const read = readField(fields[i] as string, field);
    if (typeof read === "string") return `"${expression}": the ${field.name} field "${fields[i]}" ${read}`;
    values.push(read);
  }
  const [dayOfMonth, dayOfWeek] = [fields[2], fields[4]];
  if (dayOfMonth === "?" && dayOfWeek === "?") {
    return `"${expression}": only one of day-of-month and day-of-week can be "?"; put * or a value in the other`;
  }
  if (dayOfMonth !== "?" && dayOfWeek !== "?") {
    return `"${expression}": one of day-of-month and day-of-week must be "?", e.g. cron(0 12 1 * ? *) or cron(0 12 ? * MON *)`;
  }
  const gap = smallestGap(values[0] as number[], values[1] as number[]);
  if (gap < MIN_SCHEDULE_MINUTES) {
    return `"${expression}" can run ${gap} minute(s) apart; the minimum is every ${MIN_SCHEDULE_MINUTES} minutes`;
  }
  return undefined;
}

/**
 * The values a cron field selects, or what is wrong with it. "?" and the L/W/# forms select no values
 * here: only the minutes and hours fields feed the frequency check.
 */
function readField(text: string, field: Field): number[] | string {
  for (const c of "?/#") {
    if (text.includes(c) && !field.wildcards.includes(c)) return `cannot use "${c}"`;
  }
  if (text.includes("?")) return text === "?" ? [] : `must use "?" alone`;
  if (field.special?.form.test(text)) return [];
  const out = new Set<number>();
  for (const item of text.split(",")) {
    // L, W and # outside a documented form (names such as WED aside): say which forms there are.
    if (field.special && /[LW#]/.test(item.replace(/[A-Z]{3}/g, ""))) return field.special.hint;
    const m = ITEM.exec(item);
    if (!m) return usage(field);
    const [, first, last, step] = m;
    if (first === "*" && last !== undefined) return usage(field);
    const start = first === "*" ? field.min : value(first as string, field);
    const end = last !== undefined ? value(last, field) : first === "*" || step ? field.max : start;
    if (typeof start === "string") return start;
    if (typeof end === "string") return end;
    // A range may wrap (hours 20-2 is a documented example); a year range cannot.
    if (field.name === "year" && start > end) return "must not run backwards: write the earlier year first";
    const increment = step === undefined ? 1 : Number(step);
    if (increment < 1 || increment > field.max - field.min) {
      return `must use an increment of 1-${field.max - field.min}`;
    }
    for (const v of expand(start, end, increment, field)) out.add(v);
  }
  return [...out];
}

function value(token: string, field: Field): number | string {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= field.min && n <= field.max ? n : `must use values ${allowed(field)}`;
  }
  const index = field.names?.indexOf(token) ?? -1;
  if (index >= 0) return field.min + index;
  // The docs only ever show upper-case names; lower case is not documented as accepted.
  if (field.names?.includes(token.toUpperCase())) return "must be in upper case (e.g. MON, JAN)";
  return usage(field);
}

function allowed(field: Field): string {
  return `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ""}`;
}

function usage(field: Field): string {
  return `can only use ${allowed(field)} with ${field.wildcards}`;
}

/** start, start+step, … up to end, going past max back to min when the range wraps. */
function expand(start: number, end: number, step: number, field: Field): number[] {
  const span = field.max - field.min + 1;
  const length = (end - start + span) % span;
  const out: number[] = [];
  for (let k = 0; k <= length; k += step) out.push(field.min + ((start - field.min + k) % span));
  return out;
}

/**
 * Fewest minutes between two firings, from the minute-of-day times the minutes and hours fields allow.
 * The last firing of one day and the first of the next are counted too: a lower bound when the day
 * fields skip days, exact when they allow consecutive days.
 */
function smallestGap(minutes: number[], hours: number[]): number {
  const times = hours.flatMap((h) => minutes.map((m) => h * 60 + m)).sort((a, b) => a - b);
  let gap = DAY_MINUTES - (times.at(-1) as number) + (times[0] as number);
  for (let i = 1; i < times.length; i++) gap = Math.min(gap, (times[i] as number) - (times[i - 1] as number));
  return gap;
}

/**
 * The longest time in minutes between two firings of a valid expression: how long a connector that runs
 * on this schedule can go without committing. Exact for rates, for crons that run every day, and for crons
 * restricted to days of the week (the longest gap over a week, wrapping); 31 days for crons on days of the
 * month (L, W, #, or a list); undefined when months or years are restricted (the lag alarm then needs an
 * explicit threshold).
 */
export function longestIntervalMinutes(expression: string): number | undefined {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) {
    const unit = rate[2] === "minute" ? 1 : rate[2] === "hour" ? 60 : DAY_MINUTES;
    return Number(rate[1]) * unit;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron || scheduleProblem(expression) !== undefined) return undefined;
  const fields = (cron[1] as string).trim().split(/\s+/);
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (month !== "*" || year !== "*") return undefined;
  const times = (readField(hours, FIELDS[1] as Field) as number[])
    .flatMap((h) => (readField(minutes, FIELDS[0] as Field) as number[]).map((m) => h * 60 + m))
    .sort((a, b) => a - b);
  let days: number[];
  if (dayOfWeek === "?" && dayOfMonth === "*") days = [1, 2, 3, 4, 5, 6, 7];
  else if (dayOfMonth === "?" && dayOfWeek === "*") days = [1, 2, 3, 4, 5, 6, 7];
  else if (dayOfMonth === "?") {
    const selected = readField(dayOfWeek, FIELDS[4] as Field) as number[];
    if (selected.length === 0) return 31 * DAY_MINUTES; // L, nL, n#k: once a month at most
    days = [...new Set(selected)].sort((a, b) => a - b);
  } else return 31 * DAY_MINUTES;
  const week = days.flatMap((d) => times.map((t) => (d - 1) * DAY_MINUTES + t));
  let gap = 7 * DAY_MINUTES - (week.at(-1) as number) + (week[0] as number);
  for (let i = 1; i < week.length; i++) gap = Math.max(gap, (week[i] as number) - (week[i - 1] as number));
  return gap;
}

/** CloudWatch evaluates an alarm over at most 7 days (PutMetricAlarm: Period × EvaluationPeriods). */
export const MAX_ALARM_SECONDS = 7 * 86_400;

/**
 * The checkpoint lag past which a connector counts as stalled: `minutes` when given, else `multiple`
 * times the schedule's longest interval, plus the connector's own `lagSeconds` (a window ends that long
 * before now, so a healthy connector always trails by at least that). Undefined when the schedule's
 * interval cannot be worked out (`longestIntervalMinutes`) and no `minutes` is given.
 */
export function lagThresholdSeconds(p: {
  schedule: string;
  lagSeconds: number;
  multiple: number;
  minutes?: number | undefined;
}): number | undefined {
  if (p.minutes !== undefined) return p.minutes * 60;
  const interval = longestIntervalMinutes(p.schedule);
  return interval === undefined ? undefined : Math.round(p.multiple * interval * 60) + p.lagSeconds;
}
