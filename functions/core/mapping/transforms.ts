import { isIP } from "node:net";
import type { TransformStep } from "./mappingFile.ts";
import { parseTime } from "./time.ts";

/** One compiled transform: undefined means "no value" (the target stays unset). */
export type Transform = (value: unknown) => unknown;

const INT_TEXT = /^[+-]?\d+$/;
const NUM_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const simple: Record<string, Transform> = {
  lowercase: (v) => (typeof v === "string" ? v.toLowerCase() : v),
  uppercase: (v) => (typeof v === "string" ? v.toUpperCase() : v),
  trim: (v) => (typeof v === "string" ? v.trim() : v),
  to_string: (v) => {
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
    return v === undefined || v === null ? undefined : JSON.stringify(v);
  },
  to_int: (v) => {
    if (typeof v === "number") return Number.isSafeInteger(v) ? v : undefined;
    if (typeof v === "string" && INT_TEXT.test(v.trim())) {
      const n = Number(v.trim());
      return Number.isSafeInteger(n) ? n : undefined;
    }
    return undefined;
  },
  to_float: (v) => {
    if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
    if (typeof v === "string" && NUM_TEXT.test(v.trim())) return Number(v.trim());
    return undefined;
  },
  to_bool: (v) => {
    if (v === true || v === "true" || v === 1 || v === "True" || v === "TRUE") return true;
    if (v === false || v === "false" || v === 0 || v === "False" || v === "FALSE") return false;
    return undefined;
  },
  ip: (v) => normalizeIp(v),
  time: (v) => parseTime(v, "auto"),
  iso8601: (v) => parseTime(v, "iso8601"),
  epoch_s: (v) => parseTime(v, "epoch_s"),
  epoch_ms: (v) => parseTime(v, "epoch_ms"),
  json: (v) => (v === undefined ? undefined : JSON.stringify(v)),
  first: (v) => (Array.isArray(v) ? v[0] : v),
  array: (v) => (Array.isArray(v) ? v : [v]),
  key_values: (v) => {
    if (Array.isArray(v)) return v;
    if (v === null || typeof v !== "object") return undefined;
    const out: string[] = [];
    for (const [k, x] of Object.entries(v)) out.push(`${k}=${typeof x === "string" ? x : JSON.stringify(x)}`);
    return out;
  },
};

/** A valid IPv4/IPv6 address, trimmed, IPv6 lower-cased; anything else → undefined. */
export function normalizeIp(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  let text = value.trim();
  // "[2001:db8::1]" as some APIs write IPv6
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  const kind = isIP(text);
  if (kind === 4) return text;
  if (kind === 6) return text.toLowerCase();
  return undefined;
}

/** Compiles a transform list once; the result runs the steps left to right, stopping at undefined. */
export function compileTransforms(steps: readonly TransformStep[]): Transform | undefined {
  const fns = steps.map(compileStep);
  if (fns.length === 0) return undefined;
  if (fns.length === 1) return fns[0];
  return (value) => {
    let v = value;
    for (const fn of fns) {
      if (v === undefined || v === null) return undefined;
      v = fn(v);
    }
    return v;
  };
}

function compileStep(step: TransformStep): Transform {
  if (typeof step === "string") {
    const fn = simple[step];
    if (!fn) throw new Error(`unknown transform ${JSON.stringify(step)}`);
    return fn;
  }
  if ("split" in step) {
    const sep = step.split;
    return (v) =>
      typeof v === "string"
        ? v
            .split(sep)
            .map((s) => s.trim())
            .filter((s) => s !== "")
        : Array.isArray(v)
          ? v
          : undefined;
  }
  if ("join" in step) {
    const sep = step.join;
    return (v) =>
      Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(sep) : v;
  }
  const prefix = step.prefix;
  return (v) => (typeof v === "string" || typeof v === "number" ? `${prefix}${v}` : undefined);
}
