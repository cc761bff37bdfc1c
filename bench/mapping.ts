import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { listSources, loadSourceMappings, mapRecord } from "../functions/core/mapping/engine.ts";
import { compileSetter, parsePath } from "../functions/core/mapping/paths.ts";
import { splitLines } from "../functions/core/mapping/stream.ts";

/**
 * Mapping throughput on one core: N raw events made by cycling a source's fixtures with fresh ids. Not a
 * timed test: it prints figures for the bench report, each beside a JSON-only floor measured in the same run.
 */
export interface MappingBenchResult {
  source: string;
  events: number;
  /**
   * Events per CPU-second from the raw line to a validated OCSF event: parse, route, map, fill captions,
   * validate, build `unmapped`, keep `raw_data`. The mapping throughput (the figure).
   */
  eventsPerSecond: number;
  /** The same plus JSON.stringify of each OCSF event, as `seclake map` writes it: the map step's rate. */
  endToEndEventsPerSecond: number;
  /** JSON.parse of the same lines alone: what any mapper of JSON input pays before it maps anything. */
  parseFloorEventsPerSecond: number;
  /** JSON.parse of each line plus JSON.stringify of its (already mapped) OCSF event: the end-to-end floor. */
  outputFloorEventsPerSecond: number;
  /** eventsPerSecond / parse floor (1.0 would be "mapping costs nothing beyond parsing"). */
  ratioToParseFloor: number;
  /** endToEndEventsPerSecond / output floor. */
  ratioToOutputFloor: number;
  /** Average bytes of one raw line and of one serialized OCSF event. */
  inputBytes: number;
  outputBytes: number;
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
  const generated: string[] = new Array(events);
  for (let i = 0; i < events; i++) {
    const t = templates[i % templates.length] as Record<string, unknown>;
    const original = getId(t);
    setId(t, `${String(original)}-b${i}`);
    generated[i] = JSON.stringify(t);
    setId(t, original);
  }
  // Split from one NDJSON text, as the map handler splits each staged raw object it reads.
  return splitLines(generated.join("\n"));
}

type Pass = "map" | "endToEnd" | "parseFloor" | "outputFloor";
const PASSES: readonly Pass[] = ["map", "endToEnd", "parseFloor", "outputFloor"];

/**
 * Runs each pass over all lines, ROUNDS times, in an order that rotates per round, after a full garbage
 * collection, and keeps each pass's fastest round: this shared VM has slow spells that stretch every pass
 * (the JSON.parse floor itself moves up to 1.8x between rounds), and the fastest round is the one least
 * disturbed. A pass runs over the whole set at once: interleaving passes per small chunk made one pass
 * pay for the garbage of another. Rates use process CPU time, which load distorts less than wall time.
 */
export function benchMapping(source: string, events: number): MappingBenchResult {
  const mappings = loadSourceMappings(source);
  const lines = generateLines(source, events);
  let mapped = 0;
  let skipped = 0;
  let quarantined = 0;
  let inputBytes = 0;
  let outputBytes = 0;
  // Counts and sizes; this pass also warms V8 up on every path before the measured rounds.
  for (const line of lines) {
    inputBytes += Buffer.byteLength(line);
    const outcome = mapRecord(mappings, line);
    if (outcome.kind === "mapped") {
      mapped++;
      outputBytes += Buffer.byteLength(JSON.stringify(outcome.event));
    } else if (outcome.kind === "skipped") skipped++;
    else quarantined++;
  }
  // The output floor serializes events mapped before its timed loop, 250 at a time, so few of them are
  // alive when that loop collects garbage.
  const chunk = 250;
  const cpuSince = (start: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(start);
    return used.user + used.system;
  };
  /** Each pass returns the CPU microseconds of its measured part. */
  const timed = (body: () => void) => {
    const cpu = process.cpuUsage();
    body();
    return cpuSince(cpu);
  };
  const run: Record<Pass, () => number> = {
    map: () =>
      timed(() => {
        for (let i = 0; i < lines.length; i++) sink(mapRecord(mappings, lines[i] as string).kind);
      }),
    endToEnd: () =>
      timed(() => {
        for (let i = 0; i < lines.length; i++) {
          const outcome = mapRecord(mappings, lines[i] as string);
          sink(outcome.kind === "mapped" ? JSON.stringify(outcome.event) : outcome.kind);
        }
      }),
    parseFloor: () =>
      timed(() => {
        for (let i = 0; i < lines.length; i++) sink(typeof JSON.parse(lines[i] as string));
      }),
    outputFloor: () => {
      let used = 0;
      for (let from = 0; from < lines.length; from += chunk) {
        const to = Math.min(lines.length, from + chunk);
        const ready: unknown[] = [];
        for (let i = from; i < to; i++) {
          const outcome = mapRecord(mappings, lines[i] as string);
          ready.push(outcome.kind === "mapped" ? outcome.event : null);
        }
        used += timed(() => {
          for (let i = from; i < to; i++) {
            JSON.parse(lines[i] as string);
            sink(JSON.stringify(ready[i - from]));
          }
        });
      }
      return used;
    },
  };
  const samples = Object.fromEntries(PASSES.map((pass) => [pass, [] as number[]])) as Record<Pass, number[]>;
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < PASSES.length; k++) {
      const pass = PASSES[(k + round) % PASSES.length] as Pass;
      collectGarbage();
      samples[pass].push(run[pass]());
    }
  }
  const rates = Object.fromEntries(
    PASSES.map((pass) => [pass, Math.round((lines.length / Math.min(...samples[pass])) * 1e6)]),
  ) as Record<Pass, number>;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return {
    source,
    events,
    eventsPerSecond: rates.map,
    endToEndEventsPerSecond: rates.endToEnd,
    parseFloorEventsPerSecond: rates.parseFloor,
    outputFloorEventsPerSecond: rates.outputFloor,
    ratioToParseFloor: ratio(rates.map, rates.parseFloor),
    ratioToOutputFloor: ratio(rates.endToEnd, rates.outputFloor),
    inputBytes: Math.round(inputBytes / lines.length),
    outputBytes: Math.round(outputBytes / Math.max(1, mapped)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    mapped,
    skipped,
    quarantined,
  };
}

const ROUNDS = 5;

/**
 * A full collection before each pass, so no pass pays for the garbage the one before it left (the
 * end-to-end pass leaves ~400 MB of serialized events). `--expose-gc` set at run time provides `gc`.
 */
function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}
let gc: (() => void) | undefined;

let sunk = 0;
/** Keeps the serialized output observable so the optimiser cannot drop the work. */
function sink(text: string): void {
  sunk += text.length;
}
/** Characters the passes produced (read by nothing but the optimiser's view of this module). */
export const charactersSunk = (): number => sunk;

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
