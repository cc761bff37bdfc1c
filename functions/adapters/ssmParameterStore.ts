import { randomBytes } from "node:crypto";
import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
  type SSMClient,
} from "@aws-sdk/client-ssm";
import { CheckpointError, StorageUnavailableError } from "../core/errors.ts";
import type { ParameterStore, StoredParameter } from "../core/ports.ts";

export interface SsmParameterStoreOptions {
  /** A lock older than this is taken over (its holder crashed between taking and releasing it). */
  readonly lockTtlMs?: number;
  /** How long `put` waits for a busy lock before failing with CheckpointError. */
  readonly lockWaitMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const TRANSIENT = new Set([
  "ThrottlingException",
  "TooManyUpdates",
  "InternalServerError",
  "ServiceUnavailable",
  "RequestTimeout",
]);

/**
 * SSM Parameter Store with the conditional put the checkpoint needs. SSM has no compare-and-set, so a
 * conditional put takes a lock parameter `<name>.lock`, created with `Overwrite: false` (SSM fails
 * that with ParameterAlreadyExists when it exists, atomically), then reads the version, compares,
 * writes and deletes the lock. The critical section is three API calls.
 *
 * The race window, stated honestly: a lock is taken over once it is older than `lockTtlMs` (its holder
 * died inside the critical section). If two writers find the same stale lock at the same moment, both
 * may delete it and one may delete the other's fresh lock, so both can pass. That needs a Lambda to die
 * between two SSM calls *and* two executions of one connector contending within the same second. As a
 * second line, the put checks that SSM numbered its write `expected + 1` and throws CheckpointError
 * otherwise, so such an interleaving fails visibly instead of committing silently.
 */
export class SsmParameterStore implements ParameterStore {
  readonly #client: SSMClient;
  readonly #lockTtlMs: number;
  readonly #lockWaitMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(client: SSMClient, options: SsmParameterStoreOptions = {}) {
    this.#client = client;
    this.#lockTtlMs = options.lockTtlMs ?? 30_000;
    this.#lockWaitMs = options.lockWaitMs ?? 5_000;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async get(name: string): Promise<StoredParameter | undefined> {
    try {
      const out = await this.#client.send(new GetParameterCommand({ Name: name }));
      const p = out.Parameter;
      if (p?.Value === undefined || p.Version === undefined) return undefined;
      return { value: p.Value, version: p.Version };
    } catch (error) {
      if (errorName(error) === "ParameterNotFound") return undefined;
      throw classify(error, `get ${name}`);
    }
  }

  async put(
    name: string,
    value: string,
    options: { expectedVersion?: number | null } = {},
  ): Promise<StoredParameter> {
    if (options.expectedVersion === undefined) return this.#write(name, value, true);
    const expected = options.expectedVersion;
    const lock = await this.#acquire(name);
    try {
      const current = await this.get(name);
      const actual = current?.version ?? null;
      if (actual !== expected) {
        throw new CheckpointError(
          `parameter ${name}: expected version ${expected ?? "(none)"}, found ${actual ?? "(none)"}: another execution wrote it`,
        );
      }
      const stored = await this.#write(name, value, expected !== null);
      if (stored.version !== (expected ?? 0) + 1) {
        throw new CheckpointError(
          `parameter ${name}: wrote version ${stored.version} but expected ${(expected ?? 0) + 1}: a concurrent writer got past the lock; check the checkpoint`,
        );
      }
      return stored;
    } finally {
      await this.#release(lock);
    }
  }

  async #write(name: string, value: string, overwrite: boolean): Promise<StoredParameter> {
    try {
      const out = await this.#client.send(
        new PutParameterCommand({
          Name: name,
          Value: value,
          Type: "String",
          Overwrite: overwrite,
          // Standard tier holds 4 KB; the checkpoint module keeps its JSON below that.
          Tier: "Standard",
        }),
      );
      return { value, version: out.Version ?? 0 };
    } catch (error) {
      if (errorName(error) === "ParameterAlreadyExists") {
        throw new CheckpointError(`parameter ${name}: expected none, but another execution created it`);
      }
      throw classify(error, `put ${name}`);
    }
  }

  async #acquire(name: string): Promise<{ name: string; owner: string }> {
    const lockName = `${name}.lock`;
    const owner = randomBytes(8).toString("hex");
    const deadline = this.#now() + this.#lockWaitMs;
    let delay = 50;
    for (;;) {
      try {
        await this.#client.send(
          new PutParameterCommand({
            Name: lockName,
            Value: JSON.stringify({ owner, takenAt: this.#now() }),
            Type: "String",
            Overwrite: false,
          }),
        );
        return { name: lockName, owner };
      } catch (error) {
        if (errorName(error) !== "ParameterAlreadyExists") throw classify(error, `lock ${lockName}`);
      }
      const held = await this.get(lockName);
      const takenAt = held ? Number((JSON.parse(held.value) as { takenAt?: unknown }).takenAt) : 0;
      if (held && this.#now() - takenAt > this.#lockTtlMs) {
        await this.#deleteQuietly(lockName);
        continue;
      }
      if (this.#now() >= deadline) {
        throw new CheckpointError(
          `parameter ${name}: locked by another execution for over ${this.#lockWaitMs} ms`,
        );
      }
      await this.#sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
  }

  async #release(lock: { name: string; owner: string }): Promise<void> {
    const held = await this.get(lock.name);
    if (held && (JSON.parse(held.value) as { owner?: unknown }).owner === lock.owner) {
      await this.#deleteQuietly(lock.name);
    }
  }

  async #deleteQuietly(name: string): Promise<void> {
    try {
      await this.#client.send(new DeleteParameterCommand({ Name: name }));
    } catch (error) {
      if (errorName(error) !== "ParameterNotFound") throw classify(error, `delete ${name}`);
    }
  }
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: string }).name;
}

/** SSM throttling and 5xx become StorageUnavailableError (the ASL retries it); the rest pass through. */
function classify(error: unknown, what: string): unknown {
  const name = errorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  if ((name && TRANSIENT.has(name)) || status >= 500) {
    return new StorageUnavailableError(`ssm ${what}: ${name ?? "error"} (transient)`, { cause: error });
  }
  return error;
}
