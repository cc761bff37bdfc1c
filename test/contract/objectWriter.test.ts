import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { LocalObjectWriter } from "../../functions/adapters/localObjectWriter.ts";
import { providerRoleCredentials, S3ObjectWriter } from "../../functions/adapters/s3ObjectWriter.ts";
import type { ObjectWriter } from "../../functions/core/ports.ts";
import { listFiles } from "../helpers/parquetReadBack.ts";

const MiB = 1024 * 1024;
const s3 = mockClient(S3Client);

/** An in-memory bucket behind the S3 mock, so the S3 writer runs the same contract as the local one. */
function fakeBucket() {
  const objects = new Map<string, Buffer>();
  const uploads = new Map<string, Map<number, Buffer>>();
  let next = 0;
  s3.reset();
  s3.on(PutObjectCommand).callsFake((input) => {
    objects.set(input.Key, Buffer.from(input.Body));
    return {};
  });
  s3.on(CreateMultipartUploadCommand).callsFake(() => {
    const id = `synupload${next++}`;
    uploads.set(id, new Map());
    return { UploadId: id };
  });
  s3.on(UploadPartCommand).callsFake((input) => {
    uploads.get(input.UploadId)?.set(input.PartNumber, Buffer.from(input.Body));
    return { ETag: `"etag${input.PartNumber}"` };
  });
  s3.on(CompleteMultipartUploadCommand).callsFake((input) => {
    const parts = uploads.get(input.UploadId) ?? new Map();
    const numbers = input.MultipartUpload.Parts.map((p: { PartNumber: number }) => p.PartNumber);
    objects.set(input.Key, Buffer.concat(numbers.map((n: number) => parts.get(n))));
    uploads.delete(input.UploadId);
    return {};
  });
  s3.on(AbortMultipartUploadCommand).callsFake((input) => {
    uploads.delete(input.UploadId);
    return {};
  });
  s3.on(DeleteObjectCommand).callsFake((input) => {
    objects.delete(input.Key);
    return {};
  });
  return { objects, uploads };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Subject {
  writer: ObjectWriter;
  read(key: string): Buffer | undefined;
  keys(): string[];
}

const subjects: [string, () => Subject][] = [
  [
    "LocalObjectWriter",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "seclake-writer-"));
      dirs.push(dir);
      return {
        writer: new LocalObjectWriter(dir),
        read: (key) => {
          try {
            return readFileSync(join(dir, key));
          } catch {
            return undefined;
          }
        },
        keys: () => listFiles(dir),
      };
    },
  ],
  [
    "S3ObjectWriter",
    () => {
      const bucket = fakeBucket();
      return {
        writer: new S3ObjectWriter({ client: new S3Client({ region: "us-east-1" }), bucket: "syn-bucket" }),
        read: (key) => bucket.objects.get(key),
        keys: () => [...bucket.objects.keys()].sort(),
      };
    },
  ],
];

describe.each(subjects)("%s contract", (_name, make) => {
  it("publishes the whole object at commit, nothing before", async () => {
    const { writer, read, keys } = make();
    const upload = await writer.begin("ext/a/b.parquet");
    await upload.write(Buffer.from("PAR1"));
    await upload.write(Buffer.from("-body"));
    expect(read("ext/a/b.parquet")).toBeUndefined();
    expect(await upload.commit()).toBe(9);
    expect(read("ext/a/b.parquet")?.toString()).toBe("PAR1-body");
    expect(keys()).toEqual(["ext/a/b.parquet"]);
  });

  it("assembles a large object in order", async () => {
    const { writer, read } = make();
    const upload = await writer.begin("big.parquet");
    const chunks = Array.from({ length: 12 }, (_, i) => Buffer.alloc(MiB, i));
    for (const chunk of chunks) await upload.write(chunk);
    await upload.commit();
    expect(read("big.parquet")?.equals(Buffer.concat(chunks))).toBe(true);
  });

  it("abort leaves the previous object and no trace", async () => {
    const { writer, read, keys } = make();
    const first = await writer.begin("k.parquet");
    await first.write(Buffer.from("old"));
    await first.commit();
    const second = await writer.begin("k.parquet");
    for (let i = 0; i < 6; i++) await second.write(Buffer.alloc(MiB, 1));
    await second.abort();
    expect(read("k.parquet")?.toString()).toBe("old");
    expect(keys()).toEqual(["k.parquet"]);
  });
});

