import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { asPulumiConfig, readStackYaml, syntheticCredentials } from "./stackConfig.ts";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";

/** One `newResource` call the program made under mocks. */
export interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly state: Record<string, unknown>;
}

/** The options one resource (custom or component) was declared with, seen by a stack transformation. */
export interface Declared {
  readonly type: string;
  readonly name: string;
  readonly parentName: string | undefined;
  readonly ignoreChanges: readonly string[] | undefined;
  /** Names of the resources it was declared to depend on. */
  readonly dependsOn: readonly string[];
}

/** Outputs AWS would compute, faked from the inputs so that ARNs carry the physical names. */
function computed(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const n = (inputs.name as string | undefined) ?? name;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  switch (type) {
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::${ACCOUNT}:role/${n}`, id: n };
    case "aws:lambda/function:Function":
      return { arn: arn("lambda", `function:${n}`) };
    case "aws:ssm/parameter:Parameter":
      return { arn: arn("ssm", `parameter${n}`) };
    case "aws:secretsmanager/secret:Secret":
      return { arn: arn("secretsmanager", `secret:${n}-AbCdEf`) };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { arn: arn("logs", `log-group:${n}`) };
    case "aws:glue/crawler:Crawler":
      return { arn: arn("glue", `crawler/${n}`) };
    case "aws:glue/catalogDatabase:CatalogDatabase":
      return { arn: arn("glue", `database/${n}`) };
    case "aws:sfn/stateMachine:StateMachine":
      return { arn: arn("states", `stateMachine:${n}`) };
    case "aws:s3/bucket:Bucket": {
      const bucket = `${inputs.bucketPrefix as string}20261125abcdef`;
      return { bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    case "aws:securitylake/customLogSource:CustomLogSource": {
      const source = inputs.sourceName as string;
      return {
        providerDetails: [
          {
            roleArn: `arn:aws:iam::${ACCOUNT}:role/AmazonSecurityLake-Provider-${source}-${REGION}`,
            location: `s3://aws-security-data-lake-${REGION}-exampleprodexampleprod/ext/${source}/1.0/`,
          },
        ],
        attributes: [{ crawlerArn: arn("glue", `crawler/${source}`), databaseArn: "", tableArn: "" }],
      };
    }
    default:
      return {};
  }
}

/**
 * Runs infra/index.ts under Pulumi mocks with a stack's YAML config (plus synthetic credentials as a
 * secret, as `pulumi config set --secret` would), and records every resource. `change` edits the config
 * first. Resolves after every resource registration has finished.
 */
export async function runProgram(
  stack: string,
  change: (config: Record<string, unknown>) => void = () => {},
  /** false: import the program bare, without a root stack (a failing program then rejects cleanly). */
  inStack = true,
  /** The account the credentials belong to (aws.getCallerIdentity). */
  callerAccount = ACCOUNT,
): Promise<{ resources: Recorded[]; declared: Declared[]; program: Record<string, unknown> }> {
  const resources: Recorded[] = [];
  const declared: Declared[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const state = { ...args.inputs, ...computed(args.type, args.name, args.inputs) };
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, state });
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        // The deploying account, as `pulumi preview` would see it.
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
          return {
            accountId: callerAccount,
            arn: `arn:aws:iam::${callerAccount}:user/deployer`,
            userId: "x",
          };
        }
        return args.inputs;
      },
    },
    "seclake-pipelines",
    stack,
    false,
  );
  const config = structuredClone(readStackYaml(stack));
  config["seclake-pipelines:credentials"] = syntheticCredentials(config);
  change(config);
  pulumi.runtime.setAllConfig(asPulumiConfig(config), ["seclake-pipelines:credentials"]);
  process.env.SECLAKE_BUNDLE_DIR = mkdtempSync(join(tmpdir(), "seclake-infra-bundle-"));
  try {
    if (!inStack) {
      const program = { ...((await import(programModule())) as Record<string, unknown>) };
      await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
      return { resources, declared, program };
    }
    let program: Record<string, unknown> = {};
    // Inside a root stack, as `pulumi up` runs it, so a stack transformation can see every resource's options.
    await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((args) => {
        const parent = args.opts.parent as unknown as { __name?: string } | undefined;
        declared.push({
          type: args.type,
          name: args.name,
          parentName: parent?.__name,
          ignoreChanges: args.opts.ignoreChanges,
          dependsOn: ([] as unknown[])
            .concat(args.opts.dependsOn ?? [])
            .map((r) => (r as { __name?: string }).__name ?? "?"),
        });
        return undefined;
      });
      program = { ...((await import(programModule())) as Record<string, unknown>) };
      return program;
    });
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return { resources, declared, program };
  } catch (error) {
    // Keep what was registered before the failure visible to the caller.
    throw Object.assign(error as Error, { resources });
  }
}

let runs = 0;

/**
 * The program's module id, fresh for each run: a module runs once per id, and a test file may run the
 * program more than once (each with its own config).
 */
function programModule(): string {
  runs += 1;
  return runs === 1 ? "../../infra/index.ts" : `../../infra/index.ts?run=${runs}`;
}

/** Resolves any Output (or plain value, or object of Outputs) to its plain value. */
export function resolve<T>(value: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((done) => pulumi.output(value).apply(done));
}
