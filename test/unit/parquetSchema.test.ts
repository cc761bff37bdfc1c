import { RecordBatchStreamWriter, Table } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { classSchema, leafCount } from "../../functions/core/parquet/schema.ts";

function schemaBytes(uid: number): Uint8Array {
  // The IPC stream of an empty table is its schema message: byte-compare two derivations.
  return RecordBatchStreamWriter.writeAll(new Table(classSchema(uid).arrow)).toUint8Array(true);
}

describe("classSchema", () => {
  it("reproduces DESIGN.md §3's leaf column counts (core attributes, no profiles)", () => {
    const counts = (uid: number, depths: number[]) =>
      depths.map((depth) => leafCount(classSchema(uid, { depth, profiles: [] }).root));
    expect(counts(3002, [1, 2, 3, 4])).toEqual([176, 455, 902, 1590]);
    expect(counts(3001, [3])).toEqual([563]);
    expect(counts(2001, [3])).toEqual([719]);
  });

  it("adds the cloud, host and datetime profiles by default", () => {
    const names = classSchema(3002).arrow.fields.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(["cloud", "api", "device", "time_dt"]));
    expect(names).toEqual([...names].sort());
  });

  it("maps OCSF types to fixed Arrow types", () => {
    const fields = new Map(classSchema(3002).arrow.fields.map((f) => [f.name, f]));
    expect(String(fields.get("time")?.type)).toBe("Int64");
    expect(String(fields.get("time_dt")?.type)).toBe("Timestamp<MILLISECOND, UTC>");
    expect(String(fields.get("severity_id")?.type)).toBe("Int32");
    expect(String(fields.get("is_mfa")?.type)).toBe("Bool");
    expect(String(fields.get("unmapped")?.type)).toBe("Utf8");
    expect(String(fields.get("raw_data")?.type)).toBe("Utf8");
    const observables = fields.get("observables")?.type;
    expect(observables?.children[0]?.name).toBe("element");
    const user = fields.get("user")?.type;
    const groups = user?.children.find((c: { name: string }) => c.name === "groups");
    expect(String(groups?.type)).toMatch(/^List<Struct</);
  });

  it("cuts objects below depth 3 into JSON text", () => {
    const actor = classSchema(3002).root.children.find((c) => c.name === "actor");
    const process = actor?.kind === "struct" ? actor.children.find((c) => c.name === "process") : undefined;
    const file = process?.kind === "struct" ? process.children.find((c) => c.name === "file") : undefined;
    const signature = file?.kind === "struct" ? file.children.find((c) => c.name === "signature") : undefined;
    expect(signature).toMatchObject({ kind: "json", path: "actor.process.file.signature", shape: "object" });
  });

  it("is byte-identical every time it is derived", () => {
    for (const uid of [3002, 2001]) expect(schemaBytes(uid)).toEqual(schemaBytes(uid));
  });
});
