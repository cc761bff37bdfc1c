/**
 * The `seclake` command line as data (DESIGN.md §5): every sub-command and option is declared once here;
 * `main.ts` builds commander from it and each command module is imported only when it runs.
 */
export interface OptionSpec {
  /** commander flags, e.g. "--source <name>" or "--max-events <n>". */
  readonly flags: string;
  readonly description: string;
  readonly required?: boolean;
  readonly default?: string;
  readonly choices?: readonly string[];
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  /** Shown after the options in `seclake <command> --help`. */
  readonly help?: string;
  /** One optional positional argument, handed to `run` as the option `key`. */
  readonly argument?: { readonly name: string; readonly key: string; readonly description: string };
  /** Lazy import of the implementation: `run(opts)` returns the process exit code. */
  readonly load: () => Promise<{
    run: (opts: Record<string, string | boolean | undefined>) => Promise<number>;
  }>;
}

export const FETCH_SOURCES = ["sailpoint", "okta", "onelogin", "s3-inbox"] as const;
export const MAP_SOURCES = ["sailpoint", "okta", "onelogin", "zscaler-dspm", "ocsf"] as const;

export const commands: readonly CommandSpec[] = [
  {
    name: "fetch",
    summary: "fetch raw events of one window from a source API into NDJSON pages",
    options: [
      { flags: "--source <name>", description: "source API", required: true, choices: FETCH_SOURCES },
      {
        flags: "--base-url <url>",
        description: "API base URL (tenant URL, or s3://bucket/prefix)",
        required: true,
      },
      { flags: "--since <iso>", description: "window start, inclusive (ISO 8601)", required: true },
      { flags: "--until <iso>", description: "window end, exclusive (ISO 8601)", required: true },
      {
        flags: "--max-events <n>",
        description: "stop after this many events and report hasMore",
        default: "10000",
      },
      { flags: "--out <dir>", description: "directory for page-<n>.ndjson.gz files", required: true },
    ],
    load: () => import("./commands/fetch.ts"),
  },
  {
    name: "map",
    summary: "map raw source events to OCSF 1.1.0, one NDJSON file per class",
    options: [
      {
        flags: "--source <name>",
        description:
          "source whose mappings apply; ocsf takes events that are OCSF 1.1.0 already (validated, routed by class_uid, unchanged)",
        required: true,
        choices: MAP_SOURCES,
      },
      { flags: "--in <file>", description: "raw events, one JSON object per line", required: true },
      {
        flags: "--out <dir>",
        description: "output directory for <class_uid>.ndjson and quarantine.ndjson",
        required: true,
      },
      {
        flags: "--base-event",
        description:
          "write events of unmapped types as Base Event (class 0, 0.ndjson) instead of skipping them",
      },
    ],
    help: `
How an event is mapped (mappings/README.md):
  routing    by the event type paths of mappings/<source>/_source.yaml, tried in order (SailPoint:
             action, then technicalName, then type); no class matches -> skipped (counted)
  fallbacks  a class file may give a target ordered alternatives (first:), e.g. the User target,
             else the actor; a required attribute none of them fills quarantines the event
  coercion   a value of the wrong JSON type that converts without loss (0 -> "0", "17" -> 17,
             "true" -> true) is converted and the event counted in "coerced"; anything lossy is
             quarantined with the path and the reason
  ocsf       --source ocsf takes events that are OCSF 1.1.0 already: validated, routed by class_uid,
             unchanged except that attributes the class does not define move into unmapped
             ("movedToUnmapped")
Summary line: {"in","mapped":{"<class_uid>":n},"skipped","quarantined","coerced"[,"movedToUnmapped"]}`,
    load: () => import("./commands/map.ts"),
  },
  {
    name: "validate",
    summary: "check OCSF events against the pinned OCSF 1.1.0 schema",
    options: [{ flags: "--in <file>", description: "OCSF events, one JSON object per line", required: true }],
    load: () => import("./commands/validate.ts"),
  },
  {
    name: "convert",
    summary: "convert OCSF NDJSON of one class to ZSTD Parquet in the Security Lake layout",
    options: [
      {
        flags: "--in <file>",
        description: "OCSF events of one class, one JSON object per line",
        required: true,
      },
      { flags: "--class <uid>", description: "OCSF class_uid of every event, e.g. 3002", required: true },
      { flags: "--source <name>", description: "Security Lake custom source name", required: true },
      { flags: "--region <region>", description: "AWS region of the partition path", required: true },
      { flags: "--account <id>", description: "AWS account id of the partition path", required: true },
      {
        flags: "--out <dir>",
        description: "root directory; files go under <dir>/ext/<source>/…",
        required: true,
      },
      { flags: "--window <id>", description: "window id used in file names (default: hash of the input)" },
    ],
    load: () => import("./commands/convert.ts"),
  },
  {
    name: "local",
    summary: "run the whole pipeline locally on the embedded default (mock APIs, local AWS)",
    options: [
      { flags: "--source <name>", description: "run only this connector (default: all)" },
      { flags: "--out <dir>", description: "lake and state directory", default: ".lake" },
      {
        flags: "--json",
        description:
          'end with one JSON line: {"connectors":{"<name>":{"loops","crawls","fetched","mapped",…}}}',
      },
    ],
    load: () => import("./commands/local.ts"),
  },
  {
    name: "query",
    summary: "query the local lake with SQL (DuckDB in-process): a view per custom source, and `lake`",
    options: [
      {
        flags: "--out <dir>",
        description: "lake directory (the one `seclake local` wrote)",
        default: ".lake",
      },
      { flags: "--json", description: "print one JSON object per row instead of a table" },
    ],
    argument: {
      name: "[sql]",
      key: "sql",
      description: "SQL to run (default: events per custom source and class)",
    },
    help: `
Views: one per custom source, named after it with - -> _ (as Athena names the table): okta_auth,
sailpoint_acct_chng, ... with the partition columns region, accountId, eventDay; and lake, all of them
by column name plus a custom_source column.
Examples:
  seclake query
  seclake query "SELECT user.name, count(*) AS logons FROM okta_auth GROUP BY ALL ORDER BY logons DESC"
  seclake query --json "SELECT metadata.uid, time FROM lake WHERE status_id = 2"`,
    load: () => import("./commands/query.ts"),
  },
  {
    name: "bench",
    summary: "measure mapping throughput against JSON floors, conversion and Parquet bytes against DuckDB",
    options: [
      {
        flags: "--events <n>",
        description: "events per measurement (mapping; synthetic conversion)",
        default: "100000",
      },
      {
        flags: "--realistic-events <n>",
        description:
          "events per file on the realistic corpus (conversion, levers; default 1000,10000,100000, none to skip)",
      },
      {
        flags: "--only <part>",
        description: "run one part only (mapping or convert), or the Parquet size levers (not part of all)",
        default: "all",
        choices: ["all", "mapping", "convert", "levers"],
      },
    ],
    load: () => import("./commands/bench.ts"),
  },
  {
    name: "cost",
    summary: "monthly AWS cost of one connector by component, next to the seed architecture's",
    options: [
      {
        flags: "--events-per-day <list>",
        description: "volumes, comma-separated (10k and 1M forms allowed)",
        default: "10000,100000,1000000,10000000",
      },
      {
        flags: "--schedule <expression>",
        description: "EventBridge Scheduler rate(...) or cron(...)",
        default: "rate(1 hour)",
      },
      {
        flags: "--source <name>",
        description: "connector kind whose loop is measured",
        default: "okta",
        choices: ["sailpoint", "okta", "onelogin"],
      },
      {
        flags: "--custom-sources <n>",
        description: "custom sources of the connector (default: one per class its mappings produce)",
      },
      {
        flags: "--max-events <n>",
        description: "events per loop (default: what infra/config.ts gives a connector that leaves it out)",
      },
      { flags: "--json", description: "print the estimates, the probe's fit and the prices as JSON" },
    ],
    help: `
How: a few seconds of the real state machine locally (a mock vendor API, two loop sizes) measure each
loop's Lambda time, state transitions, S3 requests, bytes, logs and crawls; functions/core/cost prices a
month of them at US East list prices (free tiers ignored) with the connector's memory sizes, metrics and
alarms, and prices the seed architecture (Lambda + crawler + Glue ETL per run) for the same volume.
Prices, their date and sources: functions/core/cost/prices.ts; assumptions: functions/core/cost/assumptions.ts.`,
    load: () => import("./commands/cost.ts"),
  },
];
