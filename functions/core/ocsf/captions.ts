import { ocsf } from "./schema.ts";
import type { OcsfClass, OcsfObject } from "./types.ts";

/**
 * Fills the caption sibling of every enum `*_id` in `value` (activity_name, severity, status, user.type,
 * class_name, type_name …) from the pinned schema, in place. A caption already present next to id 99
 * (Other) is kept: OCSF lets "Other" carry the source's own label. Ids that are not in the enum are left
 * for the validator to report.
 */
export function fillCaptions(value: Record<string, unknown>, owner: OcsfClass | OcsfObject): void {
  const attrs = owner.attributes;
  for (const key of Object.keys(value)) {
    const attr = attrs[key];
    if (!attr) continue;
    const v = value[key];
    if (attr.enum && attr.sibling) {
      if (typeof v !== "number") continue;
      if (v === 99) {
        const custom = value[attr.sibling];
        if (typeof custom === "string" && custom !== "") continue;
      }
      const caption = attr.enum[String(v)]?.caption;
      if (caption !== undefined) value[attr.sibling] = caption;
      continue;
    }
    const type = attr.object_type;
    if (!type || type === "object" || v === null || typeof v !== "object") continue;
    const child = ocsf.findObject(type);
    if (!child) continue;
    if (Array.isArray(v)) {
      for (const el of v) {
        if (el !== null && typeof el === "object" && !Array.isArray(el))
          fillCaptions(el as Record<string, unknown>, child);
      }
    } else {
      fillCaptions(v as Record<string, unknown>, child);
    }
  }
}
