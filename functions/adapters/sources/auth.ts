import { createPrivateKey, type KeyObject, randomUUID, sign } from "node:crypto";
import { ConfigError } from "../../core/errors.ts";
import type { SecretsProvider } from "../../core/ports.ts";
import { type Authenticator, type HttpClient, MalformedResponse, parseJsonBody } from "./http.ts";

/** Reads named fields of a connector secret; a missing field is a ConfigError naming fields, never values. */
export async function readSecretFields<K extends string>(
  secrets: SecretsProvider,
  secretId: string,
  fields: readonly K[],
): Promise<Record<K, string>> {
  const value = await secrets.get(secretId);
  const missing = fields.filter((f) => typeof value[f] !== "string" || value[f] === "");
  if (missing.length > 0) {
    throw new ConfigError(
      `secret ${secretId}: missing field(s) ${missing.join(", ")} (expected ${fields.join(", ")})`,
    );
  }
  return Object.fromEntries(fields.map((f) => [f, value[f] as string])) as Record<K, string>;
}

/** Remembers every secret value read, so the HTTP layer can redact them from any message. */
export class SecretValues {
  readonly #values = new Set<string>();
  add(...values: string[]): void {
    for (const v of values) this.#values.add(v);
  }
  list = (): readonly string[] => [...this.#values];
}

export interface ClientCredentialsOptions {
  readonly http: HttpClient;
  readonly tokenUrl: string;
  readonly secrets: SecretsProvider;
  readonly secretId: string;
  readonly seen: SecretValues;
  readonly now: () => number;
  /**
   * How the client credentials travel: "form" = RFC 6749 §4.4 form body (SailPoint `/oauth/token`);
   * "onelogin" = OneLogin's `Authorization: client_id:<id>, client_secret:<secret>` header with a JSON body;
   * "private_key_jwt" = RFC 7523 client assertion signed with the secret's `privateKey` (Okta service apps).
   */
  readonly style: "form" | "onelogin" | "private_key_jwt";
  /** OAuth scope to request (Okta: "okta.logs.read"). */
  readonly scope?: string;
  /** Prefix of the data requests' Authorization header: "Bearer " (SailPoint) or "bearer:" (OneLogin v1). */
  readonly scheme: string;
}

/** OAuth 2.0 client-credentials tokens, cached until shortly before they expire. */
export class ClientCredentials implements Authenticator {
  #token: string | undefined;
  #expiresAt = 0;

  constructor(private readonly opts: ClientCredentialsOptions) {}

  async authorization(): Promise<string> {
    if (!this.#token || this.opts.now() >= this.#expiresAt) await this.#obtain();
    return `${this.opts.scheme}${this.#token}`;
  }

  async refresh(): Promise<void> {
    this.#token = undefined;
  }

  async #obtain(): Promise<void> {
    const request = await this.#tokenRequest();
    const issuedAt = this.opts.now();
    const token = await this.opts.http.send({
      url: this.opts.tokenUrl,
      method: "POST",
      ...request,
      parse: (body) => {
        const json = parseJsonBody(body) as { access_token?: unknown; expires_in?: unknown };
        if (typeof json.access_token !== "string" || json.access_token === "") {
          throw new MalformedResponse("token response without access_token");
        }
        const ttl = typeof json.expires_in === "number" && json.expires_in > 0 ? json.expires_in : 300;
        return { token: json.access_token, ttlMs: ttl * 1000 };
      },
    });
    this.opts.seen.add(token.token);
    this.#token = token.token;
    // Renew a little early (a tenth of the lifetime, at most a minute) so no request carries a dying token.
    this.#expiresAt = issuedAt + token.ttlMs - Math.min(60_000, token.ttlMs / 10);
  }
  async #tokenRequest(): Promise<{ headers: Record<string, string>; body: string }> {
    const { secrets, secretId, seen, style, scope } = this.opts;
    if (style === "private_key_jwt") {
      const { clientId, privateKey } = await readSecretFields(secrets, secretId, ["clientId", "privateKey"]);
      seen.add(privateKey);
      const assertion = clientAssertion(clientId, this.opts.tokenUrl, privateKey, this.opts.now());
      return {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          ...(scope ? { scope } : {}),
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: assertion,
        }).toString(),
      };
    }
    const { clientId, clientSecret } = await readSecretFields(secrets, secretId, [
      "clientId",
      "clientSecret",
    ]);
    seen.add(clientSecret);
    if (style === "form") {
      return {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: clientId,
          client_secret: clientSecret,
          ...(scope ? { scope } : {}),
        }).toString(),
      };
    }
    return {
      headers: {
        "content-type": "application/json",
        authorization: `client_id:${clientId}, client_secret:${clientSecret}`,
      },
      body: JSON.stringify({ grant_type: "client_credentials" }),
    };
  }
}

/** A short-lived RS256 client assertion (RFC 7523 §2.2): iss = sub = client id, aud = token endpoint. */
export function clientAssertion(
  clientId: string,
  audience: string,
  privateKeyPem: string,
  nowMs: number,
): string {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    // The parser's message could quote the key.
    throw new ConfigError("secret field privateKey is not a PEM private key");
  }
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const iat = Math.floor(nowMs / 1000);
  const signingInput = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({
    iss: clientId,
    sub: clientId,
    aud: audience,
    iat,
    exp: iat + 300,
    jti: randomUUID(),
  })}`;
  return `${signingInput}.${sign("sha256", Buffer.from(signingInput), key).toString("base64url")}`;
}

/** Okta's `Authorization: SSWS <api token>`; a refresh re-reads the secret (it may have been rotated). */
export class SswsToken implements Authenticator {
  #token: string | undefined;

  constructor(
    private readonly secrets: SecretsProvider,
    private readonly secretId: string,
    private readonly seen: SecretValues,
  ) {}

  async authorization(): Promise<string> {
    if (!this.#token) {
      const { apiToken } = await readSecretFields(this.secrets, this.secretId, ["apiToken"]);
      this.seen.add(apiToken);
      this.#token = apiToken;
    }
    return `SSWS ${this.#token}`;
  }

  async refresh(): Promise<void> {
    this.#token = undefined;
  }
}
