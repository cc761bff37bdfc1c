import { readFileSync } from "node:fs";
import { parse } from "yaml";

/** The `config:` map of a Pulumi.<stack>.yaml, as objects. */
export function readStackYaml(stack: string): Record<string, unknown> {
  const text = readFileSync(new URL(`../../Pulumi.${stack}.yaml`, import.meta.url), "utf8");
  return (parse(text) as { config: Record<string, unknown> }).config;
}

/** Synthetic credentials for every API connector of a stack's config (never real values). */
export function syntheticCredentials(
  config: Record<string, unknown>,
): Record<string, Record<string, string>> {
  const connectors = config["seclake-pipelines:connectors"] as { name: string; kind: string }[];
  const out: Record<string, Record<string, string>> = {};
  for (const c of connectors) {
    if (c.kind === "okta") out[c.name] = { apiToken: `syn-okta-token-${c.name}` };
    else if (c.kind !== "s3-inbox")
      out[c.name] = { clientId: `syn-client-${c.name}`, clientSecret: `syn-secret-${c.name}` };
  }
  return out;
}

/**
 * Pulumi's runtime view of the config: every value a string, objects and lists JSON-stringified
 * (as `pulumi config` hands them to the program), plus the keys Pulumi holds as secrets.
 */
export function asPulumiConfig(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}
