import { BatchCreatePartitionCommand, GetTableCommand, GlueClient } from "@aws-sdk/client-glue";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { GlueStagingCatalog } from "../../functions/adapters/glueStagingCatalog.ts";

const glue = mockClient(GlueClient);
afterEach(() => glue.reset());

const table = {
  Name: "okta_auth",
  PartitionKeys: [{ Name: "eventday", Type: "string" }],
  StorageDescriptor: {
    Location: "s3://staging-bucket/staging/ocsf/okta-auth/",
    Columns: [{ Name: "time", Type: "bigint" }],
    SerdeInfo: { SerializationLibrary: "org.openx.data.jsonserde.JsonSerDe" },
  },
};

describe("GlueStagingCatalog", () => {
  it("adds each day as a partition with the table's storage descriptor at the day's folder", async () => {
    glue.on(GetTableCommand).resolves({ Table: table });
    glue.on(BatchCreatePartitionCommand).resolves({
      Errors: [{ PartitionValues: ["20240501"], ErrorDetail: { ErrorCode: "AlreadyExistsException" } }],
    });
    const catalog = new GlueStagingCatalog(
      new GlueClient({ region: "us-east-1" }),
      "seclake_dev_okta_staging",
    );
    expect(await catalog.addPartitions("okta-auth", ["20240501", "20240502"])).toBe(true);
    expect(glue.commandCalls(GetTableCommand)[0]?.args[0].input).toEqual({
      DatabaseName: "seclake_dev_okta_staging",
      Name: "okta_auth",
    });
    const input = glue.commandCalls(BatchCreatePartitionCommand)[0]?.args[0].input;
    expect(input?.PartitionInputList?.map((p) => [p.Values, p.StorageDescriptor?.Location])).toEqual([
      [["20240501"], "s3://staging-bucket/staging/ocsf/okta-auth/eventDay=20240501/"],
      [["20240502"], "s3://staging-bucket/staging/ocsf/okta-auth/eventDay=20240502/"],
    ]);
    expect(input?.PartitionInputList?.[0]?.StorageDescriptor?.SerdeInfo).toEqual(
      table.StorageDescriptor.SerdeInfo,
    );
  });

  it("answers false for a table the crawler has not made, or one not partitioned by eventDay alone", async () => {
    const catalog = new GlueStagingCatalog(new GlueClient({ region: "us-east-1" }), "db");
    glue
      .on(GetTableCommand)
      .rejects(Object.assign(new Error("not found"), { name: "EntityNotFoundException" }));
    expect(await catalog.addPartitions("okta-auth", ["20240501"])).toBe(false);
    glue.on(GetTableCommand).resolves({ Table: { ...table, PartitionKeys: [] } });
    expect(await catalog.addPartitions("okta-auth", ["20240501"])).toBe(false);
    expect(glue.commandCalls(BatchCreatePartitionCommand)).toHaveLength(0);
  });

  it("throws naming the table when Glue refuses a partition for another reason", async () => {
    glue.on(GetTableCommand).resolves({ Table: table });
    glue.on(BatchCreatePartitionCommand).resolves({
      Errors: [{ ErrorDetail: { ErrorCode: "ResourceNumberLimitExceededException", ErrorMessage: "limit" } }],
    });
    const catalog = new GlueStagingCatalog(new GlueClient({ region: "us-east-1" }), "db");
    await expect(catalog.addPartitions("okta-auth", ["20240501"])).rejects.toThrow(
      "db.okta_auth: ResourceNumberLimitExceededException",
    );
  });
});
