import { describe, expect, it } from "vitest";
import { CompactReader, CompactWriter, CType, ThriftError } from "../../functions/core/parquet/thrift.ts";

/**
 * A struct exercising every compact type: short and long field-id deltas, bools carried in the field
 * header, a list long enough for the extended size form, a map, a nested struct, big varints.
 */
function sample(): Uint8Array {
  const w = new CompactWriter();
  w.beginStruct();
  w.field(1, CType.I32);
  w.zigzag(-5);
  w.field(2, CType.BoolTrue);
  w.field(3, CType.BoolFalse);
  w.field(40, CType.I64); // delta 37: long form
  w.zigzag(2 ** 40 + 3);
  w.field(41, CType.Binary);
  w.binary(new TextEncoder().encode("ARROW:schema"));
  w.field(42, CType.List);
  w.list(CType.I16, 20);
  for (let i = 0; i < 20; i++) w.zigzag(i - 10);
  w.field(43, CType.Map);
  w.varint(1);
  w.byte((CType.Binary << 4) | CType.BoolTrue);
  w.binary(new Uint8Array([1, 2]));
  w.byte(1);
  w.field(44, CType.Struct);
  w.beginStruct();
  w.field(1, CType.Double);
  w.raw(new Uint8Array(8));
  w.field(2, CType.Byte);
  w.byte(7);
  w.endStruct();
  w.field(45, CType.List);
  w.list(CType.BoolTrue, 2);
  w.byte(1);
  w.byte(2);
  w.endStruct();
  return w.finish();
}

describe("Thrift compact protocol", () => {
  it("reads back field ids, types and values, and skips every type to the end", () => {
    const bytes = sample();
    const r = new CompactReader(bytes);
    const seen: [number, number][] = [];
    r.beginStruct();
    for (let f = r.field(); f; f = r.field()) {
      seen.push([f.id, f.type]);
      if (f.id === 1) expect(r.zigzag()).toBe(-5);
      else if (f.id === 40) expect(r.zigzag()).toBe(2 ** 40 + 3);
      else if (f.id === 41) expect(new TextDecoder().decode(r.binary())).toBe("ARROW:schema");
      else r.skip(f.type);
    }
    r.endStruct();
    expect(seen.map(([id]) => id)).toEqual([1, 2, 3, 40, 41, 42, 43, 44, 45]);
    expect(seen[1]?.[1]).toBe(CType.BoolTrue);
    expect(seen[2]?.[1]).toBe(CType.BoolFalse);
    expect(r.pos).toBe(bytes.length);
  });

  it("copies a struct with a field dropped, re-encoding the next field's id delta", () => {
    const bytes = sample();
    const r = new CompactReader(bytes);
    const w = new CompactWriter();
    r.beginStruct();
    w.beginStruct();
    for (let f = r.field(); f; f = r.field()) {
      const at = r.pos;
      r.skip(f.type);
      if (f.id === 2 || f.id === 41) continue;
      w.field(f.id, f.type);
      w.raw(bytes.subarray(at, r.pos));
    }
    r.endStruct();
    w.endStruct();
    const copy = w.finish();
    const back = new CompactReader(copy);
    const ids: number[] = [];
    back.beginStruct();
    for (let f = back.field(); f; f = back.field()) {
      ids.push(f.id);
      if (f.id === 40) expect(back.zigzag()).toBe(2 ** 40 + 3);
      else back.skip(f.type);
    }
    expect(ids).toEqual([1, 3, 40, 42, 43, 44, 45]);
    expect(back.pos).toBe(copy.length);
  });

  it("refuses truncated input and unknown types", () => {
    const bytes = sample();
    expect(() => new CompactReader(bytes.subarray(0, bytes.length - 3)).skip(CType.Struct)).toThrow(
      ThriftError,
    );
    expect(() => new CompactReader(new Uint8Array([0x1d])).skip(CType.Struct)).toThrow(
      /unknown compact type 13/,
    );
    expect(() => new CompactReader(new Uint8Array([0x18, 0x05, 0x41])).skip(CType.Struct)).toThrow(
      /past the end/,
    );
  });
});
