import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { definitionFor } from "../functions/core/pipeline/definition.ts";
import { crawlerNameOf } from "./arns.ts";
import { renderAsl, sdkIntegrationArn } from "./asl.ts";
import { BUNDLE_MAPPINGS_DIR } from "./bundle.ts";
import type { ConnectorConfig, StackConfig } from "./config.ts";
import type { CustomSourceOutputs } from "./customSources.ts";
import { checkEnvironmentSize, customSourcesEnvironment, handlerEnvironment } from "./lambdaEnvironment.ts";
import { lambdaSizing } from "./lambdaSizing.ts";
import { type ConnectorNames, type FunctionRole, functionRolesFor } from "./names.ts";
import { lambdaPolicy, policyJson, schedulePolicy, stateMachinePolicy, trustPolicy } from "./policies.ts";

/**
 * A connector's pipeline: its Lambda functions (one role, policy and log group each), the state machine
 * that runs them, and the schedule that starts it. Declared as plain functions whose resources keep the
 * Connector component as their parent: they were declared in infra/connector.ts before it was split,
 * and a new parent would change every URN (Pulumi would replace the functions and the state machine).
 */

/** The functions' roles, declared first: Security Lake trusts Convert's account (infra/customSources.ts). */
export function functionRoles(
  name: string,
  args: { connector: ConnectorConfig; names: ConnectorNames; tags: Record<string, string> },
  parent: pulumi.Resource,
): Partial<Record<FunctionRole, aws.iam.Role>> {
  const roles: Partial<Record<FunctionRole, aws.iam.Role>> = {};
  for (const role of functionRolesFor(args.connector.mode)) {
    roles[role] = new aws.iam.Role(
      `${name}-${role}-role`,
      {
        name: args.names.functionRole(role),
        assumeRolePolicy: JSON.stringify(trustPolicy("lambda.amazonaws.com")),
        tags: args.tags,
      },
      { parent },
    );
  }
  return roles;
}

export interface PipelineArgs {
  readonly connector: ConnectorConfig;
  readonly names: ConnectorNames;
  readonly lake: StackConfig["securityLake"];
  readonly partition: string;
  /** The account the stack deploys to (the schedule's trust policy names it: confused deputy guard). */
  readonly account: pulumi.Output<string>;
  readonly tags: Record<string, string>;
  readonly logRetentionDays: number;
  readonly stagingKmsKeyArn?: string | undefined;
  readonly roles: Partial<Record<FunctionRole, aws.iam.Role>>;
  readonly stagingBucket: pulumi.Output<string>;
  readonly stagingDatabaseArn: pulumi.Output<string>;
  readonly stagingCrawlerName: pulumi.Output<string>;
  readonly stagingCrawlerArn: pulumi.Output<string>;
  readonly checkpoint: aws.ssm.Parameter;
  readonly secretArn?: pulumi.Output<string> | undefined;
  readonly customSources: readonly CustomSourceOutputs[];
  /** Push connectors: the queue Fetch drains and Acknowledge deletes from. */
  readonly queue?: { readonly url: pulumi.Output<string>; readonly arn: pulumi.Output<string> } | undefined;
  readonly code: pulumi.asset.Archive;
  readonly handlers: Readonly<Record<FunctionRole, string>>;
  readonly aslTemplate: string;
  readonly aslFile: string;
}

export interface Pipeline {
  readonly functions: Partial<Record<FunctionRole, aws.lambda.Function>>;
  readonly stateMachine: aws.sfn.StateMachine;
  readonly stateMachineRoleArn: pulumi.Output<string>;
  readonly stateMachineLogGroupName: pulumi.Output<string>;
  readonly scheduleRoleArn: pulumi.Output<string>;
}

/**
 * Declares the functions, the state machine and the schedule of one connector, parented to `parent`.
 * Afterwards the state machine's definition is the template for the connector's mode with every
 * placeholder filled, and each function's policy allows only what its step does.
 */
