import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ConnectorConfig } from "./config.ts";
import { initialCheckpoint } from "./lambdaEnvironment.ts";
import type { ConnectorNames } from "./names.ts";

/** Permanent type token (see CONNECTOR_TYPE). */
export const STATE_TYPE = "seclake:index:ConnectorState";

export interface ConnectorStateArgs {
  readonly connector: ConnectorConfig;
  readonly names: ConnectorNames;
  readonly tags: Record<string, string>;
  /** API credentials as a Pulumi secret; absent for connectors that call no API. */
  readonly credentials?: pulumi.Output<Record<string, string>>;
}

/**
 * What a connector keeps between executions: its checkpoint parameter (owned by the pipeline once
 * created: a `pulumi up` must never rewind it) and the secret holding its API credentials.
 */
export class ConnectorState extends pulumi.ComponentResource {
  public readonly checkpoint: aws.ssm.Parameter;
  public readonly secret: aws.secretsmanager.Secret | undefined;

  constructor(name: string, args: ConnectorStateArgs, opts?: pulumi.ComponentResourceOptions) {
    super(STATE_TYPE, name, {}, opts);
    const { connector: c, names, tags } = args;
    this.checkpoint = new aws.ssm.Parameter(
      `${name}-checkpoint`,
      {
        name: names.checkpointParameter,
        type: "String",
        tier: "Standard",
        value: initialCheckpoint(new Date(), c.initialLookbackHours),
        description: `seclake checkpoint of connector ${c.name}; written by the pipeline, not by Pulumi`,
        tags,
      },
      { parent: this, ignoreChanges: ["value"] },
    );
    if (args.credentials) {
      this.secret = new aws.secretsmanager.Secret(
        `${name}-secret`,
        {
          name: names.secret,
          description: `API credentials of seclake connector ${c.name}`,
          // Deleted at once on destroy (default: 30 days during which the name cannot be reused, so a
          // re-created stack or connector would fail CreateSecret). The value's source of truth is the
          // stack's encrypted config, so nothing is lost.
          recoveryWindowInDays: 0,
          tags,
        },
        { parent: this },
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-secret-version`,
        {
          secretId: this.secret.id,
          secretString: pulumi.secret(args.credentials.apply((v) => JSON.stringify(v))),
        },
        { parent: this.secret },
      );
    }
    this.registerOutputs({ checkpointName: this.checkpoint.name });
  }
}
