import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../functions/core/errors.ts";
import {
  lakeAccountProblem,
  lakeKeyPrefix,
  loadConfig,
  PROJECT,
  type RawConfig,
} from "../../../infra/config.ts";
import { asPulumiConfig, readStackYaml, syntheticCredentials } from "../../helpers/stackConfig.ts";

type Mutable = Record<string, unknown> & { [key: string]: unknown };

/** The dev stack's config, a change applied to it, and credentials as a secret. */
function raw(change: (config: Mutable) => void = () => {}, secretKeys?: string[]): RawConfig {
  const config = structuredClone(readStackYaml("dev")) as Mutable;
  config[`${PROJECT}:credentials`] = syntheticCredentials(config);
  change(config);
  const strings = asPulumiConfig(config);
  const secrets = new Set(secretKeys ?? [`${PROJECT}:credentials`]);
  return { get: (k) => strings[k], isSecret: (k) => secrets.has(k) };
}
const connectors = (config: Mutable) => config[`${PROJECT}:connectors`] as Mutable[];
const sources = (config: Mutable, i: number) => connectors(config)[i]?.customSources as Mutable[];
const load = (change: (config: Mutable) => void, secretKeys?: string[]) => () =>
  loadConfig(raw(change, secretKeys), "dev");

const OKTA_PUSH = 4;
const push = (c: Mutable) => connectors(c)[OKTA_PUSH] as Mutable;
/** Push connector mistakes, each reported on the key to fix (infra/config.ts, pushProblems). */
const PUSH_CASES: [string, (c: Mutable) => void, RegExp][] = [
  [
    "push for a kind without a partner event source",
    (c) => {
      Object.assign(connectors(c)[0] as Mutable, { mode: "push", eventSource: "aws.partner/x.com/a/b" });
    },
    /connectors\[0\]\.mode: push is only for kind okta or onelogin \(EventBridge partner event sources\), not sailpoint/,
  ],
  [
    "push without eventSource",
    (c) => delete push(c).eventSource,
    /connectors\[4\]\.eventSource: is required for mode push: the partner event source name \(aws\.partner\/okta\.com\/…\)/,
  ],
  [
    "eventSource on a pull connector",
    (c) => {
      (connectors(c)[1] as Mutable).eventSource = "aws.partner/okta.com/example/x";
    },
    /connectors\[1\]\.eventSource: is only for mode push/,
  ],
  [
    "an Okta connector with OneLogin's event source",
    (c) => {
      push(c).eventSource = "aws.partner/onelogin.com/US-123456/abc";
    },
    /connectors\[4\]\.eventSource: must start with aws\.partner\/okta\.com\/ for kind okta, got "aws\.partner\/onelogin\.com/,
  ],
  [
    "a OneLogin push connector with Okta's event source",
    (c) => {
      Object.assign(connectors(c)[2] as Mutable, { mode: "push", eventSource: "aws.partner/okta.com/a/b" });
    },
    /connectors\[2\]\.eventSource: must start with aws\.partner\/onelogin\.com\/ for kind onelogin/,
  ],
  [
    "a space in the event source (EventBridge: [.-_A-Za-z0-9] between slashes)",
    (c) => {
      push(c).eventSource = "aws.partner/okta.com/example/my stream";
    },
    /connectors\[4\]\.eventSource: must be at most 256 characters of A-Z a-z 0-9 \. - _ in \/-separated parts/,
  ],
  [
    "nothing after the vendor (EventBridge needs two parts after aws.partner)",
    (c) => {
      push(c).eventSource = "aws.partner/okta.com/";
    },
    /connectors\[4\]\.eventSource: must be at most 256 characters/,
  ],
  [
    "an event source over EventBridge's 256 characters",
    (c) => {
      push(c).eventSource = `aws.partner/okta.com/example/${"s".repeat(230)}`;
    },
    /connectors\[4\]\.eventSource: must be at most 256 characters/,
  ],
  [
    "two push connectors on one event source",
    (c) => {
      connectors(c).push({
        ...structuredClone(push(c)),
        name: "okta-push-2",
        customSources: [
          {
            name: "okta-eb2-auth",
            classUid: 3002,
            providerRoleArn: "arn:aws:iam::111122223333:role/p",
            externalId: "okta-eb2-auth-ext",
          },
        ],
      });
      (c[`${PROJECT}:credentials`] as Mutable)["okta-push-2"] = { apiToken: "syn-okta-token-2" };
    },
    /connectors\[5\]\.eventSource: "aws\.partner\/okta\.com\/example\/seclakedev" is also connectors\[4\]\.eventSource/,
  ],
  [
    "staging that forgets before the queue does",
    (c) => {
      c[`${PROJECT}:staging`] = { expirationDays: 7 };
    },
    /staging\.expirationDays: must be at least 14 with a push connector \(connectors\[4\]\): its de-dup ledger lives in staging and must outlive the queue's 14-day retention, got 7/,
  ],
];

