import { describe, expect, it } from "vitest";
import { lakeCrawlerPolicy, stagingCrawlerPolicy } from "../../../infra/crawlerPolicies.ts";
import { FUNCTION_ROLES, functionRolesFor } from "../../../infra/names.ts";
import {
  type LambdaPolicyInputs,
  lambdaPolicy,
  partitionOf,
  schedulePolicy,
  stateMachinePolicy,
  trustPolicy,
} from "../../../infra/policies.ts";
import { type AuditScope, auditPolicy } from "../../helpers/iamAudit.ts";

const account = "111122223333";
const base: LambdaPolicyInputs = {
  partition: "aws",
  connector: "sailpoint-prod",
  logGroupArn: `arn:aws:logs:us-east-1:${account}:log-group:/aws/lambda/seclake-dev-sailpoint-prod-fetch`,
  checkpointParameterArn: `arn:aws:ssm:us-east-1:${account}:parameter/seclake/dev/sailpoint-prod/checkpoint`,
  secretArn: `arn:aws:secretsmanager:us-east-1:${account}:secret:seclake/dev/sailpoint-prod/credentials-AbCdEf`,
  stagingBucket: "seclake-dev-sailpoint-prod-abc",
  stagingDatabaseArn: `arn:aws:glue:us-east-1:${account}:database/seclake_dev_sailpoint_prod_staging`,
  customSources: [
    {
      name: "sailpoint-auth",
      providerRoleArn: `arn:aws:iam::${account}:role/AmazonSecurityLake-Provider-sailpoint-auth-us-east-1`,
    },
    {
      name: "sailpoint-acct-chng",
      providerRoleArn: `arn:aws:iam::${account}:role/AmazonSecurityLake-Provider-sailpoint-acct-chng-us-east-1`,
    },
  ],
};
const staging = `arn:aws:s3:::${base.stagingBucket}`;
const scope: AuditScope = {
  s3Write: [
    `${staging}/staging/raw/sailpoint-prod/*`,
    `${staging}/staging/ocsf/sailpoint-auth/*`,
    `${staging}/staging/ocsf/sailpoint-acct-chng/*`,
    `${staging}/staging/quarantine/sailpoint-prod/*`,
  ],
  s3Read: [],
  s3Buckets: [staging],
  assumeRole: base.customSources.map((s) => s.providerRoleArn),
  ssm: [base.checkpointParameterArn, `${base.checkpointParameterArn}.lock`],
  ssmDelete: [`${base.checkpointParameterArn}.lock`],
  s3ListPrefixes: [
    "staging/raw/sailpoint-prod/*",
    "staging/ocsf/sailpoint-auth/*",
    "staging/ocsf/sailpoint-acct-chng/*",
  ],
  secrets: [base.secretArn as string],
  // Map adds a new day's partition to the connector's staging tables, and nothing else.
  glue: [
    `arn:aws:glue:us-east-1:${account}:catalog`,
    base.stagingDatabaseArn,
    `arn:aws:glue:us-east-1:${account}:table/seclake_dev_sailpoint_prod_staging/*`,
  ],
  lambda: [],
  states: [],
  logs: [`${base.logGroupArn}:log-stream:*`],
};

/** A pull connector's functions: what `base` (a pull connector) deploys. */
const PULL_ROLES = functionRolesFor("pull");

const fnArn = (r: string) => `arn:aws:lambda:us-east-1:${account}:function:seclake-dev-sailpoint-prod-${r}`;
const statementsWith = (doc: ReturnType<typeof lambdaPolicy>, action: string) =>
  doc.Statement.filter((s) => s.Action.includes(action));

