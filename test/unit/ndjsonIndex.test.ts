import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { mayHoldBigInteger, parseJsonPrecise } from "../../functions/core/parquet/json.ts";
import { indexNdjson, PartIndexer, topLevelTime } from "../../functions/core/parquet/ndjsonIndex.ts";

const dir = mkdtempSync(join(tmpdir(), "seclake-index-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const time = (text: string) => topLevelTime(Buffer.from(text), 0, Buffer.byteLength(text));

describe("topLevelTime", () => {
  it.each([
    ['{"time":1710000000000}', 1710000000000],
    ['  { "a" : {"time": 5}, "time" : 42 , "b":[{"time":7}]}', 42],
    ['{"raw_data":"{\\"time\\":1}","time":9}', 9],
    ['{"x":"a\\\\","time":3}', 3],
    ['{"metadata":{"time":1}}', Number.NaN],
    ['{"time":"1710000000000"}', Number.NaN],
    ['{"time":1.5}', Number.NaN],
    ['{"time":17e11}', Number.NaN],
    ["[1,2]", Number.NaN],
    ["not json", Number.NaN],
  ])("reads %s as %d", (text, expected) => {
    expect(time(text)).toBe(expected);
  });

  it("agrees with JSON.parse on arbitrary objects", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 6 }),
        fc.integer({ min: 0, max: 2 ** 45 }),
        (rest, t) => {
          const { time: _drop, ...others } = rest as Record<string, unknown>;
          const text = JSON.stringify({ ...others, time: t });
          expect(time(text)).toBe(t);
        },
      ),
    );
  });
});

describe("indexNdjson", () => {
  it("records offsets, lengths, line numbers and times, skipping blank lines and CR", () => {
    const path = join(dir, "a.ndjson");
    writeFileSync(path, '{"time":2}\r\n\n  \n{"time":1,"m":"é"}');
    const index = indexNdjson(path, "a.ndjson");
    expect(index.count).toBe(2);
    expect([...index.lines.subarray(0, 2)]).toEqual([1, 4]);
    expect([...index.times.subarray(0, 2)]).toEqual([2, 1]);
    expect([...index.offsets.subarray(0, 2)]).toEqual([0, 16]);
    expect([...index.lengths.subarray(0, 2)]).toEqual([10, 19]);
    expect([...index.parts.subarray(0, 2)]).toEqual([0, 0]);
    expect(index.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("PartIndexer", () => {
  it("records the part, restarts offsets and lines per part, and hashes the parts as one file", () => {
    const a = '{"time":2}\r\n\n';
    const b = '  \n{"time":1,"m":"é"}\n{"time":3}';
    const indexer = new PartIndexer();
    indexer.add(Buffer.from(a), "part-a");
    indexer.add(new Uint8Array(Buffer.from(`xx${b}`)).subarray(2), "part-b");
    const index = indexer.finish();
    expect(index.count).toBe(3);
    expect([...index.parts.subarray(0, 3)]).toEqual([0, 1, 1]);
    expect([...index.lines.subarray(0, 3)]).toEqual([1, 2, 3]);
    expect([...index.offsets.subarray(0, 3)]).toEqual([0, 3, 23]);
    expect([...index.times.subarray(0, 3)]).toEqual([2, 1, 3]);
    const path = join(dir, "ab.ndjson");
    writeFileSync(path, a + b);
    expect(index.sha256).toBe(indexNdjson(path, "ab.ndjson").sha256);
  });

  it("names the part and its line when a line has no time", () => {
    const indexer = new PartIndexer();
    indexer.add(Buffer.from('{"time":1}\n'), "p0");
    expect(() => indexer.add(Buffer.from('{"time":1}\n{"x":1}\n'), "p1")).toThrow(
      /^p1:2: time: expected integer epoch milliseconds, got nothing$/,
    );
  });
});

describe("parseJsonPrecise", () => {
  it("keeps integers beyond 2^53 exact and everything else as JSON.parse", () => {
    const text = '{"a":9007199254740993,"b":-9223372036854775808,"c":1.5,"d":"x\\"y","e":[true,null,{}]}';
    expect(mayHoldBigInteger(text)).toBe(true);
    expect(parseJsonPrecise(text)).toEqual({
      a: 9007199254740993n,
      b: -9223372036854775808n,
      c: 1.5,
      d: 'x"y',
      e: [true, null, {}],
    });
    expect(() => parseJsonPrecise('{"a":1')).toThrow(SyntaxError);
  });
});
