import { describe, expect, it } from "vitest";
import { compileGetter, compileSetter, parsePath } from "../../../functions/core/mapping/paths.ts";

describe("paths", () => {
  it.each([
    ["a", ["a"]],
    ["a.b.c", ["a", "b", "c"]],
    ["target[0].id", ["target", 0, "id"]],
    ["request.ipChain[1].ip", ["request", "ipChain", 1, "ip"]],
    ['attributes."source.name"', ["attributes", "source.name"]],
    ["a[0][1]", ["a", 0, 1]],
  ])("parses %s", (text, expected) => {
    expect(parsePath(text)).toEqual(expected);
  });

  it.each(["", "a.", ".a", "a..b", "a[x]", "a[0", 'a."b', "a]b[0]c", "a.__proto__", "constructor"])(
    "rejects %j",
    (text) => {
      expect(() => parsePath(text)).toThrow();
    },
  );

  it("gets values, undefined on the wrong kind", () => {
    const ev = { a: { b: [{ c: 1 }, { c: 2 }] }, s: "x", "k.d": 3 };
    expect(compileGetter(parsePath("a.b[1].c"))(ev)).toBe(2);
    expect(compileGetter(parsePath("a.b.c"))(ev)).toBeUndefined();
    expect(compileGetter(parsePath("s.x"))(ev)).toBeUndefined();
    expect(compileGetter(parsePath('"k.d"'))(ev)).toBe(3);
    expect(compileGetter(parsePath("a.b"))(null)).toBeUndefined();
    expect(compileGetter(parsePath("a"))([1])).toBeUndefined();
  });

  it("sets values, creating objects and arrays", () => {
    const out: Record<string, unknown> = {};
    compileSetter(parsePath("resources[0].name"))(out, "n");
    compileSetter(parsePath("resources[0].owner.uid"))(out, "u");
    compileSetter(parsePath("user.name"))(out, "x");
    compileSetter(parsePath("user.uid"))(out, "y");
    compileSetter(parsePath("message"))(out, "m");
    expect(out).toEqual({
      resources: [{ name: "n", owner: { uid: "u" } }],
      user: { name: "x", uid: "y" },
      message: "m",
    });
  });
});
