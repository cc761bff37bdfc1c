import { describe, expect, it } from "vitest";
import { fillCaptionsAndValidate, validateEvent } from "../../../functions/core/ocsf/validate.ts";

/** A valid Authentication event; `over` is merged at the top level. */
function auth(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
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
    time: 1705338910234,
    metadata: { version: "1.1.0", product: { name: "Syn", vendor_name: "Syn" }, uid: "syn-1" },
    user: { name: "ann", uid: "syn-user-1" },
    src_endpoint: { ip: "198.51.100.7", port: 443 },
    unmapped: { anything: [1, { goes: null }] },
    ...over,
  };
}

const first = (event: unknown) => validateEvent(event)[0];

describe("validateEvent", () => {
  it("accepts a valid event", () => {
    expect(validateEvent(auth())).toEqual([]);
  });

  it.each([
    ["not an object", [1], "$", "expected a JSON object"],
    ["no class_uid", { ...auth(), class_uid: undefined }, "class_uid", "expected an integer class_uid"],
    ["an unknown class", auth({ class_uid: 9999 }), "class_uid", "no class 9999"],
    [
      "a missing required attribute",
      auth({ time: undefined }),
      "time",
      "required by authentication (3002) but missing",
    ],
    ["a string integer", auth({ severity_id: "1" }), "severity_id", "expected an integer"],
    [
      "a float integer",
      auth({ activity_id: 1.5, type_uid: undefined }),
      "activity_id",
      "expected an integer",
    ],
    [
      "a port out of range",
      auth({ src_endpoint: { ip: "198.51.100.7", port: 70000 } }),
      "src_endpoint.port",
      "port_t must be within [0, 65535]",
    ],
    ["an integer past int32", auth({ count: 2 ** 31 }), "count", "within [-2147483648, 2147483647]"],
    [
      "a string timestamp",
      auth({ time: "2024-01-15T17:15:10Z" }),
      "time",
      "expected an integer (epoch milliseconds)",
    ],
    ["an unsafe long", auth({ time: 2 ** 60 }), "time", "expected an integer"],
    ["a non-boolean boolean", auth({ is_mfa: "true" }), "is_mfa", "expected true or false"],
    ["a string object", auth({ user: "ann" }), "user", "expected an object (user)"],
    [
      "a non-array array",
      auth({ observables: { name: "x", type_id: 1 } }),
      "observables",
      "expected an array of observable",
    ],
    [
      "a bad array element",
      auth({
        observables: [
          { name: "x", type_id: 1 },
          { name: "y", type_id: "1" },
        ],
      }),
      "observables[1].type_id",
      "expected an integer",
    ],
    [
      "an unknown enum id",
      auth({ status_id: 7, status: undefined }),
      "status_id",
      "7 is not a valid status_id",
    ],
    [
      "an inconsistent caption",
      auth({ severity: "High" }),
      "severity",
      'expected "Informational" for severity_id 1',
    ],
    [
      "an inconsistent nested caption",
      auth({ user: { name: "a", type_id: 1, type: "Admin" } }),
      "user.type",
      'expected "User"',
    ],
    ["a wrong type_uid", auth({ type_uid: 300202 }), "type_uid", "expected 300201"],
    ["a wrong category", auth({ category_uid: 2 }), "category_uid", "2 is not a valid category_uid (3)"],
    ["an unknown attribute", auth({ vendor_extra: 1 }), "vendor_extra", 'has no attribute "vendor_extra"'],
    [
      "an unknown nested attribute",
      auth({ user: { name: "a", shoe_size: 9 } }),
      "user.shoe_size",
      'object user has no attribute "shoe_size"',
    ],
    ["a null", auth({ message: null }), "message", "null is not a value"],
    [
      "an invalid IP",
      auth({ src_endpoint: { ip: "123.456.789.0" } }),
      "src_endpoint.ip",
      "expected an IP address",
    ],
    [
      "an invalid email",
      auth({ user: { name: "a", email_addr: "not-an-email" } }),
      "user.email_addr",
      "not a valid email_t",
    ],
    [
      "an empty user (at_least_one)",
      auth({ user: { type_id: 1 } }),
      "user",
      "needs at least one of account, name, uid",
    ],
    [
      "a profile attribute without its profile",
      auth({ cloud: { provider: "AWS" } }),
      "cloud",
      "belongs to the cloud profile",
    ],
    [
      "a profile this project does not use",
      auth({
        metadata: { version: "1.1.0", product: { name: "S", vendor_name: "S" }, profiles: ["container"] },
      }),
      "metadata.profiles[0]",
      'profile "container" is not used',
    ],
    [
      "a datetime sibling without the datetime profile",
      auth({ time_dt: "2024-01-15T17:15:10Z" }),
      "time_dt",
      "datetime profile",
    ],
  ])("reports %s", (_name, event, path, message) => {
    const issues = validateEvent(event);
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.message).toContain(message);
  });

  it("requires profile attributes only when the profile is declared", () => {
    const metadata = { version: "1.1.0", product: { name: "S", vendor_name: "S" }, profiles: ["cloud"] };
    expect(first(auth({ metadata }))).toEqual({
      path: "cloud",
      message: "required by authentication (3002) but missing",
    });
    expect(validateEvent(auth({ metadata, cloud: { provider: "AWS" } }))).toEqual([]);
    const withDt = { ...metadata, profiles: ["datetime"] };
    expect(validateEvent(auth({ metadata: withDt, time_dt: "2024-01-15T17:15:10.234Z" }))).toEqual([]);
  });

  it("lets 99 Other carry a custom caption", () => {
    expect(validateEvent(auth({ auth_protocol_id: 99, auth_protocol: "WS-FED" }))).toEqual([]);
  });

  it("accepts any JSON in json_t and unmapped", () => {
    const event = {
      ...auth(),
      class_uid: 2001,
      class_name: undefined,
      category_uid: 2,
      category_name: undefined,
      type_uid: 200101,
      type_name: undefined,
      activity_name: undefined,
      state_id: 1,
      user: undefined,
      src_endpoint: undefined,
      finding: { uid: "f", title: "t", supporting_data: { deep: [1, "x", null] } },
    };
    for (const k of Object.keys(event))
      if (event[k as keyof typeof event] === undefined) delete event[k as keyof typeof event];
    expect(validateEvent(event)).toEqual([]);
  });

  it("caps the number of issues", () => {
    const bad: Record<string, unknown> = { class_uid: 3002 };
    for (let i = 0; i < 50; i++) bad[`x${i}`] = i;
    expect(validateEvent(bad)).toHaveLength(20);
  });

  it("fills captions when asked, then validates", () => {
    const event = auth({ severity: undefined, status: "wrong", user: { name: "a", type_id: 2 } });
    delete event.severity;
    expect(fillCaptionsAndValidate(event)).toEqual([]);
    expect(event).toMatchObject({ severity: "Informational", status: "Success", user: { type: "Admin" } });
  });
});
