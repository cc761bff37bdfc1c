import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../functions/core/errors.ts";
import { accountOfArn } from "./arns.ts";
import { ConnectorState } from "./checkpoint.ts";
import type { ConnectorConfig, StackConfig } from "./config.ts";
import { type CustomSourceOutputs, CustomSources } from "./customSources.ts";
import { connectorRow, type WidgetSpec } from "./dashboard.ts";
import { type ConnectorNames, connectorNames, type FunctionRole, functionRolesFor } from "./names.ts";
import { Observability, type QueueAlarmArgs, queueAgeThresholdSeconds } from "./observability.ts";
import { declarePipeline, functionRoles } from "./pipeline.ts";
import { partitionOf } from "./policies.ts";
import { PushIntake } from "./pushIntake.ts";
import { lagThresholdSeconds } from "./schedule.ts";
import { Staging } from "./staging.ts";

/** Permanent type token: changing it would replace every connector's resources (add an alias instead). */
export const CONNECTOR_TYPE = "seclake:index:Connector";

export type { CustomSourceOutputs } from "./customSources.ts";

/**
 * Inputs of one connector, already validated by infra/config.ts. What decides how many resources exist
 * (kind, mode, custom sources, createCustomSources, shared staging bucket) is plain; only the code
 * archive and the credentials are Pulumi values.
 */
export interface ConnectorArgs {
  readonly stack: string;
  readonly connector: ConnectorConfig;
  readonly securityLake: StackConfig["securityLake"];
  readonly staging: StackConfig["staging"];
  readonly logRetentionDays: number;
  readonly alarmTopicArn?: string;
  /** API credentials as a Pulumi secret; absent for s3-inbox connectors (and push ones without a backfill). */
  readonly credentials?: pulumi.Output<Record<string, string>>;
  /** The Lambda code (infra/bundle.ts), one archive for all functions. */
  readonly code: pulumi.asset.Archive;
  readonly handlers: Readonly<Record<FunctionRole, string>>;
  /** statemachine/connector.asl.json's text, and its path for error messages. */
  readonly aslTemplate: string;
  readonly aslFile: string;
}

/** What a push connector adds to the stack outputs. */
export interface PushOutputs {
  readonly queueUrl: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  readonly eventBusName: pulumi.Output<string>;
}

/**
 * A connector: the parts DESIGN.md §1 lists, composed. Staging (bucket, Glue database and crawler), the
 * checkpoint and credentials secret, for push connectors the intake (partner event bus, rule, queues),
 * the Security Lake custom sources, the pipeline (functions, state machine, schedule: infra/pipeline.ts)
 * and the alarms. Its row on the stack's dashboard is `dashboardRow`.
 */
export class Connector extends pulumi.ComponentResource {
  public readonly stateMachineArn: pulumi.Output<string>;
  public readonly roleArns: Readonly<
    Partial<Record<FunctionRole, pulumi.Output<string>>> &
      Record<"stateMachine" | "schedule" | "stagingCrawler", pulumi.Output<string>>
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
  /** Push connectors only. */
  public readonly push: PushOutputs | undefined;
  /** This connector's row on the stack's dashboard (infra/dashboard.ts). */
  public readonly dashboardRow: pulumi.Output<WidgetSpec[]>;

