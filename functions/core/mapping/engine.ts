import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { ConfigError, preview } from "../errors.ts";
import { OCSF_VERSION, ocsf } from "../ocsf/schema.ts";
import type { OcsfClass } from "../ocsf/types.ts";
import { engineCoerced, fillCaptionsAndValidate } from "../ocsf/validate.ts";
import { checkProfiles, compileFields, type FieldsFn, startMapRun, Table, wildcard } from "./compile.ts";
import { ConsumeNode, leftover } from "./consumption.ts";
import {
  type ClassFile,
  classFileSchema,
  parseMappingFile,
  type SourceFile,
  sourceFileSchema,
} from "./mappingFile.ts";
import { passThroughRecord } from "./passThrough.ts";
import { compileGetter, type Getter, isObject, isPresent, parsePath } from "./paths.ts";
import { parseTime, type TimeFormat } from "./time.ts";

/** The source for producers that already emit OCSF 1.1.0 (passThrough.ts); it has no mapping files. */
export const PASS_THROUGH_SOURCE = "ocsf";

/** One class of one source, compiled once (mappings/README.md). */
export interface ClassPlan {
  readonly classUid: number;
  readonly cls: OcsfClass;
  /** The mapping file, relative to the mappings directory (`okta/authentication.yaml`). */
  readonly file: string;
  readonly profiles: readonly string[];
  readonly apply: FieldsFn;
  readonly consumed: ConsumeNode;
}

/** The compiled mappings of one source: what `mapRecord` needs, nothing read per event. */
export interface SourceMappings {
  readonly source: string;
  readonly dir: string;
  readonly product: Readonly<Record<string, string>>;
  readonly classes: readonly ClassPlan[];
  readonly eventIdPath: string;
  readonly eventTypePath: string;
  readonly timePath: string;
  /** The class plan for an event type, or undefined (skipped / Base Event). */
  route(eventType: string): ClassPlan | undefined;
  /** Present when loaded with `baseEvent: true`. */
  readonly baseEvent: ClassPlan | undefined;
  readonly getId: Getter;
  /** Getters of the event type paths, tried in order (see `event_type` in mappings/README.md). */
  readonly getTypes: readonly Getter[];
  readonly getTime: Getter;
  readonly timeFormat: TimeFormat;
  /** The `ocsf` source: events are OCSF already, validated and routed by class_uid (passThrough.ts). */
  readonly passThrough?: true;
}

export interface Reason {
  readonly path: string;
  readonly message: string;
}

export type MapOutcome =
  /** `coerced`: how many values were converted to their attribute's JSON type (validate.ts `coerce`). */
  | {
      kind: "mapped";
      classUid: number;
      event: Record<string, unknown>;
      coerced: number;
      /** `ocsf` source only: attributes the class does not define, moved into `unmapped`. */
      moved?: number;
    }
  | { kind: "skipped"; eventType: string }
  | { kind: "quarantined"; eventType?: string; reason: Reason };

export interface LoadOptions {
  /** The mappings root holding `<source>/` (default: env SECLAKE_MAPPINGS_DIR, else the repo's mappings/). */
  dir?: string;
  /** Map events of unknown types to Base Event (class 0) instead of counting them as skipped. */
  baseEvent?: boolean;
}

/** The default mappings root: SECLAKE_MAPPINGS_DIR (the Lambda bundle ships mappings/ beside it), else the repo's. */
export function defaultMappingsDir(): string {
  const fromEnv = process.env.SECLAKE_MAPPINGS_DIR;
  if (fromEnv) return fromEnv;
  return fileURLToPath(new URL("../../../mappings/", import.meta.url));
}

/** The sources that have a `_source.yaml` under the mappings root, and the `ocsf` pass-through. */
export function listSources(dir = defaultMappingsDir()): string[] {
  if (!existsSync(dir)) return [PASS_THROUGH_SOURCE];
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "_source.yaml")))
    .map((d) => d.name);
  return [...folders, PASS_THROUGH_SOURCE].sort();
}

const cache = new Map<string, SourceMappings>();

/**
 * Reads and compiles `mappings/<source>/`. Afterwards every target path has been checked against OCSF 1.1.0
 * and every event type routes to at most one class. Throws ConfigError naming file and key on any mistake,
 * or naming the known sources when `source` has no folder. Results are cached per directory and options.
 */
