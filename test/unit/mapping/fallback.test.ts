import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../functions/core/errors.ts";
import { loadSourceMappings, type MapOutcome, mapRecord } from "../../../functions/core/mapping/engine.ts";
import { makeMappingsDir, SYN_SOURCE, synEvent } from "../../helpers/mappingDir.ts";

/**
 * Account Change requires `user`; some events name the affected account only as the actor. A mapping
 * says so with `first` (ordered alternatives) and `object` (an object built from an object path).
 */
const ACCOUNT_CHANGE = `
class_uid: 3001
match: [user.account.lock, user.account.update]
fields:
  activity_id: { value: 9 }
  user:
    first:
      - pick: target
        where: { type: User }
        fields: { uid: id, name: alternateId }
      - object: actor
        fields: { uid: id, name: alternateId }
  actor.user.uid: actor.id
`;

const dir = makeMappingsDir({ "syn/_source.yaml": SYN_SOURCE, "syn/account_change.yaml": ACCOUNT_CHANGE });
const mappings = loadSourceMappings("syn", { dir });

function mapped(outcome: MapOutcome): Record<string, unknown> {
  if (outcome.kind !== "mapped") throw new Error(`expected mapped, got ${JSON.stringify(outcome)}`);
  return outcome.event;
}

describe("ordered fallbacks for a required object", () => {
  it("takes the first alternative that writes a value: the User target when there is one", () => {
    const event = synEvent({
      eventType: "user.account.update",
      target: [{ id: "syn-user-2", alternateId: "bo@example.com", type: "User" }],
    });
    const out = mapped(mapRecord(mappings, JSON.stringify(event)));
    expect(out.user).toEqual({ uid: "syn-user-2", name: "bo@example.com" });
    // The actor's alternateId was not used, so it stays in unmapped; the target's fields were read.
    expect(out.unmapped).toMatchObject({ actor: { alternateId: "ann@example.com" } });
    expect(JSON.stringify(out.unmapped)).not.toContain("bo@example.com");
  });

  it("else the actor, whose fields then count as read", () => {
    const event = synEvent({ eventType: "user.account.lock", target: undefined });
    const out = mapped(mapRecord(mappings, JSON.stringify(event)));
    expect(out.user).toEqual({ uid: "syn-user-1", name: "ann@example.com" });
    expect(JSON.stringify(out.unmapped ?? {})).not.toContain("ann@example.com");
  });

  it("quarantines, naming the attribute, when no alternative has a value", () => {
    const event = synEvent({ eventType: "user.account.lock", target: undefined, actor: { type: "User" } });
    const outcome = mapRecord(mappings, JSON.stringify(event));
    expect(outcome).toMatchObject({ kind: "quarantined", reason: { path: "user" } });
  });

  it("what each event read is decided per event: a fallback in one event leaves the next one alone", () => {
    const lock = synEvent({ eventType: "user.account.lock", target: undefined });
    const update = synEvent({
      eventType: "user.account.update",
      target: [{ id: "syn-user-3", alternateId: "cy@example.com", type: "User" }],
    });
    mapped(mapRecord(mappings, JSON.stringify(lock)));
    const out = mapped(mapRecord(mappings, JSON.stringify(update)));
    expect(out.unmapped).toMatchObject({ actor: { alternateId: "ann@example.com" } });
  });

  it("rejects first with a single alternative, or with keys that belong in the alternatives", () => {
    const load = (fields: string) => () =>
      loadSourceMappings("syn", {
        dir: makeMappingsDir({
          "syn/_source.yaml": SYN_SOURCE,
          "syn/account_change.yaml": `class_uid: 3001\nmatch: [x]\nfields:\n  activity_id: { value: 1 }\n${fields}`,
        }),
      });
    expect(load("  user:\n    first: [{ object: actor, fields: { uid: id } }]")).toThrow(ConfigError);
    expect(load("  user.uid:\n    first: [actor.id, target.id]\n    transform: trim")).toThrow(
      /first takes only its alternatives/,
    );
    expect(load("  user:\n    object: actor")).toThrow(/object need fields/);
  });
});
