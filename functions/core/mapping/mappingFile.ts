import { z } from "zod";
import { ConfigError } from "../errors.ts";

/** The shape of mapping files (mappings/README.md). Checked with zod, then against the OCSF schema. */

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const transformName = z.enum([
  "lowercase",
  "uppercase",
  "trim",
  "to_string",
  "to_int",
  "to_float",
  "to_bool",
  "ip",
  "time",
  "iso8601",
  "epoch_s",
  "epoch_ms",
  "json",
  "first",
  "array",
  "key_values",
]);
export type TransformName = z.infer<typeof transformName>;

const transformWithArg = z.union([
  z.strictObject({ split: z.string().min(1) }),
  z.strictObject({ join: z.string() }),
  z.strictObject({ prefix: z.string() }),
]);
const transformStep = z.union([transformName, transformWithArg]);
export type TransformStep = z.infer<typeof transformStep>;

const path = z.string().min(1);

export interface FieldSpecObject {
  from?: string | string[];
  value?: unknown;
  transform?: TransformStep | TransformStep[];
  table?: string;
  default?: unknown;
  each?: string;
  pick?: string;
  entries?: string;
  /** An object path: the target object is built from it by `fields` (relative paths). */
  object?: string;
  /** Ordered alternatives for the same target: the first that writes a value wins. */
  first?: FieldSpec[];
  where?: Record<string, unknown>;
  fields?: Record<string, FieldSpec>;
  when?: WhenSpec;
  absent?: (string | number | boolean)[];
}

/** A condition on the source: a path that must be present, several, or a path's value after transforms. */
export type WhenSpec =
  | string
  | string[]
  | { path: string; transform?: TransformStep | TransformStep[]; in?: (string | number | boolean)[] };
export type FieldSpec = string | FieldSpecObject;

const fieldSpec: z.ZodType<FieldSpec> = z.lazy(() =>
  z.union([
    path,
    z
      .strictObject({
        from: z.union([path, z.array(path).min(1)]).optional(),
        value: z.unknown().optional(),
        transform: z.union([transformStep, z.array(transformStep)]).optional(),
        table: z.string().min(1).optional(),
        default: z.unknown().optional(),
        each: path.optional(),
        pick: path.optional(),
        entries: path.optional(),
        object: path.optional(),
        first: z.array(fieldSpec).min(2).optional(),
        where: z.record(z.string(), z.union([scalar, z.array(scalar)])).optional(),
        fields: z.record(z.string(), fieldSpec).optional(),
        when: z
          .union([
            path,
            z.array(path).min(1),
            z.strictObject({
              path,
              transform: z.union([transformStep, z.array(transformStep)]).optional(),
              in: z.array(scalar).min(1).optional(),
            }),
          ])
          .optional(),
        absent: z.array(scalar).min(1).optional(),
      })
      .superRefine((spec, ctx) => {
        const kinds = (["from", "value", "each", "pick", "entries", "object", "first"] as const).filter(
          (k) => spec[k] !== undefined,
        );
        if (kinds.length === 0 && spec.default === undefined) {
          ctx.addIssue({
            code: "custom",
            message: "needs one of from, value, each, pick, entries, object, first",
          });
        }
        if (kinds.length > 1) {
          ctx.addIssue({ code: "custom", message: `${kinds.join(" and ")} exclude each other` });
        }
        if (spec.first !== undefined) {
          const extra = (["transform", "table", "default", "where", "fields", "absent"] as const).filter(
            (k) => spec[k] !== undefined,
          );
          if (extra.length > 0) {
            ctx.addIssue({
              code: "custom",
              message: `first takes only its alternatives (and when); move ${extra.join(", ")} into them`,
            });
          }
        }
        const nested =
          spec.each !== undefined ||
          spec.pick !== undefined ||
          spec.entries !== undefined ||
          spec.object !== undefined;
        if (nested && !spec.fields)
          ctx.addIssue({ code: "custom", message: "each/pick/entries/object need fields" });
        if (!nested && spec.fields)
          ctx.addIssue({ code: "custom", message: "fields only go with each/pick/entries/object" });
        if (spec.where && spec.each === undefined && spec.pick === undefined) {
          ctx.addIssue({ code: "custom", message: "where only goes with each/pick" });
        }
        if (spec.absent && spec.from === undefined) {
          ctx.addIssue({ code: "custom", message: "absent only goes with from" });
        }
        if (spec.value !== undefined && (spec.transform || spec.table)) {
          ctx.addIssue({ code: "custom", message: "a static value takes no transform or table" });
        }
      }),
  ]),
);

const table = z.strictObject({
  values: z.record(z.string(), scalar),
  default: scalar.optional(),
});
export type TableSpec = z.infer<typeof table>;

const fields = z.record(z.string().min(1), fieldSpec);
const drop = z.array(path);
const tables = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "table names are identifiers"), table);

export const sourceFileSchema = z.strictObject({
  source: z.string().min(1),
  product: z.strictObject({
    name: z.string().min(1),
    vendor_name: z.string().min(1),
    uid: z.string().optional(),
    version: z.string().optional(),
  }),
  event_id: path,
  /**
   * A path, or paths tried in order (the first value that a class matches routes the event). Omitted:
   * every event has the source name as its type (one-class sources such as DSPM).
   */
  event_type: z.union([path, z.array(path).min(1)]).optional(),
  time: z.strictObject({
    path,
    format: z.enum(["auto", "iso8601", "epoch_s", "epoch_ms"]).default("auto"),
  }),
  tables: tables.default({}),
  fields: fields.default({}),
  drop: drop.default([]),
});
export type SourceFile = z.infer<typeof sourceFileSchema>;

export const classFileSchema = z.strictObject({
  class_uid: z.number().int().nonnegative(),
  profiles: z.array(z.string()).default([]),
  match: z.array(z.union([z.string().min(1), z.number().int()])).min(1),
  tables: tables.default({}),
  fields: fields.default({}),
  drop: drop.default([]),
});
export type ClassFile = z.infer<typeof classFileSchema>;

/**
 * Parses one mapping file's data with `schema`. A failure throws ConfigError naming the file and the
 * key path of every issue (`mappings/okta/authentication.yaml: fields."user.name": …`).
 */
export function parseMappingFile<T>(schema: z.ZodType<T>, data: unknown, file: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = flattenIssues(result.error.issues, []).slice(0, 5);
  throw new ConfigError(`${file}: ${issues.map((i) => `${formatKeyPath(i.path)}: ${i.message}`).join("; ")}`);
}

interface FlatIssue {
  path: PropertyKey[];
  message: string;
}

/**
 * zod reports a failed union (a field spec is a string *or* an object) as "Invalid input" with one issue
 * list per branch; the useful list is the branch that got furthest (deepest path, not a type mismatch).
 */
function flattenIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): FlatIssue[] {
  const out: FlatIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const score = (branch: readonly z.core.$ZodIssue[]) =>
        Math.max(...branch.map((i) => i.path.length * 2 + (i.code === "invalid_type" ? 0 : 1)));
      const best = [...issue.errors].sort((a, b) => score(b) - score(a))[0] ?? [];
      out.push(...flattenIssues(best, path));
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** `["fields", "user.name", "from"]` → `fields."user.name".from` (keys with dots are quoted). */
export function formatKeyPath(parts: readonly PropertyKey[]): string {
  if (parts.length === 0) return "(top level)";
  return parts
    .map((part) => {
      if (typeof part === "number") return `[${part}]`;
      const text = String(part);
      return /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? text : JSON.stringify(text);
    })
    .join(".")
    .replace(/\.\[/g, "[");
}