export function loadSourceMappings(source: string, options: LoadOptions = {}): SourceMappings {
  const root = options.dir ?? defaultMappingsDir();
  const key = `${root}\0${source}\0${options.baseEvent === true}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const compiled =
    source === PASS_THROUGH_SOURCE
      ? passThroughMappings(root)
      : compileSource(source, root, options.baseEvent === true);
  cache.set(key, compiled);
  return compiled;
}

function readData(path: string, label: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`${label}: cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})`, {
      cause: error,
    });
  }
  try {
    return extname(path) === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `${label}: not valid ${extname(path) === ".json" ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`,
      { cause: error },
    );
  }
}

function compileSource(source: string, root: string, withBase: boolean): SourceMappings {
  const folder = join(root, source);
  const sourceLabel = `${source}/_source.yaml`;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(source) || !existsSync(join(folder, "_source.yaml"))) {
    const known = listSources(root);
    throw new ConfigError(`unknown source "${source}" (mappings in ${root}: ${known.join(", ") || "none"})`);
  }
  const src: SourceFile = parseMappingFile(
    sourceFileSchema,
    readData(join(folder, "_source.yaml"), sourceLabel),
    sourceLabel,
  );
  if (src.source !== source) {
    throw new ConfigError(`${sourceLabel}: source: "${src.source}" must equal the folder name "${source}"`);
  }
  const pathOf = (p: string, key: string) => {
    try {
      return parsePath(p);
    } catch (error) {
      throw new ConfigError(`${sourceLabel}: ${key}: ${(error as Error).message}`);
    }
  };
  const idSegs = pathOf(src.event_id, "event_id");
  const typePaths =
    src.event_type === undefined ? [] : Array.isArray(src.event_type) ? src.event_type : [src.event_type];
  const typeSegs = typePaths.map((p, i) =>
    pathOf(p, typePaths.length > 1 ? `event_type[${i}]` : "event_type"),
  );
  const timeSegs = pathOf(src.time.path, "time.path");
  const sourceTables = compileTables(src.tables);

  const files = readdirSync(folder)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.startsWith("_"))
    .sort();
  const classes: ClassPlan[] = [];
  const exact = new Map<string, ClassPlan>();
  const patterns: { re: RegExp; literal: number; order: number; text: string; plan: ClassPlan }[] = [];
  for (const f of files) {
    const label = `${source}/${f}`;
    const file: ClassFile = parseMappingFile(classFileSchema, readData(join(folder, f), label), label);
    const cls = ocsf.findClass(file.class_uid);
    if (!cls)
      throw new ConfigError(`${label}: class_uid: OCSF ${OCSF_VERSION} has no class ${file.class_uid}`);
    const stem = basename(f, extname(f));
    if (stem !== cls.name) {
      throw new ConfigError(
        `${label}: class_uid ${file.class_uid} is ${cls.name}; name the file ${cls.name}${extname(f)}`,
      );
    }
    checkProfiles(file.profiles, cls, label);
    const plan = compileClass(cls, label, file, src, sourceTables, [idSegs, timeSegs]);
    classes.push(plan);
    for (const m of file.match) {
      const text = String(m);
      if (text.includes("*")) {
        const other = patterns.find((p) => p.text === text);
        if (other) throw new ConfigError(`${label}: match: "${text}" is also matched by ${other.plan.file}`);
        patterns.push({
          re: wildcard(text),
          literal: text.replace(/\*/g, "").length,
          order: patterns.length,
          text,
          plan,
        });
      } else {
        const other = exact.get(text);
        if (other) throw new ConfigError(`${label}: match: "${text}" is also matched by ${other.file}`);
        exact.set(text, plan);
      }
    }
  }
  // The most specific pattern wins: more literal characters first, then file order.
  patterns.sort((a, b) => b.literal - a.literal || a.order - b.order);
  const routed = new Map<string, ClassPlan | null>();
  const route = (eventType: string): ClassPlan | undefined => {
    const e = exact.get(eventType);
    if (e) return e;
    const seen = routed.get(eventType);
    if (seen !== undefined) return seen ?? undefined;
    const found = patterns.find((p) => p.re.test(eventType))?.plan;
    if (routed.size < 10_000) routed.set(eventType, found ?? null);
    return found;
  };

  const baseEvent = withBase ? compileBase(src, sourceLabel, sourceTables, [idSegs, timeSegs]) : undefined;
  const product: Record<string, string> = { name: src.product.name, vendor_name: src.product.vendor_name };
  if (src.product.uid) product.uid = src.product.uid;
  if (src.product.version) product.version = src.product.version;
  return {
    source,
    dir: folder,
    product,
    classes,
    eventIdPath: src.event_id,
    eventTypePath: typePaths.join(" or ") || "(none)",
    timePath: src.time.path,
    route,
    baseEvent,
    getId: compileGetter(idSegs),
    getTypes: typeSegs.length > 0 ? typeSegs.map((segs) => compileGetter(segs)) : [() => source],
    getTime: compileGetter(timeSegs),
    timeFormat: src.time.format,
  };
}

/** The `ocsf` source: no files, no classes of its own (any OCSF 1.1.0 class passes, by its class_uid). */
function passThroughMappings(root: string): SourceMappings {
  const none = () => undefined;
  return {
    source: PASS_THROUGH_SOURCE,
    dir: root,
    product: {},
    classes: [],
    eventIdPath: "metadata.uid",
    eventTypePath: "class_uid",
    timePath: "time",
    route: none,
    baseEvent: undefined,
    getId: none,
    getTypes: [none],
    getTime: none,
    timeFormat: "epoch_ms",
    passThrough: true,
  };
}

function compileTables(specs: SourceFile["tables"]): Map<string, Table> {
  const out = new Map<string, Table>();
  for (const [name, spec] of Object.entries(specs)) out.set(name, new Table(spec));
  return out;
}

function compileClass(
  cls: OcsfClass,
  label: string,
  file: ClassFile,
  src: SourceFile,
  sourceTables: Map<string, Table>,
  engineRead: ReturnType<typeof parsePath>[],
): ClassPlan {
  const tables = new Map(sourceTables);
  for (const [name, table] of compileTables(file.tables)) tables.set(name, table);
  const consumed = new ConsumeNode();
  for (const segs of engineRead) consumed.add(segs);
  for (const p of [...src.drop, ...file.drop]) consumed.add(parsePath(p));
  const ctx = { file: label, cls, profiles: file.profiles, tables, consumed };
  // A class entry replaces the common entry with the same target; common ones are compiled against this class.
  const common = Object.fromEntries(
    Object.entries(src.fields).filter(([target]) => !(target in file.fields)),
  );
  const commonFn = compileFields(
    common,
    cls,
    { ...ctx, file: `${src.source}/_source.yaml` },
    consumed,
    ["fields"],
    true,
  );
  const classFn = compileFields(file.fields, cls, ctx, consumed, ["fields"], true);
  checkRequiredWritten(cls, file.profiles, [...Object.keys(common), ...Object.keys(file.fields)], label);
  return {
    classUid: cls.class_uid,
    cls,
    file: label,
    profiles: file.profiles,
    apply: (raw, out) => {
      commonFn(raw, out);
      classFn(raw, out);
    },
    consumed,
  };
}

/** Required attributes the engine fills itself (everything else a mapping must write). */
const ENGINE_FILLED = new Set(["class_uid", "category_uid", "type_uid", "time", "metadata"]);

/**
 * A class mapping that writes no field for a required attribute could only produce events that fail
 * validation: refuse it at load time, naming the attributes.
 */
function checkRequiredWritten(
  cls: OcsfClass,
  profiles: readonly string[],
  targets: string[],
  label: string,
): void {
  const written = new Set(targets.map((t) => t.split(/[.[]/, 1)[0]));
  const missing = Object.values(cls.attributes)
    .filter((a) => a.requirement === "required" && (!a.profile || profiles.includes(a.profile)))
    .map((a) => a.name)
    .filter((name) => !ENGINE_FILLED.has(name) && !written.has(name));
  if (missing.length > 0) {
    throw new ConfigError(
      `${label}: fields: no field writes ${missing.map((m) => `"${m}"`).join(", ")}, required by ${cls.name} (${cls.class_uid})`,
    );
  }
}

/** Base Event: the common fields that exist in base_event; the others stay in unmapped. */
function compileBase(
  src: SourceFile,
  label: string,
  sourceTables: Map<string, Table>,
  engineRead: ReturnType<typeof parsePath>[],
): ClassPlan {
  const cls = ocsf.class(0);
  const consumed = new ConsumeNode();
  for (const segs of engineRead) consumed.add(segs);
  for (const p of src.drop) consumed.add(parsePath(p));
  const fns: FieldsFn[] = [];
  for (const [target, spec] of Object.entries(src.fields)) {
    const trial = new ConsumeNode();
    try {
      compileFields(
        { [target]: spec },
        cls,
        { file: label, cls, profiles: [], tables: sourceTables, consumed: trial },
        trial,
        ["fields"],
        true,
      );
    } catch {
      continue;
    }
    fns.push(
      compileFields(
        { [target]: spec },
        cls,
        { file: label, cls, profiles: [], tables: sourceTables, consumed },
        consumed,
        ["fields"],
        true,
      ),
    );
  }
  return {
    classUid: 0,
    cls,
    file: label,
    profiles: [],
    apply: (raw, out) => {
      for (const fn of fns) fn(raw, out);
    },
    consumed,
  };
}

/**
 * Maps one raw event (a parsed value, or the JSON text of one line). Never throws: every input ends as
 * exactly one of mapped (a valid OCSF 1.1.0 event), skipped (no class for its type) or quarantined (with the
 * path and reason).
 */
export function mapRecord(mappings: SourceMappings, raw: unknown): MapOutcome {
  if (mappings.passThrough) {
    const outcome = passThroughRecord(raw);
    return outcome.kind === "mapped" ? { ...outcome, coerced: 0 } : outcome;
  }
  let event: unknown = raw;
  let rawText: string | undefined;
  if (typeof raw === "string") {
    rawText = raw.trim();
    // A UTF-8 byte-order mark survives on the first line of some exported files.
    if (rawText.charCodeAt(0) === 0xfeff) rawText = rawText.slice(1).trim();
    try {
      event = JSON.parse(rawText);
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
  // The first type value that routes to a class wins; if none does, the first present one names the event.
  let typeValue: unknown;
  let eventType: string | undefined;
  let plan: ClassPlan | undefined;
  for (const getType of mappings.getTypes) {
    const v = getType(event);
    if (typeValue === undefined) typeValue = v;
    if (!((typeof v === "string" && v !== "") || (typeof v === "number" && Number.isFinite(v)))) continue;
    const text = String(v);
    eventType ??= text;
    plan = mappings.route(text);
    if (plan) {
      eventType = text;
      break;
    }
  }
  const idValue = mappings.getId(event);
  if (
    !(
      (typeof idValue === "string" && idValue !== "") ||
      (typeof idValue === "number" && Number.isFinite(idValue))
    )
  ) {
    return quarantine(
      eventType,
      mappings.eventIdPath,
      idValue === undefined || idValue === null
        ? "no event id"
        : `expected an event id (string or number), got ${preview(idValue)}`,
    );
  }
  const timeValue = mappings.getTime(event);
  if (!isPresent(timeValue)) return quarantine(eventType, mappings.timePath, "no event time");
  const time = parseTime(timeValue, mappings.timeFormat);
  if (time === undefined) {
    return quarantine(
      eventType,
      mappings.timePath,
      `expected a time (${mappings.timeFormat === "auto" ? "ISO 8601, YYYY-MM-DD HH:MM:SS or epoch" : mappings.timeFormat}), got ${preview(timeValue)}`,
    );
  }
  if (eventType === undefined) {
    return quarantine(
      undefined,
      mappings.eventTypePath,
      typeValue === undefined || typeValue === null
        ? "no event type"
        : `expected an event type (string or integer), got ${preview(typeValue)}`,
    );
  }
  plan ??= mappings.baseEvent;
  if (!plan) return { kind: "skipped", eventType };

  const out: Record<string, unknown> = {};
  try {
    startMapRun();
    plan.apply(event, out);
    if (plan.classUid === 0) {
      out.activity_id = 99;
      out.activity_name = eventType;
      if (out.severity_id === undefined) out.severity_id = 0;
    }
    const cls = plan.cls;
    out.class_uid = cls.class_uid;
    out.category_uid = cls.category_uid;
    if (typeof out.activity_id === "number") out.type_uid = cls.class_uid * 100 + out.activity_id;
    out.time = time;
    const metadata = isObject(out.metadata) ? out.metadata : {};
    metadata.version = OCSF_VERSION;
    metadata.product = { ...mappings.product };
    metadata.uid = String(idValue);
    metadata.original_time = typeof timeValue === "string" ? timeValue : String(timeValue);
    if (plan.profiles.length > 0) metadata.profiles = [...plan.profiles];
    out.metadata = metadata;
    out.raw_data = rawText ?? JSON.stringify(event);
    const rest = leftover(event, plan.consumed);
    if (rest !== undefined) out.unmapped = rest;
  } catch (error) {
    return quarantine(eventType, "$", `mapping failed: ${(error as Error).message}`);
  }
  const coerced = engineCoerced;
  coerced.count = 0;
  const issues = fillCaptionsAndValidate(out, coerced);
  if (issues.length > 0) {
    const first = issues[0] as Reason;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    return {
      kind: "quarantined",
      eventType,
      reason: { path: first.path, message: `${first.message}${more}` },
    };
  }
  return { kind: "mapped", classUid: plan.classUid, event: out, coerced: coerced.count };
}

function quarantine(eventType: string | undefined, path: string, message: string): MapOutcome {
  return eventType === undefined
    ? { kind: "quarantined", reason: { path, message } }
    : { kind: "quarantined", eventType, reason: { path, message } };
}
