import { preview } from "../errors.ts";
import { type OwnerInfo, ownerInfo } from "../ocsf/compiled.ts";
import { USED_PROFILES } from "../ocsf/profiles.ts";
import { ocsf } from "../ocsf/schema.ts";
import { validateEvent } from "../ocsf/validate.ts";
import { isObject } from "./paths.ts";

/**
 * The `ocsf` source (DESIGN.md §3): for producers that already emit OCSF 1.1.0 (Monad, Tenzir, AppFabric,
 * a customer's own code). An event is taken as it is — no `raw_data` added, `metadata` kept — except that
 * an attribute its class (or an object inside it) does not define, or one of a profile the event does not
 * declare, moves into `unmapped` at the same path: counted, never dropped. Then it is validated like any
 * mapped event, and routed by its `class_uid`.
 */
export type PassThroughOutcome =
  | { kind: "mapped"; classUid: number; event: Record<string, unknown>; moved: number }
  | { kind: "quarantined"; eventType?: string; reason: { path: string; message: string } };

export function passThroughRecord(raw: unknown): PassThroughOutcome {
  let event: unknown = raw;
  if (typeof raw === "string") {
    let text = raw.trim();
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1).trim();
    try {
      event = JSON.parse(text);
    } catch (error) {
      return { kind: "quarantined", reason: { path: "$", message: `not JSON: ${(error as Error).message}` } };
    }
  }
  if (!isObject(event)) {
    return {
      kind: "quarantined",
      reason: { path: "$", message: `expected a JSON object, got ${preview(event)}` },
    };
  }
  const classUid = event.class_uid;
  const cls =
    typeof classUid === "number" && Number.isInteger(classUid) ? ocsf.findClass(classUid) : undefined;
  if (!cls) {
    return {
      kind: "quarantined",
      ...(classUid !== undefined ? { eventType: String(classUid) } : {}),
      reason: {
        path: "class_uid",
        message: `expected the uid of an OCSF ${ocsf.version} class, got ${preview(classUid)}`,
      },
    };
  }
  const eventType = String(classUid);
  const profiles = declaredProfiles(event, cls.profiles);
  const moved = { count: 0 };
  const extra = moveUndefined(event, ownerInfo(cls), profiles, moved);
  if (extra !== undefined) {
    const existing = event.unmapped;
    if (existing !== undefined && !isObject(existing)) {
      return {
        kind: "quarantined",
        eventType,
        reason: { path: "unmapped", message: `expected an object, got ${preview(existing)}` },
      };
    }
    event.unmapped = existing === undefined ? extra : merge(existing, extra);
  }
  const issues = validateEvent(event);
  if (issues.length > 0) {
    const first = issues[0] as { path: string; message: string };
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    return {
      kind: "quarantined",
      eventType,
      reason: { path: first.path, message: `${first.message}${more}` },
    };
  }
  return { kind: "mapped", classUid: cls.class_uid, event, moved: moved.count };
}

/** The profiles `metadata.profiles` declares that the class supports and this project uses. */
function declaredProfiles(event: Record<string, unknown>, supported: readonly string[]): Set<string> {
  const out = new Set<string>();
  const declared = isObject(event.metadata) ? event.metadata.profiles : undefined;
  if (!Array.isArray(declared)) return out;
  for (const p of declared) {
    if (typeof p === "string" && supported.includes(p) && (USED_PROFILES as readonly string[]).includes(p))
      out.add(p);
  }
  return out;
}

/**
 * Removes from `value` (in place) every key its owner does not define, recursing into objects and arrays
 * of objects, and returns what it removed with the same nesting (arrays element by element, `null` where
 * an element lost nothing), or undefined when nothing was removed.
 */
function moveUndefined(
  value: Record<string, unknown>,
  info: OwnerInfo,
  profiles: ReadonlySet<string>,
  moved: { count: number },
): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  const take = (key: string, v: unknown) => {
    out ??= {};
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  };
  for (const key of Object.keys(value)) {
    const a = info.attrs.get(key);
    const v = value[key];
    if (!a || (a.profile !== undefined && !profiles.has(a.profile))) {
      take(key, v);
      delete value[key];
      moved.count++;
      continue;
    }
    const child = a.base === "object_t" ? a.child() : undefined;
    if (!child) continue;
    if (isObject(v)) {
      const rest = moveUndefined(v, child, profiles, moved);
      if (rest !== undefined) take(key, rest);
    } else if (Array.isArray(v)) {
      let any = false;
      const rests = v.map((el) => {
        const rest = isObject(el) ? moveUndefined(el, child, profiles, moved) : undefined;
        if (rest !== undefined) any = true;
        return rest ?? null;
      });
      if (any) take(key, rests);
    }
  }
  return out;
}

/** `extra` merged into the producer's own `unmapped` (its values win where both have a key). */
function merge(existing: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...extra };
  for (const [key, v] of Object.entries(existing)) {
    const e = out[key];
    out[key] = isObject(e) && isObject(v) ? merge(v, e) : v;
  }
  return out;
}
