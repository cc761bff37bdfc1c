import { GlueClient } from "@aws-sdk/client-glue";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { GlueStagingCatalog } from "../adapters/glueStagingCatalog.ts";
import { powertoolsTelemetry } from "../adapters/observability.ts";
import { S3ObjectStore } from "../adapters/s3ObjectStore.ts";
import { S3ObjectWriter, securityLakeS3Client } from "../adapters/s3ObjectWriter.ts";
import { SecretsManagerProvider } from "../adapters/secretsManager.ts";
import { SqsQueue } from "../adapters/sqsQueue.ts";
import { SsmParameterStore } from "../adapters/ssmParameterStore.ts";
import type { ObjectWriter } from "../core/ports.ts";
import type { HandlerDeps } from "./deps.ts";
import { loadEnvironment } from "./environment.ts";
import { makeSourceConnector } from "./sourceConnector.ts";

/**
 * The AWS adapters of the deployed Lambdas, built once per container from the environment: staging in
 * S3, the checkpoint in SSM, credentials from Secrets Manager, a push connector's queue in SQS, and the
 * Security Lake bucket written with the custom source's provider role (assumed with its external id;
 * one client per source, kept).
 */
export function awsDeps(env: Readonly<Record<string, string | undefined>> = process.env): HandlerDeps {
  const config = loadEnvironment(env);
  const s3 = new S3Client({});
  const secrets = new SecretsManagerProvider(new SecretsManagerClient({}));
  const writers = new Map<string, ObjectWriter>();
  const staging = new S3ObjectStore(s3, config.stagingBucket);
  const queueUrl = config.queueUrl;
  const queue = queueUrl ? () => new SqsQueue(new SQSClient({}), queueUrl) : undefined;
  return {
    env: config,
    staging,
    ...(queue ? { queue } : {}),
    ...(config.stagingDatabase
      ? { catalog: new GlueStagingCatalog(new GlueClient({}), config.stagingDatabase) }
      : {}),
    parameters: new SsmParameterStore(new SSMClient({})),
    telemetry: powertoolsTelemetry,
    now: () => new Date(),
    connector: () =>
      makeSourceConnector(config, {
        secrets,
        inboxStore: (bucket) => new S3ObjectStore(s3, bucket),
        staging,
        ...(queue ? { queue } : {}),
      }),
    lakeWriter: async (source) => {
      let writer = writers.get(source.name);
      if (!writer) {
        const client = securityLakeS3Client(config.lake.region, {
          roleArn: source.providerRoleArn,
          externalId: source.externalId,
          sessionName: `seclake-${config.connector}`.slice(0, 64),
        });
        writer = new S3ObjectWriter({ client, bucket: config.lake.bucket });
        writers.set(source.name, writer);
      }
      return writer;
    },
  };
}
