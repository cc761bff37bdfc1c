import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentSchema } from "../../functions/handlers/environment.ts";
import {
  BUNDLE_MAPPINGS_DIR,
  buildLambdaBundle,
  type LambdaBundle,
  REPO_ROOT,
  repoRootOf,
} from "../../infra/bundle.ts";
import { FUNCTION_ROLES, PUSH_ONLY_ROLES } from "../../infra/names.ts";

// One build for the whole file: esbuild bundles the six handlers (and a parquet-wasm probe) in ~1 s.
let bundle: LambdaBundle;
const outDir = mkdtempSync(join(tmpdir(), "seclake-bundle-"));
beforeAll(() => {
  bundle = buildLambdaBundle(REPO_ROOT, outDir, { bundleProbe: "test/helpers/bundleProbe.ts" });
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("repository root", () => {
  it("is a file-system path even when the checkout path has spaces or non-ASCII characters", () => {
    const url = pathToFileURL("/home/ana/My Projects/sécurité/infra/bundle.ts").href;
    expect(url).toContain("%20");
    expect(repoRootOf(url)).toBe("/home/ana/My Projects/sécurité");
  });
});

describe("Lambda bundle", () => {
  it("has one ESM entry per handler, each exporting `handler`", async () => {
    for (const role of FUNCTION_ROLES.filter((r) => !bundle.missing.includes(r))) {
      expect(bundle.handlers[role]).toBe(`${role}.handler`);
      const mod = await import(pathToFileURL(join(outDir, `${role}.mjs`)).href);
      expect(typeof mod.handler, role).toBe("function");
    }
  });

  it("builds every handler of FUNCTION_ROLES (acknowledge included); only a push-only one may be missing", () => {
    expect(bundle.missing.filter((r) => !PUSH_ONLY_ROLES.has(r))).toEqual([]);
    expect(bundle.missing).toEqual([]);
    expect(Object.keys(bundle.handlers).sort()).toEqual([...FUNCTION_ROLES].sort());
  });

  it("is self-contained: it imports nothing from outside itself but Node built-ins", () => {
    const builtin = (path: string) => path.startsWith("node:") || builtinModules.includes(path);
    expect(bundle.externalImports.length).toBeGreaterThan(0);
    expect(bundle.externalImports.filter((path) => !builtin(path))).toEqual([]);
  });

  it("ships mappings/ where SECLAKE_MAPPINGS_DIR points once deployed", () => {
    expect(bundle.assets).toContain("mappings");
    expect(BUNDLE_MAPPINGS_DIR).toBe("/var/task/mappings");
    expect(readdirSync(join(outDir, "mappings"))).toEqual(readdirSync(join(REPO_ROOT, "mappings")));
  });

  it("loads parquet-wasm's .wasm inside the bundle and writes a readable ZSTD Parquet file", async () => {
    expect(bundle.assets).toContain("parquet_wasm_bg.wasm");
    const probe = await import(pathToFileURL(join(outDir, "bundleProbe.mjs")).href);
    await expect(probe.handler()).resolves.toEqual({ magic: "PAR1", rows: 3, ids: [1, 2, 3] });
  });

  it("the environment contract is the handlers' own schema (sanity check of the import path)", () => {
    expect(Object.keys(environmentSchema.shape)).toContain("SECLAKE_MAPPINGS_DIR");
  });
});
