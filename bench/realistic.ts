/**
 * The realistic Authentication corpus: raw vendor fixture events, cycled, each given a fresh id and time
 * written into the raw event before mapping, then mapped by the project's mapping engine. So `raw_data`,
 * `metadata.uid` and `time` differ per event while every other value repeats, as values do in audit logs
 * (the synthetic corpus of bench/convert.ts draws most values at random, which flatters nothing but
 * ratios of large files). Only events that map to Authentication (3002) are kept.
 */
import { once } from "node:events";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSourceMappings, mapRecord, type SourceMappings } from "../functions/core/mapping/engine.ts";
import { compileSetter, parsePath, type Setter } from "../functions/core/mapping/paths.ts";

const FIXTURES = fileURLToPath(new URL("../test/fixtures/", import.meta.url));
const AUTHENTICATION = 3002;

/** Fixture files per source; OneLogin's other files hold no event that maps. */
export const REALISTIC_FIXTURES: Readonly<Record<string, readonly string[]>> = {
  okta: ["samples", "public", "synthetic", "edge"],
  onelogin: ["samples", "synthetic"],
  sailpoint: ["samples", "public", "synthetic", "crud"],
};

interface Template {
  readonly mappings: SourceMappings;
  readonly raw: Record<string, unknown>;
  readonly setId: Setter;
  readonly setTime: Setter;
  /** The template's own id is a number (OneLogin) rather than a string. */
  readonly numericId: boolean;
}

/** The raw fixture events that map to Authentication, in source and file order. */
export function authenticationTemplates(root = FIXTURES): Template[] {
  const out: Template[] = [];
  for (const [source, files] of Object.entries(REALISTIC_FIXTURES)) {
    const mappings = loadSourceMappings(source);
    const setId = compileSetter(parsePath(mappings.eventIdPath));
    const setTime = compileSetter(parsePath(mappings.timePath));
    for (const file of files) {
      for (const line of readFileSync(join(root, source, `${file}.ndjson`), "utf8").split("\n")) {
        if (line.trim() === "") continue;
        const outcome = mapRecord(mappings, line);
        if (outcome.kind !== "mapped" || outcome.classUid !== AUTHENTICATION) continue;
        const raw = JSON.parse(line) as Record<string, unknown>;
        const numericId = typeof mappings.getId(raw) === "number";
        out.push({ mappings, raw, setId, setTime, numericId });
      }
    }
  }
  return out;
}

/**
 * Writes `count` mapped Authentication events as OCSF NDJSON (what the Map step stages), in time order
 * over about one hour (one hourly window, one file), at irregular gaps as real events arrive (evenly
 * spaced times would flatter any delta encoding of `time`). Deterministic: ids and gaps come from a
 * counter hashed, ids in a UUID's shape, so they are as incompressible as real ones.
 */
export async function generateRealisticAuthentication(count: number, path: string): Promise<void> {
  const templates = authenticationTemplates();
  const meanGap = 3_600_000 / count;
  let time = Date.UTC(2024, 2, 9, 10, 0, 0);
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    time += 2 * meanGap * (mix(2 * i + 1) / 2 ** 32);
    const t = templates[i % templates.length] as Template;
    const raw = structuredClone(t.raw);
    t.setId(raw, t.numericId ? 1_000_000_000 + i : freshUuid(i));
    t.setTime(raw, new Date(Math.floor(time)).toISOString());
    const outcome = mapRecord(t.mappings, JSON.stringify(raw));
    if (outcome.kind !== "mapped" || outcome.classUid !== AUTHENTICATION) {
      throw new Error(`realistic corpus: event ${i} (${t.mappings.source}) no longer maps to Authentication`);
    }
    if (!out.write(`${JSON.stringify(outcome.event)}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "close");
}

/** A UUID-shaped id from a counter (consecutive counters share no digits). */
export function freshUuid(n: number): string {
  let hex = "";
  for (let k = 0; k < 4; k++)
    hex += mix(n * 8 + 2 * k)
      .toString(16)
      .padStart(8, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A 32-bit integer hash of `n` (murmur3's finaliser), uniform enough for ids and gaps. */
function mix(n: number): number {
  let x = (n + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
