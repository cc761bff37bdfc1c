import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { ObjectUpload, ObjectWriter } from "../core/ports.ts";

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

/** The largest body one PutObject takes (5 GiB). */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

export interface S3ObjectWriterOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Largest object accepted (default `MAX_PUT_BYTES`); tests lower it. */
  readonly maxObjectBytes?: number;
}

/**
 * Writes objects to S3 with ONE PutObject each, sent at commit with the buffered body, so readers never
 * see a part. Never a multipart upload: the Security Lake provider role's permissions boundary
 * (AmazonSecurityLakePermissionsBoundary) denies s3:AbortMultipartUpload (and s3:DeleteObject), so a
 * failed multipart upload would stay in a bucket we do not own, billed, with no lifecycle rule of ours
 * to clean it. A buffered body leaves nothing behind: `abort` just drops it. Memory: the whole object
 * (our Parquet files are a fraction of the ≤ 256 MiB of NDJSON that makes one).
 */
export class S3ObjectWriter implements ObjectWriter {
  private readonly maxBytes: number;

  constructor(private readonly options: S3ObjectWriterOptions) {
    this.maxBytes = options.maxObjectBytes ?? MAX_PUT_BYTES;
  }

  async begin(key: string, options: { contentType?: string } = {}): Promise<ObjectUpload> {
    const { client, bucket } = this.options;
    const maxBytes = this.maxBytes;
    let chunks: Uint8Array[] = [];
    let size = 0;
    return {
      async write(chunk) {
        if (size + chunk.length > maxBytes) {
          throw new Error(
            `s3://${bucket}/${key}: the object would exceed ${maxBytes} bytes, the most one PutObject takes`,
          );
        }
        chunks.push(Uint8Array.from(chunk));
        size += chunk.length;
      },
      async commit() {
        const body = Buffer.concat(chunks, size);
        chunks = [];
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: options.contentType }),
        );
        return size;
      },
      async abort() {
        chunks = [];
      },
    };
  }
}
