/**
 * The interfaces between handlers/core and the outside world. Each has an AWS implementation and a
 * local one (filesystem / in-memory) used by `seclake local` and the tests; both must pass the same
 * contract suite (test/contract/).
 */

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
}

/** An S3 bucket, or a directory standing in for one. Keys use "/" and never start with "/". */
export interface ObjectStore {
  /** Writes the whole body or nothing (single PutObject / temp file + rename): readers never see a part. */
  put(key: string, body: Uint8Array | string, options?: { contentType?: string }): Promise<void>;
  /** The object's bytes, or undefined when it does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Keys under `prefix` in ascending (UTF-8 byte) order, strictly after `startAfter` when given. */
  list(prefix: string, options?: { startAfter?: string; limit?: number }): Promise<ObjectInfo[]>;
  delete(key: string): Promise<void>;
}

/** One stored parameter value with the version that conditional writes compare against. */
export interface StoredParameter {
  readonly value: string;
  readonly version: number;
}

/** SSM Parameter Store (a JSON file locally). */
export interface ParameterStore {
  get(name: string): Promise<StoredParameter | undefined>;
  /**
   * Writes `value`. With `expectedVersion`, fails with `CheckpointError` unless the stored version is
   * still that one (undefined = must not exist yet): the guard that keeps two executions from both committing.
   */
  put(name: string, value: string, options?: { expectedVersion?: number | null }): Promise<StoredParameter>;
}

/** Secrets Manager (env vars locally). Values are never logged or returned from a handler. */
export interface SecretsProvider {
  /** The secret's JSON fields, e.g. { clientId, clientSecret } or { apiToken }. */
  get(secretId: string): Promise<Readonly<Record<string, string>>>;
}

export type CrawlerState = "READY" | "RUNNING" | "STOPPING";

/** A Glue crawler (a recorder of staged tables locally). */
export interface Crawler {
  /** Starts a crawl; resolves `alreadyRunning` instead of failing when one is under way. */
  start(name: string): Promise<{ alreadyRunning: boolean }>;
  state(name: string): Promise<CrawlerState>;
}

/** One object being written in parts; nothing is visible under its key until `commit` resolves. */
export interface ObjectUpload {
  /** Appends bytes; the caller may reuse `chunk` once the promise resolves. */
  write(chunk: Uint8Array): Promise<void>;
  /** Publishes the whole object at once (rename / one PutObject); resolves its size. */
  commit(): Promise<number>;
  /** Discards what was written and leaves the key as it was; safe after a failed write or commit. */
  abort(): Promise<void>;
}

/**
 * A bucket or directory that takes large objects as a stream (Parquet files of up to 256 MB), which
 * `ObjectStore.put` (whole body in memory) does not fit. No delete: in the lake the provider role's
 * permissions boundary denies s3:DeleteObject, so the lake path must never need one.
 */
export interface ObjectWriter {
  begin(key: string, options?: { contentType?: string }): Promise<ObjectUpload>;
}

/** One message as a queue delivered it. The same message delivered again has another receipt handle. */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  /** The handle of this delivery; deleting with it removes the message (if still the latest delivery). */
  readonly receiptHandle: string;
  /** How many times the queue has delivered the message, this delivery included. */
  readonly receiveCount: number;
}

/** An SQS queue (a JSON file with SQS's semantics locally). */
export interface MessageQueue {
  /** Up to `max` (1–10) messages, waiting up to `waitSeconds` for the first one (long polling). */
  receive(max: number, waitSeconds: number): Promise<QueueMessage[]>;
  /** Deletes by receipt handle; resolves the handles the queue could not delete. */
  delete(receiptHandles: readonly string[]): Promise<{ failed: string[] }>;
  /** The message becomes receivable again after `seconds` (0: at once). */
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
}

/**
 * The staging Glue catalogue, for adding a day to a custom source's table without a crawl: a partition
 * is one catalogue request, a crawl is billed for at least ten minutes (DESIGN.md §2.4).
 */
export interface StagingCatalog {
  /**
   * Adds `eventDay` partitions (YYYYMMDD) to the table of `customSource`, those that exist already
   * included. Resolves false when the table does not exist yet: only the crawler can make it (it infers
   * the columns from the staged events).
   */
  addPartitions(customSource: string, days: readonly string[]): Promise<boolean>;
}
