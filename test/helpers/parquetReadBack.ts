import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { parseJsonPrecise } from "../../functions/core/parquet/json.ts";
import type { ColumnNode, StructColumn } from "../../functions/core/parquet/schema.ts";

let connection: Promise<DuckDBConnection> | undefined;

/** Runs one SQL statement in an in-memory DuckDB (the independent reader) and returns JSON-mode rows. */
export async function duck(sql: string): Promise<Record<string, unknown>[]> {
  connection ??= DuckDBInstance.create(":memory:").then((db) => db.connect());
  const reader = await (await connection).runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** Every file under `dir`, as paths relative to it, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * What an event should read back as, by the fixed schema: absent and null values dropped from structs,
 * 64-bit integers as decimal strings (DuckDB's JSON mode), *_dt as epoch ms, JSON columns as values.
 */
export function expected(event: unknown, root: StructColumn): unknown {
  return normalise(event, root, "input");
}

/** A DuckDB JSON-mode row brought to the same shape as `expected`. */
export function actual(row: unknown, root: StructColumn): unknown {
  return normalise(row, root, "parquet");
}

function normalise(value: unknown, node: ColumnNode, side: "input" | "parquet"): unknown {
  if (value === null || value === undefined) return null;
  switch (node.kind) {
    case "struct": {
      const out: Record<string, unknown> = {};
      const record = value as Record<string, unknown>;
      for (const child of node.children) {
        const v = normalise(record[child.name], child, side);
        if (v !== null) out[child.name] = v;
      }
      return out;
    }
    case "list":
      return (value as unknown[]).map((e) => normalise(e, node.element, side));
    case "int64":
      return String(value);
    case "json":
      return side === "input" ? value : parseJsonPrecise(value as string);
    case "timestamp":
      return side === "input"
        ? Date.parse(value as string)
        : Date.parse((value as string).replace(" ", "T").replace(/\+00$/, "Z"));
    case "float64":
      return Number(value);
    default:
      return value;
  }
}
