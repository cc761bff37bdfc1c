import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../functions/core/errors.ts";
import { ocsf } from "../functions/core/ocsf/schema.ts";
import { renderAsl } from "./asl.ts";
import { BUNDLE_MAPPINGS_DIR } from "./bundle.ts";
import type { ConnectorConfig, StackConfig } from "./config.ts";
import { handlerEnvironment, initialCheckpoint, lambdaSizing } from "./lambdaEnvironment.ts";
import { type ConnectorNames, connectorNames, FUNCTION_ROLES, type FunctionRole } from "./names.ts";
import {
  lakeCrawlerPolicy,
  lakePrefix,
  lambdaPolicy,
  type PolicyDocument,
  partitionOf,
  schedulePolicy,
  stagingCrawlerPolicy,
  stagingPrefixes,
  stateMachinePolicy,
  tlsOnlyBucketPolicy,
  trustPolicy,
} from "./policies.ts";

/** Permanent type token: changing it would replace every connector's resources (add an alias instead). */
export const CONNECTOR_TYPE = "seclake:index:Connector";

/**
 * Inputs of one connector, already validated by infra/config.ts. What decides how many resources exist
 * (kind, custom sources, createCustomSources, shared staging bucket) is plain; only the code archive and
 * the credentials are Pulumi values.
 */
export interface ConnectorArgs {
  readonly stack: string;
  readonly connector: ConnectorConfig;
  readonly securityLake: StackConfig["securityLake"];
  readonly staging: StackConfig["staging"];
  readonly logRetentionDays: number;
  readonly alarmTopicArn?: string;
  /** API credentials as a Pulumi secret; absent for s3-inbox connectors. */
  readonly credentials?: pulumi.Output<Record<string, string>>;
  /** The Lambda code (infra/bundle.ts), one archive for all six functions. */
  readonly code: pulumi.asset.Archive;
  readonly handlers: Readonly<Record<FunctionRole, string>>;
  /** statemachine/connector.asl.json's text, and its path for error messages. */
  readonly aslTemplate: string;
  readonly aslFile: string;
}

/** One Security Lake custom source as the stack sees it after deployment. */
export interface CustomSourceOutputs {
  readonly name: string;
  readonly classUid: number;
  readonly providerRoleArn: pulumi.Output<string>;
  readonly externalId: string;
  /** s3://<lake bucket>/ext/<name>/… where Convert writes this source's Parquet. */
  readonly location: pulumi.Output<string>;
}

/**
 * A connector pipeline: six Lambda functions, the state machine that runs them, its schedule, the
 * checkpoint parameter, the credentials secret, the staging bucket (unless shared), the staging Glue
 * database and crawler, a failed-executions alarm, and optionally the Security Lake custom sources.
 */
