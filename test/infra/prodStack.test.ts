import type * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { loadEnvironment } from "../../functions/handlers/environment.ts";
import { auditPolicy } from "../helpers/iamAudit.ts";
import { ACCOUNT, REGION, type Recorded, resolve, runProgram } from "../helpers/pulumiHarness.ts";

// Pulumi.prod.yaml: the stack creates the Security Lake custom sources itself.
let resources: Recorded[];
let program: Record<string, unknown>;
beforeAll(async () => {
  ({ resources, program } = await runProgram("prod"));
}, 60_000);

const ofType = (type: string) => resources.filter((r) => r.type === type);
const lakeCrawler = (source: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:crawler/${source}`;

describe("a stack that creates its custom sources (Pulumi.prod.yaml)", () => {
  it("one CustomLogSource per custom source: name, OCSF class as Security Lake names it, provider identity", () => {
    const created = ofType("aws:securitylake/customLogSource:CustomLogSource").map((r) => r.inputs);
    expect(created.map((s) => [s.sourceName, s.eventClasses])).toEqual([
      ["sailpoint-auth", ["AUTHENTICATION"]],
      ["sailpoint-acct-chng", ["ACCOUNT_CHANGE"]],
      ["sailpoint-sched-job", ["SCHEDULED_JOB_ACTIVITY"]],
      ["okta-auth", ["AUTHENTICATION"]],
      ["okta-acct-chng", ["ACCOUNT_CHANGE"]],
      ["onelogin-auth", ["AUTHENTICATION"]],
      ["zscaler-dspm-finding", ["SECURITY_FINDING"]],
    ]);
    const auth = created[0] as { configuration: { providerIdentity: object; crawlerConfiguration: object } };
    // Security Lake's principal is an account id (AwsIdentity.principal pattern): the convert role's account.
    expect(auth.configuration.providerIdentity).toEqual({
      principal: ACCOUNT,
      externalId: "seclake-prod-sailpoint-auth",
    });
    expect(auth.configuration.crawlerConfiguration).toEqual({
      roleArn: `arn:aws:iam::${ACCOUNT}:role/seclake-prod-sailpoint-lake-crawler`,
    });
  });

  it("Convert assumes the provider roles Security Lake created, and the state machine starts their crawlers", () => {
    const convert = ofType("aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "okta-convert-policy");
    const assume = JSON.parse(convert?.inputs.policy as string).Statement.find(
      (s: { Sid: string }) => s.Sid === "AssumeProviderRoles",
    );
    expect(assume.Resource).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/AmazonSecurityLake-Provider-okta-auth-${REGION}`,
      `arn:aws:iam::${ACCOUNT}:role/AmazonSecurityLake-Provider-okta-acct-chng-${REGION}`,
    ]);
    const sm = ofType("aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "okta-sm-policy");
    const start = JSON.parse(sm?.inputs.policy as string).Statement.find(
      (s: { Sid: string }) => s.Sid === "StartLakeCrawlers",
    );
    expect(start).toEqual({
      Sid: "StartLakeCrawlers",
      Effect: "Allow",
      Action: ["glue:StartCrawler"],
      Resource: [lakeCrawler("okta-auth"), lakeCrawler("okta-acct-chng")],
    });
    const convertFn = ofType("aws:lambda/function:Function").find(
      (r) => r.name === "okta-convert",
    ) as Recorded;
    const env = loadEnvironment(
      (convertFn.inputs.environment as { variables: Record<string, string> }).variables,
    );
    expect(env.customSources.map((s) => s.crawlerName)).toEqual(["okta-auth", "okta-acct-chng"]);
  });

  it("Convert writes under each source's versioned location, as Security Lake reports it", () => {
    const convertFn = ofType("aws:lambda/function:Function").find(
      (r) => r.name === "okta-convert",
    ) as Recorded;
    const env = loadEnvironment(
      (convertFn.inputs.environment as { variables: Record<string, string> }).variables,
    );
    // The provider role may only write below ext/<name>/<sourceVersion>/ (harness: as Security Lake returns it).
    expect(env.customSources.map((s) => s.lakePrefix)).toEqual([
      "ext/okta-auth/1.0/",
      "ext/okta-acct-chng/1.0/",
    ]);
  });

  it("the Security Lake crawler role reads only ext/<source>/ of the lake bucket", () => {
    const policy = ofType("aws:iam/rolePolicy:RolePolicy").find(
      (r) => r.name === "sailpoint-sources-crawler-policy",
    );
    const bucket = "arn:aws:s3:::aws-security-data-lake-us-east-1-exampleprodexampleprod";
    const db = "amazon_security_lake_glue_db_us_east_1";
    const found = auditPolicy(policy?.inputs.policy, {
      s3Write: [],
      s3Read: ["sailpoint-auth", "sailpoint-acct-chng", "sailpoint-sched-job"].map(
        (s) => `${bucket}/ext/${s}/*`,
      ),
      s3Buckets: [bucket],
      assumeRole: [],
      ssm: [],
      secrets: [],
      glue: [
        `arn:aws:glue:${REGION}:444455556666:catalog`,
        `arn:aws:glue:${REGION}:444455556666:database/${db}`,
        `arn:aws:glue:${REGION}:444455556666:table/${db}/*`,
      ],
      lambda: [],
      states: [],
      logs: [`arn:aws:logs:${REGION}:444455556666:log-group:/aws-glue/crawlers:*`],
    });
    expect(found).toEqual([]);
  });

  it("outputs give each custom source's provider role and S3 location from Security Lake", async () => {
    const sources = (await resolve(program.customSources as pulumi.Input<Record<string, unknown>>)) as Record<
      string,
      Record<string, unknown>
    >;
    expect(sources["zscaler-dspm-finding"]).toEqual({
      classUid: 2001,
      providerRoleArn: `arn:aws:iam::${ACCOUNT}:role/AmazonSecurityLake-Provider-zscaler-dspm-finding-${REGION}`,
      s3Location: `s3://aws-security-data-lake-${REGION}-exampleprodexampleprod/ext/zscaler-dspm-finding/1.0/`,
      externalId: "seclake-prod-zscaler-dspm-finding",
    });
  });
});