describe("stack config", () => {
  it("Pulumi.dev.yaml and Pulumi.prod.yaml load, with their connectors and defaults", () => {
    const dev = loadConfig(raw(), "dev");
    expect(dev.stack.connectors.map((c) => [c.name, c.kind])).toEqual([
      ["sailpoint-prod", "sailpoint"],
      ["okta-prod", "okta"],
      ["onelogin-prod", "onelogin"],
      ["dspm-inbox", "s3-inbox"],
      ["okta-push", "okta"],
    ]);
    expect(dev.stack.connectors.map((c) => c.mode)).toEqual(["pull", "pull", "pull", "pull", "push"]);
    expect(dev.stack.connectors[4]?.eventSource).toBe("aws.partner/okta.com/example/seclakedev");
    expect(dev.stack.connectors[0]?.customSources.map((s) => [s.name, s.classUid])).toEqual([
      ["sailpoint-auth", 3002],
      ["sailpoint-acct-chng", 3001],
      ["sailpoint-sched-job", 1006],
    ]);
    expect(dev.stack.connectors[3]?.customSources[0]?.classUid).toBe(2001);
    expect(dev.stack.connectors[2]).toMatchObject({
      lagSeconds: 300,
      initialLookbackHours: 24,
      maxWindowMinutes: 60,
    });
    expect(Object.keys(dev.credentials)).toEqual([
      "sailpoint-prod",
      "okta-prod",
      "onelogin-prod",
      "okta-push",
    ]);

    const prodYaml = readStackYaml("prod") as Mutable;
    prodYaml[`${PROJECT}:credentials`] = syntheticCredentials(prodYaml);
    const strings = asPulumiConfig(prodYaml);
    const prod = loadConfig({ get: (k) => strings[k], isSecret: () => true }, "prod");
    expect(prod.stack.securityLake.createCustomSources).toBe(true);
  });

  it.each([
    [
      "missing tenant",
      (c: Mutable) => delete connectors(c)[1]?.baseUrl,
      /connectors\[1\]\.baseUrl: is required for kind okta/,
    ],
    [
      "schedule every minute",
      (c: Mutable) => {
        (connectors(c)[0] as Mutable).schedule = "rate(1 minute)";
      },
      /connectors\[0\]\.schedule: "rate\(1 minute\)" runs every 1 minute\(s\); the minimum is every 5 minutes/,
    ],
    [
      "SailPoint maxEvents 50,000",
      (c: Mutable) => {
        (connectors(c)[0] as Mutable).maxEvents = 50_000;
      },
      /connectors\[0\]\.maxEvents: must be at most 10000 for SailPoint/,
    ],
    [
      "custom source name with /",
      (c: Mutable) => {
        (sources(c, 0)[0] as Mutable).name = "sailpoint/auth";
      },
      /connectors\[0\]\.customSources\[0\]\.name: must be 1-20 characters/,
    ],
    [
      "duplicate custom source names",
      (c: Mutable) => {
        (sources(c, 1)[0] as Mutable).name = "sailpoint-auth";
      },
      /connectors\[1\]\.customSources\[0\]\.name: "sailpoint-auth" is also connectors\[0\]\.customSources\[0\]\.name/,
    ],
    [
      "custom source name over 20 characters",
      (c: Mutable) => {
        (sources(c, 0)[0] as Mutable).name = "sailpoint-authentication";
      },
      /customSources\[0\]\.name: must be 1-20 characters/,
    ],
    [
      "existing source without provider role",
      (c: Mutable) => delete (sources(c, 2)[0] as Mutable).providerRoleArn,
      /connectors\[2\]\.customSources\[0\]\.providerRoleArn: required when securityLake\.createCustomSources is false/,
    ],
    [
      "unknown OCSF class",
      (c: Mutable) => {
        (sources(c, 2)[0] as Mutable).classUid = 9999;
      },
      /customSources\[0\]\.classUid: is not an OCSF 1\.1\.0 class uid/,
    ],
    [
      "two sources of one class in a connector",
      (c: Mutable) => {
        (sources(c, 0)[1] as Mutable).classUid = 3002;
      },
      /connectors\[0\]\.customSources\[1\]\.classUid: class 3002 already has a custom source/,
    ],
    [
      "s3-inbox without inbox",
      (c: Mutable) => delete connectors(c)[3]?.inbox,
      /connectors\[3\]\.inbox: is required for kind s3-inbox/,
    ],
    [
      "account id as a YAML number",
      (c: Mutable) => {
        (c[`${PROJECT}:securityLake`] as Mutable).accountId = 111122223333;
      },
      /securityLake\.accountId: /,
    ],
    [
      "duplicate connector names",
      (c: Mutable) => {
        (connectors(c)[2] as Mutable).name = "okta-prod";
      },
      /connectors\[2\]\.name: "okta-prod" is also connectors\[1\]\.name/,
    ],
    [
      "provider role in another account",
      (c: Mutable) => {
        (sources(c, 2)[0] as Mutable).providerRoleArn =
          "arn:aws:iam::999988887777:role/AmazonSecurityLake-Provider-x";
      },
      /providerRoleArn: is in account 999988887777, but securityLake\.accountId is 111122223333/,
    ],
    [
      "a cron EventBridge Scheduler rejects (day-of-month and day-of-week both set)",
      (c: Mutable) => {
        (connectors(c)[0] as Mutable).schedule = "cron(0 12 1 * MON *)";
      },
      /connectors\[0\]\.schedule: "cron\(0 12 1 \* MON \*\)": one of day-of-month and day-of-week must be "\?"/,
    ],
    [
      "an existing source's location outside the lake bucket",
      (c: Mutable) => {
        (sources(c, 0)[0] as Mutable).location = "s3://some-other-bucket/ext/sailpoint-auth/";
      },
      /customSources\[0\]\.location: is in bucket some-other-bucket, but securityLake\.bucket is aws-security-data-lake-/,
    ],
    [
      "an existing source's location outside ext/",
      (c: Mutable) => {
        (sources(c, 0)[0] as Mutable).location =
          "s3://aws-security-data-lake-us-east-1-exampleexampleexample/sailpoint-auth/";
      },
      /customSources\[0\]\.location: must be under ext\//,
    ],
    [
      "a location for a source the stack creates",
      (c: Mutable) => {
        (c[`${PROJECT}:securityLake`] as Mutable).createCustomSources = true;
        (sources(c, 0)[0] as Mutable).location =
          "s3://aws-security-data-lake-us-east-1-exampleexampleexample/ext/sailpoint-auth/";
      },
      /customSources\[0\]\.location: is taken from Security Lake/,
    ],
    [
      "a Security Lake crawler to start from another region",
      (c: Mutable) => {
        c["aws:region"] = "eu-west-1";
        (sources(c, 0)[0] as Mutable).crawlerName = "sailpoint-auth";
      },
      /customSources\[0\]\.crawlerName: the stack deploys to aws:region eu-west-1, but securityLake\.region is us-east-1/,
    ],
    [
      "custom sources created from another region",
      (c: Mutable) => {
        c["aws:region"] = "eu-west-1";
        (c[`${PROJECT}:securityLake`] as Mutable).createCustomSources = true;
        delete (sources(c, 0)[0] as Mutable).location;
      },
      /securityLake\.createCustomSources: the stack deploys to aws:region eu-west-1/,
    ],
    [
      "a KMS key alias instead of a key ARN",
      (c: Mutable) => {
        (connectors(c)[3]?.inbox as Mutable).kmsKeyArn = "arn:aws:kms:us-east-1:111122223333:alias/dspm";
      },
      /connectors\[3\]\.inbox\.kmsKeyArn: must be a KMS key ARN/,
    ],
    [
      "a staging KMS key without a shared staging bucket",
      (c: Mutable) => {
        c[`${PROJECT}:staging`] = {
          expirationDays: 14,
          kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        };
      },
      /staging\.kmsKeyArn: is only for a shared staging\.bucket/,
    ],
    [
      "external IDs so long that the Lambda environment passes 4 KB",
      (c: Mutable) => {
        for (const source of sources(c, 1)) source.externalId = "x".repeat(600);
      },
      /connectors\[1\]: the Lambda environment would be \d+ bytes, over Lambda's 4096-byte limit/,
    ],
    ...PUSH_CASES,
  ])("%s → a ConfigError naming the key", (_what, change, message) => {
    expect(load(change)).toThrow(ConfigError);
    expect(load(change)).toThrow(message);
    expect(load(change)).toThrow(/^invalid stack config/);
  });

  it("reports every problem at once, each with the project-qualified key", () => {
    const change = (c: Mutable) => {
      delete connectors(c)[1]?.baseUrl;
      (connectors(c)[0] as Mutable).maxEvents = 50_000;
    };
    expect(load(change)).toThrow(
      /seclake-pipelines:connectors\[0\]\.maxEvents[\s\S]*seclake-pipelines:connectors\[1\]\.baseUrl/,
    );
  });

  it("credentials: missing, not secret, or incomplete → named, with the command to set them, and no value echoed", () => {
    expect(load((c) => delete c[`${PROJECT}:credentials`])).toThrow(
      /credentials\["okta-prod"\]: missing; set it with pulumi config set --secret --path 'credentials\["okta-prod"\]\.apiToken'/,
    );
    expect(load(() => {}, [])).toThrow(/seclake-pipelines:credentials: must be set with --secret/);
    const partial = (c: Mutable) => {
      (c[`${PROJECT}:credentials`] as Mutable)["sailpoint-prod"] = { clientId: "syn-visible-id" };
    };
    expect(load(partial)).toThrow(/credentials\["sailpoint-prod"\]: clientSecret: missing/);
    try {
      load(partial)();
    } catch (error) {
      expect((error as Error).message).not.toContain("syn-visible-id");
      expect((error as Error).message).not.toContain("syn-secret");
    }
  });

  it("a push connector needs no credentials and no baseUrl (only a backfill does), and a short staging expiry is fine without one", () => {
    const { stack, credentials } = loadConfig(
      raw((c) => {
        delete (c[`${PROJECT}:credentials`] as Mutable)["okta-push"];
        delete push(c).baseUrl;
      }),
      "dev",
    );
    expect(stack.connectors[OKTA_PUSH]).toMatchObject({ mode: "push", name: "okta-push" });
    expect(stack.connectors[OKTA_PUSH]?.baseUrl).toBeUndefined();
    expect(credentials["okta-push"]).toBeUndefined();
    const pullOnly = loadConfig(
      raw((c) => {
        connectors(c).splice(OKTA_PUSH, 1);
        delete (c[`${PROJECT}:credentials`] as Mutable)["okta-push"];
        c[`${PROJECT}:staging`] = { expirationDays: 7 };
      }),
      "dev",
    );
    expect(pullOnly.stack.staging.expirationDays).toBe(7);
  });

  it("a push connector's credentials, when given, are checked like a pull connector's", () => {
    expect(
      load((c) => {
        (c[`${PROJECT}:credentials`] as Mutable)["okta-push"] = { token: "syn-wrong-field" };
      }),
    ).toThrow(/credentials\["okta-push"\]: apiToken, \(value\): missing or not a non-empty string/);
  });

  it("a stack name that would make names too long is rejected before any resource", () => {
    expect(() => loadConfig(raw(), "a-really-long-stack-name-for-tests")).toThrow(
      /limit is 64: shorten the stack name/,
    );
  });
});