  constructor(name: string, args: ConnectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CONNECTOR_TYPE, name, {}, opts);
    const c = args.connector;
    const lake = args.securityLake;
    checkConnector(c, args);
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
      { connector: c, names, tags, ...(args.credentials ? { credentials: args.credentials } : {}) },
      parent,
    );
    const intake =
      c.mode === "push"
        ? new PushIntake(
            `${name}-push`,
            { connector: c.name, eventSource: c.eventSource as string, names, tags },
            parent,
          )
        : undefined;

    // Convert's role exists before the custom sources, because Security Lake trusts its account.
    const roles = functionRoles(name, { connector: c, names, tags }, this);
    const convertRoleArn = (roles.convert as NonNullable<typeof roles.convert>).arn;
    const providerPrincipal = convertRoleArn.apply(accountOfArn);
    const sources = new CustomSources(
      `${name}-sources`,
      { connector: c, names, lake, partition, providerPrincipal, tags },
      parent,
    );

    const pipeline = declarePipeline(
      name,
      {
        connector: c,
        names,
        lake,
        partition,
        account: providerPrincipal,
        tags,
        logRetentionDays: args.logRetentionDays,
        stagingKmsKeyArn: args.staging.kmsKeyArn,
        roles,
        stagingBucket: staging.bucketName,
        stagingDatabaseArn: staging.databaseArn,
        stagingCrawlerName: staging.crawlerName,
        stagingCrawlerArn: staging.crawlerArn,
        checkpoint: state.checkpoint,
        secretArn: state.secret?.arn,
        customSources: sources.sources,
        queue: intake ? { url: intake.queueUrl, arn: intake.queueArn } : undefined,
        code: args.code,
        handlers: args.handlers,
        aslTemplate: args.aslTemplate,
        aslFile: args.aslFile,
      },
      this,
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
    // Physical names, so that the alarms and the dashboard need no queue output.
    const queue: QueueAlarmArgs | undefined = intake
      ? {
          queueName: names.queue,
          deadLetterQueueName: names.deadLetterQueue,
          ageThresholdSeconds: queueAgeThresholdSeconds(lagThreshold),
        }
      : undefined;
    new Observability(
      `${name}-observability`,
      {
        connector: c.name,
        names,
        stateMachineArn: pipeline.stateMachine.arn,
        lagThresholdSeconds: lagThreshold,
        ...(args.alarmTopicArn ? { alarmTopicArn: args.alarmTopicArn } : {}),
        tags,
        ...(queue ? { queue } : {}),
      },
      parent,
    );

    this.stateMachineArn = pipeline.stateMachine.arn;
    this.roleArns = {
      ...Object.fromEntries(
        functionRolesFor(c.mode).map((r) => [r, (roles[r] as NonNullable<(typeof roles)[typeof r]>).arn]),
      ),
      stateMachine: pipeline.stateMachineRoleArn,
      schedule: pipeline.scheduleRoleArn,
      stagingCrawler: staging.crawlerRoleArn,
    };
    this.providerAssumingRoleArn = convertRoleArn;
    this.providerPrincipal = providerPrincipal;
    this.customSources = sources.sources;
    this.checkpointParameterName = state.checkpoint.name;
    this.secretArn = state.secret?.arn;
    this.stagingBucketName = staging.bucketName;
    this.stagingCrawlerName = staging.crawlerName;
    this.logGroupName = pipeline.stateMachineLogGroupName;
    this.push = intake
      ? {
          queueUrl: intake.queueUrl,
          deadLetterQueueUrl: intake.deadLetterQueueUrl,
          eventBusName: intake.eventBusName,
        }
      : undefined;
    this.dashboardRow = pipeline.stateMachine.arn.apply((stateMachineArn) =>
      connectorRow(
        { connector: c.name, region: lake.region },
        {
          convertLogGroup: names.functionLogGroup("convert"),
          stateMachineArn,
          lagThresholdSeconds: lagThreshold,
          queue,
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
      ...(this.push ? { push: this.push } : {}),
    });
  }
}

/**
 * config.ts checked these already; the component re-checks what would otherwise fail mid-deployment
 * when it is used without config.ts.
 */
function checkConnector(c: ConnectorConfig, args: ConnectorArgs): void {
  if (c.kind !== "s3-inbox" && c.mode === "pull" && !args.credentials) {
    throw new ConfigError(`connector ${c.name}: kind ${c.kind} needs credentials (credentials["${c.name}"])`);
  }
  if (c.mode === "push" && !c.eventSource) {
    throw new ConfigError(`connector ${c.name}: mode push needs eventSource (the partner event source name)`);
  }
  const lake = args.securityLake;
  if (!lake.createCustomSources && c.customSources.some((s) => !s.providerRoleArn || !s.externalId)) {
    throw new ConfigError(
      `connector ${c.name}: customSources[].providerRoleArn and externalId are required when securityLake.createCustomSources is false`,
    );
  }
}
