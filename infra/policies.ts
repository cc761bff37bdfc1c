import type { FunctionRole } from "./names.ts";

/**
 * IAM policy documents as plain functions of plain ARNs, so least privilege is unit-tested without Pulumi.
 * Invariants every builder keeps (and test/unit/policies.test.ts checks): no action contains `*`; S3
 * writes land only under the connector's staging prefixes; `sts:AssumeRole` names only the configured
 * provider roles; SSM names only the checkpoint parameter; Secrets Manager only the connector's secret;
 * Glue only the connector's crawler and databases. `Resource: "*"` appears only for the actions AWS
 * offers no resource-level permission for (X-Ray, CloudWatch Logs delivery), listed in STAR_ONLY_ACTIONS.
 */
export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}
export interface TrustPolicy {
  readonly Version: "2012-10-17";
  readonly Statement: readonly {
    readonly Effect: "Allow";
    readonly Principal: { readonly Service: string };
    readonly Action: "sts:AssumeRole";
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  }[];
}

/** Actions without resource-level permissions: the only ones allowed on `Resource: "*"`. */
export const STAR_ONLY_ACTIONS: ReadonlySet<string> = new Set([
  // https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html (log delivery is not resource-scoped)
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
  // https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
]);

/** Where each stage writes in the staging bucket (DESIGN.md §2). Every prefix ends in "/". */
export const stagingPrefixes = {
  raw: (connector: string) => `staging/raw/${connector}/`,
  ocsf: (customSource: string) => `staging/ocsf/${customSource}/`,
  quarantine: (connector: string) => `staging/quarantine/${connector}/`,
} as const;

/** Where a custom source's Parquet lands in the Security Lake bucket. */
export const lakePrefix = (customSource: string) => `ext/${customSource}/`;

/** `us-east-1` → `aws`, `cn-north-1` → `aws-cn`, `us-gov-west-1` → `aws-us-gov`. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

const s3Bucket = (partition: string, bucket: string) => `arn:${partition}:s3:::${bucket}`;
const s3Objects = (partition: string, bucket: string, prefix: string) =>
  `arn:${partition}:s3:::${bucket}/${prefix}*`;

/** Trust policy for a role only `service` may assume; `sourceAccount` guards against confused deputies. */
export function trustPolicy(service: string, sourceAccount?: string): TrustPolicy {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(sourceAccount ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } } : {}),
      },
    ],
  };
}

/** Everything a connector's Lambda policies are built from: resolved ARNs and names, no Outputs. */
export interface LambdaPolicyInputs {
  readonly partition: string;
  readonly connector: string;
  readonly logGroupArn: string;
  readonly checkpointParameterArn: string;
  /** Absent for connectors that need no credentials (s3-inbox). */
  readonly secretArn?: string;
  readonly stagingBucket: string;
  readonly customSources: readonly { readonly name: string; readonly providerRoleArn: string }[];
  /** s3-inbox connectors read the producer's files here. */
  readonly inbox?: { readonly bucket: string; readonly prefix: string };
}

