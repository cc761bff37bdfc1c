import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { listSources, loadSourceMappings, mapRecord } from "../functions/core/mapping/engine.ts";
import { compileSetter, parsePath } from "../functions/core/mapping/paths.ts";

/**
 * Mapping throughput on one core: N raw events made by cycling a source's fixtures with fresh ids, each
 * parsed, mapped, validated and serialized exactly as `seclake map` does (file I/O aside). Not a timed
 * test: it prints figures for the bench report.
 */
export interface MappingBenchResult {
  source: string;
  events: number;
  /** Events per CPU-second, end to end: parse, map, validate, serialize the OCSF JSON. */
  eventsPerSecond: number;
  /** The same without serializing the output: parse, map, validate (a separate pass). */
  mapOnlyEventsPerSecond: number;
  wallEventsPerSecond: number;
  /** JSON.parse + JSON.stringify of the same lines per CPU-second: the floor of any mapper. */
  parseSerializeEventsPerSecond: number;
  /** mapping rate / floor rate (1.0 would be "mapping costs nothing beyond JSON"). */
  ratioToParseSerialize: number;
  peakRssMb: number;
  mapped: number;
  skipped: number;
  quarantined: number;
}

let fixturesRoot =
  process.env.SECLAKE_FIXTURES_DIR ?? fileURLToPath(new URL("../test/fixtures/", import.meta.url));

/** Sources that have both mappings and fixtures. */
export function benchSources(): string[] {
  return listSources().filter((s) => existsSync(join(fixturesRoot, s)));
}

/** Builds `events` raw NDJSON lines from the source's fixtures (only those that map), ids made unique. */
export function generateLines(source: string, events: number): string[] {
  const mappings = loadSourceMappings(source);
  const dir = join(fixturesRoot, source);
  const templates: Record<string, unknown>[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".ndjson"))
    .sort()) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      if (line.trim() === "") continue;
      if (mapRecord(mappings, line).kind !== "mapped") continue;
      templates.push(JSON.parse(line) as Record<string, unknown>);
    }
  }
  if (templates.length === 0) throw new Error(`no mappable fixtures for ${source} in ${dir}`);
  const setId = compileSetter(parsePath(mappings.eventIdPath));
  const getId = mappings.getId;
  const lines: string[] = new Array(events);
  for (let i = 0; i < events; i++) {
    const t = templates[i % templates.length] as Record<string, unknown>;
    const original = getId(t);
    setId(t, `${String(original)}-b${i}`);
    lines[i] = JSON.stringify(t);
    setId(t, original);
  }
  return lines;
}

/**
 * Maps `events` generated events in chunks; per chunk, three passes over the same lines alternate so machine
 * load hits them alike: end to end (each line mapped and its event serialized at once, as `MapRun.push`
 * does, so no batch of mapped objects is kept alive), map only (outcomes dropped), and the floor
 * (JSON.parse + JSON.stringify). Rates use process CPU time, which a busy shared machine distorts far less
 * than wall time; the wall-clock rate of the end-to-end pass is reported too.
 */
export function benchMapping(source: string, events: number): MappingBenchResult {
  const mappings = loadSourceMappings(source);
  const lines = generateLines(source, events);
  // Warm up so V8 optimises the compiled plan before the measured pass.
  for (let i = 0; i < Math.min(20_000, lines.length); i++)
    JSON.stringify(mapRecord(mappings, lines[i] as string));
  let mapped = 0;
  let skipped = 0;
  let quarantined = 0;
  let endToEndCpu = 0;
  let mapCpu = 0;
  let wallMicros = 0;
  let floorCpu = 0;
  const chunk = 1000;
  const cpuSince = (start: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(start);
    return used.user + used.system;
  };
  for (let from = 0; from < lines.length; from += chunk) {
    const to = Math.min(lines.length, from + chunk);
    const wall = process.hrtime.bigint();
    let cpu = process.cpuUsage();
    for (let i = from; i < to; i++) {
      const outcome = mapRecord(mappings, lines[i] as string);
      if (outcome.kind === "mapped") {
        mapped++;
        sink(JSON.stringify(outcome.event));
      } else if (outcome.kind === "skipped") skipped++;
      else quarantined++;
    }
    endToEndCpu += cpuSince(cpu);
    wallMicros += Number(process.hrtime.bigint() - wall) / 1000;
    cpu = process.cpuUsage();
    for (let i = from; i < to; i++) sink(mapRecord(mappings, lines[i] as string).kind);
    mapCpu += cpuSince(cpu);
    cpu = process.cpuUsage();
    for (let i = from; i < to; i++) sink(JSON.stringify(JSON.parse(lines[i] as string)));
    floorCpu += cpuSince(cpu);
  }
  const perSecond = (micros: number) => Math.round((lines.length / micros) * 1e6);
  return {
    source,
    events,
    eventsPerSecond: perSecond(endToEndCpu),
    mapOnlyEventsPerSecond: perSecond(mapCpu),
    wallEventsPerSecond: perSecond(wallMicros),
    parseSerializeEventsPerSecond: perSecond(floorCpu),
    ratioToParseSerialize: Math.round((floorCpu / endToEndCpu) * 100) / 100,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    mapped,
    skipped,
    quarantined,
  };
}

let sunk = 0;
/** Keeps the serialized output observable so the optimiser cannot drop the work. */
function sink(text: string): void {
  sunk += text.length;
}
export const bytesSerialized = (): number => sunk;

/** The mapping figures of `seclake bench`: every source that has mappings and fixtures. */
export function runMappingBench(events: number, sources = benchSources()): MappingBenchResult[] {
  return sources.map((source) => benchMapping(source, events));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const events = Number(flag("--events") ?? 100_000);
  const only = flag("--source");
  // --fixtures <root> with SECLAKE_MAPPINGS_DIR measures another checkout's mappings with this engine.
  fixturesRoot = flag("--fixtures") ?? fixturesRoot;
  for (const result of runMappingBench(events, only ? [only] : benchSources())) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
