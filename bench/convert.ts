/**
 * Conversion benchmark: OCSF Authentication NDJSON → ZSTD Parquet, ours (convertOcsf) against DuckDB doing
 * the same work (read_json with our exact fixed column list → COPY … (FORMAT parquet, COMPRESSION zstd))
 * on the same file in the same run. Each side runs in its own child process so peak RSS is its own.
 *
 *   npx tsx bench/convert.ts [--events 100000,1000000]      (or: npx seclake bench --events …)
 *
 * Prints one JSON document with events/s, peak RSS, output bytes per side and the ratios
 * (ours / DuckDB): throughput ≥ 1.0, RSS ≤ 512 MB per converting thread, bytes ≤ 1.1 are the targets.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ColumnNode } from "../functions/core/parquet/schema.ts";

const HERE = fileURLToPath(import.meta.url);
const WORK = resolve(HERE, "..", "..", ".bench");

export interface SideResult {
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakRssMB: number;
  /** user + system CPU time of the child (the machine may be shared: CPU time is the steadier figure). */
  readonly cpuSeconds: number;
  readonly bytes: number;
  readonly files: number;
}

export interface ConvertBenchResult {
  readonly events: number;
  readonly inputBytes: number;
  readonly bytesPerEvent: number;
  readonly ours: SideResult;
  readonly duckdb: SideResult;
  readonly ratios: {
    readonly throughput: number;
    readonly cpu: number;
    readonly peakRss: number;
    readonly bytes: number;
  };
}

/** Runs the benchmark at each size (default 100,000 and 1,000,000 events) and returns the results. */
export async function runConvertBench(
  sizes: readonly number[] = [100_000, 1_000_000],
): Promise<ConvertBenchResult[]> {
  mkdirSync(WORK, { recursive: true });
  const results: ConvertBenchResult[] = [];
  for (const events of sizes) {
    const input = join(WORK, `auth-${events}.ndjson`);
    if (!existsSync(input)) await generateAuthentication(events, input);
    const inputBytes = statSync(input).size;
    const ours = await measure("ours", input, join(WORK, `ours-${events}`), events);
    const duckdb = await measure("duckdb", input, join(WORK, `duckdb-${events}`), events);
    results.push({
      events,
      inputBytes,
      bytesPerEvent: Math.round(inputBytes / events),
      ours,
      duckdb,
      ratios: {
        throughput: round(ours.eventsPerSecond / duckdb.eventsPerSecond),
        cpu: round(ours.cpuSeconds / duckdb.cpuSeconds),
        peakRss: round(ours.peakRssMB / duckdb.peakRssMB),
        bytes: round(ours.bytes / duckdb.bytes),
      },
    });
  }
  return results;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

async function measure(
  side: "ours" | "duckdb",
  input: string,
  out: string,
  events: number,
): Promise<SideResult> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ["--import", "tsx", HERE, "--child", side, input, out], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.on("data", (d) => {
    stdout += String(d);
  });
  const [code] = await once(child, "exit");
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`bench child ${side} failed with exit code ${code}`);
  const { maxRssKB, cpuSeconds } = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as {
    maxRssKB: number;
    cpuSeconds: number;
  };
  const files = listParquet(out);
  return {
    seconds: round(seconds),
    eventsPerSecond: Math.round(events / seconds),
    peakRssMB: Math.round(maxRssKB / 1024),
    cpuSeconds: round(cpuSeconds),
    bytes: files.reduce((n, f) => n + statSync(f).size, 0),
    files: files.length,
  };
}

function listParquet(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    if (name.endsWith(".parquet")) out.push(join(dir, name));
  }
  return out;
}

/** DuckDB's type for one of our columns, so read_json produces exactly our schema. */
export function duckType(node: ColumnNode): string {
  switch (node.kind) {
    case "utf8":
    case "json":
      return "VARCHAR";
    case "int32":
      return "INTEGER";
    case "int64":
      return "BIGINT";
    case "float64":
      return "DOUBLE";
    case "bool":
      return "BOOLEAN";
    case "timestamp":
      return "TIMESTAMPTZ";
    case "list":
      return `${duckType(node.element)}[]`;
    case "struct":
      return `STRUCT(${node.children.map((c) => `"${c.name}" ${duckType(c)}`).join(", ")})`;
  }
}

async function childOurs(input: string, out: string): Promise<void> {
  const { convertOcsf } = await import("../functions/core/parquet/convert.ts");
  const { LocalObjectWriter } = await import("../functions/adapters/localObjectWriter.ts");
  await convertOcsf({
    input,
    classUid: 3002,
    customSource: "bench-auth",
    region: "us-east-1",
    accountId: "123456789012",
    windowId: "bench",
    writer: new LocalObjectWriter(out),
  });
}

async function childDuckdb(input: string, out: string): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const { defaultClassSchema } = await import("../functions/core/parquet/schema.ts");
  const schema = defaultClassSchema(3002);
  const columns = schema.root.children
    .map((c) => `'${c.name}': '${duckType(c).replaceAll("'", "''")}'`)
    .join(", ");
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  await connection.run(
    `COPY (SELECT * FROM read_json('${input}', format = 'newline_delimited', columns = {${columns}})) ` +
      `TO '${join(out, "duckdb.parquet")}' (FORMAT parquet, COMPRESSION zstd)`,
  );
  connection.closeSync();
  db.closeSync();
}