/** The policy of one connector function's role: only what that step of the state machine does. */
export function lambdaPolicy(role: FunctionRole, p: LambdaPolicyInputs): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      // The log group is created by the stack, so the function needs no logs:CreateLogGroup.
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [`${stripStar(p.logGroupArn)}:log-stream:*`],
    },
  ];
  // The SSM adapter's conditional put serialises writers on a `<checkpoint>.lock` parameter, which it
  // creates (Overwrite: false) and deletes around each write.
  const checkpoint: PolicyStatement = {
    Sid: "Checkpoint",
    Effect: "Allow",
    Action: ["ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter"],
    Resource: [p.checkpointParameterArn, `${p.checkpointParameterArn}.lock`],
  };
  const list = (sid: string, prefixes: string[]): PolicyStatement => ({
    // Without ListBucket a missing key answers 403 instead of 404 (NoSuchKey).
    Sid: `${sid}List`,
    Effect: "Allow",
    Action: ["s3:ListBucket"],
    Resource: [s3Bucket(p.partition, p.stagingBucket)],
    Condition: { StringLike: { "s3:prefix": prefixes.map((x) => `${x}*`) } },
  });
  const read = (sid: string, prefixes: string[]): PolicyStatement[] => [
    {
      Sid: `${sid}Read`,
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: prefixes.map((x) => s3Objects(p.partition, p.stagingBucket, x)),
    },
    list(`${sid}Read`, prefixes),
  ];
  // Keys are deterministic, so a retried window overwrites its objects; DeleteObject removes the parts a
  // shorter retry no longer writes.
  const write = (sid: string, prefixes: string[]): PolicyStatement[] => [
    {
      Sid: `${sid}Write`,
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: prefixes.map((x) => s3Objects(p.partition, p.stagingBucket, x)),
    },
    list(`${sid}Write`, prefixes),
  ];
  const rawPrefix = stagingPrefixes.raw(p.connector);
  const ocsfPrefixes = p.customSources.map((s) => stagingPrefixes.ocsf(s.name));

  switch (role) {
    case "loadCheckpoint":
    case "commit":
    case "recordFailure":
      // LoadCheckpoint records the window as pending before Fetch; Commit moves it; RecordFailure marks it failed.
      statements.push(checkpoint);
      break;
    case "fetch":
      if (p.secretArn) {
        statements.push({
          Sid: "ReadOwnSecret",
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue"],
          Resource: [p.secretArn],
        });
      }
      if (p.inbox) {
        statements.push(
          {
            Sid: "InboxRead",
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: [s3Objects(p.partition, p.inbox.bucket, p.inbox.prefix)],
          },
          {
            Sid: "InboxList",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: [s3Bucket(p.partition, p.inbox.bucket)],
            Condition: { StringLike: { "s3:prefix": [`${p.inbox.prefix}*`] } },
          },
        );
      }
      statements.push(...write("StagingRaw", [rawPrefix]));
      break;
    case "map":
      statements.push(
        ...read("StagingRaw", [rawPrefix]),
        ...write("StagingOcsf", [...ocsfPrefixes, stagingPrefixes.quarantine(p.connector)]),
      );
      break;
    case "convert":
      statements.push(...read("StagingOcsf", ocsfPrefixes), {
        // Writes to the lake happen only as the provider roles, which Security Lake limits to ext/<source>/.
        Sid: "AssumeProviderRoles",
        Effect: "Allow",
        Action: ["sts:AssumeRole"],
        Resource: [...new Set(p.customSources.map((s) => s.providerRoleArn))],
      });
      break;
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** The state machine's role: invoke its own functions, run its staging crawler, log and trace. */
export function stateMachinePolicy(p: {
  functionArns: readonly string[];
  crawlerArn: string;
  /** Security Lake's crawlers of the connector's custom sources, started after Convert (may be empty). */
  lakeCrawlerArns: readonly string[];
}): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "InvokeOwnFunctions",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        // `:*` covers qualified ARNs (versions, aliases) of the same functions.
        Resource: p.functionArns.flatMap((arn) => [arn, `${arn}:*`]),
      },
      {
        Sid: "RunStagingCrawler",
        Effect: "Allow",
        Action: ["glue:StartCrawler", "glue:GetCrawler"],
        Resource: [p.crawlerArn],
      },
      ...(p.lakeCrawlerArns.length > 0
        ? [
            {
              Sid: "StartLakeCrawlers",
              Effect: "Allow" as const,
              Action: ["glue:StartCrawler"],
              Resource: [...p.lakeCrawlerArns],
            },
          ]
        : []),
      {
        Sid: "LogDelivery",
        Effect: "Allow",
        Action: [...STAR_ONLY_ACTIONS].filter((a) => a.startsWith("logs:")),
        Resource: ["*"],
      },
      {
        Sid: "XRay",
        Effect: "Allow",
        Action: [...STAR_ONLY_ACTIONS].filter((a) => a.startsWith("xray:")),
        Resource: ["*"],
      },
    ],
  };
}

/** The schedule's role: start executions of this one state machine, nothing else. */
export function schedulePolicy(p: { stateMachineArn: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "StartOwnStateMachine",
        Effect: "Allow",
        Action: ["states:StartExecution"],
        Resource: [p.stateMachineArn],
      },
    ],
  };
}

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
}): PolicyDocument {
  const glue = glueArns(p.databaseArn);
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
}): PolicyDocument {
  return crawlerPolicy({
    ...p,
    bucket: p.stagingBucket,
    prefixes: p.customSources.map(stagingPrefixes.ocsf),
  });
}

/**
 * The role Security Lake's own crawler uses for the custom sources this stack creates (the
 * `crawlerConfiguration.roleArn` of CreateCustomLogSource): read ext/<source>/, maintain the lake's
 * Glue database, `amazon_security_lake_glue_db_<region>`.
 */
export function lakeCrawlerPolicy(p: {
  partition: string;
  region: string;
  accountId: string;
  lakeBucket: string;
  customSources: readonly string[];
}): PolicyDocument {
  const database = `amazon_security_lake_glue_db_${p.region.replaceAll("-", "_")}`;
  return crawlerPolicy({
    ...p,
    databaseArn: `arn:${p.partition}:glue:${p.region}:${p.accountId}:database/${database}`,
    bucket: p.lakeBucket,
    prefixes: p.customSources.map(lakePrefix),
  });
}

/** TLS-only bucket policy: deny any request to the bucket or its objects made without TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

function stripStar(arn: string): string {
  return arn.endsWith(":*") ? arn.slice(0, -2) : arn;
}
