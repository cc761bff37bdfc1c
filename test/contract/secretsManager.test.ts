import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { EnvSecretsProvider } from "../../functions/adapters/envSecrets.ts";
import { SecretsManagerProvider } from "../../functions/adapters/secretsManager.ts";
import { ConfigError } from "../../functions/core/errors.ts";

const SECRET = "synSecretValue-9f8e7d";

function provider(response: () => unknown) {
  const client = new SecretsManagerClient({
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  });
  const mock = mockClient(client);
  mock.on(GetSecretValueCommand).callsFake(response);
  return { provider: new SecretsManagerProvider(client), mock };
}

describe("SecretsManagerProvider", () => {
  it("returns the secret's JSON fields and asks for the given id", async () => {
    const { provider: p, mock } = provider(() => ({
      SecretString: JSON.stringify({ clientId: "id", clientSecret: SECRET }),
    }));
    expect(await p.get("seclake/okta")).toEqual({ clientId: "id", clientSecret: SECRET });
    expect(mock.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: "seclake/okta" });
  });

  it.each([
    [
      "a missing secret",
      () => {
        throw new ResourceNotFoundException({
          message: "Secrets Manager can't find the specified secret.",
          $metadata: {},
        });
      },
      /not found/,
    ],
    ["a non-JSON value", () => ({ SecretString: `token=${SECRET}` }), /not a JSON object/],
    [
      "a non-string field",
      () => ({ SecretString: JSON.stringify({ apiToken: 42, other: SECRET }) }),
      /apiToken is not a string/,
    ],
    ["a binary secret", () => ({ SecretBinary: new Uint8Array([1]) }), /no SecretString/],
  ])("turns %s into a ConfigError that never quotes the value", async (_name, response, pattern) => {
    const { provider: p } = provider(response);
    const error = await p.get("seclake/okta").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(pattern);
    expect(String((error as Error).message)).not.toContain(SECRET);
  });
});

describe("EnvSecretsProvider", () => {
  it("maps SECLAKE_* variables to secret fields", async () => {
    const p = new EnvSecretsProvider({
      SECLAKE_CLIENT_ID: "id",
      SECLAKE_CLIENT_SECRET: "s",
      SECLAKE_API_TOKEN: "t",
    });
    expect(await p.get("any")).toEqual({ clientId: "id", clientSecret: "s", apiToken: "t" });
    expect(await new EnvSecretsProvider({}).get("any")).toEqual({});
  });
});
