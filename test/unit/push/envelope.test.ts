import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../functions/core/errors.ts";
import { loadSourceMappings, mapRecord } from "../../../functions/core/mapping/index.ts";
import { EVENT_ID_TIME, type PushKind, unwrapPushed } from "../../../functions/core/push/envelope.ts";

/**
 * Pushed events (test/fixtures/<vendor>/eventbridge.ndjson, one SQS body per line) must map exactly as their
 * API-shape counterparts do; the OCSF lands in test/golden/push/<vendor>.ndjson and the poison lines' reasons
 * in <vendor>-poison.json. Regenerate: `npx vitest run test/unit/push -u`, then read the diff.
 */
const here = new URL(".", import.meta.url).pathname;
const fixtures = join(here, "../../fixtures");
const golden = join(here, "../../golden/push");

const SOURCE: Record<PushKind, string> = {
  okta: "aws.partner/okta.com/evership/evershipsecuritylake",
  onelogin: "aws.partner/onelogin.com/US-70001/0a1b2c3d4e",
};

/** aws-samples/serverless-patterns eventbridge-partner-sources/1-okta/cdk-python/event.json (line 1). */
const AWS_SAMPLE_UUID = "c6ed294a-fef4-11ed-a5b1-bbb7c1de1a4b";

const lines = (vendor: string, file: string) =>
  readFileSync(join(fixtures, vendor, file), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;

/** Okta API-shape events by uuid: the envelopes wrap events of these files (PROVENANCE.md). */
function oktaApiEvents(): Map<string, Record<string, unknown>> {
  const all = ["samples", "synthetic", "public"].flatMap((f) => lines("okta", `${f}.ndjson`).map(parse));
  return new Map(all.map((e) => [String(e.uuid), e]));
}

/**
 * The Events API event a pushed OneLogin fixture line was derived from (the uuid's last 12 digits are the
 * synthetic id, PROVENANCE.md), with the two values the push shape carries differently: the uuid in place of
 * the API id, and a whole-second time.
 */
function oneLoginApiCounterpart(pushedId: string, timeMs: number): Record<string, unknown> {
  const api = lines("onelogin", "synthetic.ndjson")
    .map(parse)
    .find((e) => e.id === Number(pushedId.slice(-12)));
  if (!api) throw new Error(`no synthetic event for ${pushedId}`);
  return { ...api, id: pushedId, created_at: new Date(timeMs).toISOString() };
}

function mapped(kind: PushKind, event: unknown): Record<string, unknown> {
  const outcome = mapRecord(loadSourceMappings(kind), event);
  if (outcome.kind !== "mapped") throw new Error(`expected mapped, got ${JSON.stringify(outcome)}`);
  return outcome.event;
}

/** Keys sorted at every depth, as the other golden files are written, so diffs show content only. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
  );
}

const withoutRaw = ({ raw_data: _, ...rest }: Record<string, unknown>) => rest;

describe.each(["okta", "onelogin"] as const)("unwrapPushed: %s", (kind) => {
  it("reads id and time where the mappings' _source.yaml does", () => {
    const mappings = loadSourceMappings(kind);
    expect(EVENT_ID_TIME[kind]).toEqual({
      id: mappings.eventIdPath,
      time: mappings.timePath,
      format: mappings.timeFormat,
    });
  });

  it("unwraps each pushed event to one that maps as its API-shape event does", async () => {
    // Prepare
    const okta = kind === "okta" ? oktaApiEvents() : undefined;
    const out: string[] = [];

    for (const line of lines(kind, "eventbridge.ndjson")) {
      // Act
      const result = unwrapPushed(kind, line, SOURCE[kind]);
      if (!result.ok) throw new Error(result.reason);
      const ocsf = mapped(kind, result.event);

      // Assess
      expect(ocsf.metadata).toMatchObject({ uid: result.id });
      expect(ocsf.time).toBe(result.timeMs);
      if (okta) {
        // Okta's detail is the LogEvent itself; the AWS sample's has no copy in the API fixtures.
        expect(result.event).toEqual(parse(line).detail);
        const api = okta.get(result.id);
        if (api) expect(ocsf).toEqual(mapped(kind, api));
        else expect(result.id).toBe(AWS_SAMPLE_UUID);
      } else {
        expect(withoutRaw(ocsf)).toEqual(
          withoutRaw(mapped(kind, oneLoginApiCounterpart(result.id, result.timeMs))),
        );
      }
      out.push(JSON.stringify(sorted(ocsf)));
    }
    await expect(`${out.join("\n")}\n`).toMatchFileSnapshot(join(golden, `${kind}.ndjson`));
  });

  it("gives poison messages one-line reasons", async () => {
    const reasons = lines(kind, "eventbridge-poison.ndjson").map((line, i) => {
      const result = unwrapPushed(kind, line, SOURCE[kind]);
      expect(result.ok, `line ${i + 1}`).toBe(false);
      return result.ok ? "" : result.reason;
    });
    for (const reason of reasons) expect(reason).toMatch(/^[^\n\r]+$/);
    await expect(`${JSON.stringify(reasons, null, 2)}\n`).toMatchFileSnapshot(
      join(golden, `${kind}-poison.json`),
    );
  });

  it("refuses a configured source of another vendor", () => {
    const other = kind === "okta" ? SOURCE.onelogin : SOURCE.okta;
    expect(() => unwrapPushed(kind, lines(kind, "eventbridge.ndjson")[0] ?? "", other)).toThrow(ConfigError);
  });
});

describe("unwrapPushed: onelogin detail already in the API shape", () => {
  it("passes it unchanged", () => {
    const api = parse(lines("onelogin", "synthetic.ndjson")[0] ?? "");
    const body = JSON.stringify({ ...parse(lines("onelogin", "eventbridge.ndjson")[0] ?? ""), detail: api });
    expect(unwrapPushed("onelogin", body, SOURCE.onelogin)).toEqual({
      ok: true,
      event: api,
      id: String(api.id),
      timeMs: Date.parse(String(api.created_at)),
    });
  });
});
