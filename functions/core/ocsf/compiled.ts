import { ocsf } from "./schema.ts";
import type { OcsfAttribute, OcsfClass, OcsfObject } from "./types.ts";

/**
 * Per class/object facts the validator and the caption filler need for every event, worked out once per
 * owner (base types, string checks, ranges, required lists), so the per-event walks do map lookups only.
 */
export interface AttrInfo {
  readonly attr: OcsfAttribute;
  readonly name: string;
  /** The primitive type: string_t, integer_t, long_t, float_t, boolean_t, json_t, object_t. */
  readonly base: string;
  /** For object_t with a defined object type (not `object`): its info, resolved on first use. */
  readonly child: () => OwnerInfo | undefined;
  readonly profile: string | undefined;
  readonly maxLen: number | undefined;
  readonly regex: RegExp | undefined;
  readonly ip: boolean;
  readonly min: number;
  readonly max: number;
  /** Enum id → caption, for `*_id` attributes with an enum. */
  readonly enumValues: ReadonlyMap<number, string> | undefined;
}

export interface OwnerInfo {
  readonly owner: OcsfClass | OcsfObject;
  readonly label: string;
  readonly attrs: ReadonlyMap<string, AttrInfo>;
  readonly required: readonly AttrInfo[];
  readonly atLeastOne: readonly string[] | undefined;
  readonly justOne: readonly string[] | undefined;
  /** The validator's generated walk for this owner, made on first use (owned by validate.ts). */
  checker?: unknown;
}

const INT32: readonly [number, number] = [-2147483648, 2147483647];
const infos = new WeakMap<object, OwnerInfo>();
const regexes = new Map<string, RegExp>();

/** The compiled facts of a class or object (cached). */
export function ownerInfo(owner: OcsfClass | OcsfObject): OwnerInfo {
  const hit = infos.get(owner);
  if (hit) return hit;
  const attrs = new Map<string, AttrInfo>();
  const required: AttrInfo[] = [];
  for (const attr of Object.values(owner.attributes)) {
    const info = attrInfo(attr);
    attrs.set(attr.name, info);
    if (attr.requirement === "required") required.push(info);
  }
  const constraints = (owner as OcsfObject).constraints;
  const info: OwnerInfo = {
    owner,
    label:
      "class_uid" in owner ? `${owner.name} (${(owner as OcsfClass).class_uid})` : `object ${owner.name}`,
    attrs,
    required,
    atLeastOne: constraints?.at_least_one,
    justOne: constraints?.just_one,
    checker: undefined,
  };
  infos.set(owner, info);
  return info;
}

function attrInfo(attr: OcsfAttribute): AttrInfo {
  const base = ocsf.baseType(attr);
  const def = ocsf.type(attr.type);
  let child: OwnerInfo | undefined | null = null;
  const objectType =
    base === "object_t" && attr.object_type && attr.object_type !== "object" ? attr.object_type : undefined;
  const [min, max] = def?.range ?? INT32;
  let regex: RegExp | undefined;
  // The ip_t regex of the schema is huge; node:net's isIP checks the same thing.
  if (def?.regex && attr.type !== "ip_t") {
    regex = regexes.get(def.regex);
    if (!regex) {
      regex = new RegExp(def.regex);
      regexes.set(def.regex, regex);
    }
  }
  return {
    attr,
    name: attr.name,
    base,
    child: () => {
      if (child === null) {
        const obj = objectType ? ocsf.findObject(objectType) : undefined;
        child = obj ? ownerInfo(obj) : undefined;
      }
      return child;
    },
    profile: attr.profile ?? undefined,
    // string_t's 65535 is Parquet page guidance, not a semantic limit (raw_data may be longer).
    maxLen: attr.type === "string_t" ? undefined : def?.max_len,
    regex,
    ip: attr.type === "ip_t",
    min,
    max,
    enumValues: attr.enum
      ? new Map(Object.entries(attr.enum).map(([id, e]) => [Number(id), e.caption] as [number, string]))
      : undefined,
  };
}
