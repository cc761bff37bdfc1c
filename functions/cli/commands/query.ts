import { resolve } from "node:path";
import { DEFAULT_QUERY, queryLake } from "../lakeQuery.ts";
import { formatTable } from "../table.ts";

/**
 * `seclake query [--out .lake] [--json] [SQL]`: DuckDB over the local lake, with a view per custom source
 * (its name with - → _, as Athena names the table) and `lake` over all of them. Without SQL: events per
 * custom source and class. Prints a table, or with --json one JSON object per row.
 */
export async function run(opts: Record<string, string | boolean | undefined>): Promise<number> {
  const out = resolve(String(opts.out ?? ".lake"));
  const sql = typeof opts.sql === "string" && opts.sql.trim() !== "" ? opts.sql : DEFAULT_QUERY;
  const { columns, rows } = await queryLake(out, sql);
  if (opts.json === true) {
    for (const row of rows) {
      process.stdout.write(`${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, row[i]])))}\n`);
    }
    return 0;
  }
  const cells = rows.map((row) =>
    row.map((v) => (typeof v === "string" ? v : v === null || v === undefined ? "NULL" : JSON.stringify(v))),
  );
  const numeric = columns.map((_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === "number"));
  process.stdout.write(
    `${formatTable(columns, cells, { rightAlign: (c) => numeric[c] === true, maxCell: 80 })}\n`,
  );
  process.stdout.write(`(${rows.length} row${rows.length === 1 ? "" : "s"})\n`);
  return 0;
}
