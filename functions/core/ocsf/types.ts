/** Shapes of the compiled OCSF schema (mappings/ocsf/README.md, "JSON shape"). */

export type Requirement = "required" | "recommended" | "optional";

export interface EnumValue {
  readonly caption: string;
  readonly description?: string;
}

export interface OcsfAttribute {
  readonly name: string;
  readonly caption: string;
  readonly type: string;
  readonly base_type?: string;
  readonly object_type?: string;
  readonly is_array: boolean;
  readonly requirement: Requirement;
  readonly description: string;
  readonly group?: string;
  readonly profile?: string | null;
  readonly enum?: Readonly<Record<string, EnumValue>>;
  /** On an `_id` attribute: the name of its caption sibling (`activity_id` → `activity_name`). */
  readonly sibling?: string;
  /** On a caption attribute: the `_id` attribute it names. */
  readonly sibling_of?: string;
  readonly deprecated?: unknown;
}

export interface OcsfClass {
  readonly name: string;
  readonly caption: string;
  readonly class_uid: number;
  readonly uid: number;
  readonly category: string;
  readonly category_uid: number;
  readonly category_name: string;
  readonly extends?: string;
  readonly description: string;
  readonly profiles: readonly string[];
  readonly attributes: Readonly<Record<string, OcsfAttribute>>;
  readonly deprecated?: unknown;
}

export interface OcsfObject {
  readonly name: string;
  readonly caption: string;
  readonly extends?: string;
  readonly description?: string;
  readonly profiles?: readonly string[];
  readonly constraints?: { readonly at_least_one?: readonly string[]; readonly just_one?: readonly string[] };
  readonly attributes: Readonly<Record<string, OcsfAttribute>>;
  readonly deprecated?: unknown;
}

export interface OcsfType {
  readonly caption: string;
  readonly base_type?: string;
  readonly description?: string;
  readonly range?: readonly [number, number];
  readonly max_len?: number;
  readonly regex?: string;
}

export interface OcsfCategory {
  readonly uid: number;
  readonly caption: string;
  readonly description: string;
}

export interface OcsfSchemaDocument {
  readonly ocsf_version: string;
  readonly source: { readonly repository: string; readonly ref: string; readonly commit: string };
  readonly categories: Readonly<Record<string, OcsfCategory>>;
  readonly profiles: Readonly<Record<string, { caption: string; attributes: readonly string[] }>>;
  readonly types: Readonly<Record<string, OcsfType>>;
  readonly classes: Readonly<Record<string, OcsfClass>>;
  readonly objects: Readonly<Record<string, OcsfObject>>;
}
