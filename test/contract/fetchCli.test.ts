import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { parseCheckpoint } from "../../functions/core/checkpoint/index.ts";
import { generatedCorpus, startMockApi } from "../../functions/local/mockApis/index.ts";
import { runSeclake } from "../helpers/cli.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Runs `seclake` in-process with exactly these credential variables set. */
async function seclake(args: string[], env: Record<string, string>) {
  for (const name of ["SECLAKE_CLIENT_ID", "SECLAKE_CLIENT_SECRET", "SECLAKE_API_TOKEN"])
    vi.stubEnv(name, env[name] ?? "");
  return runSeclake(args);
}

async function outDir() {
  const dir = await mkdtemp(join(tmpdir(), "seclake-fetch-"));
  dirs.push(dir);
  return dir;
}

async function pageLines(dir: string): Promise<string[]> {
  const files = (await readdir(dir)).sort();
  const lines: string[] = [];
  for (const f of files)
    lines.push(
      ...gunzipSync(await readFile(join(dir, f)))
        .toString("utf8")
        .split("\n")
        .filter(Boolean),
    );
  return lines;
}

describe("seclake fetch", () => {
  it("fetches a window into page files and prints counts and the next checkpoint; no secret anywhere", async () => {
    const T = Date.parse("2024-03-02T00:00:00.000Z");
    const corpus = generatedCorpus("sailpoint", { count: 2600, startMs: T });
    const mock = await startMockApi("sailpoint", {
      corpus,
      faults: [{ on: 1, fault: { kind: "status", status: 503 } }],
    });
    try {
      const out = await outDir();
      const env = {
        SECLAKE_CLIENT_ID: mock.credentials.clientId ?? "",
        SECLAKE_CLIENT_SECRET: mock.credentials.clientSecret ?? "",
      };
      const args = [
        "fetch",
        "--source",
        "sailpoint",
        "--base-url",
        mock.baseUrl,
        "--since",
        "2024-03-02T00:00:00Z",
      ];
      const result = await seclake(
        [...args, "--until", "2024-03-03T00:00:00Z", "--max-events", "2000", "--out", out],
        env,
      );
      expect(result.stderr).toContain("retrying request");
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout) as {
        fetched: number;
        pages: number;
        hasMore: boolean;
        next: unknown;
      };
      expect(summary).toMatchObject({ fetched: 2000, pages: 1, hasMore: true });
      const next = parseCheckpoint(JSON.stringify(summary.next));
      // The 2,001st event is in a later millisecond, so the next run starts just after the 2,000th.
      const [last, following] = [corpus[1999]?.timeMs ?? 0, corpus[2000]?.timeMs ?? 0];
      expect(following).toBeGreaterThan(last);
      expect(next).toEqual({
        version: 1,
        since: new Date(last + 1).toISOString(),
        boundaryIds: [],
        pending: null,
      });
      expect(await readdir(out)).toEqual(["page-00001.ndjson.gz"]);
      expect(await pageLines(out)).toEqual(corpus.slice(0, 2000).map((e) => JSON.stringify(e.body)));
      for (const text of [result.stdout, result.stderr])
        expect(text).not.toContain(env.SECLAKE_CLIENT_SECRET);

      const denied = await seclake([...args, "--until", "2024-03-03T00:00:00Z", "--out", out], {
        SECLAKE_CLIENT_ID: "syn-client",
        SECLAKE_CLIENT_SECRET: "synWrongSecret-42",
      });
      expect(denied.code).toBe(1);
      expect(denied.stdout).toBe("");
      expect(denied.stderr.trim().split("\n").at(-1)).toMatch(
        /^seclake fetch: sailpoint: POST \/oauth\/token: HTTP 401/,
      );
      expect(denied.stderr).not.toContain("synWrongSecret-42");
    } finally {
      await mock.close();
    }
  });

  it("reads a file:// S3 inbox and rejects a bad --since", async () => {
    const inbox = await startMockApi("s3-inbox");
    try {
      const out = await outDir();
      const args = [
        "fetch",
        "--source",
        "s3-inbox",
        "--base-url",
        inbox.baseUrl,
        "--since",
        "2024-03-01T00:00:00Z",
      ];
      const ok = await seclake([...args, "--until", "2024-03-02T00:00:00Z", "--out", out], {});
      expect(ok.code).toBe(0);
      const summary = JSON.parse(ok.stdout) as { fetched: number; next: { cursor: string } };
      expect(summary.fetched).toBe(inbox.served().length);
      expect(summary.next.cursor).toMatch(/^dspm\/.*alerts-0006\.ndjson\.gz$/);
      expect(await pageLines(out)).toEqual(inbox.served().map((e) => JSON.stringify(e.body)));
      const bad = await seclake(
        [
          "fetch",
          "--source",
          "okta",
          "--base-url",
          "http://127.0.0.1:1",
          "--since",
          "yesterday",
          "--until",
          "2024-03-02T00:00:00Z",
          "--out",
          out,
        ],
        {},
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^seclake fetch: --since: /);
    } finally {
      await inbox.close();
    }
  });
});
