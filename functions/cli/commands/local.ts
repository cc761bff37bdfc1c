import { relative, resolve } from "node:path";
import { InputError } from "../../core/errors.ts";
import { LOCAL_CONNECTORS } from "../../local/runtime.ts";
import { type ConnectorTotals, drainConnector, openSession } from "../../local/session.ts";
import { formatTable } from "../table.ts";

/**
 * `seclake local`: the whole pipeline on the embedded default. For every connector (or `--source`), the
 * real statemachine/connector.asl.json runs in-process against a loopback mock of the vendor API (the
 * shared samples plus generated events) or a local S3 inbox of Zscaler DSPM alerts, with a directory
 * as S3 and a JSON file as SSM under `--out`. Progress goes to stderr, one line per step; the summary
 * table and the DuckDB query to stdout; with `--json` the last stdout line is the run's figures as JSON
 * instead of the query hint. The clock is fixed, so a second run finds nothing new and writes nothing.
 */
export async function run(opts: Record<string, string | boolean | undefined>): Promise<number> {
  const out = resolve(String(opts.out ?? ".lake"));
  const wanted = typeof opts.source === "string" ? opts.source : undefined;
  // A connector's name first (`okta`, not `okta-push` too), else every connector of that kind.
  const byName = LOCAL_CONNECTORS.filter((s) => s.name === wanted);
  const specs = byName.length > 0 ? byName : LOCAL_CONNECTORS.filter((s) => !wanted || s.kind === wanted);
  if (specs.length === 0) {
    throw new InputError(
      `--source: unknown connector ${JSON.stringify(wanted)}; expected one of ${LOCAL_CONNECTORS.map((s) => s.name).join(", ")}`,
    );
  }
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const rows: { connector: string; totals: ConnectorTotals }[] = [];
  let failed = false;
  for (const spec of specs) {
    const session = await openSession(spec, { out, progress });
    try {
      const { totals, last } = await drainConnector(session, { progress });
      rows.push({ connector: spec.name, totals });
      if (last.status === "FAILED") {
        failed = true;
        progress(`[${spec.name}] execution failed: ${last.error?.Error}: ${last.error?.Cause}`);
      }
    } finally {
      await session.close();
    }
  }
  process.stdout.write(`${summaryTable(rows)}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(jsonSummary(rows))}\n`);
    return failed ? 1 : 0;
  }
  process.stdout.write(`\nLake: ${out}/ext/<custom source>/region=…/accountId=…/eventDay=…/*.parquet\n`);
  const outFlag = out === resolve(".lake") ? "" : ` --out ${relativeOrAbsolute(out)}`;
  process.stdout.write(
    `Query it (DuckDB in-process; a view per custom source, and lake):\n  npx seclake query${outFlag}\n  npx seclake query${outFlag} "SELECT class_name, count(*) AS events FROM lake GROUP BY ALL"\n`,
  );
  return failed ? 1 : 0;
}

/**
 * The `--json` line (DESIGN.md §5): per connector, the loops (windows) its executions ran, the staging
 * crawls they started, and the events and files of the run.
 */
export function jsonSummary(rows: readonly { connector: string; totals: ConnectorTotals }[]) {
  const connectors: Record<string, Record<string, number>> = {};
  for (const { connector, totals } of rows) {
    const sources = [...totals.sources.values()];
    const sum = (pick: (s: (typeof sources)[number]) => number) => sources.reduce((n, s) => n + pick(s), 0);
    connectors[connector] = {
      loops: totals.windows,
      crawls: totals.crawls,
      lakeCrawls: totals.lakeCrawls,
      fetched: totals.fetched,
      mapped: sum((s) => s.mapped),
      skipped: totals.skipped,
      quarantined: totals.quarantined,
      rows: sum((s) => s.rows),
      files: sum((s) => s.files),
    };
  }
  return { connectors };
}

function summaryTable(rows: readonly { connector: string; totals: ConnectorTotals }[]): string {
  const header = [
    "connector",
    "custom source",
    "class",
    "fetched",
    "mapped",
    "rows written",
    "files",
    "quarantined",
    "skipped",
  ];
  const lines: string[][] = [header];
  for (const { connector, totals } of rows) {
    const sources = [...totals.sources].sort(([a], [b]) => a.localeCompare(b));
    if (sources.length === 0) {
      lines.push([
        connector,
        "-",
        "-",
        String(totals.fetched),
        "0",
        "0",
        "0",
        String(totals.quarantined),
        String(totals.skipped),
      ]);
    }
    for (const [i, [name, s]] of sources.entries()) {
      lines.push([
        i === 0 ? connector : "",
        name,
        String(s.classUid),
        i === 0 ? String(totals.fetched) : "",
        String(s.mapped),
        String(s.rows),
        String(s.files),
        i === 0 ? String(totals.quarantined) : "",
        i === 0 ? String(totals.skipped) : "",
      ]);
    }
  }
  const body = lines.slice(1);
  return formatTable(header, body, { rightAlign: (c) => c >= 2 });
}

function relativeOrAbsolute(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}