it("LocalObjectWriter removes a key (seclake convert's removeOnFailure), missing or not", async () => {
  const dir = mkdtempSync(join(tmpdir(), "seclake-writer-"));
  dirs.push(dir);
  const writer = new LocalObjectWriter(dir);
  const upload = await writer.begin("ext/a/k.parquet");
  await upload.write(Buffer.from("x"));
  await upload.commit();
  await writer.delete("ext/a/k.parquet");
  await writer.delete("ext/a/missing.parquet");
  expect(listFiles(dir)).toEqual([]);
});

describe("S3ObjectWriter commands", () => {
  beforeEach(() => {
    fakeBucket();
  });

  const writer = (maxObjectBytes?: number) =>
    new S3ObjectWriter({
      client: new S3Client({ region: "us-east-1" }),
      bucket: "syn-bucket",
      ...(maxObjectBytes === undefined ? {} : { maxObjectBytes }),
    });
  /** Every command sent, by name: only PutObject may appear (no multipart, no abort, no delete). */
  const sent = () => s3.calls().map((call) => (call.args[0] as object).constructor.name);

  it("sends a small object as one PutObject", async () => {
    const upload = await writer().begin("ext/s/x.parquet", { contentType: "application/vnd.apache.parquet" });
    await upload.write(Buffer.from("tiny"));
    await upload.commit();
    expect(sent()).toEqual(["PutObjectCommand"]);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: "syn-bucket",
      Key: "ext/s/x.parquet",
      ContentType: "application/vnd.apache.parquet",
    });
  });

  it("sends a 40 MiB object as ONE PutObject with the whole body, no multipart", async () => {
    const upload = await writer().begin("ext/s/y.parquet");
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(MiB, i));
    for (const chunk of chunks) await upload.write(chunk);
    expect(sent()).toEqual([]);
    expect(await upload.commit()).toBe(40 * MiB);
    expect(sent()).toEqual(["PutObjectCommand"]);
    const body = s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as Uint8Array;
    expect(Buffer.from(body).equals(Buffer.concat(chunks))).toBe(true);
  });

  it("abort sends nothing at all", async () => {
    const upload = await writer().begin("ext/s/z.parquet");
    for (let i = 0; i < 20; i++) await upload.write(Buffer.alloc(MiB));
    await upload.abort();
    expect(sent()).toEqual([]);
  });

  it("a failed PutObject rejects the commit and abort sends nothing more", async () => {
    s3.on(PutObjectCommand).rejectsOnce(new Error("synthetic network failure"));
    const upload = await writer().begin("ext/s/z.parquet");
    for (let i = 0; i < 20; i++) await upload.write(Buffer.alloc(MiB));
    await expect(upload.commit()).rejects.toThrow(/synthetic network failure/);
    await upload.abort();
    expect(sent()).toEqual(["PutObjectCommand"]);
  });

  it("fails naming the key when the body would exceed the PutObject limit", async () => {
    const upload = await writer(10).begin("ext/s/huge.parquet");
    await upload.write(Buffer.alloc(6));
    await expect(upload.write(Buffer.alloc(6))).rejects.toThrow(
      /s3:\/\/syn-bucket\/ext\/s\/huge\.parquet: the object would exceed 10 bytes/,
    );
    await upload.abort();
    expect(sent()).toEqual([]);
  });

  it("assumes the provider role with its external id", () => {
    const factory = vi.fn(() => async () => ({ accessKeyId: "AKIDSYN", secretAccessKey: "syn" }));
    providerRoleCredentials(
      {
        roleArn: "arn:aws:iam::123456789012:role/AmazonSecurityLake-Provider-syn",
        externalId: "syn-external-id",
      },
      factory as never,
    );
    expect(factory).toHaveBeenCalledWith({
      params: {
        RoleArn: "arn:aws:iam::123456789012:role/AmazonSecurityLake-Provider-syn",
        ExternalId: "syn-external-id",
        RoleSessionName: "seclake-convert",
      },
    });
  });
});
