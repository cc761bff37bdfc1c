import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigError } from "../core/errors.ts";
import type { SecretsProvider } from "../core/ports.ts";

/**
 * Secrets Manager: the secret string is a JSON object of string fields ({ clientId, clientSecret } or
 * { apiToken }). Not cached here: connectors cache tokens, and a 401 must be able to read a rotated value.
 * Errors name the secret id and the problem, never the value.
 */
export class SecretsManagerProvider implements SecretsProvider {
  constructor(private readonly client: SecretsManagerClient) {}

  async get(secretId: string): Promise<Readonly<Record<string, string>>> {
    let text: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      text = out.SecretString;
    } catch (error) {
      const name = (error as { name?: string }).name ?? "Error";
      if (name === "ResourceNotFoundException") {
        throw new ConfigError(`secret ${secretId}: not found; create it or fix the connector's secret name`, {
          cause: error,
        });
      }
      if (name === "AccessDeniedException") {
        throw new ConfigError(
          `secret ${secretId}: access denied; the fetch role needs secretsmanager:GetSecretValue`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    if (text === undefined)
      throw new ConfigError(`secret ${secretId}: has no SecretString (binary secrets are not supported)`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // The parser's message would quote part of the value.
      throw new ConfigError(`secret ${secretId}: SecretString is not a JSON object`);
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      throw new ConfigError(`secret ${secretId}: SecretString is not a JSON object`);
    }
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(json)) {
      if (typeof value !== "string")
        throw new ConfigError(`secret ${secretId}: field ${key} is not a string`);
      fields[key] = value;
    }
    return fields;
  }
}
