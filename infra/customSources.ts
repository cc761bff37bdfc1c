import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ConnectorConfig, StackConfig } from "./config.ts";
import { lakeKeyPrefix } from "./config.ts";
import { lakeCrawlerPolicy } from "./crawlerPolicies.ts";
import type { ConnectorNames } from "./names.ts";
import { lakePrefix, policyJson, trustPolicy } from "./policies.ts";
import { securityLakeEventClass } from "./securityLakeClasses.ts";

/** Permanent type token (see CONNECTOR_TYPE). */
export const CUSTOM_SOURCES_TYPE = "seclake:index:CustomSources";

/** One Security Lake custom source as the stack sees it after deployment. */
export interface CustomSourceOutputs {
  readonly name: string;
  readonly classUid: number;
  readonly providerRoleArn: pulumi.Output<string>;
  readonly externalId: string;
  /** `s3://<lake bucket>/ext/<name>/[<version>/]`, where Convert writes this source's Parquet. */
  readonly location: pulumi.Output<string>;
  /** The location's key prefix in the lake bucket (`ext/<name>/[<version>/]`): every Parquet key starts with it. */
  readonly lakePrefix: pulumi.Output<string>;
  /** Security Lake's crawler of the source, which the state machine starts after Convert (if known). */
  readonly lakeCrawlerArn?: pulumi.Output<string>;
}

export interface CustomSourcesArgs {
  readonly connector: ConnectorConfig;
  readonly names: ConnectorNames;
  readonly lake: StackConfig["securityLake"];
  readonly partition: string;
  /** The account Security Lake trusts to assume the provider roles (the Convert role's). */
  readonly providerPrincipal: pulumi.Output<string>;
  readonly tags: Record<string, string>;
}

/**
 * A connector's Security Lake custom sources: created here (with their Glue crawler role) when
 * `securityLake.createCustomSources`, or the existing ones the config names. Either way each source's
 * location comes from Security Lake (providerDetails, or the `location` the console shows), because the
 * provider role may only write there: a source created with a sourceVersion lives at
 * `ext/<name>/<version>/`, not `ext/<name>/`.
 */
export class CustomSources extends pulumi.ComponentResource {
  public readonly sources: readonly CustomSourceOutputs[];

  constructor(name: string, args: CustomSourcesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CUSTOM_SOURCES_TYPE, name, {}, opts);
    const { connector: c, lake } = args;
    if (!lake.createCustomSources) {
      this.sources = c.customSources.map((s) => {
        const location = withSlash(s.location ?? `s3://${lake.bucket}/${lakePrefix(s.name)}`);
        return {
          name: s.name,
          classUid: s.classUid,
          externalId: s.externalId as string,
          providerRoleArn: pulumi.output(s.providerRoleArn as string),
          location: pulumi.output(location),
          lakePrefix: pulumi.output(lakeKeyPrefix(location, lake.bucket)),
          ...(s.crawlerName
            ? {
                lakeCrawlerArn: pulumi.output(
                  `arn:${args.partition}:glue:${lake.region}:${lake.accountId}:crawler/${s.crawlerName}`,
                ),
              }
            : {}),
        };
      });
      this.registerOutputs({});
      return;
    }
    const crawlerRole = new aws.iam.Role(
      `${name}-crawler-role`,
      {
        name: args.names.lakeCrawlerRole,
        assumeRolePolicy: JSON.stringify(trustPolicy("glue.amazonaws.com")),
        tags: args.tags,
      },
      { parent: this },
    );
    const crawlerPolicy = new aws.iam.RolePolicy(
      `${name}-crawler-policy`,
      {
        role: crawlerRole.id,
        policy: policyJson(
          lakeCrawlerPolicy({
            partition: args.partition,
            region: lake.region,
            accountId: lake.accountId,
            lakeBucket: lake.bucket,
            customSources: c.customSources.map((s) => s.name),
            ...(lake.kmsKeyArn ? { lakeKmsKeyArn: lake.kmsKeyArn } : {}),
          }),
        ),
      },
      { parent: crawlerRole },
    );
    this.sources = c.customSources.map((s) => {
      const eventClass = securityLakeEventClass(s.classUid);
      const source = new aws.securitylake.CustomLogSource(
        `${name}-${s.name}`,
        {
          sourceName: s.name,
          sourceVersion: lake.sourceVersion,
          // Optional in the API; infra/index.ts warns about a class Security Lake does not list.
          ...(eventClass ? { eventClasses: [eventClass] } : {}),
          configuration: {
            crawlerConfiguration: { roleArn: crawlerRole.arn },
            providerIdentity: { externalId: s.externalId as string, principal: args.providerPrincipal },
          },
        },
        // Security Lake's crawler checks its role when the source is created.
        { parent: this, dependsOn: [crawlerPolicy] },
      );
      const provider = source.providerDetails.apply((d) => d[0]);
      const location = provider.apply((d) =>
        withSlash(required(d?.location, `${s.name}: providerDetails.location`)),
      );
      return {
        name: s.name,
        classUid: s.classUid,
        externalId: s.externalId as string,
        providerRoleArn: provider.apply((d) => required(d?.roleArn, `${s.name}: providerDetails.roleArn`)),
        location,
        lakePrefix: location.apply((l) => lakeKeyPrefix(l, lake.bucket)),
        lakeCrawlerArn: source.attributes.apply((a) => required(a[0]?.crawlerArn, `${s.name}: crawlerArn`)),
      };
    });
    this.registerOutputs({});
  }
}

function withSlash(location: string): string {
  return location.endsWith("/") ? location : `${location}/`;
}

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`Security Lake did not return ${what}`);
  return value;
}
