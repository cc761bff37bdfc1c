import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { ObjectUpload, ObjectWriter } from "./ports.ts";

/** The Security Lake custom source's provider role, assumed with its external ID. */
export interface ProviderRole {
  readonly roleArn: string;
  readonly externalId: string;
  /** Shows in CloudTrail; default `seclake-convert`. */
  readonly sessionName?: string;
}

/**
 * Credentials of the Security Lake provider role (the role Security Lake created for the custom source,
 * which trusts our account only with the external ID). Refreshed by the SDK before they expire.
 * `factory` exists for tests.
 */
export function providerRoleCredentials(
  role: ProviderRole,
  factory: typeof fromTemporaryCredentials = fromTemporaryCredentials,
): ReturnType<typeof fromTemporaryCredentials> {
  return factory({
    params: {
      RoleArn: role.roleArn,
      ExternalId: role.externalId,
      RoleSessionName: role.sessionName ?? "seclake-convert",
    },
  });
}

/** An S3 client for the Security Lake bucket that acts as the provider role. */
export function securityLakeS3Client(region: string, role: ProviderRole): S3Client {
  return new S3Client({ region, credentials: providerRoleCredentials(role) });
}

export interface S3ObjectWriterOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Part size of multipart uploads (default 16 MiB; S3's minimum is 5 MiB). Smaller objects use one PutObject. */
  readonly partBytes?: number;
}

const MIN_PART = 5 * 1024 * 1024;

/**
 * Writes objects to S3 so that readers never see a part: an object that fits in one part is sent with
 * a single PutObject at commit; a larger one goes through a multipart upload that becomes visible only
 * at CompleteMultipartUpload, and is aborted (AbortMultipartUpload, no stray parts billed) on failure.
 * Memory: at most one part is buffered.
 */
export class S3ObjectWriter implements ObjectWriter {
  private readonly partBytes: number;

  constructor(private readonly options: S3ObjectWriterOptions) {
    this.partBytes = Math.max(options.partBytes ?? 16 * 1024 * 1024, MIN_PART);
  }

  async begin(key: string, options: { contentType?: string } = {}): Promise<ObjectUpload> {
    const { client, bucket } = this.options;
    const partBytes = this.partBytes;
    const contentType = options.contentType;
    let buffered: Uint8Array[] = [];
    let bufferedBytes = 0;
    let size = 0;
    let uploadId: string | undefined;
    const parts: { ETag: string | undefined; PartNumber: number }[] = [];

    const sendPart = async () => {
      if (uploadId === undefined) {
        const created = await client.send(
          new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
        );
        uploadId = created.UploadId;
        if (!uploadId) throw new Error(`S3 returned no UploadId for s3://${bucket}/${key}`);
      }
      const body = Buffer.concat(buffered, bufferedBytes);
      buffered = [];
      bufferedBytes = 0;
      const partNumber = parts.length + 1;
      const sent = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: body,
        }),
      );
      parts.push({ ETag: sent.ETag, PartNumber: partNumber });
    };

    return {
      async write(chunk) {
        buffered.push(Uint8Array.from(chunk));
        bufferedBytes += chunk.length;
        size += chunk.length;
        if (bufferedBytes >= partBytes) await sendPart();
      },
      async commit() {
        if (uploadId === undefined) {
          await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: Buffer.concat(buffered, bufferedBytes),
              ContentType: contentType,
            }),
          );
          buffered = [];
          return size;
        }
        if (bufferedBytes > 0) await sendPart();
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        );
        return size;
      },
      async abort() {
        buffered = [];
        if (uploadId !== undefined) {
          await client.send(
            new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
          );
          uploadId = undefined;
        }
      },
    };
  }

  async delete(key: string): Promise<void> {
    await this.options.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
  }
}
