import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { InputError } from "../core/errors.ts";

/** What a query returned: column names, and rows of JSON values (BIGINT as text when it is not exact). */
export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

/** Events per custom source and class: what `seclake query` shows without SQL. */
export const DEFAULT_QUERY =
  "SELECT custom_source, class_uid, class_name, count(*) AS events FROM lake GROUP BY ALL ORDER BY ALL";

/** `okta-acct-chng` → `okta_acct_chng`: the view name, as Athena names a custom source's table. */
export function viewName(customSource: string): string {
  return customSource.replaceAll("-", "_");
}

/** The custom sources of a local lake: the folders under `<out>/ext/` that hold Parquet. */
export function lakeSources(out: string): string[] {
  const ext = join(out, "ext");
  if (!existsSync(ext)) return [];
  return readdirSync(ext, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^[A-Za-z0-9_-]+$/.test(d.name) && hasParquet(join(ext, d.name)))
    .map((d) => d.name)
    .sort();
}

function hasParquet(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).some(
    (e) => e.isFile() && e.name.endsWith(".parquet"),
  );
}

/**
 * Runs `sql` with DuckDB in-process over the lake at `out`: one view per custom source (`okta_auth`, over
 * `ext/okta-auth/**\/*.parquet` with its region/accountId/eventDay partitions as columns) and `lake`, all
 * of them by column name with a `custom_source` column. Throws InputError, one line, on a SQL error or
 * when the lake holds no Parquet.
 */
export async function queryLake(out: string, sql: string): Promise<QueryResult> {
  const sources = lakeSources(out);
  if (sources.length === 0) {
    throw new InputError(`no Parquet under ${join(out, "ext")}; run \`seclake local\` first (or pass --out)`);
  }
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const source of sources) {
      const glob = join(out, "ext", source, "**", "*.parquet").replaceAll("'", "''");
      await connection.run(
        `CREATE VIEW "${viewName(source)}" AS SELECT * FROM read_parquet('${glob}', hive_partitioning = true, union_by_name = true)`,
      );
    }
    await connection.run(
      `CREATE VIEW lake AS ${sources
        .map((s) => `SELECT '${s}' AS custom_source, * FROM "${viewName(s)}"`)
        .join(" UNION ALL BY NAME ")}`,
    );
    let reader: Awaited<ReturnType<typeof connection.runAndReadAll>>;
    try {
      reader = await connection.runAndReadAll(sql);
    } catch (error) {
      throw new InputError(`SQL: ${firstLine((error as Error).message)}`);
    }
    return { columns: reader.columnNames(), rows: reader.getRowsJS().map((row) => row.map(toJson)) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A DuckDB JS value as JSON: exact BIGINTs (OCSF times, counts) as numbers, others as text; dates as ISO. */
function toJson(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  return value;
}

function firstLine(text: string): string {
  return text.split("\n").find((l) => l.trim() !== "") ?? text;
}
