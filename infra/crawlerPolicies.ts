import {
  lakePrefix,
  type PolicyDocument,
  type PolicyStatement,
  s3Bucket,
  s3Objects,
  stagingPrefixes,
} from "./policies.ts";

/**
 * The policies of the Glue crawlers' roles: the staging crawler this stack runs, and the role Security
 * Lake's own crawlers use for the custom sources this stack creates. Same invariants as policies.ts.
 */

/** `arn:aws:glue:r:a:database/db` → the catalog, database and table ARNs a crawler of `db` needs. */
export function glueArns(databaseArn: string): { catalog: string; database: string; tables: string } {
  const m = /^(arn:[^:]+:glue:[^:]+:\d{12}):database\/(.+)$/.exec(databaseArn);
  if (!m) throw new Error(`not a Glue database ARN: ${databaseArn}`);
  return { catalog: `${m[1]}:catalog`, database: databaseArn, tables: `${m[1]}:table/${m[2]}/*` };
}

/** Actions a Glue crawler uses to create and update tables and partitions in its database. */
const CRAWLER_GLUE_ACTIONS = [
  "glue:GetDatabase",
  "glue:GetTable",
  "glue:GetTables",
  "glue:CreateTable",
  "glue:UpdateTable",
  "glue:GetPartition",
  "glue:GetPartitions",
  "glue:BatchGetPartition",
  "glue:CreatePartition",
  "glue:BatchCreatePartition",
  "glue:UpdatePartition",
  "glue:BatchUpdatePartition",
];

function crawlerPolicy(p: {
  partition: string;
  region: string;
  accountId: string;
  databaseArn: string;
  bucket: string;
  prefixes: readonly string[];
  /** The bucket's customer-managed KMS key: a crawler must decrypt what it reads (Glue crawler docs). */
  kmsKeyArn?: string;
  /** The bucket is registered with Lake Formation (Security Lake's is). */
  lakeFormation?: boolean;
}): PolicyDocument {
  const glue = glueArns(p.databaseArn);
  const extra: PolicyStatement[] = [];
  if (p.kmsKeyArn)
    extra.push({ Sid: "DecryptData", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [p.kmsKeyArn] });
  if (p.lakeFormation) {
    extra.push(
      {
        // Crawlers ask for the bucket's region before they read it (AWSGlueServiceRole grants it).
        Sid: "BucketLocation",
        Effect: "Allow",
        Action: ["s3:GetBucketLocation"],
        Resource: [s3Bucket(p.partition, p.bucket)],
      },
      {
        Sid: "LakeFormationDataAccess",
        Effect: "Allow",
        Action: ["lakeformation:GetDataAccess"],
        Resource: ["*"],
      },
    );
  }
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadData",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: p.prefixes.map((x) => s3Objects(p.partition, p.bucket, x)),
      },
      {
        Sid: "ListData",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [s3Bucket(p.partition, p.bucket)],
        Condition: { StringLike: { "s3:prefix": p.prefixes.map((x) => `${x}*`) } },
      },
      {
        Sid: "Catalog",
        Effect: "Allow",
        Action: CRAWLER_GLUE_ACTIONS,
        Resource: [glue.catalog, glue.database, glue.tables],
      },
      {
        Sid: "CrawlerLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`arn:${p.partition}:logs:${p.region}:${p.accountId}:log-group:/aws-glue/crawlers:*`],
      },
      ...extra,
    ],
  };
}

/** The staging crawler's role: read this connector's staged OCSF, maintain its staging database. */
export function stagingCrawlerPolicy(p: {
  partition: string;
  region: string;
  accountId: string;
  databaseArn: string;
  stagingBucket: string;
  customSources: readonly string[];
  stagingKmsKeyArn?: string;
}): PolicyDocument {
  return crawlerPolicy({
    ...p,
    bucket: p.stagingBucket,
    prefixes: p.customSources.map(stagingPrefixes.ocsf),
    ...(p.stagingKmsKeyArn ? { kmsKeyArn: p.stagingKmsKeyArn } : {}),
  });
}

/**
 * The role Security Lake's own crawler uses for the custom sources this stack creates (the
 * `crawlerConfiguration.roleArn` of CreateCustomLogSource). Security Lake asks for AWSGlueServiceRole
 * plus access to the lake's S3 data (CustomLogSourceCrawlerConfiguration); this is that, cut down to
 * what a crawler of these sources does: read ext/<source>/ (and the bucket's location), maintain the
 * lake's Glue database `amazon_security_lake_glue_db_<region>`, write its logs; plus Lake Formation's
 * GetDataAccess, because Security Lake registers its buckets with Lake Formation, and kms:Decrypt on
 * the lake's customer-managed key when it has one. Lake Formation *grants* on the database are not IAM:
 * README "Deploy to AWS" says when to add them.
 */
export function lakeCrawlerPolicy(p: {
  partition: string;
  region: string;
  accountId: string;
  lakeBucket: string;
  customSources: readonly string[];
  lakeKmsKeyArn?: string;
}): PolicyDocument {
  const database = `amazon_security_lake_glue_db_${p.region.replaceAll("-", "_")}`;
  return crawlerPolicy({
    ...p,
    databaseArn: `arn:${p.partition}:glue:${p.region}:${p.accountId}:database/${database}`,
    bucket: p.lakeBucket,
    prefixes: p.customSources.map(lakePrefix),
    lakeFormation: true,
    ...(p.lakeKmsKeyArn ? { kmsKeyArn: p.lakeKmsKeyArn } : {}),
  });
}
