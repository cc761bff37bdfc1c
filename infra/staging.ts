import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountOfArn } from "./arns.ts";
import type { ConnectorConfig, StackConfig } from "./config.ts";
import { stagingCrawlerPolicy } from "./crawlerPolicies.ts";
import type { ConnectorNames } from "./names.ts";
import { policyJson, stagingPrefixes, tlsOnlyBucketPolicy, trustPolicy } from "./policies.ts";

/** Permanent type token (see CONNECTOR_TYPE). */
export const STAGING_TYPE = "seclake:index:Staging";

export interface StagingArgs {
  readonly connector: ConnectorConfig;
  readonly names: ConnectorNames;
  readonly staging: StackConfig["staging"];
  readonly partition: string;
  readonly region: string;
  readonly tags: Record<string, string>;
}

/**
 * The staging crawler reads only the folders added since its last run (a run is billed for at least ten
 * minutes, and the state machine starts one only when a window adds a day: DESIGN.md §2.4). Glue
 * accepts CRAWL_NEW_FOLDERS_ONLY only with LOG for both schema-change behaviours; new tables and
 * partitions are created whatever the policy (Glue API reference, SchemaChangePolicy), so a later
 * attribute reaches the table's columns only through a crawl with CRAWL_EVERYTHING (README, staging).
 */
export const STAGING_CRAWL_POLICY = {
  recrawlPolicy: { recrawlBehavior: "CRAWL_NEW_FOLDERS_ONLY" },
  schemaChangePolicy: { updateBehavior: "LOG", deleteBehavior: "LOG" },
} as const;

/**
 * Where a connector stages its data: its own bucket (unless the stack shares one), and the staging
 * Glue database and crawler with one table per custom source over `staging/ocsf/<source>/` (partitioned
 * by `eventDay`), so staged OCSF can be queried and replayed with Athena.
 */
export class Staging extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly crawlerName: pulumi.Output<string>;
  public readonly crawlerArn: pulumi.Output<string>;
  public readonly crawlerRoleArn: pulumi.Output<string>;
  /** The staging Glue database, where Map adds new days' partitions (no crawl). */
  public readonly databaseArn: pulumi.Output<string>;

  constructor(name: string, args: StagingArgs, opts?: pulumi.ComponentResourceOptions) {
    super(STAGING_TYPE, name, {}, opts);
    const { connector: c, names, tags } = args;
    this.bucketName = args.staging.bucket
      ? pulumi.output(args.staging.bucket)
      : stagingBucket(name, names, args.staging.expirationDays, tags, this);

    const database = new aws.glue.CatalogDatabase(
      `${name}-db`,
      { name: names.stagingDatabase, description: `seclake staging OCSF of connector ${c.name}` },
      { parent: this },
    );
    const role = new aws.iam.Role(
      `${name}-crawler-role`,
      {
        name: names.stagingCrawlerRole,
        assumeRolePolicy: JSON.stringify(trustPolicy("glue.amazonaws.com")),
        tags,
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-crawler-policy`,
      {
        role: role.id,
        policy: pulumi.all([database.arn, this.bucketName]).apply(([databaseArn, bucket]) =>
          policyJson(
            stagingCrawlerPolicy({
              partition: args.partition,
              region: args.region,
              accountId: accountOfArn(databaseArn),
              databaseArn,
              stagingBucket: bucket,
              customSources: c.customSources.map((s) => s.name),
              ...(args.staging.kmsKeyArn ? { stagingKmsKeyArn: args.staging.kmsKeyArn } : {}),
            }),
          ),
        ),
      },
      { parent: role },
    );
    const crawler = new aws.glue.Crawler(
      `${name}-crawler`,
      {
        name: names.stagingCrawler,
        role: role.arn,
        databaseName: database.name,
        s3Targets: c.customSources.map((s) => ({
          path: pulumi.interpolate`s3://${this.bucketName}/${stagingPrefixes.ocsf(s.name)}`,
        })),
        ...STAGING_CRAWL_POLICY,
        // One table per custom source folder, an eventDay partition per day folder beneath it.
        configuration: JSON.stringify({ Version: 1.0, Grouping: { TableLevelConfiguration: 4 } }),
        tags,
      },
      // The crawler validates its role's permissions when it is created.
      { parent: this, dependsOn: [policy] },
    );
    this.crawlerName = crawler.name;
    this.crawlerArn = crawler.arn;
    this.databaseArn = database.arn;
    this.crawlerRoleArn = role.arn;
    this.registerOutputs({ bucketName: this.bucketName, crawlerName: this.crawlerName });
  }
}

/**
 * The connector's own staging bucket. Its sub-resources are applied one after another: S3 answers
 * concurrent configuration calls on a new bucket with 409 OperationAborted ("A conflicting conditional
 * operation is currently in progress"), so each waits for the previous one.
 */
function stagingBucket(
  name: string,
  names: ConnectorNames,
  expirationDays: number,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  const bucket = new aws.s3.Bucket(
    `${name}-bucket`,
    { bucketPrefix: names.stagingBucketPrefix, tags },
    { parent },
  );
  let previous: pulumi.Resource = bucket;
  const after = () => ({ parent: bucket, dependsOn: [previous] });
  previous = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    after(),
  );
  previous = new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    after(),
  );
  previous = new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-sse`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    after(),
  );
  previous = new aws.s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    after(),
  );
  previous = new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    { bucket: bucket.id, rules: stagingLifecycleRules(expirationDays) },
    after(),
  );
  previous = new aws.s3.BucketPolicy(
    `${name}-tls-only`,
    { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) },
    after(),
  );
  return bucket.bucket;
}

/**
 * The staging bucket's lifecycle. The bucket is versioned, so expiring an object (or a handler deleting
 * a stale part) only adds a delete marker: the data stays as a noncurrent version until
 * NoncurrentVersionExpiration removes it, and the marker then stays forever unless
 * ExpiredObjectDeleteMarker removes it. S3 does not allow ExpiredObjectDeleteMarker in a rule whose
 * Expiration has Days (LifecycleExpiration API reference), hence two rules.
 */
export function stagingLifecycleRules(expirationDays: number) {
  return [
    {
      id: "expire-staging",
      status: "Enabled",
      filter: { prefix: "staging/" },
      expiration: { days: expirationDays },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
    {
      id: "remove-old-versions-and-markers",
      status: "Enabled",
      filter: { prefix: "" },
      noncurrentVersionExpiration: { noncurrentDays: 1 },
      expiration: { expiredObjectDeleteMarker: true },
    },
  ];
}
