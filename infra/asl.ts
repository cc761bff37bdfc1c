import { ConfigError } from "../functions/core/errors.ts";

/** `${Name}`: PascalCase placeholder names, as STYLE.md §6 has them (`${FetchFunctionArn}`). */
const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The distinct placeholder names of an ASL template, in order of first appearance. */
export function placeholders(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(PLACEHOLDER), (m) => m[1] as string))];
}

/**
 * Fills the `${Placeholders}` of an ASL template, like SAM's `DefinitionSubstitutions`, but strictly:
 * throws `ConfigError` naming the placeholder and `file` when a placeholder has no value, when a value
 * has no placeholder (a renamed placeholder must not leave a stale ARN behind), or when the result is
 * not JSON. Values are JSON-escaped, so they can only ever land inside the string they replace.
 * Afterwards the returned definition is valid JSON with no `${...}` left.
 */
export function renderAsl(
  template: string,
  substitutions: Readonly<Record<string, string>>,
  file: string,
): string {
  const wanted = placeholders(template);
  const missing = wanted.filter((name) => !Object.hasOwn(substitutions, name));
  if (missing.length > 0) {
    throw new ConfigError(`${file}: placeholder ${missing.map((n) => `\${${n}}`).join(", ")} has no value`);
  }
  const unused = Object.keys(substitutions).filter((name) => !wanted.includes(name));
  if (unused.length > 0) {
    throw new ConfigError(
      `${file}: value given for ${unused.map((n) => `\${${n}}`).join(", ")} but the template has no such placeholder`,
    );
  }
  const rendered = template.replace(PLACEHOLDER, (_, name: string) => {
    const value = substitutions[name] as string;
    return JSON.stringify(value).slice(1, -1);
  });
  try {
    JSON.parse(rendered);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON after substitution: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return rendered;
}

/**
 * The Resource of a Step Functions AWS SDK integration in `partition` (`aws`, `aws-cn`, `aws-us-gov`):
 * `arn:<partition>:states:::aws-sdk:<service>:<action>`. Hard-coding `arn:aws:` would make every
 * such state fail in the China and GovCloud partitions.
 */
export function sdkIntegrationArn(partition: string, service: string, action: string): string {
  return `arn:${partition}:states:::aws-sdk:${service}:${action}`;
}