/**
 * Writes `count` realistic Authentication events (~1.5 KB, ~60 values each, the shape our mappings give
 * an IdP sign-in) over one day, mostly in time order. Deterministic: a fixed-seed PRNG.
 */
export async function generateAuthentication(count: number, path: string): Promise<void> {
  // mulberry32: a plain LCG repeats after ~10k draws at a fixed call position, which would make
  // "unique" ids repeat and flatter dictionary encoding.
  let seed = 0x5eed;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const start = Date.UTC(2024, 2, 9, 0, 0, 0);
  const step = 86_000_000 / count;
  const out = createWriteStream(path);
  const agents = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
    "okta-sdk-java/8.2.3 java/17.0.9 Linux/5.15",
  ];
  const cities = [
    ["Zürich", "CH", "Zurich", 47.37, 8.54],
    ["Seattle", "US", "Washington", 47.61, -122.33],
    ["São Paulo", "BR", "São Paulo", -23.55, -46.63],
    ["Tokyo", "JP", "Tokyo", 35.68, 139.69],
  ] as const;
  for (let i = 0; i < count; i++) {
    const time = Math.floor(start + i * step + rand() * 2000);
    const u = Math.floor(rand() * 5000);
    const ok = rand() > 0.1;
    const city = pick(cities);
    const activity = rand() > 0.2 ? 1 : 2;
    const event = {
      activity_id: activity,
      activity_name: activity === 1 ? "Logon" : "Logoff",
      category_uid: 3,
      category_name: "Identity & Access Management",
      class_uid: 3002,
      class_name: "Authentication",
      type_uid: 300200 + activity,
      type_name: `Authentication: ${activity === 1 ? "Logon" : "Logoff"}`,
      severity_id: ok ? 1 : 3,
      severity: ok ? "Informational" : "Medium",
      status_id: ok ? 1 : 2,
      status: ok ? "Success" : "Failure",
      time,
      message: `User ${activity === 1 ? "login to" : "logout from"} Okta`,
      metadata: {
        version: "1.1.0",
        uid: `syn${(1e12 + i).toString(36)}${Math.floor(rand() * 1e6)}`,
        logged_time: time + 250,
        correlation_uid: `syntrx${Math.floor(rand() * 1e9).toString(16)}`,
        product: {
          name: "Okta System Log",
          vendor_name: "Okta",
          version: "2024.03.0",
        },
        profiles: ["cloud", "host"],
      },
      cloud: { provider: "Okta", region: "us-east-1" },
      user: {
        name: `syn.user${u}@example.com`,
        uid: `syn00u${u.toString(16).padStart(8, "0")}`,
        type_id: 1,
        type: "User",
        email_addr: `syn.user${u}@example.com`,
        domain: "example.com",
      },
      actor: {
        user: {
          name: `syn.user${u}@example.com`,
          uid: `syn00u${u.toString(16).padStart(8, "0")}`,
          type_id: 1,
        },
        session: {
          uid: `synsess${Math.floor(rand() * 1e9).toString(16)}`,
          created_time: time - 1000,
          is_mfa: rand() > 0.5,
        },
      },
      src_endpoint: {
        ip: `198.51.100.${Math.floor(rand() * 254) + 1}`,
        port: 1024 + Math.floor(rand() * 60000),
        location: { city: city[0], country: city[1], region: city[2], coordinates: [city[4], city[3]] },
        os: { name: pick(["Windows", "Mac OS X", "Linux"]), type_id: pick([100, 300, 200]) },
      },
      dst_endpoint: { hostname: "syn.okta.example.com" },
      http_request: {
        user_agent: pick(agents),
        http_method: "POST",
        url: { hostname: "syn.okta.example.com", path: "/api/v1/authn" },
      },
      auth_protocol_id: 99,
      auth_protocol: "OIDC",
      logon_type_id: 3,
      is_mfa: rand() > 0.4,
      is_remote: true,
      service: { name: "Okta Dashboard", uid: `syn0oa${Math.floor(rand() * 1000)}` },
      observables: [
        { name: "user.name", type_id: 4, type: "User Name", value: `syn.user${u}@example.com` },
        { name: "src_endpoint.ip", type_id: 2, type: "IP Address", value: "198.51.100.7" },
      ],
      unmapped: {
        "debugContext.debugData.requestId": `syn${Math.floor(rand() * 1e12).toString(36)}`,
        "debugContext.debugData.threatSuspected": "false",
      },
    };
    if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "close");
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === "--child") {
    const [, side, input, out] = argv;
    if (side === "ours") await childOurs(input as string, out as string);
    else await childDuckdb(input as string, out as string);
    const usage = process.resourceUsage();
    const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
    process.stdout.write(`${JSON.stringify({ maxRssKB: usage.maxRSS, cpuSeconds })}\n`);
    return;
  }
  const at = argv.indexOf("--events");
  const sizes =
    at >= 0
      ? String(argv[at + 1])
          .split(",")
          .map(Number)
      : undefined;
  process.stdout.write(`${JSON.stringify(await runConvertBench(sizes), null, 2)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === HERE) await main(process.argv.slice(2));