export class Connector extends pulumi.ComponentResource {
  public readonly stateMachineArn: pulumi.Output<string>;
  public readonly roleArns: Readonly<
    Record<FunctionRole | "stateMachine" | "schedule" | "stagingCrawler", pulumi.Output<string>>
  >;
  /** The role that assumes the provider roles: Convert's. */
  public readonly providerAssumingRoleArn: pulumi.Output<string>;
  /** The account id to give Security Lake as the custom sources' "AWS account ID" (provider principal). */
  public readonly providerPrincipal: pulumi.Output<string>;
  public readonly customSources: readonly CustomSourceOutputs[];
  public readonly checkpointParameterName: pulumi.Output<string>;
  public readonly secretArn: pulumi.Output<string> | undefined;
  public readonly stagingBucketName: pulumi.Output<string>;
  public readonly stagingCrawlerName: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: ConnectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CONNECTOR_TYPE, name, {}, opts);
    const c = args.connector;
    const lake = args.securityLake;
    // config.ts checked these already; the component re-checks what would otherwise fail mid-deployment
    // when it is used without config.ts.
    if (c.kind !== "s3-inbox" && !args.credentials) {
      throw new ConfigError(
        `connector ${c.name}: kind ${c.kind} needs credentials (credentials["${c.name}"])`,
      );
    }
    if (!lake.createCustomSources && c.customSources.some((s) => !s.providerRoleArn || !s.externalId)) {
      throw new ConfigError(
        `connector ${c.name}: customSources[].providerRoleArn and externalId are required when securityLake.createCustomSources is false`,
      );
    }
    const names: ConnectorNames = connectorNames(args.stack, c.name);
    const partition = partitionOf(lake.region);
    const parent = { parent: this };
    const tags = { "seclake:stack": args.stack, "seclake:connector": c.name };

    // Staging bucket: raw pages, OCSF NDJSON and quarantine, expired after staging.expirationDays.
    let stagingBucket: pulumi.Output<string>;
    if (args.staging.bucket) {
      stagingBucket = pulumi.output(args.staging.bucket);
    } else {
      const bucket = new aws.s3.Bucket(
        `${name}-staging`,
        { bucketPrefix: names.stagingBucketPrefix, tags },
        parent,
      );
      const bucketOpts = { parent: bucket };
      new aws.s3.BucketPublicAccessBlock(
        `${name}-staging-public-access`,
        {
          bucket: bucket.id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        bucketOpts,
      );
      new aws.s3.BucketOwnershipControls(
        `${name}-staging-ownership`,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        bucketOpts,
      );
      new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-staging-sse`,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        bucketOpts,
      );
      new aws.s3.BucketVersioning(
        `${name}-staging-versioning`,
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        bucketOpts,
      );
      new aws.s3.BucketLifecycleConfiguration(
        `${name}-staging-lifecycle`,
        {
          bucket: bucket.id,
          rules: [
            {
              id: "expire-staging",
              status: "Enabled",
              filter: { prefix: "staging/" },
              expiration: { days: args.staging.expirationDays },
              noncurrentVersionExpiration: { noncurrentDays: 1 },
              abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
            },
          ],
        },
        bucketOpts,
      );
      new aws.s3.BucketPolicy(
        `${name}-staging-tls-only`,
        { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) },
        bucketOpts,
      );
      stagingBucket = bucket.bucket;
    }

    // The checkpoint belongs to the pipeline after creation: a `pulumi up` must never rewind it.
    const checkpoint = new aws.ssm.Parameter(
      `${name}-checkpoint`,
      {
        name: names.checkpointParameter,
        type: "String",
        tier: "Standard",
        value: initialCheckpoint(new Date(), c.initialLookbackHours),
        description: `seclake checkpoint of connector ${c.name}; written by the pipeline, not by Pulumi`,
        tags,
      },
      { parent: this, ignoreChanges: ["value"] },
    );

    let secret: aws.secretsmanager.Secret | undefined;
    if (args.credentials) {
      secret = new aws.secretsmanager.Secret(
        `${name}-secret`,
        { name: names.secret, description: `API credentials of seclake connector ${c.name}`, tags },
        parent,
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-secret-version`,
        {
          secretId: secret.id,
          secretString: pulumi.secret(args.credentials.apply((v) => JSON.stringify(v))),
        },
        { parent: secret },
      );
    }

    // Convert's role exists before the custom sources, because Security Lake trusts its account.
    const roles = {} as Record<FunctionRole, aws.iam.Role>;
    for (const role of FUNCTION_ROLES) {
      roles[role] = new aws.iam.Role(
        `${name}-${role}-role`,
        {
          name: names.functionRole(role),
          assumeRolePolicy: JSON.stringify(trustPolicy("lambda.amazonaws.com")),
          tags,
        },
        parent,
      );
    }
    const providerPrincipal = roles.convert.arn.apply(accountOfArn);

    // Staging Glue database + crawler: one table per custom source over staging/ocsf/<source>/.
    const database = new aws.glue.CatalogDatabase(
      `${name}-staging-db`,
      { name: names.stagingDatabase, description: `seclake staging OCSF of connector ${c.name}` },
      parent,
    );
    const crawlerRole = new aws.iam.Role(
      `${name}-crawler-role`,
      {
        name: names.stagingCrawlerRole,
        assumeRolePolicy: JSON.stringify(trustPolicy("glue.amazonaws.com")),
        tags,
      },
      parent,
    );
    const crawlerPolicy = new aws.iam.RolePolicy(
      `${name}-crawler-policy`,
      {
        role: crawlerRole.id,
        policy: pulumi.all([database.arn, stagingBucket]).apply(([databaseArn, bucket]) =>
          json(
            stagingCrawlerPolicy({
              partition,
              region: lake.region,
              accountId: accountOfArn(databaseArn),
              databaseArn,
              stagingBucket: bucket,
              customSources: c.customSources.map((s) => s.name),
            }),
          ),
        ),
      },
      { parent: crawlerRole },
    );
    const crawler = new aws.glue.Crawler(
      `${name}-crawler`,
      {
        name: names.stagingCrawler,
        role: crawlerRole.arn,
        databaseName: database.name,
        s3Targets: c.customSources.map((s) => ({
          path: pulumi.interpolate`s3://${stagingBucket}/${stagingPrefixes.ocsf(s.name)}`,
        })),
        schemaChangePolicy: { updateBehavior: "UPDATE_IN_DATABASE", deleteBehavior: "LOG" },
        // One table per custom source folder, partitions for the window folders beneath it.
        configuration: JSON.stringify({ Version: 1.0, Grouping: { TableLevelConfiguration: 4 } }),
        tags,
      },
      // The crawler validates its role's permissions when it is created.
      { parent: this, dependsOn: [crawlerPolicy] },
    );

    // Security Lake custom sources: created here, or existing ones named in the config.
    let lakeCrawlerRole: aws.iam.Role | undefined;
    if (lake.createCustomSources) {
      lakeCrawlerRole = new aws.iam.Role(
        `${name}-lake-crawler-role`,
        {
          name: names.lakeCrawlerRole,
          assumeRolePolicy: JSON.stringify(trustPolicy("glue.amazonaws.com")),
          tags,
        },
        parent,
      );
      new aws.iam.RolePolicy(
        `${name}-lake-crawler-policy`,
        {
          role: lakeCrawlerRole.id,
          policy: json(
            lakeCrawlerPolicy({
              partition,
              region: lake.region,
              accountId: lake.accountId,
              lakeBucket: lake.bucket,
              customSources: c.customSources.map((s) => s.name),
            }),
          ),
        },
        { parent: lakeCrawlerRole },
      );
    }
    const customSources: (CustomSourceOutputs & { lakeCrawlerArn?: pulumi.Output<string> })[] =
      c.customSources.map((s) => {
        const externalId = s.externalId as string;
        if (lakeCrawlerRole) {
          const source = new aws.securitylake.CustomLogSource(
            `${name}-source-${s.name}`,
            {
              sourceName: s.name,
              sourceVersion: lake.sourceVersion,
              eventClasses: [securityLakeEventClass(s.classUid)],
              configuration: {
                crawlerConfiguration: { roleArn: lakeCrawlerRole.arn },
                providerIdentity: { externalId, principal: providerPrincipal },
              },
            },
            parent,
          );
          const provider = source.providerDetails.apply((d) => d[0]);
          return {
            name: s.name,
            classUid: s.classUid,
            externalId,
            providerRoleArn: provider.apply((d) =>
              required(d?.roleArn, `${s.name}: providerDetails.roleArn`),
            ),
            location: provider.apply((d) => required(d?.location, `${s.name}: providerDetails.location`)),
            lakeCrawlerArn: source.attributes.apply((a) =>
              required(a[0]?.crawlerArn, `${s.name}: crawlerArn`),
            ),
          };
        }
        return {
          name: s.name,
          classUid: s.classUid,
          externalId,
          providerRoleArn: pulumi.output(s.providerRoleArn as string),
          location: pulumi.output(`s3://${lake.bucket}/${lakePrefix(s.name)}`),
          ...(s.crawlerName
            ? {
                lakeCrawlerArn: pulumi.output(
                  `arn:${partition}:glue:${lake.region}:${lake.accountId}:crawler/${s.crawlerName}`,
                ),
              }
            : {}),
        };
      });

    // Lambda functions: one role, policy and log group each; the same environment for all six.
    const sourcesJson = pulumi
      .all(
        customSources.map((s) =>
          pulumi.all([s.providerRoleArn, s.lakeCrawlerArn ?? pulumi.output(undefined)]),
        ),
      )
      .apply((resolved) =>
        JSON.stringify(
          c.customSources.map((s, i) => {
            const [providerRoleArn, lakeCrawlerArn] = resolved[i] as [string, string | undefined];
            return {
              name: s.name,
              classUid: s.classUid,
              providerRoleArn,
              externalId: s.externalId as string,
              ...(lakeCrawlerArn ? { crawlerName: crawlerNameOf(lakeCrawlerArn) } : {}),
            };
          }),
        ),
      );
    const environment = pulumi
      .all([stagingBucket, checkpoint.name, secret?.arn ?? pulumi.output(undefined), sourcesJson])
      .apply(([bucket, parameter, secretArn, sources]) =>
        handlerEnvironment({
          connector: c,
          lake,
          stagingBucket: bucket,
          checkpointParameter: parameter,
          secretId: secretArn,
          customSourcesJson: sources,
          mappingsDir: BUNDLE_MAPPINGS_DIR,
        }),
      );
    const functions = {} as Record<FunctionRole, aws.lambda.Function>;
    for (const role of FUNCTION_ROLES) {
      const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-${role}-logs`,
        { name: names.functionLogGroup(role), retentionInDays: args.logRetentionDays, tags },
        parent,
      );
      const policy = new aws.iam.RolePolicy(
        `${name}-${role}-policy`,
        {
          role: roles[role].id,
          policy: pulumi
            .all([
              logGroup.arn,
              checkpoint.arn,
              secret?.arn ?? pulumi.output(undefined),
              stagingBucket,
              pulumi.all(customSources.map((s) => s.providerRoleArn)),
            ])
            .apply(([logGroupArn, checkpointArn, secretArn, bucket, providerRoleArns]) =>
              json(
                lambdaPolicy(role, {
                  partition,
                  connector: c.name,
                  logGroupArn,
                  checkpointParameterArn: checkpointArn,
                  secretArn,
                  stagingBucket: bucket,
                  customSources: c.customSources.map((s, i) => ({
                    name: s.name,
                    providerRoleArn: providerRoleArns[i] as string,
                  })),
                  inbox: c.inbox,
                }),
              ),
            ),
        },
        { parent: roles[role] },
      );
      const sizing = lambdaSizing(role);
      functions[role] = new aws.lambda.Function(
        `${name}-${role}`,
        {
          name: names.function(role),
          role: roles[role].arn,
          runtime: aws.lambda.Runtime.NodeJS22dX,
          architectures: ["arm64"],
          handler: args.handlers[role],
          code: args.code,
          memorySize: sizing.memoryMb,
          timeout: sizing.timeoutSeconds,
          environment: { variables: environment },
          loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
          description: `seclake ${c.name}: ${role}`,
          tags,
        },
        // A function that starts before its policy exists fails its first invocations.
        { parent: this, dependsOn: [policy, logGroup] },
      );
    }

    // State machine: the pipeline's ASL with every placeholder filled, logged and traced.
    const smRole = new aws.iam.Role(
      `${name}-sm-role`,
      {
        name: names.stateMachineRole,
        assumeRolePolicy: JSON.stringify(trustPolicy("states.amazonaws.com")),
        tags,
      },
      parent,
    );
    const smPolicy = new aws.iam.RolePolicy(
      `${name}-sm-policy`,
      {
        role: smRole.id,
        policy: pulumi
          .all([
            pulumi.all(FUNCTION_ROLES.map((r) => functions[r].arn)),
            crawler.arn,
            pulumi.all(customSources.flatMap((s) => (s.lakeCrawlerArn ? [s.lakeCrawlerArn] : []))),
          ])
          .apply(([functionArns, crawlerArn, lakeCrawlerArns]) =>
            json(stateMachinePolicy({ functionArns, crawlerArn, lakeCrawlerArns })),
          ),
      },
      { parent: smRole },
    );
    const smLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-sm-logs`,
      { name: names.stateMachineLogGroup, retentionInDays: args.logRetentionDays, tags },
      parent,
    );
    const substitutions = aslSubstitutions(functions, crawler.name);
    const definition = pulumi
      .all(substitutions)
      .apply((values) => renderAsl(args.aslTemplate, values as Record<string, string>, args.aslFile));
    const stateMachine = new aws.sfn.StateMachine(
      `${name}-sm`,
      {
        name: names.stateMachine,
        type: "STANDARD",
        roleArn: smRole.arn,
        definition,
        loggingConfiguration: {
          logDestination: pulumi.interpolate`${smLogGroup.arn}:*`,
          level: "ALL",
          // Payloads hold window ids, S3 keys and counts only, never events or secrets (handler contract).
          includeExecutionData: true,
        },
        tracingConfiguration: { enabled: true },
        tags,
      },
      // Step Functions checks at creation that the role may deliver logs and invoke the functions.
      { parent: this, dependsOn: [smPolicy] },
    );

    // Schedule: starts one execution per tick with its own role.
    const scheduleRole = new aws.iam.Role(
      `${name}-schedule-role`,
      {
        name: names.scheduleRole,
        assumeRolePolicy: providerPrincipal.apply((account) =>
          JSON.stringify(trustPolicy("scheduler.amazonaws.com", account)),
        ),
        tags,
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-schedule-policy`,
      {
        role: scheduleRole.id,
        policy: stateMachine.arn.apply((arn) => json(schedulePolicy({ stateMachineArn: arn }))),
      },
      { parent: scheduleRole },
    );
    new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        name: names.schedule,
        description: `Runs seclake connector ${c.name}`,
        scheduleExpression: c.schedule,
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: {
          arn: stateMachine.arn,
          roleArn: scheduleRole.arn,
          input: "{}",
          // A missed tick is harmless: the next execution resumes from the checkpoint.
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
        },
      },
      parent,
    );

    new aws.cloudwatch.MetricAlarm(
      `${name}-failed-alarm`,
      {
        name: names.failedExecutionsAlarm,
        alarmDescription: `An execution of seclake connector ${c.name} failed or timed out; its window stays pending and is retried by the next run.`,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        evaluationPeriods: 1,
        threshold: 1,
        treatMissingData: "notBreaching",
        metricQueries: [
          {
            id: "failures",
            expression: "failed + timedout + aborted",
            label: "Failed, timed-out and aborted executions",
            returnData: true,
          },
          ...(["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"] as const).map((metricName) => ({
            id: metricName.replace("Executions", "").toLowerCase(),
            metric: {
              namespace: "AWS/States",
              metricName,
              dimensions: { StateMachineArn: stateMachine.arn },
              period: 300,
              stat: "Sum",
            },
          })),
        ],
        alarmActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
        okActions: args.alarmTopicArn ? [args.alarmTopicArn] : [],
        tags,
      },
      parent,
    );

    this.stateMachineArn = stateMachine.arn;
    this.roleArns = {
      ...(Object.fromEntries(FUNCTION_ROLES.map((r) => [r, roles[r].arn])) as Record<
        FunctionRole,
        pulumi.Output<string>
      >),
      stateMachine: smRole.arn,
      schedule: scheduleRole.arn,
      stagingCrawler: crawlerRole.arn,
    };
    this.providerAssumingRoleArn = roles.convert.arn;
    this.providerPrincipal = providerPrincipal;
    this.customSources = customSources.map(({ lakeCrawlerArn: _, ...rest }) => rest);
    this.checkpointParameterName = checkpoint.name;
    this.secretArn = secret?.arn;
    this.stagingBucketName = stagingBucket;
    this.stagingCrawlerName = crawler.name;
    this.logGroupName = smLogGroup.name;
    this.registerOutputs({
      stateMachineArn: this.stateMachineArn,
      roleArns: this.roleArns,
      providerAssumingRoleArn: this.providerAssumingRoleArn,
      providerPrincipal: this.providerPrincipal,
      checkpointParameterName: this.checkpointParameterName,
      stagingBucketName: this.stagingBucketName,
    });
  }
}

/** The ASL placeholder → value map; `renderAsl` rejects any mismatch with the template. */
function aslSubstitutions(
  functions: Record<FunctionRole, aws.lambda.Function>,
  stagingCrawlerName: pulumi.Output<string>,
): Record<string, pulumi.Output<string>> {
  const out: Record<string, pulumi.Output<string>> = { StagingCrawlerName: stagingCrawlerName };
  for (const role of FUNCTION_ROLES)
    out[`${role[0]?.toUpperCase()}${role.slice(1)}FunctionArn`] = functions[role].arn;
  return out;
}

/** Security Lake names OCSF classes in upper snake case: 3002 → `AUTHENTICATION`. */
export function securityLakeEventClass(classUid: number): string {
  return ocsf.class(classUid).name.toUpperCase();
}

/** `arn:aws:iam::123456789012:role/x` → `123456789012`. */
export function accountOfArn(arn: string): string {
  const account = arn.split(":")[4];
  if (!account || !/^\d{12}$/.test(account)) throw new Error(`no account id in ARN ${arn}`);
  return account;
}

function crawlerNameOf(crawlerArn: string): string {
  return crawlerArn.slice(crawlerArn.lastIndexOf("/") + 1);
}

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`Security Lake did not return ${what}`);
  return value;
}

function json(policy: PolicyDocument): string {
  return JSON.stringify(policy);
}
