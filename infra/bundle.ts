import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { FUNCTION_ROLES, type FunctionRole, PUSH_ONLY_ROLES } from "./names.ts";

/** Where the mapping engine finds mappings/ inside the deployed bundle (Lambda unpacks code to /var/task). */
export const BUNDLE_MAPPINGS_DIR = "/var/task/mappings";

// The handlers are ESM, but some dependencies are CommonJS that call require() and read files next to
// themselves: parquet-wasm's Node build does `require('fs').readFileSync(`${__dirname}/parquet_wasm_bg.wasm`)`.
// In an ESM bundle neither require nor __dirname exists, so every output file defines them; chunks sit
// beside the entry files, so __dirname is the bundle root, where the .wasm is copied.
const ESM_CJS_SHIM = [
  'import { createRequire as __seclakeCreateRequire } from "node:module";',
  'import { fileURLToPath as __seclakeFileURLToPath } from "node:url";',
  "const require = __seclakeCreateRequire(import.meta.url);",
  "const __filename = __seclakeFileURLToPath(import.meta.url);",
  'const __dirname = __filename.slice(0, __filename.lastIndexOf("/"));',
].join("\n");

export interface LambdaBundle {
  /** Directory holding `<role>.mjs` per handler, shared chunks, mappings/ and any .wasm the code loads. */
  readonly dir: string;
  /** The Lambda `handler` setting per function role: `<role>.handler`. */
  readonly handlers: Readonly<Record<(typeof FUNCTION_ROLES)[number], string>>;
  /** Files copied into the bundle beside the code, relative to `dir`. */
  readonly assets: readonly string[];
  /** Modules the bundle imports from outside itself (esbuild's metafile): Node built-ins only. */
  readonly externalImports: readonly string[];
  /**
   * Push-only handlers whose source file does not exist, so not built (a checkout where the handler is
   * still being written). infra/index.ts warns when a push connector would deploy without it.
   */
  readonly missing: readonly FunctionRole[];
}

/**
 * Builds the connector handlers of functions/handlers (`functions/handlers/<role>.ts` for every role in
 * FUNCTION_ROLES) into one directory that every function of every connector deploys (one upload; each
 * function picks its entry with `handler`). A push-only handler whose file is absent is skipped and
 * listed in `missing`; any other missing handler fails the build. Node 22 ESM,
 * everything bundled, AWS SDK included so the deployed versions are the pinned ones. Copies mappings/
 * (read at run time from SECLAKE_MAPPINGS_DIR) and parquet-wasm's .wasm when the code imports it.
 * Afterwards `dir` is self-contained: importing `<dir>/<role>.mjs` needs nothing outside it.
 */
export function buildLambdaBundle(
  repoRoot: string,
  outDir: string,
  /** More entries (name → path from repoRoot) built with the same options; tests add a probe. */
  extraEntries: Readonly<Record<string, string>> = {},
): LambdaBundle {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const source = (role: FunctionRole) => `functions/handlers/${role}.ts`;
  const missing = FUNCTION_ROLES.filter(
    (role) => PUSH_ONLY_ROLES.has(role) && !existsSync(join(repoRoot, source(role))),
  );
  const roles = FUNCTION_ROLES.filter((role) => !missing.includes(role));
  const result = buildSync({
    absWorkingDir: repoRoot,
    entryPoints: {
      ...Object.fromEntries(roles.map((role) => [role, source(role)])),
      ...extraEntries,
    },
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunk-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node22",
    // Prefer packages' ESM builds; parquet-wasm still resolves to its "node" (CommonJS) build.
    mainFields: ["module", "main"],
    banner: { js: ESM_CJS_SHIM },
    legalComments: "none",
    metafile: true,
    logLevel: "silent",
  });
  const assets: string[] = [];
  cpSync(join(repoRoot, "mappings"), join(outDir, "mappings"), { recursive: true });
  assets.push("mappings");
  const inputs = Object.keys(result.metafile.inputs);
  if (inputs.some((path) => path.includes("node_modules/parquet-wasm/node/"))) {
    const require = createRequire(join(repoRoot, "package.json"));
    const wasm = require.resolve("parquet-wasm/node/parquet_wasm_bg.wasm");
    cpSync(wasm, join(outDir, "parquet_wasm_bg.wasm"));
    assets.push("parquet_wasm_bg.wasm");
  }
  for (const role of roles) {
    if (!existsSync(join(outDir, `${role}.mjs`))) {
      throw new Error(`bundle: ${relative(repoRoot, join(outDir, `${role}.mjs`))} was not built`);
    }
  }
  const externalImports = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) if (imported.external) externalImports.add(imported.path);
  }
  return {
    dir: outDir,
    externalImports: [...externalImports].sort(),
    handlers: Object.fromEntries(
      FUNCTION_ROLES.map((role) => [role, `${role}.handler`]),
    ) as LambdaBundle["handlers"],
    assets,
    missing,
  };
}

/**
 * The repository root of a module URL inside infra/. `fileURLToPath` decodes `%20` and non-ASCII
 * percent-escapes (a URL's `pathname` keeps them, so a checkout under "My Projects" would not be found).
 */
export function repoRootOf(moduleUrl: string): string {
  return dirname(dirname(fileURLToPath(moduleUrl)));
}

/** The repository root, from this file's location (infra/bundle.ts). */
export const REPO_ROOT = repoRootOf(import.meta.url);
