import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { sdkStreamMixin } from "@smithy/core/serde";
import { mockClient } from "aws-sdk-client-mock";
import { compareKeys } from "../../functions/adapters/objectKeys.ts";

/**
 * An in-memory bucket behind aws-sdk-client-mock, with S3's documented list semantics: UTF-8 byte
 * order, Prefix, StartAfter, and at most `pageSize` keys per response (small, to exercise continuation).
 */
export function fakeS3(pageSize = 2) {
  const objects = new Map<string, Uint8Array>();
  const client = new S3Client({
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });
  const mock = mockClient(client);
  mock.on(PutObjectCommand).callsFake((input) => {
    const body = input.Body;
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : new Uint8Array(body);
    objects.set(input.Key, bytes);
    return {};
  });
  mock.on(GetObjectCommand).callsFake((input) => {
    const bytes = objects.get(input.Key);
    if (!bytes)
      throw new NoSuchKey({
        message: "The specified key does not exist.",
        $metadata: { httpStatusCode: 404 },
      });
    return { Body: sdkStreamMixin(Readable.from([Buffer.from(bytes)])) };
  });
  mock.on(DeleteObjectCommand).callsFake((input) => {
    objects.delete(input.Key);
    return {};
  });
  mock.on(ListObjectsV2Command).callsFake((input) => {
    const after = input.ContinuationToken
      ? Buffer.from(input.ContinuationToken, "base64").toString("utf8")
      : input.StartAfter;
    const keys = [...objects.keys()]
      .filter((k) => k.startsWith(input.Prefix ?? "") && (after === undefined || compareKeys(k, after) > 0))
      .sort(compareKeys);
    const take = Math.min(pageSize, input.MaxKeys ?? 1000);
    const page = keys.slice(0, take);
    const truncated = keys.length > take;
    return {
      Contents: page.map((Key) => ({ Key, Size: objects.get(Key)?.length ?? 0 })),
      KeyCount: page.length,
      IsTruncated: truncated,
      NextContinuationToken: truncated ? Buffer.from(page.at(-1) ?? "").toString("base64") : undefined,
    };
  });
  return { client, mock, objects };
}
