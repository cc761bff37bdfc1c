import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../functions/core/errors.ts";
import { loadSourceMappings } from "../../../functions/core/mapping/engine.ts";
import { formatKeyPath } from "../../../functions/core/mapping/mappingFile.ts";
import { makeMappingsDir, SYN_SOURCE } from "../../helpers/mappingDir.ts";

const auth = (fields: string, extra = "") => `
class_uid: 3002
match: [user.session.start]
${extra}
fields:
  activity_id: { value: 1 }
  user.name: actor.alternateId
${fields}
`;

function loadError(files: Record<string, string>, source = "syn"): string {
  const dir = makeMappingsDir({ "syn/_source.yaml": SYN_SOURCE, ...files });
  try {
    loadSourceMappings(source, { dir });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("mapping file errors name the file and the key", () => {
  it.each([
    [
      "an unknown attribute",
      { "syn/authentication.yaml": auth("  user.nmae: actor.alternateId") },
      'syn/authentication.yaml: fields."user.nmae": object user has no attribute "nmae"',
    ],
    [
      "an unknown top-level attribute",
      { "syn/authentication.yaml": auth("  resources: x") },
      'fields.resources: authentication (3002) has no attribute "resources"',
    ],
    [
      "an engine-owned target",
      { "syn/authentication.yaml": auth("  type_uid: { value: 300201 }") },
      'fields.type_uid: "type_uid" is filled by the engine',
    ],
    [
      "metadata.uid",
      { "syn/authentication.yaml": auth("  metadata.uid: uuid") },
      'fields."metadata.uid": "metadata.uid" is filled by the engine',
    ],
    [
      "a profile attribute without the profile",
      { "syn/authentication.yaml": auth("  cloud.provider: { value: AWS }") },
      'fields."cloud.provider": "cloud" belongs to the cloud profile',
    ],
    [
      "a profile not used",
      { "syn/authentication.yaml": auth("", "profiles: [container]") },
      'profiles[0]: "container" is not a used profile',
    ],
    [
      "an unknown transform",
      { "syn/authentication.yaml": auth("  message: { from: x, transform: shout }") },
      "syn/authentication.yaml: fields.message.transform",
    ],
    [
      "an unknown table",
      { "syn/authentication.yaml": auth("  status_id: { from: x, table: nope }") },
      'fields.status_id: no table "nope"',
    ],
    [
      "an unknown key",
      { "syn/authentication.yaml": auth("  message: { form: x }") },
      "syn/authentication.yaml: fields.message",
    ],
    [
      "from and value together",
      { "syn/authentication.yaml": auth("  message: { from: x, value: y }") },
      "from and value exclude each other",
    ],
    [
      "an index on a non-array",
      { "syn/authentication.yaml": auth("  user[0].name: x") },
      'fields."user[0].name": [0] indexes "user", which is not an array',
    ],
    [
      "an array without index",
      { "syn/authentication.yaml": auth("  observables.name: x") },
      '"observables" is an array: write observables[n].name or use each',
    ],
    [
      "each into an object",
      { "syn/authentication.yaml": auth("  user: { each: target, fields: { name: id } }") },
      "fields.user: each needs an array-of-objects target",
    ],
    [
      "a bad source path",
      { "syn/authentication.yaml": auth("  message: a..b") },
      'fields.message: empty key in path "a..b"',
    ],
    [
      "a file named after another class",
      { "syn/account_change.yaml": auth("") },
      "class_uid 3002 is authentication; name the file authentication.yaml",
    ],
    [
      "an unknown class",
      { "syn/authentication.yaml": "class_uid: 9999\nmatch: [x]\n" },
      "class_uid: OCSF 1.1.0 has no class 9999",
    ],
    [
      "a type matched twice",
      {
        "syn/authentication.yaml": auth(""),
        "syn/account_change.yaml":
          "class_uid: 3001\nmatch: [user.session.start]\nfields: { activity_id: { value: 1 }, user.name: x }\n",
      },
      'syn/authentication.yaml: match: "user.session.start" is also matched by syn/account_change.yaml',
    ],
    [
      "invalid YAML",
      { "syn/authentication.yaml": "class_uid: [\n" },
      "syn/authentication.yaml: not valid YAML",
    ],
    [
      "a missing match",
      { "syn/authentication.yaml": "class_uid: 3002\n" },
      "syn/authentication.yaml: match:",
    ],
  ])("%s", (_name, files, message) => {
    expect(loadError(files)).toContain(message);
  });

  it("names the source file for source-level mistakes", () => {
    const dir = makeMappingsDir({ "syn/_source.yaml": SYN_SOURCE.replace("source: syn", "source: other") });
    expect(() => loadSourceMappings("syn", { dir })).toThrow(
      'syn/_source.yaml: source: "other" must equal the folder name "syn"',
    );
    const dir2 = makeMappingsDir({ "syn/_source.yaml": SYN_SOURCE.replace("event_id: uuid", "") });
    expect(() => loadSourceMappings("syn", { dir: dir2 })).toThrow("syn/_source.yaml: event_id:");
  });

  it("lists the known sources for an unknown one", () => {
    const dir = makeMappingsDir({ "syn/_source.yaml": SYN_SOURCE });
    expect(() => loadSourceMappings("nope", { dir })).toThrow('unknown source "nope" (mappings in');
    expect(() => loadSourceMappings("../etc", { dir })).toThrow(/unknown source.*syn/);
  });

  it("formats key paths with quoted dotted keys", () => {
    expect(formatKeyPath(["fields", "user.name", "from"])).toBe('fields."user.name".from');
    expect(formatKeyPath(["match", 2])).toBe("match[2]");
    expect(formatKeyPath([])).toBe("(top level)");
  });

  it("loads the project's own mappings", () => {
    expect(loadSourceMappings("zscaler-dspm").classes.map((c) => c.classUid)).toEqual([2001]);
  });
});
