import { readdirSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import aslValidator from "asl-validator";
import { beforeAll, describe, expect, it } from "vitest";
import { PIPELINE_METRICS } from "../../functions/core/metrics.ts";
import { parsePipelineCheckpoint } from "../../functions/core/pipeline/claim.ts";
import { loadEnvironment } from "../../functions/handlers/environment.ts";
import { FUNCTION_ROLES, functionRolesFor, kebab } from "../../infra/names.ts";
import { STAR_ONLY_ACTIONS } from "../../infra/policies.ts";
import { auditPolicy } from "../helpers/iamAudit.ts";
import { ACCOUNT, type Declared, REGION, type Recorded, resolve } from "../helpers/pulumiHarness.ts";
import { readStackYaml } from "../helpers/stackConfig.ts";
import { runProgramWithPush } from "./pushOutputs.ts";

interface ConnectorYaml {
  name: string;
  kind: string;
  mode?: "pull" | "push";
  eventSource?: string;
  customSources: { name: string; classUid: number; providerRoleArn: string; externalId: string }[];
  inbox?: { bucket: string; prefix: string };
}
const yaml = readStackYaml("dev");
const connectors = yaml["seclake-pipelines:connectors"] as ConnectorYaml[];

let resources: Recorded[];
let declared: Declared[];
let program: Record<string, unknown>;
beforeAll(async () => {
  ({ resources, declared, program } = await runProgramWithPush("dev"));
}, 60_000);

const ofType = (type: string) => resources.filter((r) => r.type === type);
const mine = (type: string, connector: string) =>
  ofType(type).filter((r) => r.name.startsWith(`${connector}-`));
const one = (type: string, connector: string) => {
  const found = mine(type, connector);
  expect(found, `${connector}: ${type}`).toHaveLength(1);
  return found[0] as Recorded;
};
const base = (c: string) => `seclake-dev-${c}`;
const fnArn = (c: string, role: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${base(c)}-${role}`;
const smArn = (c: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${base(c)}`;
/** The functions a connector deploys: six for pull, seven (with Acknowledge) for push. */
const rolesOf = (c: ConnectorYaml) => functionRolesFor(c.mode ?? "pull");
const queueArn = (c: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${base(c)}-events`;

describe.each(connectors.map((c) => [c.name, c] as const))("connector %s", (name, c) => {
  it("one state machine whose definition is the rendered ASL: valid, no placeholder, its own functions", () => {
    const sm = one("aws:sfn/stateMachine:StateMachine", name);
    const definition = sm.inputs.definition as string;
    expect(definition).not.toMatch(/\$\{/);
    const asl = JSON.parse(definition);
    expect(aslValidator(asl)).toMatchObject({ isValid: true });
    const text = JSON.stringify(asl);
    const lambdaArns = [...text.matchAll(/arn:aws:lambda:[^"]+/g)].map((m) => m[0]);
    expect(new Set(lambdaArns)).toEqual(new Set(rolesOf(c).map((r) => fnArn(name, kebab(r)))));
    // Push: Acknowledge deletes the window's messages after Commit; pull: a Pass in its place.
    expect(asl.States.Acknowledge.Type).toBe(c.mode === "push" ? "Task" : "Pass");
    expect(asl.States.StartCrawler.Parameters.Name).toBe(`${base(name)}-staging`);
    expect(sm.inputs).toMatchObject({
      name: base(name),
      type: "STANDARD",
      tracingConfiguration: { enabled: true },
      loggingConfiguration: {
        level: "ALL",
        logDestination: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/vendedlogs/states/${base(name)}:*`,
      },
    });
  });

  it("one schedule that starts this state machine with its own role, never more often than every 5 minutes", () => {
    const schedule = one("aws:scheduler/schedule:Schedule", name);
    const target = schedule.inputs.target as { arn: string; roleArn: string };
    expect(target.arn).toBe(smArn(name));
    expect(target.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/${base(name)}-schedule`);
    expect(schedule.inputs.scheduleExpression).toMatch(/^(rate|cron)\(/);
  });

  it("one staging crawler with one S3 target per custom source", () => {
    const crawler = one("aws:glue/crawler:Crawler", name);
    const targets = (crawler.inputs.s3Targets as { path: string }[]).map((t) => t.path);
    expect(targets).toEqual(
      c.customSources.map((s) => `s3://${base(name)}-20261125abcdef/staging/ocsf/${s.name}/`),
    );
    expect(crawler.inputs.databaseName).toBe(`${base(name).replaceAll("-", "_")}_staging`);
    // Incremental: new day folders only. Glue rejects CRAWL_NEW_FOLDERS_ONLY unless both schema-change
    // behaviours are LOG, which mocks would accept.
    expect(crawler.inputs.recrawlPolicy).toEqual({ recrawlBehavior: "CRAWL_NEW_FOLDERS_ONLY" });
    expect(crawler.inputs.schemaChangePolicy).toEqual({ updateBehavior: "LOG", deleteBehavior: "LOG" });
    expect(JSON.parse(crawler.inputs.configuration as string)).toMatchObject({
      Grouping: { TableLevelConfiguration: 4 },
    });
  });

  it("one checkpoint parameter holding a valid version-1 checkpoint", () => {
    const parameter = one("aws:ssm/parameter:Parameter", name);
    expect(parameter.inputs.name).toBe(`/seclake/dev/${name}/checkpoint`);
    // @pulumi/aws always marks a Parameter value secret.
    // Parsed the way LoadCheckpoint reads it.
    const value = pulumi.runtime.unwrapRpcSecret(parameter.inputs.value) as string;
    const checkpoint = parsePipelineCheckpoint(value, parameter.name);
    expect(checkpoint.pending).toBeNull();
    expect(Date.parse(checkpoint.since)).toBeLessThan(Date.now() - 23 * 3_600_000);
  });

  it("arm64 nodejs22.x functions (six; seven for push) whose environment the handlers' own parser accepts", () => {
    const functions = mine("aws:lambda/function:Function", name);
    expect(functions.map((f) => f.inputs.handler).sort()).toEqual(
      rolesOf(c)
        .map((r) => `${r}.handler`)
        .sort(),
    );
    for (const f of functions) {
      expect(f.inputs).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"] });
      expect(f.inputs.memorySize).toBeGreaterThanOrEqual(256);
      expect(f.inputs.timeout).toBeLessThanOrEqual(900);
      const variables = (f.inputs.environment as { variables: Record<string, string> }).variables;
      const env = loadEnvironment(variables);
      expect(env.connector).toBe(name);
      expect(env.customSources.map((s) => [s.name, s.classUid, s.providerRoleArn, s.externalId])).toEqual(
        c.customSources.map((s) => [s.name, s.classUid, s.providerRoleArn, s.externalId]),
      );
      expect(env.mappingsDir).toBe("/var/task/mappings");
      expect(env.stagingBucket).toBe(`${base(name)}-20261125abcdef`);
      expect(env.checkpointParameter).toBe(`/seclake/dev/${name}/checkpoint`);
      expect(env.secretId === undefined).toBe(c.kind === "s3-inbox");
      if (c.mode === "push") {
        expect(env).toMatchObject({
          mode: "push",
          queueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${base(name)}-events`,
          eventSource: c.eventSource,
        });
      } else {
        // Unchanged for pull connectors: no push variables at all (the handlers default to pull).
        expect(Object.keys(variables).filter((k) => /MODE|QUEUE|EVENT_SOURCE/.test(k))).toEqual([]);
      }
    }
    expect(
      mine("aws:iam/role:Role", name).filter((r) =>
        (r.inputs.assumeRolePolicy as string).includes("lambda."),
      ),
    ).toHaveLength(rolesOf(c).length);
  });

  it("every IAM policy: no wildcard action, and every resource inside this connector's scope", () => {
    const bucket = `arn:aws:s3:::${base(name)}-20261125abcdef`;
    const checkpoint = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/seclake/dev/${name}/checkpoint`;
    const db = `${base(name).replaceAll("-", "_")}_staging`;
    const inbox = c.inbox ? `arn:aws:s3:::${c.inbox.bucket}` : undefined;
    const push = c.mode === "push";
    const scope = {
      s3Write: [
        `${bucket}/staging/raw/${name}/*`,
        `${bucket}/staging/quarantine/${name}/*`,
        ...c.customSources.map((s) => `${bucket}/staging/ocsf/${s.name}/*`),
        ...(push ? [`${bucket}/staging/ledger/${name}/*`] : []),
      ],
      s3Read: inbox ? [`${inbox}/${c.inbox?.prefix}*`] : [],
      s3Buckets: inbox ? [bucket, inbox] : [bucket],
      assumeRole: c.customSources.map((s) => s.providerRoleArn),
      ssm: [checkpoint, `${checkpoint}.lock`],
      ssmDelete: [`${checkpoint}.lock`],
      s3ListPrefixes: [
        `staging/raw/${name}/*`,
        ...c.customSources.map((s) => `staging/ocsf/${s.name}/*`),
        ...(c.inbox ? [`${c.inbox.prefix}*`] : []),
        ...(push ? [`staging/ledger/${name}/*`] : []),
      ],
      secrets: [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:seclake/dev/${name}/credentials-AbCdEf`],
      glue: [
        `arn:aws:glue:${REGION}:${ACCOUNT}:crawler/${base(name)}-staging`,
        `arn:aws:glue:${REGION}:${ACCOUNT}:catalog`,
        `arn:aws:glue:${REGION}:${ACCOUNT}:database/${db}`,
        `arn:aws:glue:${REGION}:${ACCOUNT}:table/${db}/*`,
      ],
      lambda: rolesOf(c).map((r) => fnArn(name, kebab(r))),
      states: [smArn(name)],
      logs: [
        ...rolesOf(c).map(
          (r) =>
            `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${base(name)}-${kebab(r)}:log-stream:*`,
        ),
        `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws-glue/crawlers:*`,
      ],
    };
    const policies = mine("aws:iam/rolePolicy:RolePolicy", name);
    // The functions, the state machine, the schedule, the staging crawler.
    expect(policies.length).toBe(rolesOf(c).length + 3);
    // The shared audit knows no SQS: SQS grants are checked exactly, the rest audited.
    const sqs: string[] = [];
    for (const p of policies) {
      const doc = JSON.parse(p.inputs.policy as string) as {
        Statement: { Action: string[]; Resource: string[] }[];
      };
      for (const st of doc.Statement.filter((x) => x.Action.some((a) => a.startsWith("sqs:"))))
        sqs.push(...st.Action.flatMap((a) => st.Resource.map((r) => `${p.name}: ${a} on ${r}`)));
      const rest = {
        ...doc,
        Statement: doc.Statement.filter((x) => !x.Action.some((a) => a.startsWith("sqs:"))),
      };
      expect(auditPolicy(rest, scope), p.name).toEqual([]);
    }
    const q = queueArn(name);
    expect(sqs.sort()).toEqual(
      push
        ? [
            `${name}-acknowledge-policy: sqs:DeleteMessage on ${q}`,
            `${name}-fetch-policy: sqs:ChangeMessageVisibility on ${q}`,
            `${name}-fetch-policy: sqs:DeleteMessage on ${q}`,
            `${name}-fetch-policy: sqs:ReceiveMessage on ${q}`,
          ]
        : [],
    );
  });

  it("the staging bucket's configuration is applied one step after another (S3 409s concurrent ones)", () => {
    const steps = [
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "aws:s3/bucketVersioning:BucketVersioning",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "aws:s3/bucketPolicy:BucketPolicy",
    ];
    const bucket = declared.find((d) => d.type === "aws:s3/bucket:Bucket" && d.name.startsWith(`${name}-`));
    let previous = bucket?.name;
    for (const type of steps) {
      const step = declared.find((d) => d.type === type && d.name.startsWith(`${name}-`));
      expect(step?.dependsOn, type).toEqual([previous]);
      previous = step?.name;
    }
  });

  it("the staging bucket: encrypted, versioned, expiring, private, TLS-only", () => {
    expect(
      one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", name)
        .inputs,
    ).toMatchObject({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
    expect(one("aws:s3/bucketVersioning:BucketVersioning", name).inputs).toMatchObject({
      versioningConfiguration: { status: "Enabled" },
    });
    // Versioned: expiry and deletes leave noncurrent versions and delete markers, which a second rule removes.
    expect(
      one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", name).inputs,
    ).toMatchObject({
      rules: [
        { status: "Enabled", filter: { prefix: "staging/" }, expiration: { days: 14 } },
        {
          status: "Enabled",
          filter: { prefix: "" },
          noncurrentVersionExpiration: { noncurrentDays: 1 },
          expiration: { expiredObjectDeleteMarker: true },
        },
      ],
    });
    expect(one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name).inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const policy = JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy", name).inputs.policy as string);
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    ]);
  });

  it("a failed-executions alarm on this state machine, and one on Security Lake crawler starts", () => {
    const alarms = mine("aws:cloudwatch/metricAlarm:MetricAlarm", name);
    // Failed executions, lake crawler, lag; push adds dead-letter depth and queued-event age.
    expect(alarms).toHaveLength(c.mode === "push" ? 5 : 3);
    const alarm = alarms.find((a) => a.inputs.metricQueries) as Recorded;
    const crawler = alarms.find((a) => a.inputs.metricName === "LakeCrawlerStartFailed") as Recorded;
    // The metric Commit emits: the handlers' namespace, Powertools' service dimension and the connector.
    expect(crawler.inputs).toMatchObject({
      namespace: "Seclake",
      dimensions: { service: "seclake", connector: name },
      threshold: 1,
    });
    const queries = alarm.inputs.metricQueries as {
      metric?: { metricName: string; dimensions: Record<string, string> };
    }[];
    const metrics = queries.flatMap((q) => (q.metric ? [q.metric] : []));
    expect(metrics.map((m) => m.metricName)).toContain("ExecutionsFailed");
    for (const m of metrics) expect(m.dimensions.StateMachineArn).toBe(smArn(name));
  });

  it("its secret is deleted without a recovery window, so the name can be reused after destroy", () => {
    const secrets = mine("aws:secretsmanager/secret:Secret", name);
    expect(secrets).toHaveLength(c.kind === "s3-inbox" ? 0 : 1);
    for (const secret of secrets) expect(secret.inputs.recoveryWindowInDays).toBe(0);
  });

  it("credentials only in its own secret, as a Pulumi secret", () => {
    const versions = mine("aws:secretsmanager/secretVersion:SecretVersion", name);
    expect(versions).toHaveLength(c.kind === "s3-inbox" ? 0 : 1);
    for (const v of versions) {
      expect(pulumi.runtime.isRpcSecret(v.inputs.secretString)).toBe(true);
      expect(JSON.parse(pulumi.runtime.unwrapRpcSecret(v.inputs.secretString) as string)).toHaveProperty(
        c.kind === "okta" ? "apiToken" : "clientSecret",
      );
    }
  });
});

describe("the whole stack", () => {
  it("deploys one code archive: the handlers, mappings/ and the .wasm Convert's Parquet writer loads", () => {
    const dir = process.env.SECLAKE_BUNDLE_DIR as string;
    const files = readdirSync(dir);
    for (const role of FUNCTION_ROLES) expect(files).toContain(`${role}.mjs`);
    expect(files).toContain("mappings");
    expect(files).toContain("parquet_wasm_bg.wasm");
    const paths = ofType("aws:lambda/function:Function").map(
      (f) => (f.inputs.code as { path?: unknown }).path,
    );
    expect(paths.length).toBe(connectors.reduce((n, c) => n + rolesOf(c).length, 0));
  });

  it("no secret value appears in any other resource's inputs", () => {
    const others = resources.filter((r) => r.type !== "aws:secretsmanager/secretVersion:SecretVersion");
    const text = JSON.stringify(others.map((r) => r.inputs));
    expect(text).not.toMatch(/syn-(secret|okta-token|client)-/);
  });

  it("no Resource '*' except for the actions AWS cannot scope", () => {
    for (const p of ofType("aws:iam/rolePolicy:RolePolicy")) {
      for (const st of JSON.parse(p.inputs.policy as string).Statement) {
        if (st.Resource.includes("*"))
          for (const a of st.Action) expect(STAR_ONLY_ACTIONS.has(a), `${p.name} ${a}`).toBe(true);
      }
    }
  });

  it("outputs per connector and per custom source resolve, with no secret among them", async () => {
    const out = (await resolve(
      program.connectors as pulumi.Input<Record<string, Record<string, unknown>>>,
    )) as Record<string, Record<string, unknown>>;
    expect(Object.keys(out)).toEqual(connectors.map((c) => c.name));
    const sailpoint = out["sailpoint-prod"] as Record<string, unknown>;
    expect(sailpoint).toMatchObject({
      stateMachineArn: smArn("sailpoint-prod"),
      providerAssumingRoleArn: `arn:aws:iam::${ACCOUNT}:role/seclake-dev-sailpoint-prod-convert`,
      providerPrincipal: ACCOUNT,
      externalIds: {
        "sailpoint-auth": "sailpoint-auth-example-external-id",
        "sailpoint-acct-chng": "sailpoint-acct-chng-example-external-id",
        "sailpoint-sched-job": "sailpoint-sched-job-example-external-id",
      },
      checkpointParameter: "/seclake/dev/sailpoint-prod/checkpoint",
      stateMachineConsoleUrl: `https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/statemachines/view/${smArn("sailpoint-prod")}`,
    });
    expect(Object.keys(sailpoint.lambdaRoleArns as object).sort()).toEqual(
      [...functionRolesFor("pull"), "stateMachine", "schedule", "stagingCrawler"].sort(),
    );
    for (const key of ["queueUrl", "deadLetterQueueUrl", "eventBusName"])
      expect(sailpoint).not.toHaveProperty(key);
    // A push connector: where the partner's events arrive, and its seventh role.
    expect(out["okta-push"]).toMatchObject({
      queueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/seclake-dev-okta-push-events`,
      deadLetterQueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/seclake-dev-okta-push-events-dlq`,
      eventBusName: "aws.partner/okta.com/example/seclakedev",
      lambdaRoleArns: { acknowledge: `arn:aws:iam::${ACCOUNT}:role/seclake-dev-okta-push-acknowledge` },
    });
    const sources = (await resolve(
      program.customSources as pulumi.Input<Record<string, Record<string, unknown>>>,
    )) as Record<string, Record<string, unknown>>;
    expect(sources["sailpoint-auth"]).toEqual({
      classUid: 3002,
      providerRoleArn: `arn:aws:iam::${ACCOUNT}:role/AmazonSecurityLake-Provider-sailpoint-auth-us-east-1`,
      s3Location: "s3://aws-security-data-lake-us-east-1-exampleexampleexample/ext/sailpoint-auth/",
      externalId: "sailpoint-auth-example-external-id",
    });
    expect(Object.keys(sources)).toHaveLength(connectors.flatMap((c) => c.customSources).length);
    const secret = await Promise.all(
      Object.values(program.connectors as Record<string, object>).map((o) =>
        pulumi.isSecret(pulumi.output(o)),
      ),
    );
    expect(secret.every((s) => s === false)).toBe(true);
  });
});

describe("component anatomy", () => {
  it("one seclake:index:Connector per connector and the stack's dashboard; every resource below one of them, named after it", () => {
    const components = declared.filter((d) => d.type === "seclake:index:Connector");
    expect(components.map((d) => d.name)).toEqual(connectors.map((c) => c.name));
    const roots = new Set(["seclake:index:Connector", "seclake:index:Dashboard"]);
    const byName = new Map(declared.map((d) => [d.name, d]));
    for (const d of declared) {
      if (roots.has(d.type) || d.type === "pulumi:pulumi:Stack") continue;
      let root: Declared | undefined = d;
      while (root?.parentName && byName.has(root.parentName)) root = byName.get(root.parentName);
      expect(roots.has(root?.type ?? ""), d.name).toBe(true);
      expect(d.name.startsWith(`${root?.name}-`), d.name).toBe(true);
    }
  });

  it("the checkpoint parameter's value is ignored after creation (the pipeline owns it)", () => {
    const parameters = declared.filter((d) => d.type === "aws:ssm/parameter:Parameter");
    expect(parameters).toHaveLength(connectors.length);
    for (const p of parameters) expect(p.ignoreChanges).toEqual(["value"]);
  });
});

describe("the stack's dashboard and each connector's lag alarm", () => {
  it("one dashboard, a row per connector, whose pipeline metrics have exactly the dimensions the handlers emit", async () => {
    const dashboards = ofType("aws:cloudwatch/dashboard:Dashboard");
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.inputs.dashboardName).toBe("seclake-dev");
    const body = JSON.parse(dashboards[0]?.inputs.dashboardBody as string) as {
      widgets: {
        type: string;
        x: number;
        width: number;
        properties: { metrics?: unknown[][]; markdown?: string; query?: string };
      }[];
    };
    const titles = body.widgets.filter((w) => w.type === "text").map((w) => w.properties.markdown);
    expect(titles).toEqual(connectors.map((c) => `## Connector ${c.name}`));
    for (const w of body.widgets) expect(w.x + w.width).toBeLessThanOrEqual(24);
    const lines = body.widgets.flatMap((w) => w.properties.metrics ?? []);
    const seclake = lines.filter((m) => m[0] === "Seclake");
    expect(seclake.length).toBeGreaterThan(connectors.length * 8);
    for (const m of seclake) {
      const name = m[1] as keyof typeof PIPELINE_METRICS;
      expect(Object.keys(PIPELINE_METRICS), String(name)).toContain(name);
      const dims: string[] = [];
      for (let i = 2; i + 1 < m.length && typeof m[i] === "string"; i += 2) dims.push(m[i] as string);
      expect(dims, String(name)).toEqual(["service", "connector", ...PIPELINE_METRICS[name].dimensions]);
      expect(m[3]).toBe("seclake");
    }
    for (const c of connectors) {
      // Rows and bytes per custom source come from Convert's log lines (Logs Insights), not metrics.
      const perSource = body.widgets.filter(
        (w) => w.type === "log" && w.properties.query?.includes(`/aws/lambda/${base(c.name)}-convert`),
      );
      expect(perSource, c.name).toHaveLength(1);
      const executions = lines.filter((m) => m[0] === "AWS/States" && m[3] === smArn(c.name));
      expect(
        executions.map((m) => m[1]),
        c.name,
      ).toEqual(["ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut"]);
    }
    expect(await resolve(program.dashboardUrl as pulumi.Input<string>)).toBe(
      `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards:name=seclake-dev`,
    );
  });

  it.each(connectors.map((c) => [c.name, c] as const))(
    "%s: a checkpoint-lag alarm that also fires when no execution commits at all",
    (name) => {
      const alarm = mine("aws:cloudwatch/metricAlarm:MetricAlarm", name).find(
        (a) => a.inputs.metricName === "CheckpointLagSeconds",
      ) as Recorded;
      expect(alarm.inputs).toMatchObject({
        namespace: "Seclake",
        dimensions: { service: "seclake", connector: name },
        statistic: "Maximum",
        treatMissingData: "breaching",
        comparisonOperator: "GreaterThanThreshold",
      });
      const threshold = alarm.inputs.threshold as number;
      const period = alarm.inputs.period as number;
      expect(period % 60).toBe(0);
      expect(period).toBeGreaterThanOrEqual(threshold);
      expect(period * (alarm.inputs.evaluationPeriods as number)).toBeLessThanOrEqual(7 * 86_400);
    },
  );
});
