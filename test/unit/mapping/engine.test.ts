import { describe, expect, it } from "vitest";
import { loadSourceMappings, type MapOutcome, mapRecord } from "../../../functions/core/mapping/engine.ts";
import { validateEvent } from "../../../functions/core/ocsf/validate.ts";
import { makeMappingsDir, SYN_AUTH, SYN_GROUP, SYN_SOURCE, synEvent } from "../../helpers/mappingDir.ts";

const dir = makeMappingsDir({
  "syn/_source.yaml": SYN_SOURCE,
  "syn/authentication.yaml": SYN_AUTH,
  "syn/group_management.yaml": SYN_GROUP,
});
const mappings = loadSourceMappings("syn", { dir });
const withBase = loadSourceMappings("syn", { dir, baseEvent: true });

function mapped(outcome: MapOutcome): Record<string, unknown> {
  if (outcome.kind !== "mapped") throw new Error(`expected mapped, got ${JSON.stringify(outcome)}`);
  return outcome.event;
}
const line = (over: Record<string, unknown> = {}) => JSON.stringify(synEvent(over));

describe("mapRecord", () => {
  it("maps fields, derives names and ids, and keeps provenance", () => {
    // Act
    const text = line();
    const ev = mapped(mapRecord(mappings, `  ${text} `));

    // Assess
    expect(ev).toMatchObject({
      class_uid: 3002,
      class_name: "Authentication",
      category_uid: 3,
      category_name: "Identity & Access Management",
      activity_id: 1,
      activity_name: "Logon",
      type_uid: 300201,
      type_name: "Authentication: Logon",
      severity_id: 1,
      severity: "Informational",
      status_id: 1,
      status: "Success",
      time: Date.UTC(2024, 0, 15, 17, 15, 10, 234),
      message: "User login to Syn",
      user: { name: "ann@example.com", uid: "syn-user-1", type_id: 1, type: "User" },
      src_endpoint: { ip: "198.51.100.7" },
      auth_protocol_id: 99,
      auth_protocol: "Other",
      observables: [{ name: "target.id", value: "syn-app-1", type_id: 99, type: "AppInstance" }],
      service: { name: "Syn App" },
      dst_endpoint: { hostname: "host1.example.com" },
      metadata: {
        version: "1.1.0",
        product: { name: "Syn Log", vendor_name: "Syn" },
        uid: "syn-0001",
        original_time: "2024-01-15T17:15:10.234Z",
        event_code: "user.session.start",
      },
    });
    expect(ev.raw_data).toBe(text);
    // entries reads the whole object: a drop only keeps a field out of unmapped.
    expect(ev.enrichments).toEqual([
      { name: "requestId", value: "syn-req", data: {} },
      { name: "risk", value: "low", data: {} },
      { name: "n", value: "3", data: {} },
    ]);
    expect(validateEvent(ev)).toEqual([]);
  });

  it("puts unread fields in unmapped, without drops, nulls and empties", () => {
    const ev = mapped(mapRecord(mappings, line()));
    expect(ev.unmapped).toEqual({
      actor: { type: "User" },
      target: [{ detail: "kept" }, { id: "syn-host-1" }],
      extra: { keep: "me", nothing: null, empty: "" },
    });
  });

  it("counts fields as read only in the array elements a where or pick selected", () => {
    const target = [
      { id: "syn-user-9", type: "User", alternateId: "x@example.com" },
      { id: "syn-host-1", alternateId: "h1.example.com", type: "Host" },
      { id: "syn-host-2", alternateId: "h2.example.com", type: "Host" },
      { id: "syn-tok-1", displayName: "Token", type: "Token" },
    ];
    const ev = mapped(mapRecord(mappings, line({ target })));
    expect(ev.dst_endpoint).toEqual({ hostname: "h1.example.com" });
    expect((ev.unmapped as Record<string, unknown>).target).toEqual([
      target[0],
      { id: "syn-host-1" },
      target[2],
      { displayName: "Token" },
    ]);
  });

  it("keeps a __proto__ key of a raw event as data in unmapped", () => {
    const ev = mapped(mapRecord(mappings, line().replace('"extra":', '"__proto__":{"polluted":1},"extra":')));
    expect(Object.getPrototypeOf(ev.unmapped)).toBe(Object.prototype);
    const roundTrip = JSON.parse(JSON.stringify(ev.unmapped)) as object;
    expect(Object.getOwnPropertyDescriptor(roundTrip, "__proto__")?.value).toEqual({ polluted: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("keeps a custom caption next to id 99 and overwrites a caption next to a known id", () => {
    const custom = mapped(mapRecord(mappings, line({ authenticationContext: { protocol: "WS-FED" } })));
    expect(custom).toMatchObject({ auth_protocol_id: 99, auth_protocol: "WS-FED" });
    const known = mapped(mapRecord(mappings, line({ authenticationContext: { protocol: "SAML2" } })));
    expect(known).toMatchObject({ auth_protocol_id: 5, auth_protocol: "SAML" });
  });

  it("routes exact names first, then the most specific wildcard", () => {
    expect(mapped(mapRecord(mappings, line({ eventType: "user.authentication.sso.x" }))).activity_id).toBe(1);
    expect(mapped(mapRecord(mappings, line({ eventType: "group.user_membership.add" }))).class_uid).toBe(
      3006,
    );
    expect(mapRecord(mappings, line({ eventType: "user.sessionXstart" }))).toEqual({
      kind: "skipped",
      eventType: "user.sessionXstart",
    });
  });

  it("takes the table default for an unknown or absent key", () => {
    expect(mapped(mapRecord(mappings, line({ outcome: { result: "MAYBE" } }))).status_id).toBe(0);
    expect(mapped(mapRecord(mappings, line({ outcome: undefined }))).status_id).toBe(0);
    expect(mapped(mapRecord(mappings, line({ severity: "WARN" }))).severity).toBe("Medium");
  });

  it("drops invalid IPs instead of writing them", () => {
    const ev = mapped(mapRecord(mappings, line({ client: { ipAddress: "redacted" } })));
    expect(ev.src_endpoint).toBeUndefined();
  });

  it("maps unknown types to Base Event when asked", () => {
    const ev = mapped(mapRecord(withBase, line({ eventType: "system.thing" })));
    expect(ev).toMatchObject({
      class_uid: 0,
      class_name: "Base Event",
      activity_id: 99,
      activity_name: "system.thing",
      type_uid: 99,
      severity_id: 1,
      message: "User login to Syn",
      metadata: { event_code: "system.thing" },
    });
    expect((ev.unmapped as Record<string, unknown>).actor).toEqual({
      id: "syn-user-1",
      alternateId: "ann@example.com",
      type: "User",
    });
    expect(validateEvent(ev)).toEqual([]);
  });

  it.each([
    ["no id", { uuid: undefined }, "uuid", "no event id"],
    ["an object id", { uuid: { a: 1 } }, "uuid", "expected an event id"],
    ["no time", { published: undefined }, "published", "no event time"],
    ["an unparsable time", { published: "redacted" }, "published", 'got "redacted"'],
    ["no type", { eventType: undefined }, "eventType", "no event type"],
    ["an object where a string belongs", { displayMessage: { text: "x" } }, "message", "expected a string"],
    ["an empty user", { actor: undefined }, "user", "object user needs at least one of account, name, uid"],
  ])("quarantines an event with %s", (_name, over, path, message) => {
    const outcome = mapRecord(mappings, line(over));
    expect(outcome.kind).toBe("quarantined");
    if (outcome.kind !== "quarantined") return;
    expect(outcome.reason.path).toBe(path);
    expect(outcome.reason.message).toContain(message);
  });

  it.each([
    ["not JSON", "{nope"],
    ["a JSON array", "[1,2]"],
    ["a JSON string", '"x"'],
    ["null", "null"],
  ])("quarantines %s at $", (_name, text) => {
    const outcome = mapRecord(mappings, text);
    expect(outcome).toMatchObject({ kind: "quarantined", reason: { path: "$" } });
  });

  it("accepts already parsed events and serializes them into raw_data", () => {
    const ev = mapped(mapRecord(mappings, synEvent()));
    expect(JSON.parse(ev.raw_data as string)).toEqual(synEvent());
  });

  it("does not share static objects between events", () => {
    const a = mapped(mapRecord(mappings, line()));
    ((a.enrichments as Record<string, unknown>[])[0]?.data as Record<string, unknown>).x = 1;
    const b = mapped(mapRecord(mappings, line()));
    expect((b.enrichments as Record<string, unknown>[])[0]?.data).toEqual({});
  });
});

describe("OneLogin-style integer event types", () => {
  const root = makeMappingsDir({
    "ints/_source.yaml": `
source: ints
product: { name: Ints, vendor_name: Syn }
event_id: id
event_type: event_type_id
time: { path: created_at }
fields: { severity_id: { value: 1 } }
`,
    "ints/authentication.yaml": `
class_uid: 3002
match: [5, 6]
tables:
  activity: { values: { 5: 1, 6: 2 } }
fields:
  activity_id: { from: event_type_id, table: activity }
  user.name: user_name
  metadata.event_code: { from: event_type_id, transform: to_string }
`,
  });
  const ints = loadSourceMappings("ints", { dir: root });

  it.each([5, "5"])("routes %j and looks it up in tables by its text", (type) => {
    const ev = mapped(
      mapRecord(ints, { id: 1, created_at: "2014-12-19T02:02:39.276Z", event_type_id: type, user_name: "x" }),
    );
    expect(ev).toMatchObject({ activity_id: 1, metadata: { uid: "1", event_code: "5" } });
  });

  it("skips an unlisted integer", () => {
    expect(mapRecord(ints, { id: 2, created_at: 1700000000, event_type_id: 7 })).toEqual({
      kind: "skipped",
      eventType: "7",
    });
  });
});

describe("event_type as a list of paths", () => {
  const root = makeMappingsDir({
    "multi/_source.yaml": `
source: multi
product: { name: Multi, vendor_name: Syn }
event_id: id
event_type: [action, technicalName]
time: { path: created }
fields: { severity_id: { value: 1 }, metadata.event_code: action }
`,
    "multi/authentication.yaml": `
class_uid: 3002
match: [AUTHENTICATION-103]
fields: { activity_id: { value: 1 }, user.name: actor.name }
`,
    "multi/scheduled_job_activity.yaml": `
class_uid: 1006
match: ["TASK_SCHEDULE_*"]
fields:
  activity_id: { value: 3 }
  job.name: target.name
  job.file.name: target.name
  job.file.type_id: { value: 0 }
  device.type_id: { value: 0 }
  device.name: pod
`,
  });
  const multi = loadSourceMappings("multi", { dir: root });
  const base = {
    id: "syn-1",
    created: "2024-05-06T14:00:00.000Z",
    actor: { name: "a" },
    target: { name: "t" },
    pod: "p",
  };

  it("routes by the first path whose value a class matches", () => {
    expect(
      mapped(mapRecord(multi, { ...base, action: "AUTHENTICATION-103", technicalName: "X" })).class_uid,
    ).toBe(3002);
    expect(
      mapped(mapRecord(multi, { ...base, action: "update", technicalName: "TASK_SCHEDULE_UPDATE_PASSED" }))
        .class_uid,
    ).toBe(1006);
  });

  it("names a skipped event by its first present type", () => {
    expect(mapRecord(multi, { ...base, action: "update", technicalName: "OTHER" })).toEqual({
      kind: "skipped",
      eventType: "update",
    });
    expect(mapRecord(multi, { ...base, technicalName: "OTHER" })).toEqual({
      kind: "skipped",
      eventType: "OTHER",
    });
  });

  it("quarantines an event with none of the type paths", () => {
    expect(mapRecord(multi, base)).toMatchObject({
      kind: "quarantined",
      reason: { path: "action or technicalName", message: "no event type" },
    });
  });
});

describe("when and absent", () => {
  const root = makeMappingsDir({
    "cond/_source.yaml": `
source: cond
product: { name: Cond, vendor_name: Syn }
event_id: id
event_type: t
time: { path: ts }
fields: { severity_id: { value: 1 }, metadata.event_code: t }
`,
    "cond/authentication.yaml": `
class_uid: 3002
match: [login]
fields:
  activity_id: { value: 1 }
  user.name: user
  src_endpoint.ip: { from: ip, transform: ip }
  src_endpoint.zone: { from: [zone, zone2], absent: ["null", "unknown"], when: { path: ip, transform: ip } }
  src_endpoint.type_id: { value: 99, when: { path: ip, transform: ip } }
  status_code: { from: result, when: [result, reason] }
  status_detail: { from: reason, when: { path: result, in: [FAILURE, DENY] } }
`,
  });
  const cond = loadSourceMappings("cond", { dir: root });
  const ev = (over: Record<string, unknown>) =>
    mapRecord(cond, { id: "syn-1", ts: "2024-01-01T00:00:00Z", t: "login", user: "u", ...over });

  it("writes a field only when its condition holds", () => {
    expect(mapped(ev({ ip: "198.51.100.1", zone: "corp" })).src_endpoint).toEqual({
      ip: "198.51.100.1",
      zone: "corp",
      type_id: 99,
      type: "Other",
    });
    // "redacted" is present but not an IP: the zone would make an src_endpoint without an address.
    expect(mapped(ev({ ip: "redacted", zone: "corp" })).src_endpoint).toBeUndefined();
    expect(mapped(ev({ result: "FAILURE", reason: "bad" })).status_detail).toBe("bad");
    expect(mapped(ev({ result: "SUCCESS", reason: "fine" })).status_detail).toBeUndefined();
    expect(mapped(ev({ result: "SUCCESS", reason: "fine" })).status_code).toBe("SUCCESS");
    expect(mapped(ev({ result: "SUCCESS" })).status_code).toBeUndefined();
  });

  it("evaluates conditions afresh for every event, even the same object mutated", () => {
    const raw: Record<string, unknown> = {
      id: "syn-1",
      ts: "2024-01-01T00:00:00Z",
      t: "login",
      user: "u",
      ip: "198.51.100.1",
      zone: "z",
    };
    expect(mapped(mapRecord(cond, raw)).src_endpoint).toMatchObject({ zone: "z" });
    raw.ip = "nope";
    expect(mapped(mapRecord(cond, raw)).src_endpoint).toBeUndefined();
  });

  it("treats absent values as missing, falling through a from list", () => {
    expect(mapped(ev({ ip: "198.51.100.1", zone: "null" })).src_endpoint).toEqual({
      ip: "198.51.100.1",
      type_id: 99,
      type: "Other",
    });
    expect(mapped(ev({ ip: "198.51.100.1", zone: "null", zone2: "dmz" })).src_endpoint).toMatchObject({
      zone: "dmz",
    });
  });

  it("counts reads of a conditional field only where it applied", () => {
    const out = mapped(ev({ ip: "198.51.100.1", result: "SUCCESS", reason: "fine" }));
    expect(out.status_code).toBe("SUCCESS");
    // status_detail did not apply (not a failure), so its reason is left over.
    expect(out.unmapped).toEqual({ reason: "fine" });
    const other = mapped(ev({ ip: "198.51.100.1", result: "SUCCESS" }));
    expect(other.unmapped).toEqual({ result: "SUCCESS" });
  });
});

describe("plain copies (`target: source.path`, inlined into the generated field plan)", () => {
  const root = makeMappingsDir({
    "copy/_source.yaml": `
source: copy
product: { name: Copy, vendor_name: Syn }
event_id: id
event_type: type
time: { path: created }
fields: { severity_id: { value: 1 } }
`,
    "copy/authentication.yaml": `
class_uid: 3002
match: [login]
fields:
  activity_id: { value: 1 }
  user.name: account
  actor.user.name: who.login
  actor.user.uid: { from: who.id }
  src_endpoint.hostname: hops[1].host
  dst_endpoint.hostname: gateways[0]
  message: note
  is_mfa: mfa
  status_detail: { from: reason, default: none }
`,
  });
  const copy = loadSourceMappings("copy", { dir: root });
  const raw = (over: Record<string, unknown>) => ({
    id: "c1",
    created: 1700000000000,
    type: "login",
    account: "acct",
    ...over,
  });

  it("copies present values, creating objects on the way, and reads array elements by index", () => {
    const ev = mapped(
      mapRecord(
        copy,
        raw({
          who: { login: "ann", id: "u1" },
          hops: [{ host: "a" }, { host: "b" }],
          gateways: ["g1"],
          note: "hi",
          mfa: false,
        }),
      ),
    );
    expect(ev).toMatchObject({
      user: { name: "acct" },
      actor: { user: { name: "ann", uid: "u1" } },
      src_endpoint: { hostname: "b" },
      dst_endpoint: { hostname: "g1" },
      message: "hi",
      is_mfa: false,
      status_detail: "none",
    });
    // An object where the class wants a string is copied as it is, and validation names it.
    expect(mapRecord(copy, raw({ gateways: [{ host: "a" }] }))).toMatchObject({
      kind: "quarantined",
      reason: { path: "dst_endpoint.hostname" },
    });
  });

  it("writes nothing for absent, null, empty-string and empty-array values or a path through a scalar", () => {
    for (const over of [
      {},
      { who: null, note: null, mfa: null, gateways: null },
      { who: { login: "" }, note: "", hops: [], gateways: [""] },
      { who: "ann", hops: "x", note: [], gateways: "g1" },
      { who: [{ login: "ann" }], hops: { 1: { host: "b" } }, gateways: { 0: "g1" } },
    ]) {
      const ev = mapped(mapRecord(copy, raw(over)));
      expect(ev.actor, JSON.stringify(over)).toBeUndefined();
      expect(ev.src_endpoint).toBeUndefined();
      expect(ev.dst_endpoint).toBeUndefined();
      expect(ev.message).toBeUndefined();
      expect(ev.is_mfa).toBeUndefined();
    }
  });
});