describe("where the stack deploys", () => {
  it("a location's key prefix in the lake bucket, with or without its trailing slash", () => {
    const bucket = "aws-security-data-lake-us-east-1-x";
    expect(lakeKeyPrefix(`s3://${bucket}/ext/okta-auth/1.0/`, bucket)).toBe("ext/okta-auth/1.0/");
    expect(lakeKeyPrefix(`s3://${bucket}/ext/okta-auth`, bucket)).toBe("ext/okta-auth/");
    expect(() => lakeKeyPrefix("s3://other/ext/okta-auth/", bucket)).toThrow(ConfigError);
  });

  it("starting Security Lake's crawlers needs the lake's account (checked against the caller at deploy)", () => {
    const { stack } = loadConfig(
      raw((c) => {
        (sources(c, 0)[0] as Mutable).crawlerName = "sailpoint-auth";
      }),
      "dev",
    );
    expect(lakeAccountProblem(stack, "111122223333")).toBeUndefined();
    expect(lakeAccountProblem(stack, "999988887777")).toMatch(
      /connectors\[0\]\.customSources\[0\]\.crawlerName: the stack deploys to account 999988887777, but securityLake\.accountId is 111122223333/,
    );
    expect(lakeAccountProblem(loadConfig(raw(), "dev").stack, "999988887777")).toBeUndefined();
  });
});
