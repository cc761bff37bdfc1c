import { describe, expect, it } from "vitest";
import { SchemaError } from "../../functions/core/errors.ts";
import { OCSF_VERSION, ocsf } from "../../functions/core/ocsf/schema.ts";

describe("pinned OCSF schema", () => {
  it("is version 1.1.0", () => {
    expect(ocsf.version).toBe("1.1.0");
    expect(OCSF_VERSION).toBe(ocsf.version);
  });

  it("finds Authentication by uid and by name, in Identity & Access Management", () => {
    const byUid = ocsf.class(3002);
    expect(byUid.name).toBe("authentication");
    expect(ocsf.class("authentication")).toBe(byUid);
    expect(ocsf.class("3002")).toBe(byUid);
    expect(byUid.category_uid).toBe(3);
    expect(ocsf.categoryName(3)).toBe("Identity & Access Management");
  });

  it("has Logon and Logoff in Authentication's activity_id enum", () => {
    const activity = ocsf.attribute(ocsf.class(3002), "activity_id");
    expect(activity).toBeDefined();
    if (!activity) return;
    expect(ocsf.enumCaption(activity, 1)).toBe("Logon");
    expect(ocsf.enumCaption(activity, 2)).toBe("Logoff");
    expect(activity.sibling).toBe("activity_name");
    expect(activity.requirement).toBe("required");
  });

  it("knows Security Finding (2001), Scheduled Job Activity (1006) and Account Change (3001)", () => {
    expect(ocsf.class(2001).name).toBe("security_finding");
    expect(ocsf.class(2001).category_uid).toBe(2);
    expect(ocsf.class(1006).name).toBe("scheduled_job_activity");
    expect(ocsf.class(3001).name).toBe("account_change");
  });

  it("requires version and product in metadata", () => {
    const metadata = ocsf.object("metadata");
    const required = ocsf
      .attributes(metadata)
      .filter((a) => a.requirement === "required")
      .map((a) => a.name);
    expect(required).toEqual(expect.arrayContaining(["version", "product"]));
    expect(ocsf.attribute(metadata, "product")?.object_type).toBe("product");
  });

  it("derives type_uid as class_uid*100+activity_id and matches the schema's own enum", () => {
    expect(ocsf.typeUid(3002, 1)).toBe(300201);
    const typeUid = ocsf.attribute(ocsf.class(3002), "type_uid");
    expect(typeUid && ocsf.enumCaption(typeUid, 300201)).toBe("Authentication: Logon");
    expect(ocsf.typeName(3002, 1)).toBe("Authentication: Logon");
    for (const cls of ocsf.classes()) {
      const activities = cls.attributes.activity_id?.enum ?? {};
      const types = cls.attributes.type_uid?.enum ?? {};
      for (const id of Object.keys(activities)) {
        expect(types[String(ocsf.typeUid(cls.class_uid, Number(id)))], `${cls.name} ${id}`).toBeDefined();
      }
    }
  });

  it("resolves base types and array/object attributes", () => {
    const auth = ocsf.class(3002);
    const time = ocsf.attribute(auth, "time");
    expect(time && ocsf.baseType(time)).toBe("long_t");
    expect(ocsf.baseType({ type: "port_t" })).toBe("integer_t");
    expect(ocsf.baseType({ type: "ip_t" })).toBe("string_t");
    expect(ocsf.attribute(auth, "user")?.object_type).toBe("user");
    expect(ocsf.attribute(ocsf.class(2001), "resources")?.is_array).toBe(true);
  });

  it("filters profile attributes unless the profile is asked for", () => {
    const auth = ocsf.class(3002);
    const core = ocsf.attributes(auth, { profiles: [] }).map((a) => a.name);
    expect(core).not.toContain("cloud");
    expect(core).not.toContain("time_dt");
    const withCloud = ocsf.attributes(auth, { profiles: ["cloud"] }).map((a) => a.name);
    expect(withCloud).toContain("cloud");
  });

  it("throws a SchemaError naming an unknown class or object", () => {
    expect(() => ocsf.class(9999)).toThrow(SchemaError);
    expect(() => ocsf.class(9999)).toThrow(/9999/);
    expect(() => ocsf.object("no_such_object")).toThrow(/no_such_object/);
  });
});
