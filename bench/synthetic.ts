/**
 * The synthetic Authentication corpus: events drawn from a fixed-seed PRNG, most values (ids, IPs,
 * ports, session ids) unique or high-cardinality. Kept as the benchmark's first corpus; bench/realistic.ts
 * is the one whose values repeat as audit logs do.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";

/**
 * Writes `count` synthetic Authentication events (~1.5 KB, ~60 values each, the shape our mappings give
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
