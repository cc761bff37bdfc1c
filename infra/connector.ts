import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../functions/core/errors.ts";
import { definitionFor } from "../functions/core/pipeline/definition.ts";
import { accountOfArn, crawlerNameOf } from "./arns.ts";
import { renderAsl, sdkIntegrationArn } from "./asl.ts";
import { BUNDLE_MAPPINGS_DIR } from "./bundle.ts";
import { ConnectorState } from "./checkpoint.ts";
import type { ConnectorConfig, StackConfig } from "./config.ts";
import { type CustomSourceOutputs, CustomSources } from "./customSources.ts";
import { connectorRow, type WidgetSpec } from "./dashboard.ts";
import { checkEnvironmentSize, customSourcesEnvironment, handlerEnvironment } from "./lambdaEnvironment.ts";
import { lambdaSizing } from "./lambdaSizing.ts";
import { type ConnectorNames, connectorNames, FUNCTION_ROLES, type FunctionRole } from "./names.ts";
import { Observability } from "./observability.ts";
import {
  lambdaPolicy,
  partitionOf,
  policyJson,
  schedulePolicy,
  stateMachinePolicy,
  trustPolicy,
} from "./policies.ts";
import { lagThresholdSeconds } from "./schedule.ts";
import { Staging } from "./staging.ts";

/** Permanent type token: changing it would replace every connector's resources (add an alias instead). */
export const CONNECTOR_TYPE = "seclake:index:Connector";

export type { CustomSourceOutputs } from "./customSources.ts";

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

