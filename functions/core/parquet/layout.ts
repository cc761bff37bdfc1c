import { InputError } from "../errors.ts";

/** Where a custom source's files go: the Security Lake partition layout's fixed parts. */
export interface LakeLocation {
  /** Security Lake custom source name (one OCSF class per source), e.g. `sailpoint-auth`. */
  readonly customSource: string;
  /** AWS region of the partition path, e.g. `us-east-1`. */
  readonly region: string;
  /** 12-digit AWS account id of the partition path. */
  readonly accountId: string;
  /** Names every object of one pipeline window; the same window always gives the same keys. */
  readonly windowId: string;
  /**
   * The source's location in the lake bucket, ending in "/": `ext/<name>/`, or `ext/<name>/<version>/`
   * for a source created with a sourceVersion (default `ext/<customSource>/`). The provider role may
   * write only below it.
   */
  readonly prefix?: string;
}

const SOURCE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
const WINDOW = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Non-empty segments of [A-Za-z0-9._=-], each ending in "/": no leading "/", no "//". */
const PREFIX = /^([A-Za-z0-9._=-]+\/)+$/;

/** Throws `InputError` naming the field, the value and the expected form, for the first bad field. */
export function checkLocation(location: LakeLocation): void {
  const checks: ReadonlyArray<readonly [keyof LakeLocation, string, RegExp, string]> = [
    [
      "customSource",
      "customSource (--source)",
      SOURCE,
      "1-64 letters, digits, '-' or '_' (a Security Lake custom source name)",
    ],
    ["region", "region (--region)", REGION, "an AWS region such as us-east-1"],
    ["accountId", "accountId (--account)", ACCOUNT, "a 12-digit AWS account id"],
    [
      "windowId",
      "windowId (--window)",
      WINDOW,
      "1-128 letters, digits, '.', '-' or '_' (it becomes part of a file name)",
    ],
  ];
  for (const [field, label, pattern, expected] of checks) {
    const value = location[field] ?? "";
    if (!pattern.test(value))
      throw new InputError(`${label}: expected ${expected}, got ${JSON.stringify(value)}`);
  }
  const prefix = location.prefix;
  if (prefix !== undefined && (!PREFIX.test(prefix) || prefix.includes(".."))) {
    throw new InputError(
      `prefix (lakePrefix): expected a key prefix such as ext/<source>/ or ext/<source>/<version>/ ` +
        `(letters, digits, '.', '_', '=', '-' and '/', ending in '/', no leading '/', no '..'), got ${JSON.stringify(prefix)}`,
    );
  }
}

const DAY_MS = 86_400_000;

/** UTC day number (days since 1970-01-01) of an epoch-millisecond time. */
export function dayNumber(timeMs: number): number {
  return Math.floor(timeMs / DAY_MS);
}

/** `YYYYMMDD` of a UTC day number, as Security Lake's `eventDay` partition value. */
export function eventDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll("-", "");
}

/** `<prefix>region=<r>/accountId=<a>/eventDay=<YYYYMMDD>` (no trailing slash); prefix default `ext/<source>/`. */
export function partitionPrefix(location: LakeLocation, day: string): string {
  const prefix = location.prefix ?? `ext/${location.customSource}/`;
  return `${prefix}region=${location.region}/accountId=${location.accountId}/eventDay=${day}`;
}

/** The object key of part `part` (0, 1, …) of a window in one eventDay partition. */
export function objectKey(location: LakeLocation, day: string, part: number): string {
  return `${partitionPrefix(location, day)}/${location.windowId}-${part}.parquet`;
}
