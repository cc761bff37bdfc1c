import { z } from "zod";
import type { ConnectorConfig, RawConfig, StackConfig } from "./config.ts";
import { PROJECT } from "./names.ts";

/** Credentials per connector kind, read from the secret config key `credentials`. */
const credentialSchemas = {
  sailpoint: z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) }).strict(),
  onelogin: z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) }).strict(),
  okta: z.object({ apiToken: z.string().min(1) }).strict(),
} as const;
export type Credentials = Record<string, Record<string, string>>;

/**
 * The API credentials of every connector that calls an API, from the secret config key `credentials`.
 * Pull connectors need them; a push connector may have them (a backfill pages the API) or not.
 * Each problem is pushed to `problems` naming the key and the command that sets it, never the value.
 */
export function readCredentials(raw: RawConfig, stack: StackConfig, problems: string[]): Credentials {
  const key = `${PROJECT}:credentials`;
  const accepting = stack.connectors.filter((c) => c.kind !== "s3-inbox");
  const needing = accepting.filter((c) => c.mode === "pull");
  const text = raw.get(key);
  if (accepting.length === 0) return {};
  const setHint = (c: ConnectorConfig) =>
    Object.keys(credentialSchemas[c.kind as keyof typeof credentialSchemas].shape)
      .map((field) => `pulumi config set --secret --path 'credentials["${c.name}"].${field}' <value>`)
      .join("; ");
  if (text === undefined) {
    for (const c of needing) problems.push(`${key}["${c.name}"]: missing; set it with ${setHint(c)}`);
    return {};
  }
  if (!raw.isSecret(key)) {
    problems.push(
      `${key}: must be set with --secret (it holds API credentials); re-set each value with --secret`,
    );
    return {};
  }
  let all: unknown;
  try {
    all = JSON.parse(text);
  } catch {
    problems.push(`${key}: must be an object keyed by connector name`);
    return {};
  }
  const out: Credentials = {};
  for (const c of accepting) {
    const value = (all as Record<string, unknown> | null)?.[c.name];
    if (value === undefined && c.mode === "push") continue;
    const schema = credentialSchemas[c.kind as keyof typeof credentialSchemas];
    const result = schema.safeParse(value);
    if (!result.success) {
      // Name the fields only: a zod message could echo the secret value.
      const fields = [...new Set(result.error.issues.map((i) => formatPath(i.path) || "(value)"))].join(", ");
      problems.push(
        `${key}["${c.name}"]: ${fields}: missing or not a non-empty string; set it with ${setHint(c)}`,
      );
      continue;
    }
    out[c.name] = result.data;
  }
  const known = new Set(accepting.map((c) => c.name));
  for (const name of Object.keys((all as Record<string, unknown>) ?? {})) {
    if (!known.has(name)) problems.push(`${key}["${name}"]: no API connector of that name`);
  }
  return out;
}

/** `["clientSecret"]` → `clientSecret` (credential fields are one level deep). */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join(".");
}
