import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalObjectWriter } from "../../functions/adapters/localObjectWriter.ts";
import { InputError, SchemaError } from "../../functions/core/errors.ts";
import { ocsf } from "../../functions/core/ocsf/schema.ts";
import { type ConvertOptions, convertOcsf } from "../../functions/core/parquet/convert.ts";
import { parseJsonPrecise } from "../../functions/core/parquet/json.ts";
import { defaultClassSchema } from "../../functions/core/parquet/schema.ts";
import { actual, duck, expected, listFiles } from "../helpers/parquetReadBack.ts";

const root = mkdtempSync(join(tmpdir(), "seclake-parquet-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "ocsf");
const GOLDEN = join(import.meta.dirname, "..", "golden");
const LOCATION = { customSource: "syn-source", region: "us-east-1", accountId: "123456789012" } as const;

async function convert(input: string, classUid: number, extra: Partial<ConvertOptions> = {}) {
  const out = join(root, `run-${runs++}`);
  const summary = await convertOcsf({
    input,
    classUid,
    ...LOCATION,
    windowId: "synwin",
    writer: new LocalObjectWriter(out),
    ...extra,
  });
  return { out, summary };
}

function writeInput(lines: string[]): string {
  const path = join(root, `input-${runs++}.ndjson`);
  writeFileSync(path, lines.length ? `${lines.join("\n")}\n` : "");
  return path;
}

function readEvents(path: string): { event: Record<string, unknown>; line: number }[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .map((text, i) => ({ text, line: i + 1 }))
    .filter((l) => l.text.trim() !== "")
    .map((l) => ({ event: parseJsonPrecise(l.text) as Record<string, unknown>, line: l.line }));
}

/** Converts, reads every file back with DuckDB and compares field by field, in the expected order. */
async function roundTrip(path: string, classUid: number) {
  const schema = defaultClassSchema(classUid);
  const { out, summary } = await convert(path, classUid);
  const events = readEvents(path);
  const day = (t: unknown) => new Date(Number(t)).toISOString().slice(0, 10).replaceAll("-", "");
  const ordered = [...events].sort(
    (a, b) =>
      day(a.event.time).localeCompare(day(b.event.time)) ||
      Number(a.event.time) - Number(b.event.time) ||
      a.line - b.line,
  );
  // One read of all files, in summary order, each file's rows in file order.
  const paths = summary.files.map((f) => `'${join(out, f.key)}'`).join(", ");
  const back = paths
    ? await duck(
        `SELECT * EXCLUDE (f, r) FROM (SELECT *, filename AS f, file_row_number AS r FROM read_parquet([${paths}], filename = true, file_row_number = true)) ORDER BY list_position([${paths}], f), r`,
      )
    : [];
  expect(summary.rows).toBe(events.length);
  expect(back.length).toBe(events.length);
  for (let i = 0; i < ordered.length; i++) {
    const want = ordered[i] as (typeof ordered)[number];
    expect(actual(back[i], schema.root), `line ${want.line}`).toEqual(expected(want.event, schema.root));
  }
  return { out, summary };
}

const fixtureClasses = [3002, 3001, 1006, 2001, 3005, 3006];

describe("convertOcsf round trip (read back with DuckDB)", () => {
  it.each(fixtureClasses)("keeps every field of the %i fixtures", async (uid) => {
    await roundTrip(join(FIXTURES, `${uid}.ndjson`), uid);
  });

  const goldens = existsSync(GOLDEN)
    ? listFiles(GOLDEN)
        .filter((f) => f.endsWith(".ndjson"))
        .map((f) => {
          const stem = basename(f, ".ndjson");
          const cls = ocsf.findClass(/^\d+$/.test(stem) ? Number(stem) : stem);
          return cls ? ([f, cls.class_uid] as const) : undefined;
        })
        .filter((x): x is readonly [string, number] => x !== undefined)
    : [];
  it.skipIf(goldens.length === 0).each(goldens.length ? goldens : [["none", 0] as const])(
    "keeps every field of golden %s",
    async (file, uid) => {
      await roundTrip(join(GOLDEN, file), uid);
    },
  );
});

describe("convertOcsf Parquet layout", () => {
  it("writes ZSTD on every column, no INT96, ms timestamps, 3-level lists", async () => {
    const { out, summary } = await convert(join(FIXTURES, "3002.ndjson"), 3002);
    const file = join(out, summary.files[0]?.key ?? "");
    const codecs = await duck(`SELECT DISTINCT compression FROM parquet_metadata('${file}')`);
    expect(codecs).toEqual([{ compression: "ZSTD" }]);
    const types = await duck(`SELECT DISTINCT type FROM parquet_schema('${file}') WHERE type IS NOT NULL`);
    expect(types.map((t) => t.type)).not.toContain("INT96");
    const dt = await duck(`SELECT logical_type FROM parquet_schema('${file}') WHERE name = 'time_dt'`);
    expect(String(dt[0]?.logical_type)).toMatch(/MILLIS/);
    const lists = await duck(
      `SELECT count(*) AS n FROM parquet_schema('${file}') WHERE repetition_type = 'REPEATED' AND name <> 'list'`,
    );
    expect(lists[0]?.n).toBe("0");
  });

  it("gives the same DESCRIBE for two converts of different data", async () => {
    const a = await convert(join(FIXTURES, "3002.ndjson"), 3002);
    const other = writeInput([JSON.stringify({ class_uid: 3002, time: 1, message: "only this" })]);
    const b = await convert(other, 3002);
    const describeOf = (out: string, key: string) =>
      duck(`DESCRIBE SELECT * FROM read_parquet('${join(out, key)}')`);
    const da = await describeOf(a.out, a.summary.files[0]?.key ?? "");
    const db = await describeOf(b.out, b.summary.files[0]?.key ?? "");
    expect(da.length).toBeGreaterThan(40);
    expect(db).toEqual(da);
  });

  it("partitions by the UTC day of time, names files <window>-<part>, sorts rows by time", async () => {
    const { out, summary } = await convert(join(FIXTURES, "3001.ndjson"), 3001);
    const prefix = "ext/syn-source/region=us-east-1/accountId=123456789012";
    expect(summary.partitions).toEqual([`${prefix}/eventDay=20240309`, `${prefix}/eventDay=20240310`]);
    expect(summary.files.map((f) => [f.key, f.rows, f.eventDay])).toEqual([
      [`${prefix}/eventDay=20240309/synwin-0.parquet`, 3, "20240309"],
      [`${prefix}/eventDay=20240310/synwin-0.parquet`, 1, "20240310"],
    ]);
    expect(listFiles(out)).toEqual(summary.files.map((f) => f.key));
    const times = await duck(`SELECT time FROM read_parquet('${join(out, summary.files[0]?.key ?? "")}')`);
    const values = times.map((t) => Number(t.time));
    expect(values).toEqual([...values].sort((x, y) => x - y));
    expect(summary.bytes).toBe(summary.files.reduce((n, f) => n + f.bytes, 0));
  });

  it("names the window by the input's hash when none is given, the same for the same input", async () => {
    const input = join(FIXTURES, "1006.ndjson");
    const a = await convert(input, 1006, { windowId: undefined });
    const b = await convert(input, 1006, { windowId: undefined });
    expect(a.summary.windowId).toMatch(/^[0-9a-f]{16}$/);
    expect(b.summary.files.map((f) => f.key)).toEqual(a.summary.files.map((f) => f.key));
    const c = await convert(join(FIXTURES, "3001.ndjson"), 3001, { windowId: undefined });
    expect(c.summary.windowId).not.toBe(a.summary.windowId);
  });

  it("rolls to a new file at the row limit, every row exactly once", async () => {
    const lines = Array.from({ length: 23 }, (_, i) =>
      JSON.stringify({
        class_uid: 3002,
        time: 1_710_000_000_000 + ((i * 7) % 23) * 1000,
        metadata: { uid: `syn${i}` },
      }),
    );
    const { out, summary } = await convert(writeInput(lines), 3002, {
      limits: { maxRowsPerFile: 5, batchRows: 2 },
    });
    expect(summary.files.map((f) => f.rows)).toEqual([5, 5, 5, 5, 3]);
    expect(summary.files.map((f) => f.key.split("/").pop())).toEqual(
      [0, 1, 2, 3, 4].map((p) => `synwin-${p}.parquet`),
    );
    const rows = await duck(
      `SELECT metadata.uid AS uid, time FROM read_parquet('${out}/ext/**/*.parquet') ORDER BY time`,
    );
    expect(rows.map((r) => r.uid).sort()).toEqual(lines.map((_, i) => `syn${i}`).sort());
    const times = rows.map((r) => Number(r.time));
    expect(new Set(times).size).toBe(23);
  });

  it("rolls to a new file at the byte limit (NDJSON bytes, at least one row per file)", async () => {
    const lines = Array.from({ length: 5 }, (_, i) =>
      JSON.stringify({ class_uid: 3002, time: 1_710_000_000_000 + i }),
    );
    const size = Buffer.byteLength(lines[0] as string);
    const { summary } = await convert(writeInput(lines), 3002, { limits: { maxBytesPerFile: 2 * size + 1 } });
    expect(summary.files.map((f) => f.rows)).toEqual([2, 2, 1]);
    const tiny = await convert(writeInput(lines), 3002, { limits: { maxBytesPerFile: 1 } });
    expect(tiny.summary.files).toHaveLength(5);
  });

  it("writes nothing for empty input", async () => {
    const { out, summary } = await convert(writeInput(["", "   "]), 3002);
    expect(summary).toMatchObject({ rows: 0, files: [], partitions: [], bytes: 0 });
    expect(existsSync(out) ? listFiles(out) : []).toEqual([]);
  });
});

describe("convertOcsf bad input", () => {
  const ok = (i: number) => JSON.stringify({ class_uid: 3002, time: 1_710_000_000_000 + i });
  const cases: [string, string[], typeof InputError | typeof SchemaError, RegExp][] = [
    ["a non-JSON line", [ok(1), "{not json"], InputError, /:2: not valid JSON/],
    [
      "a missing time",
      [ok(1), JSON.stringify({ class_uid: 3002 })],
      InputError,
      /:2: time: expected integer/,
    ],
    [
      "an event of another class",
      [ok(1), JSON.stringify({ class_uid: 3001, time: 1 })],
      SchemaError,
      /:2: class_uid: expected 3002.*got 3001/,
    ],
    [
      "a string where an int32 belongs",
      [JSON.stringify({ class_uid: 3002, time: 1, severity_id: "high" })],
      SchemaError,
      /:1: severity_id: expected a 32-bit integer, got "high"/,
    ],
    [
      "a wrong type inside a list of structs",
      [JSON.stringify({ class_uid: 3002, time: 1, user: { groups: [{ name: "a" }, { name: 7 }] } })],
      SchemaError,
      /:1: user\.groups\[1\]\.name: expected a string, got 7/,
    ],
    [
      "an attribute the class does not have",
      [JSON.stringify({ class_uid: 3002, time: 1, user: { nickname: "x" } })],
      SchemaError,
      /:1: user\.nickname: not an attribute of this class/,
    ],
    [
      "a bad *_dt value",
      [JSON.stringify({ class_uid: 3002, time: 1, time_dt: "yesterday" })],
      SchemaError,
      /:1: time_dt: expected an RFC 3339 date-time string/,
    ],
  ];
  it.each(cases)("fails on %s, naming the line and path", async (_name, lines, type, message) => {
    const input = writeInput(lines);
    const attempt = convert(input, 3002);
    await expect(attempt).rejects.toBeInstanceOf(type);
    await expect(attempt).rejects.toThrow(message);
  });

  it("with removeOnFailure leaves no file behind when a later file fails; without, keeps the first", async () => {
    // Day one converts and is committed first; the bad event sits in day two.
    const lines = [
      JSON.stringify({ class_uid: 3002, time: Date.UTC(2024, 0, 1) }),
      JSON.stringify({ class_uid: 3002, time: Date.UTC(2024, 0, 2), is_mfa: "yes" }),
    ];
    const attempt = (out: string, remove: boolean) => {
      const writer = new LocalObjectWriter(out);
      return convertOcsf({
        input: writeInput(lines),
        classUid: 3002,
        ...LOCATION,
        windowId: "synwin",
        writer,
        ...(remove ? { removeOnFailure: (key: string) => writer.delete(key) } : {}),
      });
    };
    const removed = join(root, "partial-removed");
    await expect(attempt(removed, true)).rejects.toThrow(/:2: is_mfa: expected a boolean/);
    expect(listFiles(removed)).toEqual([]);
    const kept = join(root, "partial-kept");
    await expect(attempt(kept, false)).rejects.toThrow(/:2: is_mfa: expected a boolean/);
    expect(listFiles(kept)).toEqual([
      "ext/syn-source/region=us-east-1/accountId=123456789012/eventDay=20240101/synwin-0.parquet",
    ]);
  });

  it("rejects a bad region, account or source before reading", async () => {
    await expect(convert(writeInput([ok(1)]), 3002, { region: "US East" })).rejects.toThrow(
      /region \(--region\)/,
    );
    await expect(convert(writeInput([ok(1)]), 3002, { accountId: "12345" })).rejects.toThrow(/12-digit/);
    await expect(convert(writeInput([ok(1)]), 3002, { customSource: "a/b" })).rejects.toThrow(/--source/);
  });
});
