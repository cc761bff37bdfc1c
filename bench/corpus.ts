import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateRealisticAuthentication } from "./realistic.ts";
import { generateAuthentication } from "./synthetic.ts";

/** Where the benchmarks keep their generated inputs and outputs (git-ignored). */
export const WORK = resolve(fileURLToPath(import.meta.url), "..", "..", ".bench");

/** `synthetic`: bench/synthetic.ts (values mostly unique); `realistic`: bench/realistic.ts (values repeat). */
export type Corpus = "synthetic" | "realistic";

/** The OCSF NDJSON of `events` Authentication events of a corpus, generated once under .bench/. */
export async function corpusInput(corpus: Corpus, events: number): Promise<string> {
  mkdirSync(WORK, { recursive: true });
  const path = join(
    WORK,
    corpus === "realistic" ? `realistic-auth-${events}.ndjson` : `auth-${events}.ndjson`,
  );
  if (!existsSync(path)) {
    if (corpus === "realistic") await generateRealisticAuthentication(events, path);
    else await generateAuthentication(events, path);
  }
  return path;
}