describe("lambda policies", () => {
  it("only Map touches the staging catalogue: GetTable and BatchCreatePartition on its database's tables", () => {
    for (const role of PULL_ROLES) {
      const glue = lambdaPolicy(role, base).Statement.filter((st) =>
        st.Action.some((a) => a.startsWith("glue:")),
      );
      if (role !== "map") expect(glue, role).toEqual([]);
      else {
        expect(glue.flatMap((st) => st.Action).sort()).toEqual([
          "glue:BatchCreatePartition",
          "glue:GetTable",
        ]);
        expect(glue.flatMap((st) => st.Resource)).toEqual(scope.glue);
      }
    }
  });

  it.each(PULL_ROLES)("%s: no wildcard action, every resource inside the connector's scope", (role) => {
    expect(auditPolicy(lambdaPolicy(role, base), scope)).toEqual([]);
  });

  it("only Fetch reads the secret, only Convert assumes roles, only Fetch/Map write to S3", () => {
    const who = (action: string) =>
      PULL_ROLES.filter((r) => statementsWith(lambdaPolicy(r, base), action).length > 0);
    expect(who("secretsmanager:GetSecretValue")).toEqual(["fetch"]);
    expect(who("sts:AssumeRole")).toEqual(["convert"]);
    expect(who("s3:PutObject")).toEqual(["fetch", "map"]);
    expect(who("ssm:PutParameter")).toEqual(["loadCheckpoint", "commit", "recordFailure"]);
  });

  it("Fetch writes only raw pages of its own connector; Map only OCSF of its sources and quarantine", () => {
    const fetchWrites = statementsWith(lambdaPolicy("fetch", base), "s3:PutObject").flatMap(
      (s) => s.Resource,
    );
    expect(fetchWrites).toEqual([`${staging}/staging/raw/sailpoint-prod/*`]);
    const mapWrites = statementsWith(lambdaPolicy("map", base), "s3:PutObject").flatMap((s) => s.Resource);
    expect(mapWrites.sort()).toEqual(
      [
        `${staging}/staging/ocsf/sailpoint-auth/*`,
        `${staging}/staging/ocsf/sailpoint-acct-chng/*`,
        `${staging}/staging/quarantine/sailpoint-prod/*`,
      ].sort(),
    );
  });

  it("Convert assumes exactly the configured provider roles, and writes nothing itself", () => {
    const doc = lambdaPolicy("convert", base);
    expect(statementsWith(doc, "sts:AssumeRole").flatMap((s) => s.Resource)).toEqual(
      base.customSources.map((s) => s.providerRoleArn),
    );
    expect(statementsWith(doc, "s3:PutObject")).toEqual([]);
  });

  it("s3-inbox Fetch lists and reads only the inbox prefix (and its own staging), and has no secret", () => {
    const doc = lambdaPolicy("fetch", {
      ...base,
      secretArn: undefined,
      inbox: { bucket: "example-dspm-alerts", prefix: "alerts/" },
    });
    expect(statementsWith(doc, "secretsmanager:GetSecretValue")).toEqual([]);
    // The inbox prefix, and its own raw pages (a resumed window reads its fetch manifest back).
    expect(statementsWith(doc, "s3:GetObject").flatMap((s) => s.Resource)).toEqual([
      "arn:aws:s3:::example-dspm-alerts/alerts/*",
      `${staging}/staging/raw/sailpoint-prod/*`,
    ]);
    const list = statementsWith(doc, "s3:ListBucket")[0];
    expect(list?.Condition).toEqual({ StringLike: { "s3:prefix": ["alerts/*"] } });
  });

  it("the checkpoint is never deletable: only its lock parameter is", () => {
    for (const role of ["loadCheckpoint", "commit", "recordFailure"] as const) {
      const deletes = statementsWith(lambdaPolicy(role, base), "ssm:DeleteParameter").flatMap(
        (s) => s.Resource,
      );
      expect(deletes).toEqual([`${base.checkpointParameterArn}.lock`]);
    }
  });

  it("Map lists its raw and OCSF prefixes but not the quarantine it only writes", () => {
    const listed = statementsWith(lambdaPolicy("map", base), "s3:ListBucket").flatMap(
      (s) => s.Condition?.StringLike?.["s3:prefix"] ?? [],
    );
    expect(listed).not.toContain("staging/quarantine/sailpoint-prod/*");
    expect(listed).toContain("staging/ocsf/sailpoint-auth/*");
  });

  it("a shared staging bucket's KMS key: Fetch and Map encrypt and decrypt, Convert only decrypts", () => {
    const key = `arn:aws:kms:us-east-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const inboxKey = `arn:aws:kms:us-east-1:${account}:key/9999abcd-12ab-34cd-56ef-1234567890ab`;
    const keyed = { ...base, stagingKmsKeyArn: key };
    const actionsOn = (doc: ReturnType<typeof lambdaPolicy>, arn: string) =>
      doc.Statement.filter((s) => s.Resource.includes(arn)).flatMap((s) => s.Action);
    expect(actionsOn(lambdaPolicy("fetch", keyed), key)).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(actionsOn(lambdaPolicy("map", keyed), key)).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(actionsOn(lambdaPolicy("convert", keyed), key)).toEqual(["kms:Decrypt"]);
    expect(actionsOn(lambdaPolicy("commit", keyed), key)).toEqual([]);
    const inbox = lambdaPolicy("fetch", {
      ...base,
      inbox: { bucket: "example-dspm-alerts", prefix: "alerts/", kmsKeyArn: inboxKey },
    });
    expect(actionsOn(inbox, inboxKey)).toEqual(["kms:Decrypt"]);
    for (const role of PULL_ROLES) {
      expect(auditPolicy(lambdaPolicy(role, keyed), { ...scope, kms: [key] }), role).toEqual([]);
    }
    expect(auditPolicy(lambdaPolicy("fetch", keyed), scope)).toEqual([
      `kms:Decrypt on ${key}`,
      `kms:GenerateDataKey on ${key}`,
    ]);
  });

  it("the audit catches what it must (a test that cannot fail is a defect)", () => {
    const checkpoint = base.checkpointParameterArn;
    const bad = {
      Statement: [
        { Effect: "Allow", Action: ["s3:*"], Resource: [`${staging}/*`] },
        { Effect: "Allow", Action: ["s3:PutObject"], Resource: [`${staging}/staging/raw/other-connector/*`] },
        { Effect: "Allow", Action: ["ssm:GetParameter"], Resource: ["*"] },
        { Effect: "Allow", Action: ["sts:AssumeRole"], Resource: [`arn:aws:iam::${account}:role/Admin`] },
        { Effect: "Allow", Action: ["ssm:DeleteParameter"], Resource: [checkpoint] },
        {
          Effect: "Allow",
          Action: ["s3:ListBucket"],
          Resource: [staging],
          Condition: { StringLike: { "s3:prefix": ["staging/quarantine/sailpoint-prod/*"] } },
        },
        { Effect: "Allow", Action: ["s3:ListBucket"], Resource: [staging] },
        { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [`${fnArn("fetch")}:*`] },
      ],
    };
    expect(auditPolicy(bad, { ...scope, lambda: [fnArn("fetch")] })).toEqual([
      "wildcard action s3:*",
      `s3:* on ${staging}/*`,
      `s3:PutObject on ${staging}/staging/raw/other-connector/*`,
      'ssm:GetParameter on "*"',
      `sts:AssumeRole on arn:aws:iam::${account}:role/Admin`,
      `ssm:DeleteParameter on ${checkpoint}`,
      "s3:ListBucket of prefix staging/quarantine/sailpoint-prod/*",
      "s3:ListBucket without an s3:prefix condition",
      `lambda:InvokeFunction on ${fnArn("fetch")}:*`,
    ]);
  });
});

describe("push connector policies", () => {
  const queueArn = `arn:aws:sqs:us-east-1:${account}:seclake-dev-sailpoint-prod-events`;
  const pushed: LambdaPolicyInputs = { ...base, push: { queueArn } };
  const ledger = `${staging}/staging/ledger/sailpoint-prod/*`;
  const pushScope: AuditScope = {
    ...scope,
    s3Write: [...scope.s3Write, ledger],
    s3ListPrefixes: [...(scope.s3ListPrefixes ?? []), "staging/ledger/sailpoint-prod/*"],
  };
  /** SQS (action, resource) pairs; the shared audit knows no SQS, so they are checked exactly here. */
  const sqsGrants = (doc: ReturnType<typeof lambdaPolicy>) =>
    doc.Statement.flatMap((st) =>
      st.Action.filter((a) => a.startsWith("sqs:")).flatMap((a) => st.Resource.map((r) => `${a} on ${r}`)),
    );
  const withoutSqs = (doc: ReturnType<typeof lambdaPolicy>) => ({
    ...doc,
    Statement: doc.Statement.filter((st) => !st.Action.some((a) => a.startsWith("sqs:"))),
  });

  it.each(FUNCTION_ROLES)("%s: no wildcard action, every resource inside the connector's scope", (role) => {
    const doc = lambdaPolicy(role, pushed);
    expect(auditPolicy(withoutSqs(doc), pushScope)).toEqual([]);
    expect(doc.Statement.flatMap((st) => st.Action).filter((a) => a.includes("*"))).toEqual([]);
  });

  it("only Fetch and Acknowledge touch SQS, only their own queue, only the actions they call", () => {
    const grants = Object.fromEntries(FUNCTION_ROLES.map((r) => [r, sqsGrants(lambdaPolicy(r, pushed))]));
    expect(grants).toEqual({
      loadCheckpoint: [],
      // Receive; make a poison message visible at once; delete redeliveries the ledger already holds.
      fetch: [
        `sqs:ReceiveMessage on ${queueArn}`,
        `sqs:ChangeMessageVisibility on ${queueArn}`,
        `sqs:DeleteMessage on ${queueArn}`,
      ],
      map: [],
      convert: [],
      commit: [],
      acknowledge: [`sqs:DeleteMessage on ${queueArn}`],
      recordFailure: [],
    });
    // A pull connector's functions get no SQS at all.
    for (const role of PULL_ROLES) expect(sqsGrants(lambdaPolicy(role, base)), role).toEqual([]);
  });

  it("Fetch reads and lists the ledger; Commit writes it (put only); nobody else touches it", () => {
    const on = (role: (typeof FUNCTION_ROLES)[number], action: string) =>
      statementsWith(lambdaPolicy(role, pushed), action)
        .flatMap((st) =>
          action === "s3:ListBucket" ? (st.Condition?.StringLike?.["s3:prefix"] ?? []) : st.Resource,
        )
        .filter((r) => (r as string).includes("staging/ledger/"));
    expect(on("fetch", "s3:GetObject")).toEqual([ledger]);
    expect(on("fetch", "s3:ListBucket")).toEqual(["staging/ledger/sailpoint-prod/*"]);
    expect(on("fetch", "s3:PutObject")).toEqual([]);
    expect(on("commit", "s3:PutObject")).toEqual([ledger]);
    expect(on("commit", "s3:DeleteObject")).toEqual([]);
    for (const role of ["loadCheckpoint", "map", "convert", "acknowledge", "recordFailure"] as const) {
      for (const action of ["s3:GetObject", "s3:PutObject", "s3:ListBucket"])
        expect(on(role, action), `${role} ${action}`).toEqual([]);
    }
  });

  it("Commit and Acknowledge read the window's messages.json under its raw prefix, and write nothing else there", () => {
    for (const role of ["commit", "acknowledge"] as const) {
      const doc = lambdaPolicy(role, pushed);
      expect(
        statementsWith(doc, "s3:GetObject").flatMap((st) => st.Resource),
        role,
      ).toEqual([`${staging}/staging/raw/sailpoint-prod/*`]);
      // Listed so that an absent messages.json (a window that took no message) answers 404, not 403.
      expect(statementsWith(doc, "s3:ListBucket")[0]?.Condition, role).toEqual({
        StringLike: { "s3:prefix": ["staging/raw/sailpoint-prod/*"] },
      });
    }
    expect(statementsWith(lambdaPolicy("acknowledge", pushed), "s3:PutObject")).toEqual([]);
    // A pull connector's Commit reads no staging at all.
    expect(statementsWith(lambdaPolicy("commit", base), "s3:GetObject")).toEqual([]);
  });

  it("a pull connector has no Acknowledge to grant anything to", () => {
    expect(() => lambdaPolicy("acknowledge", base)).toThrow(/not a push connector/);
  });

  it("a shared staging bucket's KMS key: push Commit encrypts and decrypts, Acknowledge only decrypts", () => {
    const key = `arn:aws:kms:us-east-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const keyed = { ...pushed, stagingKmsKeyArn: key };
    const actionsOn = (doc: ReturnType<typeof lambdaPolicy>) =>
      doc.Statement.filter((st) => st.Resource.includes(key)).flatMap((st) => st.Action);
    expect(actionsOn(lambdaPolicy("commit", keyed))).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
    expect(actionsOn(lambdaPolicy("acknowledge", keyed))).toEqual(["kms:Decrypt"]);
  });

  it("every policy's statement ids are unique (IAM requires it within a policy)", () => {
    for (const [inputs, roles] of [
      [pushed, FUNCTION_ROLES],
      [base, PULL_ROLES],
    ] as const) {
      for (const role of roles) {
        const sids = lambdaPolicy(role, {
          ...inputs,
          stagingKmsKeyArn: "arn:aws:kms:us-east-1:1:key/k",
        }).Statement.map((st) => st.Sid);
        expect(new Set(sids).size, `${role}: ${sids.join(", ")}`).toBe(sids.length);
      }
    }
  });
});

describe("state machine, schedule and crawler policies", () => {
  const fn = (r: string) => `arn:aws:lambda:us-east-1:${account}:function:seclake-dev-sailpoint-prod-${r}`;
  const crawlerArn = `arn:aws:glue:us-east-1:${account}:crawler/seclake-dev-sailpoint-prod-staging`;

  it("the state machine invokes only its functions, unqualified, and runs only its crawler", () => {
    const doc = stateMachinePolicy({
      functionArns: ["fetch", "map"].map(fn),
      crawlerArn,
      lakeCrawlerArns: [],
    });
    const found = auditPolicy(doc, { ...scope, lambda: ["fetch", "map"].map(fn), glue: [crawlerArn] });
    expect(found).toEqual([]);
  });

  it("the schedule starts only its state machine", () => {
    const sm = `arn:aws:states:us-east-1:${account}:stateMachine:seclake-dev-sailpoint-prod`;
    expect(schedulePolicy({ stateMachineArn: sm }).Statement).toEqual([
      { Sid: "StartOwnStateMachine", Effect: "Allow", Action: ["states:StartExecution"], Resource: [sm] },
    ]);
  });

  it("the staging crawler reads only staged OCSF and writes only its own database", () => {
    const db = `arn:aws:glue:us-east-1:${account}:database/seclake_dev_sailpoint_prod_staging`;
    const doc = stagingCrawlerPolicy({
      partition: "aws",
      region: "us-east-1",
      accountId: account,
      databaseArn: db,
      stagingBucket: base.stagingBucket,
      customSources: ["sailpoint-auth"],
    });
    const found = auditPolicy(doc, {
      ...scope,
      s3Write: [],
      s3Read: [`${staging}/staging/ocsf/sailpoint-auth/*`],
      glue: [
        `arn:aws:glue:us-east-1:${account}:catalog`,
        db,
        `arn:aws:glue:us-east-1:${account}:table/seclake_dev_sailpoint_prod_staging/*`,
      ],
      logs: [`arn:aws:logs:us-east-1:${account}:log-group:/aws-glue/crawlers:*`],
    });
    expect(found).toEqual([]);
  });

  it("the Security Lake crawler role reads only ext/<source>/ and the lake's Glue database", () => {
    const key = `arn:aws:kms:eu-west-1:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const doc = lakeCrawlerPolicy({
      partition: "aws",
      region: "eu-west-1",
      accountId: account,
      lakeBucket: "aws-security-data-lake-eu-west-1-x",
      customSources: ["okta-auth"],
      lakeKmsKeyArn: key,
    });
    // What Security Lake asks of the role beyond a plain crawler: Lake Formation access, the lake key.
    const actions = doc.Statement.flatMap((s) => s.Action);
    expect(actions).toEqual(expect.arrayContaining(["lakeformation:GetDataAccess", "s3:GetBucketLocation"]));
    expect(doc.Statement.find((s) => s.Action.includes("kms:Decrypt"))?.Resource).toEqual([key]);
    const glue = doc.Statement.find((s) => s.Sid === "Catalog")?.Resource;
    expect(glue).toContain(
      `arn:aws:glue:eu-west-1:${account}:database/amazon_security_lake_glue_db_eu_west_1`,
    );
    expect(doc.Statement.find((s) => s.Sid === "ReadData")?.Resource).toEqual([
      "arn:aws:s3:::aws-security-data-lake-eu-west-1-x/ext/okta-auth/*",
    ]);
  });

  it("trust policies name one service, with a source-account guard when given", () => {
    expect(trustPolicy("scheduler.amazonaws.com", account).Statement[0]).toEqual({
      Effect: "Allow",
      Principal: { Service: "scheduler.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "aws:SourceAccount": account } },
    });
  });

  it("partitions follow the region", () => {
    expect([partitionOf("us-east-1"), partitionOf("cn-north-1"), partitionOf("us-gov-west-1")]).toEqual([
      "aws",
      "aws-cn",
      "aws-us-gov",
    ]);
  });
});
