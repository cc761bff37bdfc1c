import document from "../../../mappings/ocsf/ocsf-1.1.0.json" with { type: "json" };
import { SchemaError } from "../errors.ts";
import type { OcsfAttribute, OcsfClass, OcsfObject, OcsfSchemaDocument, OcsfType } from "./types.ts";

export type * from "./types.ts";

/** The OCSF version every mapped event declares in `metadata.version`. */
export const OCSF_VERSION = "1.1.0";

/**
 * Read-only view of the pinned, compiled OCSF 1.1.0 schema (mappings/ocsf/). The JSON is imported, not
 * read from disk, so Lambda bundles and the CLI carry it and nothing reads ../shared at run time.
 */
export class OcsfSchema {
  readonly version: string;
  private readonly byUid = new Map<number, OcsfClass>();

  constructor(private readonly doc: OcsfSchemaDocument) {
    this.version = doc.ocsf_version;
    for (const cls of Object.values(doc.classes)) this.byUid.set(cls.class_uid, cls);
  }

  /** Every class, `base_event` (0) included, in class_uid order. */
  classes(): OcsfClass[] {
    return [...this.byUid.values()].sort((a, b) => a.class_uid - b.class_uid);
  }

  /** The class with this uid (3002) or name (`authentication`); throws `SchemaError` if none. */
  class(key: number | string): OcsfClass {
    const found = this.findClass(key);
    if (!found) throw new SchemaError(`OCSF ${this.version} has no class ${JSON.stringify(key)}`);
    return found;
  }

  findClass(key: number | string): OcsfClass | undefined {
    if (typeof key === "number") return this.byUid.get(key);
    if (/^\d+$/.test(key)) return this.byUid.get(Number(key));
    return this.doc.classes[key];
  }

  /** The object definition (`user`, `metadata`); throws `SchemaError` if none. */
  object(name: string): OcsfObject {
    const found = this.doc.objects[name];
    if (!found) throw new SchemaError(`OCSF ${this.version} has no object ${JSON.stringify(name)}`);
    return found;
  }

  findObject(name: string): OcsfObject | undefined {
    return this.doc.objects[name];
  }

  type(name: string): OcsfType | undefined {
    return this.doc.types[name];
  }

  /** The primitive a type reduces to: `timestamp_t` → `long_t`, `ip_t` → `string_t`, `object_t` stays. */
  baseType(attribute: Pick<OcsfAttribute, "type" | "base_type">): string {
    let name = attribute.base_type ?? attribute.type;
    for (let hops = 0; hops < 8; hops++) {
      const next = this.doc.types[name]?.base_type;
      if (!next || next === name) break;
      name = next;
    }
    return name;
  }

  /** Attributes of a class or object (by the class uid/name or object name), optionally without profiles. */
  attributes(owner: OcsfClass | OcsfObject, options: { profiles?: readonly string[] } = {}): OcsfAttribute[] {
    const all = Object.values(owner.attributes);
    if (!options.profiles) return all;
    const allowed = new Set(options.profiles);
    return all.filter((a) => !a.profile || allowed.has(a.profile));
  }

  /** The attribute `name` of a class or object, or undefined. */
  attribute(owner: OcsfClass | OcsfObject, name: string): OcsfAttribute | undefined {
    return owner.attributes[name];
  }

  /** Caption of an enum value (`activity_id` 1 of Authentication → "Logon"), or undefined. */
  enumCaption(attribute: OcsfAttribute, value: number | string): string | undefined {
    return attribute.enum?.[String(value)]?.caption;
  }

  categoryName(uid: number): string | undefined {
    return Object.values(this.doc.categories).find((c) => c.uid === uid)?.caption;
  }

  /** `type_uid` as OCSF defines it: class_uid * 100 + activity_id. */
  typeUid(classUid: number, activityId: number): number {
    return classUid * 100 + activityId;
  }

  /** `type_name` as the OCSF server renders it: "<class caption>: <activity caption>". */
  typeName(classUid: number, activityId: number): string | undefined {
    const cls = this.findClass(classUid);
    const activity = cls?.attributes.activity_id;
    const caption = activity ? this.enumCaption(activity, activityId) : undefined;
    return cls && caption ? `${cls.caption}: ${caption}` : undefined;
  }
}

/** The project's one schema instance (pinned OCSF 1.1.0). */
export const ocsf = new OcsfSchema(document as unknown as OcsfSchemaDocument);
