// Pulumi entry point (`main: infra/` in Pulumi.yaml): one Connector component per configured connector.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../functions/core/errors.ts";
import { buildLambdaBundle, REPO_ROOT } from "./bundle.ts";
import { lakeAccountProblem, loadConfig, unroutedClasses } from "./config.ts";
import { Connector } from "./connector.ts";
import { StackDashboard } from "./dashboard.ts";
import { partitionOf } from "./policies.ts";
import { securityLakeEventClass, unlistedClassNotice } from "./securityLakeClasses.ts";

const stackName = pulumi.getStack();
// isConfigSecret is internal to @pulumi/pulumi (pinned); without it the "set with --secret" check is skipped.
const runtime = pulumi.runtime as typeof pulumi.runtime & { isConfigSecret?: (key: string) => boolean };
// Validate everything before declaring the first resource: a bad key fails `pulumi preview` with its name.
const { stack, credentials } = loadConfig(
  { get: (key) => pulumi.runtime.getConfig(key), isSecret: (key) => runtime.isConfigSecret?.(key) ?? true },
  stackName,
);

for (const connector of stack.connectors) {
  const missing = unroutedClasses(connector);
  if (missing.length > 0)
    pulumi.log.warn(
      `connector ${connector.name}: its mappings produce OCSF classes ${missing.join(", ")} that no custom ` +
        "source takes; those events will be quarantined, not written to the lake (add customSources for them).",
    );
}

if (stack.securityLake.createCustomSources) {
  for (const source of stack.connectors.flatMap((c) => c.customSources)) {
    if (!securityLakeEventClass(source.classUid))
      pulumi.log.warn(unlistedClassNotice(source.name, source.classUid));
  }
}

// Config cannot know which account the credentials deploy to; the caller identity can (also in preview).
// Checked before any resource is declared, like every config error.
if (stack.connectors.some((c) => c.customSources.some((s) => s.crawlerName))) {
  const { accountId } = await aws.getCallerIdentity();
  const problem = lakeAccountProblem(stack, accountId);
  if (problem) throw new ConfigError(`invalid stack config: ${problem}`);
}

const aslFile = "statemachine/connector.asl.json";
const aslTemplate = readFileSync(join(REPO_ROOT, aslFile), "utf8");
// SECLAKE_BUNDLE_DIR lets tests build into a private directory; deployments use dist/lambda.
const bundle = buildLambdaBundle(
  REPO_ROOT,
  process.env.SECLAKE_BUNDLE_DIR ?? join(REPO_ROOT, "dist", "lambda"),
);
const code = new pulumi.asset.FileArchive(bundle.dir);
if (bundle.missing.length > 0 && stack.connectors.some((c) => c.mode === "push")) {
  // Not fatal: a failed Acknowledge goes on (statemachine/connector.asl.json), and Fetch deletes the
  // undeleted messages when they come back and their ids are in the ledger. But every message is then
  // delivered twice, so say so before deploying.
  pulumi.log.warn(
    `the Lambda bundle has no ${bundle.missing.map((r) => `functions/handlers/${r}.ts`).join(", ")}: ` +
      "push connectors' Acknowledge will fail, and each message will be deleted only when it is delivered again",
  );
}

const components = stack.connectors.map((connector) => {
  const secretCredentials = credentials[connector.name];
  return new Connector(connector.name, {
    stack: stackName,
    connector,
    securityLake: stack.securityLake,
    staging: stack.staging,
    logRetentionDays: stack.logRetentionDays,
    alarmTopicArn: stack.alarmTopicArn,
    credentials: secretCredentials ? pulumi.secret(secretCredentials) : undefined,
    code,
    handlers: bundle.handlers,
    aslTemplate,
    aslFile,
  });
});

const dashboard = new StackDashboard("seclake", {
  stack: stackName,
  region: stack.securityLake.region,
  rows: components.map((component) => component.dashboardRow),
});

/** The stack's CloudWatch dashboard: a row per connector (events, rows per source, executions, lag, queue). */
export const dashboardUrl = dashboard.url;

/** Per connector: what to start by hand, what to give Security Lake, and where things live. */
export const connectors = Object.fromEntries(
  components.map((component, i) => {
    const c = stack.connectors[i] as (typeof stack.connectors)[number];
    return [
      c.name,
      {
        stateMachineArn: component.stateMachineArn,
        stateMachineConsoleUrl: component.stateMachineArn.apply(consoleUrl),
        lambdaRoleArns: component.roleArns,
        providerAssumingRoleArn: component.providerAssumingRoleArn,
        providerPrincipal: component.providerPrincipal,
        externalIds: Object.fromEntries(component.customSources.map((s) => [s.name, s.externalId])),
        checkpointParameter: component.checkpointParameterName,
        stagingBucket: component.stagingBucketName,
        stagingCrawler: component.stagingCrawlerName,
        stateMachineLogGroup: component.logGroupName,
        ...(component.secretArn ? { secretArn: component.secretArn } : {}),
        // Push connectors: where the partner's events arrive (README, "Deploy to AWS").
        ...(component.push
          ? {
              queueUrl: component.push.queueUrl,
              deadLetterQueueUrl: component.push.deadLetterQueueUrl,
              eventBusName: component.push.eventBusName,
            }
          : {}),
      },
    ];
  }),
);

/** Per custom source: the provider role Convert assumes, and where its Parquet lands. */
export const customSources = Object.fromEntries(
  components.flatMap((component) =>
    component.customSources.map((s) => [
      s.name,
      {
        classUid: s.classUid,
        providerRoleArn: s.providerRoleArn,
        s3Location: s.location,
        externalId: s.externalId,
      },
    ]),
  ),
);

/** The Step Functions console page of a state machine, in the region (and partition) its ARN names. */
function consoleUrl(stateMachineArn: string): string {
  const region = stateMachineArn.split(":")[3] as string;
  const host = CONSOLE_HOSTS[partitionOf(region)] ?? "console.aws.amazon.com";
  return `https://${region}.${host}/states/home?region=${region}#/statemachines/view/${stateMachineArn}`;
}

const CONSOLE_HOSTS: Readonly<Record<string, string>> = {
  aws: "console.aws.amazon.com",
  "aws-cn": "console.amazonaws.cn",
  "aws-us-gov": "console.amazonaws-us-gov.com",
};
