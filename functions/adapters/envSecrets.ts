import type { SecretsProvider } from "../core/ports.ts";

/**
 * Local runs: SECLAKE_CLIENT_ID / SECLAKE_CLIENT_SECRET (OAuth sources) and SECLAKE_API_TOKEN (Okta SSWS),
 * whatever secret id is asked for. Unset variables are simply absent; the connector names what is missing.
 */
export class EnvSecretsProvider implements SecretsProvider {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(_secretId: string): Promise<Readonly<Record<string, string>>> {
    const fields: Record<string, string> = {};
    const { SECLAKE_CLIENT_ID, SECLAKE_CLIENT_SECRET, SECLAKE_API_TOKEN } = this.env;
    if (SECLAKE_CLIENT_ID) fields.clientId = SECLAKE_CLIENT_ID;
    if (SECLAKE_CLIENT_SECRET) fields.clientSecret = SECLAKE_CLIENT_SECRET;
    if (SECLAKE_API_TOKEN) fields.apiToken = SECLAKE_API_TOKEN;
    return fields;
  }
}

/** A fixed secret (tests and the local run's mock credentials). */
export class StaticSecretsProvider implements SecretsProvider {
  constructor(private readonly fields: Readonly<Record<string, string>>) {}
  async get(_secretId: string): Promise<Readonly<Record<string, string>>> {
    return this.fields;
  }
}
