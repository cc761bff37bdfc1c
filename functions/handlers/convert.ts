import { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { convertOcsf } from "../core/parquet/index.ts";
import { awsDeps } from "./awsDeps.ts";
import { type ConvertResult, sourceBatchSchema, windowSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler, stateHandler } from "./deps.ts";

/** The input of the ASL's `ConvertSource` state (one item of the `Convert` Map state). */
export const convertInput = z
  .object({ window: windowSchema, source: sourceBatchSchema, executionId: z.string().min(1) })
  .strict();

/**
 * Converts one custom source's OCSF NDJSON of the window to ZSTD Parquet in the Security Lake bucket,
 * written under the source's provider role below its location, at keys that depend only on the window
 * and the data (`<lakePrefix>region=<r>/accountId=<a>/eventDay=<YYYYMMDD>/<windowId>-<n>.parquet`):
 * a retry overwrites the same objects with the same bytes. Nothing is deleted on failure (the role may
 * not), and the staged parts are read straight from the staging bucket (no /tmp).
 */
export function makeHandler(deps: HandlerDeps): StateHandler<ConvertResult> {
  const { env } = deps;
  return stateHandler(deps, "ConvertSource", convertInput, async ({ window, source }) => {
    const config = env.customSources.find((s) => s.name === source.customSource);
    if (!config || config.classUid !== source.classUid) {
      throw new ConfigError(
        `ConvertSource: custom source ${source.customSource} (class ${source.classUid}) is not in this connector's config`,
      );
    }
    const writer = await deps.lakeWriter(config);
    const summary = await convertOcsf({
      input: { parts: source.keys, read: (key) => stagedPart(deps, key) },
      classUid: source.classUid,
      customSource: source.customSource,
      region: env.lake.region,
      accountId: env.lake.accountId,
      windowId: window.windowId,
      lakePrefix: config.lakePrefix,
      writer,
    });
    deps.telemetry.metric("BytesWritten", summary.bytes);
    // The per-source figures the dashboard's Logs Insights widget sums (no per-source metric: core/metrics.ts).
    deps.telemetry.info("converted", {
      customSource: source.customSource,
      classUid: source.classUid,
      rows: summary.rows,
      bytes: summary.bytes,
      files: summary.files.length,
    });
    return { keys: summary.files.map((f) => f.key), counts: { rows: summary.rows, bytes: summary.bytes } };
  });
}

async function stagedPart(deps: HandlerDeps, key: string): Promise<Uint8Array> {
  const body = await deps.staging.get(key);
  if (!body) throw new Error(`ConvertSource: staged part ${key} is missing`);
  return body;
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