/**
 * A connector pipeline: six Lambda functions, the state machine that runs them, its schedule, the
 * checkpoint parameter, the credentials secret, and the parts it composes: staging (bucket, Glue database
 * and crawler), the Security Lake custom sources, and the alarms.
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
  /** This connector's row on the stack's dashboard (infra/dashboard.ts). */
  public readonly dashboardRow: pulumi.Output<WidgetSpec[]>;

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

    const staging = new Staging(
      `${name}-staging`,
      { connector: c, names, staging: args.staging, partition, region: lake.region, tags },
      parent,
    );

    const state = new ConnectorState(
      `${name}-state`,
      {
        connector: c,
        names,
        tags,
        ...(args.credentials ? { credentials: args.credentials } : {}),
      },
      parent,
    );
    const checkpoint = state.checkpoint;
    const secret = state.secret;

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

    const sources = new CustomSources(
      `${name}-sources`,
      { connector: c, names, lake, partition, providerPrincipal, tags },
      parent,
    );
    const customSources = sources.sources;

    // Lambda functions: one role, policy and log group each; the same environment for all six.
    const sourcesJson = pulumi
      .all(
        customSources.map((s) =>
          pulumi.all([s.providerRoleArn, s.lakePrefix, s.lakeCrawlerArn ?? pulumi.output(undefined)]),
        ),
      )
      .apply((resolved) =>
        customSourcesEnvironment(
          c.customSources.map((s, i) => {
            const [providerRoleArn, lakePrefix, lakeCrawlerArn] = resolved[i] as [string, string, string?];
            return {
              name: s.name,
              classUid: s.classUid,
              providerRoleArn,
              externalId: s.externalId as string,
              lakePrefix,
              ...(lakeCrawlerArn ? { crawlerName: crawlerNameOf(lakeCrawlerArn) } : {}),
            };
          }),
        ),
      );
    const environment = pulumi
      .all([staging.bucketName, checkpoint.name, secret?.arn ?? pulumi.output(undefined), sourcesJson])
      .apply(([bucket, parameter, secretArn, sourcesText]) =>
        checkEnvironmentSize(
          c.name,
          handlerEnvironment({
            connector: c,
            lake,
            stagingBucket: bucket,
            checkpointParameter: parameter,
            secretId: secretArn,
            customSourcesJson: sourcesText,
            mappingsDir: BUNDLE_MAPPINGS_DIR,
          }),
        ),
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
              staging.bucketName,
              pulumi.all(customSources.map((s) => s.providerRoleArn)),
            ])
            .apply(([logGroupArn, checkpointArn, secretArn, bucket, providerRoleArns]) =>
              policyJson(
                lambdaPolicy(role, {
                  partition,
                  connector: c.name,
                  logGroupArn,
                  checkpointParameterArn: checkpointArn,
                  secretArn,
                  stagingBucket: bucket,
                  ...(args.staging.kmsKeyArn ? { stagingKmsKeyArn: args.staging.kmsKeyArn } : {}),
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
            staging.crawlerArn,
            pulumi.all(customSources.flatMap((s) => (s.lakeCrawlerArn ? [s.lakeCrawlerArn] : []))),
          ])
          .apply(([functionArns, crawlerArn, lakeCrawlerArns]) =>
            policyJson(stateMachinePolicy({ functionArns, crawlerArn, lakeCrawlerArns })),
          ),
      },
      { parent: smRole },
    );
    const smLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-sm-logs`,
      { name: names.stateMachineLogGroup, retentionInDays: args.logRetentionDays, tags },
      parent,
    );
    const definition = pulumi
      .all(aslSubstitutions(functions, staging.crawlerName, partition))
      .apply((values) =>
        renderAsl(
          JSON.stringify(definitionFor(JSON.parse(args.aslTemplate), "pull"), null, 2),
          values as Record<string, string>,
          args.aslFile,
        ),
      );
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

    // Schedule: starts one execution per tick with its own role, whether or not the last one finished;
    // an execution that finds another one at work ends successfully (LoadCheckpoint).
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
        policy: stateMachine.arn.apply((arn) => policyJson(schedulePolicy({ stateMachineArn: arn }))),
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

    const lagThreshold = lagThresholdSeconds({
      schedule: c.schedule,
      lagSeconds: c.lagSeconds,
      multiple: c.lagAlarmMultiple,
      minutes: c.lagAlarmMinutes,
    });
    if (lagThreshold === undefined) {
      throw new ConfigError(
        `connector ${c.name}: lagAlarmMinutes is required with the schedule "${c.schedule}"`,
      );
    }
    new Observability(
      `${name}-observability`,
      {
        connector: c.name,
        names,
        stateMachineArn: stateMachine.arn,
        lagThresholdSeconds: lagThreshold,
        ...(args.alarmTopicArn ? { alarmTopicArn: args.alarmTopicArn } : {}),
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
      stagingCrawler: staging.crawlerRoleArn,
    };
    this.providerAssumingRoleArn = roles.convert.arn;
    this.providerPrincipal = providerPrincipal;
    this.customSources = customSources;
    this.checkpointParameterName = checkpoint.name;
    this.secretArn = secret?.arn;
    this.stagingBucketName = staging.bucketName;
    this.stagingCrawlerName = staging.crawlerName;
    this.logGroupName = smLogGroup.name;
    this.dashboardRow = stateMachine.arn.apply((stateMachineArn) =>
      connectorRow(
        { connector: c.name, region: lake.region },
        {
          classUids: c.customSources.map((s) => s.classUid),
          customSources: c.customSources.map((s) => s.name),
          stateMachineArn,
          lagThresholdSeconds: lagThreshold,
        },
      ),
    );
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
  partition: string,
): Record<string, pulumi.Input<string>> {
  const out: Record<string, pulumi.Input<string>> = {
    StagingCrawlerName: stagingCrawlerName,
    GlueStartCrawlerArn: sdkIntegrationArn(partition, "glue", "startCrawler"),
    GlueGetCrawlerArn: sdkIntegrationArn(partition, "glue", "getCrawler"),
  };
  for (const role of FUNCTION_ROLES)
    out[`${role[0]?.toUpperCase()}${role.slice(1)}FunctionArn`] = functions[role].arn;
  return out;
}
