import {
  BatchCreatePartitionCommand,
  GetTableCommand,
  type GlueClient,
  type StorageDescriptor,
} from "@aws-sdk/client-glue";
import { stagingTableName } from "../core/pipeline/stagingTables.ts";
import type { StagingCatalog } from "../core/ports.ts";

/**
 * The staging Glue database. A day is added with BatchCreatePartition, its storage descriptor the
 * table's (columns, SerDe, formats) at the day's folder, as the crawler would add it
 * (https://docs.aws.amazon.com/glue/latest/webapi/API_BatchCreatePartition.html); a partition that
 * exists already is no error. A table that is missing, or partitioned otherwise than by the one
 * `eventDay` key, answers false and the state machine crawls instead.
 */
export class GlueStagingCatalog implements StagingCatalog {
  constructor(
    private readonly client: GlueClient,
    private readonly database: string,
  ) {}

  async addPartitions(customSource: string, days: readonly string[]): Promise<boolean> {
    const name = stagingTableName(customSource);
    let descriptor: StorageDescriptor | undefined;
    try {
      const out = await this.client.send(new GetTableCommand({ DatabaseName: this.database, Name: name }));
      const keys = out.Table?.PartitionKeys ?? [];
      if (keys.length !== 1 || keys[0]?.Name?.toLowerCase() !== "eventday") return false;
      descriptor = out.Table?.StorageDescriptor;
    } catch (error) {
      if ((error as { name?: string }).name === "EntityNotFoundException") return false;
      throw error;
    }
    const base = descriptor?.Location;
    if (!descriptor || !base) return false;
    const folder = base.endsWith("/") ? base : `${base}/`;
    // BatchCreatePartition takes at most 100 partitions per call.
    for (let i = 0; i < days.length; i += 100) {
      const out = await this.client.send(
        new BatchCreatePartitionCommand({
          DatabaseName: this.database,
          TableName: name,
          PartitionInputList: days.slice(i, i + 100).map((day) => ({
            Values: [day],
            StorageDescriptor: { ...descriptor, Location: `${folder}eventDay=${day}/` },
          })),
        }),
      );
      const failed = (out.Errors ?? []).filter((e) => e.ErrorDetail?.ErrorCode !== "AlreadyExistsException");
      if (failed.length > 0) {
        const detail = failed[0]?.ErrorDetail;
        throw new Error(
          `glue BatchCreatePartition ${this.database}.${name}: ${detail?.ErrorCode}: ${detail?.ErrorMessage}`,
        );
      }
    }
    return true;
  }
}
