/** Time parsing for `_source.yaml` `time` and the time transforms (mappings/README.md, "Times"). */
export type TimeFormat = "auto" | "iso8601" | "epoch_s" | "epoch_ms";

// Date.parse is lenient and engine-specific for non-ISO text, so the accepted forms are spelled out here.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;
const DIGITS = /^-?\d+(?:\.\d+)?$/;
/** Epoch values below this are seconds (10^11 s is the year 5138; 10^11 ms is 1973). */
const SECONDS_BELOW = 1e11;

/** Epoch milliseconds of `value`, or undefined when it is not a time in `format`. */
export function parseTime(value: unknown, format: TimeFormat = "auto"): number | undefined {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || format === "iso8601") return undefined;
    return epoch(value, format);
  }
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (format !== "iso8601" && DIGITS.test(text)) return epoch(Number(text), format);
  if (format === "epoch_s" || format === "epoch_ms") return undefined;
  return parseIso(text);
}

function epoch(n: number, format: TimeFormat): number | undefined {
  const ms =
    format === "epoch_s" ? n * 1000 : format === "epoch_ms" ? n : Math.abs(n) < SECONDS_BELOW ? n * 1000 : n;
  const whole = Math.floor(ms);
  return Number.isSafeInteger(whole) && Math.abs(whole) <= 8.64e15 ? whole : undefined;
}

function parseIso(text: string): number | undefined {
  if (text.length === 24) {
    const fast = parseIsoMillisZ(text);
    if (fast !== null) return fast;
  }
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  const ms = frac === "" ? 0 : Number(frac.slice(0, 3).padEnd(3, "0"));
  let t = utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms);
  if (t === undefined) return undefined;
  if (zone && zone !== "Z" && zone !== "z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    if (offset > 18 * 60) return undefined;
    t -= sign * offset * 60_000;
  }
  return Number.isFinite(t) ? t : undefined;
}

function utc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60)
    return undefined;
  // Date.UTC rolls Feb 30 into March: check the day against the month's length first.
  if (day > daysInMonth(year, month)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/**
 * `YYYY-MM-DDTHH:MM:SS.sssZ` (Okta's `published`, `Date.prototype.toISOString`) read digit by digit: the
 * same result as the ISO regex path, without its match array and substrings on every event. null when
 * the text has another shape (the regex path then decides).
 */
function parseIsoMillisZ(t: string): number | null | undefined {
  if (
    t.charCodeAt(4) !== 45 || // -
    t.charCodeAt(7) !== 45 ||
    t.charCodeAt(10) !== 84 || // T
    t.charCodeAt(13) !== 58 || // :
    t.charCodeAt(16) !== 58 ||
    t.charCodeAt(19) !== 46 || // .
    t.charCodeAt(23) !== 90 // Z
  )
    return null;
  const year = readDigits(t, 0, 4);
  const month = readDigits(t, 5, 2);
  const day = readDigits(t, 8, 2);
  const hour = readDigits(t, 11, 2);
  const minute = readDigits(t, 14, 2);
  const second = readDigits(t, 17, 2);
  const ms = readDigits(t, 20, 3);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || ms < 0) return null;
  return utc(year, month, day, hour, minute, second, ms);
}

/** The decimal value of `count` ASCII digits at `from`, or -1 if one is not a digit. */
function readDigits(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
