import { ConfigError } from "../functions/core/errors.ts";
import type { StackConfig } from "./config.ts";
import { PROJECT } from "./names.ts";

// The location Security Lake shows for a custom source: s3://<lake bucket>/ext/<name>/[<version>/].
export const S3_LOCATION =
  /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/((?:[A-Za-z0-9._=-]+\/)*[A-Za-z0-9._=-]+)\/?$/;

/**
 * The stack must run where the lake is when it starts Security Lake's crawlers (Step Functions calls
 * glue:StartCrawler in its own account and region) or creates custom sources (a regional API). The
 * region is checked here; the account of crawler starts at deploy time (`lakeAccountProblem`).
 */
export function regionProblems(stack: StackConfig, awsRegion: string | undefined): string[] {
  if (awsRegion === undefined || awsRegion === stack.securityLake.region) return [];
  const why = `the stack deploys to aws:region ${awsRegion}, but securityLake.region is ${stack.securityLake.region}`;
  const problems: string[] = [];
  if (stack.securityLake.createCustomSources) {
    problems.push(
      `${PROJECT}:securityLake.createCustomSources: ${why}; create sources from the lake's region`,
    );
  }
  for (const [i, c] of stack.connectors.entries()) {
    for (const [j, src] of c.customSources.entries()) {
      if (!src.crawlerName) continue;
      problems.push(
        `${PROJECT}:connectors[${i}].customSources[${j}].crawlerName: ${why}; Step Functions can only start a crawler in its own account and region (remove crawlerName, or deploy in the lake's region)`,
      );
    }
  }
  return problems;
}

/**
 * Why the deploying account cannot start the Security Lake crawlers the config names, or undefined.
 * Checked at deploy time against the caller identity: config does not know the credentials' account.
 */
export function lakeAccountProblem(stack: StackConfig, callerAccount: string): string | undefined {
  if (callerAccount === stack.securityLake.accountId) return undefined;
  for (const [i, c] of stack.connectors.entries()) {
    const j = c.customSources.findIndex((src) => src.crawlerName);
    if (j >= 0) {
      return (
        `${PROJECT}:connectors[${i}].customSources[${j}].crawlerName: the stack deploys to account ` +
        `${callerAccount}, but securityLake.accountId is ${stack.securityLake.accountId}; Step Functions ` +
        "can only start a crawler in its own account (remove crawlerName)"
      );
    }
  }
  return undefined;
}

/** `s3://bucket/ext/name/1.0` → `ext/name/1.0/`: the key prefix of a location in `bucket`. */
export function lakeKeyPrefix(location: string, bucket: string): string {
  const m = S3_LOCATION.exec(location);
  if (!m || m[1] !== bucket) {
    throw new ConfigError(`Security Lake location ${location} is not in the lake bucket ${bucket}`);
  }
  return `${m[2]}/`;
}
