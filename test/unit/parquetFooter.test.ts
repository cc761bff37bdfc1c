import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalObjectWriter } from "../../functions/adapters/localObjectWriter.ts";
import { BatchBuilder } from "../../functions/core/parquet/builder.ts";
import { convertOcsf } from "../../functions/core/parquet/convert.ts";
import {
  type FooterTrim,
  footerStart,
  pageIndexRange,
  trimParquetStream,
  trimTail,
} from "../../functions/core/parquet/footer.ts";
import { encodeParquet, writerPropertiesBuilder } from "../../functions/core/parquet/parquetStream.ts";
import { defaultClassSchema } from "../../functions/core/parquet/schema.ts";
import { CompactReader } from "../../functions/core/parquet/thrift.ts";
import { duck } from "../helpers/parquetReadBack.ts";

const root = mkdtempSync(join(tmpdir(), "seclake-footer-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const INPUT = join(import.meta.dirname, "..", "golden", "okta", "authentication.ndjson");
const ALL: FooterTrim = { arrowSchema: true, pageIndex: true, encodingStats: true, sizeStatistics: true };

/** arrow-rs's untrimmed file of the Okta Authentication goldens, dictionaries on, one extra key-value. */
let original: Uint8Array;
beforeAll(async () => {
  const builder = new BatchBuilder(defaultClassSchema(3002));
  for (const line of readFileSync(INPUT, "utf8").split("\n")) if (line) builder.append(JSON.parse(line));
  async function* batches() {
    yield builder.flush();
  }
  const properties = writerPropertiesBuilder()
    .setKeyValueMetadata(new Map([["origin", "seclake-test"]]))
    .build();
  const chunks: Uint8Array[] = [];
  for await (const chunk of encodeParquet(batches(), properties)) chunks.push(chunk);
  original = Buffer.concat(chunks);
});

let files = 0;
function save(parts: readonly Uint8Array[]): string {
  const path = join(root, `f${files++}.parquet`);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

/** What a footer holds, read with the Thrift reader: keys, and the ColumnChunk / ColumnMetaData fields. */
function footerFields(file: Uint8Array) {
  const meta = file.subarray(footerStart(file.length, file), file.length - 8);
  const r = new CompactReader(meta);
  const keys: string[] = [];
  const chunk = new Set<number>();
  const columnMeta = new Set<number>();
  const struct = (onField: (id: number, type: number) => void) => {
    r.beginStruct();
    for (let f = r.field(); f; f = r.field()) onField(f.id, f.type);
    r.endStruct();
  };
  const list = (element: () => void) => {
    const { size } = r.list();
    for (let i = 0; i < size; i++) element();
  };
  struct((id, type) => {
    if (id === 4) {
      list(() =>
        struct((gid, gtype) => {
          if (gid !== 1) return r.skip(gtype);
          list(() =>
            struct((cid, ctype) => {
              chunk.add(cid);
              if (cid !== 3) return r.skip(ctype);
              struct((mid, mtype) => {
                columnMeta.add(mid);
                r.skip(mtype);
              });
            }),
          );
        }),
      );
    } else if (id === 5) {
      list(() =>
        struct((kid, ktype) => {
          if (kid === 1) keys.push(new TextDecoder().decode(r.binary()));
          else r.skip(ktype);
        }),
      );
    } else r.skip(type);
  });
  expect(r.pos).toBe(meta.length);
  return { keys, chunk, columnMeta, meta, metaAt: footerStart(file.length, file) };
}

/** The same rows (as multisets) and columns in `a` and `b` (files or globs), read by DuckDB. */
async function sameRows(a: string, b: string, rows = 54): Promise<void> {
  const [diff] = await duck(
    `SELECT (SELECT count(*) FROM (FROM '${a}' EXCEPT ALL FROM '${b}')) AS ab,
            (SELECT count(*) FROM (FROM '${b}' EXCEPT ALL FROM '${a}')) AS ba,
            (SELECT count(*) FROM '${a}') AS n`,
  );
  expect(diff).toEqual({ ab: "0", ba: "0", n: String(rows) });
  const describe = (f: string) => duck(`DESCRIBE FROM '${f}'`);
  expect(await describe(a)).toEqual(await describe(b));
}

describe("Parquet footer trim", () => {
  it("starts from a footer holding all four parts (else the test proves nothing)", () => {
    const f = footerFields(original);
    expect(f.keys).toEqual(["origin", "ARROW:schema"]);
    expect([4, 5].every((id) => f.chunk.has(id))).toBe(true);
    expect([13, 16].every((id) => f.columnMeta.has(id))).toBe(true);
    expect(pageIndexRange(f.meta, f.metaAt)).toBeDefined();
  });

  it("drops the Arrow schema, page index, encoding stats and size statistics; DuckDB reads the same", async () => {
    const trimmed = Buffer.concat(trimTail(original, 0, ALL));
    const f = footerFields(trimmed);
    expect(f.keys).toEqual(["origin"]);
    expect([4, 5, 6, 7].some((id) => f.chunk.has(id))).toBe(false);
    expect(f.columnMeta.has(13) || f.columnMeta.has(16)).toBe(false);
    expect(f.columnMeta.has(12)).toBe(true); // statistics stay
    const index = pageIndexRange(footerFields(original).meta, footerFields(original).metaAt);
    expect(trimmed.length).toBeLessThan(original.length - 80_000 - ((index?.end ?? 0) - (index?.start ?? 0)));
    await sameRows(save([original]), save([trimmed]));
    const [kv] = await duck(`SELECT decode(key) AS k FROM parquet_kv_metadata('${save([trimmed])}')`);
    expect(kv).toEqual({ k: "origin" });
  });

  it.each([
    ["arrowSchema", { arrowSchema: true }],
    ["pageIndex", { pageIndex: true }],
    ["encodingStats", { encodingStats: true }],
    ["sizeStatistics", { sizeStatistics: true }],
  ] as [string, FooterTrim][])("drops only %s when asked for it alone", async (_, trim) => {
    const f = footerFields(Buffer.concat(trimTail(original, 0, trim)));
    expect(f.keys.includes("ARROW:schema")).toBe(!trim.arrowSchema);
    expect(f.chunk.has(4)).toBe(!trim.pageIndex);
    expect(f.columnMeta.has(13)).toBe(!trim.encodingStats);
    expect(f.columnMeta.has(16)).toBe(!trim.sizeStatistics);
  });

  it("keeps the page index when it is not wholly in the tail, or not where arrow-rs puts it", async () => {
    const f = footerFields(original);
    const index = pageIndexRange(f.meta, f.metaAt) as { start: number; end: number };
    expect(pageIndexRange(f.meta, f.metaAt - 1)).toBeUndefined();
    const from = index.start + 1;
    const parts = [original.subarray(0, from), ...trimTail(original.subarray(from), from, ALL)];
    const out = footerFields(Buffer.concat(parts));
    expect(out.chunk.has(4)).toBe(true);
    expect(out.keys).toEqual(["origin"]);
    await sameRows(save([original]), save(parts));
  });

  it("trims a stream of small chunks holding back only the tail, and passes it whole when the footer does not fit or read", async () => {
    async function* pieces(size: number) {
      for (let at = 0; at < original.length; at += size) yield original.subarray(at, at + size);
    }
    const collect = async (stream: AsyncIterable<Uint8Array>) => {
      const out: Uint8Array[] = [];
      for await (const c of stream) out.push(c);
      return Buffer.concat(out);
    };
    const want = Buffer.concat(trimTail(original, 0, ALL));
    expect((await collect(trimParquetStream(pieces(997), ALL))).equals(want)).toBe(true);
    expect((await collect(trimParquetStream(pieces(997), ALL, 50_000))).equals(Buffer.from(original))).toBe(
      true,
    );
    expect((await collect(trimParquetStream(pieces(997), {}))).equals(Buffer.from(original))).toBe(true);
    const corrupt = Buffer.from(original);
    corrupt[footerStart(corrupt.length, corrupt)] = 0x1d; // field 1 of an unknown compact type
    const once = async function* () {
      yield corrupt;
    };
    expect((await collect(trimParquetStream(once(), ALL))).equals(corrupt)).toBe(true);
  });

  it("refuses a file without the PAR1 trailer", () => {
    expect(() => trimTail(original.subarray(0, original.length - 1), 0, ALL)).toThrow(/PAR1/);
  });
});

describe("convertOcsf file layout by size", () => {
  it("writes time DELTA_BINARY_PACKED, no dictionary below dictionaryMinRows, the same rows either way", async () => {
    const run = async (name: string, dictionaryMinRows?: number) => {
      const out = join(root, name);
      const summary = await convertOcsf({
        input: INPUT,
        classUid: 3002,
        customSource: "okta-auth",
        region: "us-east-1",
        accountId: "123456789012",
        windowId: "w",
        writer: new LocalObjectWriter(out),
        ...(dictionaryMinRows === undefined ? {} : { limits: { dictionaryMinRows } }),
      });
      return { glob: `${out}/**/*.parquet`, files: summary.files.map((f) => join(out, f.key)) };
    };
    const small = await run("small");
    const dict = await run("dict", 0);
    const dictionaries = (glob: string) =>
      duck(`SELECT count(*) AS n FROM parquet_metadata('${glob}') WHERE dictionary_page_offset IS NOT NULL`);
    expect(await dictionaries(small.glob)).toEqual([{ n: "0" }]);
    expect(Number((await dictionaries(dict.glob))[0]?.n)).toBeGreaterThan(1000);
    for (const f of [...small.files, ...dict.files]) {
      const [time] = await duck(
        `SELECT encodings FROM parquet_metadata('${f}') WHERE path_in_schema = 'time'`,
      );
      expect(String(time?.encodings)).toContain("DELTA_BINARY_PACKED");
      expect(footerFields(new Uint8Array(readFileSync(f))).keys).toEqual([]);
    }
    await sameRows(small.glob, dict.glob);
  });
});
