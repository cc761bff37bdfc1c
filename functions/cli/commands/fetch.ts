import { z } from "zod";
import { EnvSecretsProvider } from "../../adapters/envSecrets.ts";
import { LocalObjectStore } from "../../adapters/localObjectStore.ts";
import { createConnector } from "../../adapters/sources/factory.ts";
import { ObjectStorePageSink, pageFileName } from "../../adapters/sources/pageSink.ts";
import type { SourceConnector, SourceLogger } from "../../adapters/sources/types.ts";
import { makeWindow, nextCheckpoint } from "../../core/checkpoint/index.ts";
import { InputError } from "../../core/errors.ts";
import type { ObjectStore } from "../../core/ports.ts";
import { FETCH_SOURCES } from "../spec.ts";

const optionsSchema = z.object({
  source: z.enum(FETCH_SOURCES),
  baseUrl: z.string().min(1),
  since: z.iso.datetime({ offset: true }),
  until: z.iso.datetime({ offset: true }),
  maxEvents: z.coerce.number().int().positive(),
  out: z.string().min(1),
});

type FetchOptions = z.infer<typeof optionsSchema>;

/** Retries and waits go to stderr as one JSON line each (never a secret: the HTTP layer redacts). */
const stderrLogger: SourceLogger = {
  info: (message, extra) => process.stderr.write(`${JSON.stringify({ level: "info", message, ...extra })}\n`),
  warn: (message, extra) => process.stderr.write(`${JSON.stringify({ level: "warn", message, ...extra })}\n`),
};

async function inboxStore(baseUrl: string): Promise<{ store: ObjectStore; prefix: string; bucket?: string }> {
  const url = new URL(baseUrl);
  if (url.protocol === "file:")
    return { store: new LocalObjectStore(decodeURIComponent(url.pathname)), prefix: "" };
  if (url.protocol === "s3:") {
    // Lazy: only s3:// pays for loading the AWS SDK.
    const [{ S3Client }, { S3ObjectStore }] = await Promise.all([
      import("@aws-sdk/client-s3"),
      import("../../adapters/s3ObjectStore.ts"),
    ]);
    return {
      store: new S3ObjectStore(new S3Client({}), url.hostname),
      prefix: url.pathname.replace(/^\//, ""),
      bucket: url.hostname,
    };
  }
  throw new InputError(
    `fetch: --base-url: s3-inbox expects file://<dir> or s3://<bucket>/<prefix>, got ${url.protocol}`,
  );
}

async function connectorFor(opts: FetchOptions): Promise<SourceConnector> {
  const deps = { secrets: new EnvSecretsProvider(), http: { logger: stderrLogger } };
  if (opts.source === "s3-inbox") {
    return createConnector({ source: "s3-inbox", ...(await inboxStore(opts.baseUrl)) }, deps);
  }
  return createConnector({ source: opts.source, baseUrl: opts.baseUrl, secretId: "env:SECLAKE_*" }, deps);
}

/**
 * `seclake fetch`: one window of one source into `<out>/page-<n>.ndjson.gz`; prints
 * {"fetched","pages","hasMore","next"} where `next` is the checkpoint a pipeline would commit.
 * Pages from an earlier run in the same directory are overwritten page by page, not deleted.
 */
export async function run(raw: Record<string, string | boolean | undefined>): Promise<number> {
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = String(issue?.path[0] ?? "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new InputError(`--${flag}: ${issue?.message ?? "invalid"}`);
  }
  const opts = parsed.data;
  const window = makeWindow(opts.since, opts.until);
  if (Date.parse(window.until) < Date.parse(window.since)) {
    throw new InputError(`--until ${opts.until} is before --since ${opts.since}`);
  }
  const connector = await connectorFor(opts);
  const sink = new ObjectStorePageSink(new LocalObjectStore(opts.out), pageFileName);
  const result = await connector.fetch(window, { maxEvents: opts.maxEvents }, sink);
  const summary = {
    fetched: result.fetched,
    pages: result.pages,
    hasMore: result.hasMore,
    next: nextCheckpoint(result.next),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}
