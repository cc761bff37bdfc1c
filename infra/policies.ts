import type { FunctionRole } from "./names.ts";

/**
 * IAM policy documents as plain functions of plain ARNs, so least privilege is unit-tested without Pulumi.
 * Invariants every builder keeps (and test/unit/policies.test.ts checks): no action contains `*`; S3
 * writes land only under the connector's staging prefixes; `sts:AssumeRole` names only the configured
 * provider roles; SSM names only the checkpoint parameter; Secrets Manager only the connector's secret;
 * Glue only the connector's crawler and databases; SQS only a push connector's own queue, and only
 * for Fetch and Acknowledge. `Resource: "*"` appears only for the actions AWS
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
  // Lake Formation vends credentials for locations registered with it (Security Lake registers its
  // buckets); its IAM actions have no resource-level permissions
  // (https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html).
  "lakeformation:GetDataAccess",
]);

/** Where each stage writes in the staging bucket (DESIGN.md §2). Every prefix ends in "/". */
export const stagingPrefixes = {
  raw: (connector: string) => `staging/raw/${connector}/`,
  ocsf: (customSource: string) => `staging/ocsf/${customSource}/`,
  quarantine: (connector: string) => `staging/quarantine/${connector}/`,
  /** Push connectors' de-dup ledger (functions/core/pipeline/ledger.ts): event ids by hour. */
  ledger: (connector: string) => `staging/ledger/${connector}/`,
} as const;

/** Where a custom source's Parquet lands in the Security Lake bucket. */
export const lakePrefix = (customSource: string) => `ext/${customSource}/`;

/** `us-east-1` → `aws`, `cn-north-1` → `aws-cn`, `us-gov-west-1` → `aws-us-gov`. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

export const s3Bucket = (partition: string, bucket: string) => `arn:${partition}:s3:::${bucket}`;
export const s3Objects = (partition: string, bucket: string, prefix: string) =>
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
  /** The staging Glue database, `arn:<p>:glue:<r>:<a>:database/<name>`. */
  readonly stagingDatabaseArn: string;
  readonly customSources: readonly { readonly name: string; readonly providerRoleArn: string }[];
  /** A shared staging bucket's customer-managed KMS key (the buckets the stack creates use SSE-S3). */
  readonly stagingKmsKeyArn?: string;
  /** s3-inbox connectors read the producer's files here (decrypting with its KMS key, if any). */
  readonly inbox?: { readonly bucket: string; readonly prefix: string; readonly kmsKeyArn?: string };
  /** Push connectors: the queue their partner event bus's rule feeds. */
  readonly push?: { readonly queueArn: string };
}

