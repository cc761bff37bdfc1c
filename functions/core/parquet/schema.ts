import {
  Bool,
  type DataType,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  Schema,
  Struct,
  Timestamp,
  TimeUnit,
  Utf8,
} from "apache-arrow";
import { SchemaError } from "../errors.ts";
import { USED_PROFILES } from "../ocsf/profiles.ts";
import { ocsf } from "../ocsf/schema.ts";
import type { OcsfAttribute } from "../ocsf/types.ts";

/** Struct nesting kept as Arrow structs; objects below this depth become JSON text (DESIGN.md §3). */
export const DEFAULT_OBJECT_DEPTH = 3;

/**
 * How a leaf stores its OCSF value:
 * - `utf8` string types; `json` any JSON value, stored as its JSON text (json_t, `object`, cut objects);
 * - `int32` integer_t/port_t; `int64` long_t/timestamp_t (epoch ms); `float64`; `bool`;
 * - `timestamp` the datetime profile's `*_dt` (RFC 3339 string in, timestamp(ms, UTC) out).
 */
export type LeafKind = "utf8" | "json" | "int32" | "int64" | "float64" | "bool" | "timestamp";

export interface LeafColumn {
  readonly kind: LeafKind;
  readonly name: string;
  /** On a `json` column standing for an OCSF object cut at the depth limit: the JSON value it must hold. */
  readonly shape?: "object" | "objects";
  /** Dotted OCSF path from the event root, with `[]` for list elements (`observables[].value`). */
  readonly path: string;
}
export interface StructColumn {
  readonly kind: "struct";
  readonly name: string;
  readonly path: string;
  readonly children: readonly ColumnNode[];
}
export interface ListColumn {
  readonly kind: "list";
  readonly name: string;
  readonly path: string;
  readonly element: LeafColumn | StructColumn;
}
export type ColumnNode = LeafColumn | StructColumn | ListColumn;

export interface ClassSchemaOptions {
  /** Object nesting kept as structs (default 3). */
  readonly depth?: number;
  /** Profiles whose attributes are included (default USED_PROFILES: cloud, host, datetime). */
  readonly profiles?: readonly string[];
}

/** The fixed column tree and its Arrow schema for one OCSF class. */
export interface ClassSchema {
  readonly classUid: number;
  readonly className: string;
  readonly root: StructColumn;
  readonly arrow: Schema;
}

/**
 * Derives the Arrow schema of an OCSF class from the pinned OCSF 1.1.0 schema, never from data: the same
 * class and options always give the same columns, types and order (attributes sorted by name at every
 * level), so every file of a custom source has one schema (no HIVE_PARTITION_SCHEMA_MISMATCH in Athena).
 * Every field is nullable; list children are named "element" (Parquet's 3-level LIST that Glue expects).
 */
export function classSchema(classUid: number | string, options: ClassSchemaOptions = {}): ClassSchema {
  const depth = options.depth ?? DEFAULT_OBJECT_DEPTH;
  const profiles = new Set(options.profiles ?? USED_PROFILES);
  const cls = ocsf.class(classUid);
  const children = attributeColumns(Object.values(cls.attributes), "", 0, depth, profiles);
  const root: StructColumn = { kind: "struct", name: "", path: "", children };
  return {
    classUid: cls.class_uid,
    className: cls.name,
    root,
    arrow: new Schema(children.map(arrowField)),
  };
}

const cache = new Map<string, ClassSchema>();

/** `classSchema` with default options, memoised (schemas are immutable). */
export function defaultClassSchema(classUid: number): ClassSchema {
  const key = String(classUid);
  let found = cache.get(key);
  if (!found) {
    found = classSchema(classUid);
    cache.set(key, found);
  }
  return found;
}

function attributeColumns(
  attributes: readonly OcsfAttribute[],
  prefix: string,
  level: number,
  depth: number,
  profiles: ReadonlySet<string>,
): ColumnNode[] {
  return attributes
    .filter((a) => !a.profile || profiles.has(a.profile))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((a) => attributeColumn(a, prefix ? `${prefix}.${a.name}` : a.name, level, depth, profiles));
}

function attributeColumn(
  attribute: OcsfAttribute,
  path: string,
  level: number,
  depth: number,
  profiles: ReadonlySet<string>,
): ColumnNode {
  const name = attribute.name;
  const elementPath = `${path}[]`;
  const valuePath = attribute.is_array ? elementPath : path;
  let value: LeafColumn | StructColumn;
  if (attribute.type === "object_t" && attribute.object_type && attribute.object_type !== "object") {
    if (level < depth) {
      const object = ocsf.object(attribute.object_type);
      const children = attributeColumns(
        Object.values(object.attributes),
        valuePath,
        level + 1,
        depth,
        profiles,
      );
      value = { kind: "struct", name: attribute.is_array ? "element" : name, path: valuePath, children };
    } else {
      // Below the cut the whole value (an object, or the array of them) is one JSON text column.
      return { kind: "json", name, path, shape: attribute.is_array ? "objects" : "object" };
    }
  } else {
    value = { kind: leafKind(attribute, path), name: attribute.is_array ? "element" : name, path: valuePath };
  }
  return attribute.is_array ? { kind: "list", name, path, element: value } : value;
}

function leafKind(attribute: OcsfAttribute, path: string): LeafKind {
  if (attribute.type === "datetime_t") return "timestamp";
  if (attribute.type === "json_t" || attribute.type === "object_t") return "json";
  const base = ocsf.baseType(attribute);
  switch (base) {
    case "string_t":
      return "utf8";
    case "integer_t":
      return "int32";
    case "long_t":
      return "int64";
    case "float_t":
      return "float64";
    case "boolean_t":
      return "bool";
    default:
      throw new SchemaError(`${path}: OCSF type ${attribute.type} (${base}) has no Arrow mapping`);
  }
}

function arrowType(node: ColumnNode): DataType {
  switch (node.kind) {
    case "utf8":
    case "json":
      return new Utf8();
    case "int32":
      return new Int32();
    case "int64":
      return new Int64();
    case "float64":
      return new Float64();
    case "bool":
      return new Bool();
    case "timestamp":
      return new Timestamp(TimeUnit.MILLISECOND, "UTC");
    case "struct":
      return new Struct(node.children.map(arrowField));
    case "list":
      return new List(arrowField(node.element));
  }
}

/** The nullable Arrow field of a column node. */
export function arrowField(node: ColumnNode): Field {
  return new Field(node.name, arrowType(node), true);
}

/** Number of leaf (primitive) columns under a node: what Parquet stores as column chunks. */
export function leafCount(node: ColumnNode): number {
  if (node.kind === "struct") return node.children.reduce((n, c) => n + leafCount(c), 0);
  if (node.kind === "list") return leafCount(node.element);
  return 1;
}