export function declarePipeline(name: string, args: PipelineArgs, parent: pulumi.Resource): Pipeline {
  const c = args.connector;
  const { names, tags } = args;
  const roles = functionRolesFor(c.mode);
  const role = (r: FunctionRole) => args.roles[r] as aws.iam.Role;
  const environment = functionEnvironment(args);
  const functions: Partial<Record<FunctionRole, aws.lambda.Function>> = {};
  for (const r of roles) {
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-${r}-logs`,
      { name: names.functionLogGroup(r), retentionInDays: args.logRetentionDays, tags },
      { parent },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-${r}-policy`,
      {
        role: role(r).id,
        policy: pulumi
          .all([
            logGroup.arn,
            args.checkpoint.arn,
            args.secretArn ?? pulumi.output(undefined),
            args.stagingBucket,
            pulumi.all(args.customSources.map((s) => s.providerRoleArn)),
            args.queue?.arn ?? pulumi.output(undefined),
            args.stagingDatabaseArn,
          ])
          .apply(([logGroupArn, checkpointArn, secretArn, bucket, providerRoleArns, queueArn, databaseArn]) =>
            policyJson(
              lambdaPolicy(r, {
                partition: args.partition,
                connector: c.name,
                logGroupArn,
                checkpointParameterArn: checkpointArn,
                secretArn,
                stagingBucket: bucket,
                stagingDatabaseArn: databaseArn,
                ...(args.stagingKmsKeyArn ? { stagingKmsKeyArn: args.stagingKmsKeyArn } : {}),
                customSources: c.customSources.map((s, i) => ({
                  name: s.name,
                  providerRoleArn: providerRoleArns[i] as string,
                })),
                inbox: c.inbox,
                ...(c.mode === "push" ? { push: { queueArn: queueArn as string } } : {}),
              }),
            ),
          ),
      },
      { parent: role(r) },
    );
    const sizing = lambdaSizing(r, c.mode);
    functions[r] = new aws.lambda.Function(
      `${name}-${r}`,
      {
        name: names.function(r),
        role: role(r).arn,
        runtime: aws.lambda.Runtime.NodeJS22dX,
        architectures: ["arm64"],
        handler: args.handlers[r],
        code: args.code,
        memorySize: sizing.memoryMb,
        timeout: sizing.timeoutSeconds,
        environment: { variables: environment },
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        description: `seclake ${c.name}: ${r}`,
        tags,
      },
      // A function that starts before its policy exists fails its first invocations.
      { parent, dependsOn: [policy, logGroup] },
    );
  }
  const fn = (r: FunctionRole) => functions[r] as aws.lambda.Function;

  // State machine: the pipeline's ASL with every placeholder filled, logged and traced.
  const smRole = new aws.iam.Role(
    `${name}-sm-role`,
    {
      name: names.stateMachineRole,
      assumeRolePolicy: JSON.stringify(trustPolicy("states.amazonaws.com")),
      tags,
    },
    { parent },
  );
  const smPolicy = new aws.iam.RolePolicy(
    `${name}-sm-policy`,
    {
      role: smRole.id,
      policy: pulumi
        .all([
          pulumi.all(roles.map((r) => fn(r).arn)),
          args.stagingCrawlerArn,
          pulumi.all(args.customSources.flatMap((s) => (s.lakeCrawlerArn ? [s.lakeCrawlerArn] : []))),
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
    { parent },
  );
  const definition = pulumi
    .all(aslSubstitutions(roles, fn, args.stagingCrawlerName, args.partition))
    .apply((values) =>
      renderAsl(
        JSON.stringify(definitionFor(JSON.parse(args.aslTemplate), { mode: c.mode }), null, 2),
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
    { parent, dependsOn: [smPolicy] },
  );

  // Schedule: starts one execution per tick with its own role, whether or not the last one finished;
  // an execution that finds another one at work ends successfully (LoadCheckpoint).
  const scheduleRole = new aws.iam.Role(
    `${name}-schedule-role`,
    {
      name: names.scheduleRole,
      assumeRolePolicy: args.account.apply((account) =>
        JSON.stringify(trustPolicy("scheduler.amazonaws.com", account)),
      ),
      tags,
    },
    { parent },
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
    { parent },
  );

  return {
    functions,
    stateMachine,
    stateMachineRoleArn: smRole.arn,
    stateMachineLogGroupName: smLogGroup.name,
    scheduleRoleArn: scheduleRole.arn,
  };
}

/** The one environment all of a connector's functions get (lambdaEnvironment.ts), size-checked. */
function functionEnvironment(args: PipelineArgs): pulumi.Output<Record<string, string>> {
  const c = args.connector;
  const sourcesJson = pulumi
    .all(
      args.customSources.map((s) =>
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
  return pulumi
    .all([
      args.stagingBucket,
      args.checkpoint.name,
      args.secretArn ?? pulumi.output(undefined),
      sourcesJson,
      args.queue?.url ?? pulumi.output(undefined),
    ])
    .apply(([bucket, parameter, secretArn, sourcesText, queueUrl]) =>
      checkEnvironmentSize(
        c.name,
        handlerEnvironment({
          connector: c,
          lake: args.lake,
          stagingBucket: bucket,
          stagingDatabase: args.names.stagingDatabase,
          checkpointParameter: parameter,
          secretId: secretArn,
          customSourcesJson: sourcesText,
          mappingsDir: BUNDLE_MAPPINGS_DIR,
          queueUrl,
        }),
      ),
    );
}

/**
 * The ASL placeholder → value map for the functions a connector has; `renderAsl` rejects any mismatch
 * with the template (a pull connector's template has no Acknowledge Task, so no AcknowledgeFunctionArn).
 */
function aslSubstitutions(
  roles: readonly FunctionRole[],
  fn: (role: FunctionRole) => aws.lambda.Function,
  stagingCrawlerName: pulumi.Output<string>,
  partition: string,
): Record<string, pulumi.Input<string>> {
  const out: Record<string, pulumi.Input<string>> = {
    StagingCrawlerName: stagingCrawlerName,
    GlueStartCrawlerArn: sdkIntegrationArn(partition, "glue", "startCrawler"),
    GlueGetCrawlerArn: sdkIntegrationArn(partition, "glue", "getCrawler"),
  };
  for (const role of roles) out[`${role[0]?.toUpperCase()}${role.slice(1)}FunctionArn`] = fn(role).arn;
  return out;
}