/** The policy of one connector function's role: only what that step of the state machine does. */
export function lambdaPolicy(role: FunctionRole, p: LambdaPolicyInputs): PolicyDocument {
  if (role === "acknowledge" && !p.push) {
    throw new Error(
      `lambdaPolicy: connector ${p.connector} is not a push connector; it has no acknowledge function`,
    );
  }
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
  // creates (Overwrite: false) and deletes around each write; the checkpoint itself is never deleted.
  const checkpoint: PolicyStatement[] = [
    {
      Sid: "Checkpoint",
      Effect: "Allow",
      Action: ["ssm:GetParameter", "ssm:PutParameter"],
      Resource: [p.checkpointParameterArn, `${p.checkpointParameterArn}.lock`],
    },
    {
      Sid: "CheckpointLockRelease",
      Effect: "Allow",
      Action: ["ssm:DeleteParameter"],
      Resource: [`${p.checkpointParameterArn}.lock`],
    },
  ];
  // Only on prefixes a handler lists (stale pages and parts) or reads by key: without ListBucket a
  // missing key answers 403 instead of 404, and the object store reads only 404 as "absent". Prefixes
  // that are only written (quarantine) get none.
  const list = (sid: string, prefixes: string[]): PolicyStatement => ({
    Sid: `${sid}List`,
    Effect: "Allow",
    Action: ["s3:ListBucket"],
    Resource: [s3Bucket(p.partition, p.stagingBucket)],
    Condition: { StringLike: { "s3:prefix": prefixes.map((x) => `${x}*`) } },
  });
  const read = (sid: string, prefixes: string[]): PolicyStatement => ({
    Sid: `${sid}Read`,
    Effect: "Allow",
    Action: ["s3:GetObject"],
    Resource: prefixes.map((x) => s3Objects(p.partition, p.stagingBucket, x)),
  });
  // Keys are deterministic, so a retried window overwrites its objects; DeleteObject removes the staged
  // parts a shorter retry no longer writes (staging only: nothing is ever deleted from the lake).
  const write = (sid: string, prefixes: string[]): PolicyStatement => ({
    Sid: `${sid}Write`,
    Effect: "Allow",
    Action: ["s3:PutObject", "s3:DeleteObject"],
    Resource: prefixes.map((x) => s3Objects(p.partition, p.stagingBucket, x)),
  });
  const stagingKey = (actions: string[]): PolicyStatement[] =>
    p.stagingKmsKeyArn
      ? [{ Sid: "StagingKey", Effect: "Allow", Action: actions, Resource: [p.stagingKmsKeyArn] }]
      : [];
  const rawPrefix = stagingPrefixes.raw(p.connector);
  const ocsfPrefixes = p.customSources.map((s) => stagingPrefixes.ocsf(s.name));
  const quarantinePrefix = stagingPrefixes.quarantine(p.connector);
  const ledgerPrefix = stagingPrefixes.ledger(p.connector);
  // SQS's batch actions are authorised by their single-message action (DeleteMessageBatch needs
  // sqs:DeleteMessage): https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
  const queue = (sid: string, actions: string[]): PolicyStatement[] =>
    p.push ? [{ Sid: sid, Effect: "Allow", Action: actions, Resource: [p.push.queueArn] }] : [];

  switch (role) {
    case "loadCheckpoint":
    case "recordFailure":
      // LoadCheckpoint records the window as pending before Fetch; RecordFailure marks it failed.
      statements.push(...checkpoint);
      break;
    case "commit":
      // Commit moves the checkpoint. Push: before that it reads the window's messages.json and writes
      // its event ids to the ledger (by key, overwriting on a retry: no delete, no listing of the ledger).
      statements.push(...checkpoint);
      if (p.push) {
        statements.push(
          read("StagingRaw", [rawPrefix]),
          list("StagingRaw", [rawPrefix]),
          {
            Sid: "LedgerWrite",
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: [s3Objects(p.partition, p.stagingBucket, ledgerPrefix)],
          },
          ...stagingKey(["kms:Decrypt", "kms:GenerateDataKey"]),
        );
      }
      break;
    case "acknowledge":
      // Reads the window's messages.json (absent when the window took no message: hence the listing,
      // so that S3 answers 404, not 403) and deletes those messages from the queue.
      statements.push(
        read("StagingRaw", [rawPrefix]),
        list("StagingRaw", [rawPrefix]),
        ...stagingKey(["kms:Decrypt"]),
        ...queue("DeleteOwnMessages", ["sqs:DeleteMessage"]),
      );
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
        if (p.inbox.kmsKeyArn) {
          statements.push({
            Sid: "InboxKey",
            Effect: "Allow",
            Action: ["kms:Decrypt"],
            Resource: [p.inbox.kmsKeyArn],
          });
        }
      }
      // Fetch writes the raw pages and their manifest, reads the manifest back when it resumes a window,
      // and lists the window's folder to remove stale pages.
      statements.push(
        write("StagingRaw", [rawPrefix]),
        read("StagingRaw", [rawPrefix]),
        list("StagingRaw", [rawPrefix]),
        ...stagingKey(["kms:Decrypt", "kms:GenerateDataKey"]),
      );
      if (p.push) {
        // Push: drains the queue (a poison message is made visible again at once, so it reaches the
        // dead-letter queue), looks event ids up in the ledger by hour folder, and deletes the
        // redeliveries it finds there.
        statements.push(
          read("Ledger", [ledgerPrefix]),
          list("Ledger", [ledgerPrefix]),
          ...queue("DrainOwnQueue", [
            "sqs:ReceiveMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
          ]),
        );
      }
      break;
    case "map":
      // Reads raw pages; writes OCSF parts (listing the window's folder per source to remove stale
      // parts) and the window's quarantine file (written or deleted by key, never listed or read).
      statements.push(
        read("StagingRaw", [rawPrefix]),
        list("StagingRaw", [rawPrefix]),
        write("StagingOcsf", [...ocsfPrefixes, quarantinePrefix]),
        list("StagingOcsf", ocsfPrefixes),
        ...stagingKey(["kms:Decrypt", "kms:GenerateDataKey"]),
        {
          // A new day of a staging table is one BatchCreatePartition (no crawl: DESIGN.md §2.4). Glue
          // authorises both actions on the catalog, the database and the table
          // (https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html).
          Sid: "AddStagingPartitions",
          Effect: "Allow",
          Action: ["glue:GetTable", "glue:BatchCreatePartition"],
          Resource: glueCatalogResources(p.stagingDatabaseArn),
        },
      );
      break;
    case "convert":
      statements.push(
        read("StagingOcsf", ocsfPrefixes),
        list("StagingOcsf", ocsfPrefixes),
        ...stagingKey(["kms:Decrypt"]),
        {
          // Writes to the lake happen only as the provider roles, which Security Lake limits to the
          // source's location (and whose boundary denies deletes: lake writes are overwrite-only).
          Sid: "AssumeProviderRoles",
          Effect: "Allow",
          Action: ["sts:AssumeRole"],
          Resource: [...new Set(p.customSources.map((s) => s.providerRoleArn))],
        },
      );
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
        // The ASL invokes the unqualified ARNs only (no version or alias).
        Resource: [...p.functionArns],
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

/** A policy document as IAM takes it. */
export function policyJson(policy: PolicyDocument): string {
  return JSON.stringify(policy);
}

function stripStar(arn: string): string {
  return arn.endsWith(":*") ? arn.slice(0, -2) : arn;
}

/** The catalog, the database and its tables, from the database's ARN. */
export function glueCatalogResources(databaseArn: string): string[] {
  const m = /^(arn:[^:]+:glue:[^:]+:\d{12}):database\/(.+)$/.exec(databaseArn);
  if (!m) throw new Error(`not a Glue database ARN: ${databaseArn}`);
  return [`${m[1]}:catalog`, databaseArn, `${m[1]}:table/${m[2]}/*`];
}
