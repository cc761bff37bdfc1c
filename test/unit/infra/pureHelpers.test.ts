import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// STYLE.md §6: the helpers beside the component never import @pulumi/* at run time, so they are
// unit-tested (and reused by tests and tools) without the Pulumi engine.
const PURE = [
  "asl.ts",
  "names.ts",
  "policies.ts",
  "config.ts",
  "pushConfig.ts",
  "lambdaEnvironment.ts",
  "lambdaSizing.ts",
  "bundle.ts",
];

describe("infra helpers stay pure", () => {
  it.each(PURE)("infra/%s imports nothing from @pulumi", (file) => {
    const text = readFileSync(new URL(`../../../infra/${file}`, import.meta.url), "utf8");
    const imports = [...text.matchAll(/^import\s+(type\s)?[^;]*?from\s+"([^"]+)"/gms)];
    expect(imports.length).toBeGreaterThan(0);
    const runtime = imports.filter((m) => m[1] === undefined).map((m) => m[2]);
    expect(runtime.filter((path) => path?.startsWith("@pulumi/"))).toEqual([]);
  });
});
