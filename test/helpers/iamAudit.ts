import { STAR_ONLY_ACTIONS } from "../../infra/policies.ts";

/** What one connector's roles may touch; anything else in a policy is a finding. */
export interface AuditScope {
  /** ARN patterns (`*` matches within the ARN) that each service's actions may name. */
  readonly s3Write: readonly string[];
  readonly s3Read: readonly string[];
  readonly s3Buckets: readonly string[];
  readonly assumeRole: readonly string[];
  readonly ssm: readonly string[];
  readonly secrets: readonly string[];
  readonly glue: readonly string[];
  readonly lambda: readonly string[];
  readonly states: readonly string[];
  readonly logs: readonly string[];
  /** ssm:DeleteParameter: none unless listed (a checkpoint must never be deletable). */
  readonly ssmDelete?: readonly string[];
  /**
   * `s3:prefix` patterns an s3:ListBucket condition may name. When given, a ListBucket without a
   * prefix condition, or naming a prefix outside these, is a finding.
   */
  readonly s3ListPrefixes?: readonly string[];
  /** KMS key ARNs kms: actions may name (none unless listed). */
  readonly kms?: readonly string[];
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: { StringLike?: Record<string, string | string[]> };
}

const S3_WRITE = new Set(["s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"]);

/**
 * Independent reading of an IAM policy: returns one finding per action/resource pair outside `scope`,
 * one per wildcard action, one per ListBucket prefix outside `scope.s3ListPrefixes`. An empty list
 * means least privilege holds for this scope.
 */
export function auditPolicy(policy: unknown, scope: AuditScope): string[] {
  const doc = typeof policy === "string" ? JSON.parse(policy) : policy;
  const findings: string[] = [];
  for (const st of (doc as { Statement: Statement[] }).Statement) {
    if (st.Effect !== "Allow") continue;
    const actions = ([] as string[]).concat(st.Action);
    const resources = ([] as string[]).concat(st.Resource);
    for (const action of actions) {
      if (action.includes("*")) findings.push(`wildcard action ${action}`);
      for (const resource of resources) {
        if (resource === "*") {
          if (!STAR_ONLY_ACTIONS.has(action)) findings.push(`${action} on "*"`);
          continue;
        }
        const allowed = allowedFor(action, scope);
        if (!allowed.some((pattern) => matches(pattern, resource))) findings.push(`${action} on ${resource}`);
      }
      if (action === "s3:ListBucket" && scope.s3ListPrefixes)
        findings.push(...listFindings(st, scope.s3ListPrefixes));
    }
  }
  return findings;
}

function listFindings(st: Statement, allowed: readonly string[]): string[] {
  const prefixes = st.Condition?.StringLike?.["s3:prefix"];
  if (prefixes === undefined) return ["s3:ListBucket without an s3:prefix condition"];
  return ([] as string[])
    .concat(prefixes)
    .filter((prefix) => !allowed.includes(prefix))
    .map((prefix) => `s3:ListBucket of prefix ${prefix}`);
}

function allowedFor(action: string, scope: AuditScope): readonly string[] {
  const service = action.split(":")[0];
  if (S3_WRITE.has(action)) return scope.s3Write;
  if (action === "s3:GetObject") return [...scope.s3Read, ...scope.s3Write];
  if (action === "s3:ListBucket" || action === "s3:GetBucketLocation") return scope.s3Buckets;
  if (action === "sts:AssumeRole") return scope.assumeRole;
  if (action === "ssm:DeleteParameter") return scope.ssmDelete ?? [];
  switch (service) {
    case "ssm":
      return scope.ssm;
    case "secretsmanager":
      return scope.secrets;
    case "glue":
      return scope.glue;
    case "lambda":
      return scope.lambda;
    case "states":
      return scope.states;
    case "logs":
      return scope.logs;
    case "kms":
      return scope.kms ?? [];
    default:
      return [];
  }
}

/** Exact match, or `pattern` ending in `*` matching any resource that starts with the rest. */
function matches(pattern: string, resource: string): boolean {
  if (pattern.endsWith("*"))
    return resource.startsWith(pattern.slice(0, -1)) && !resource.slice(pattern.length - 1).includes("..");
  return pattern === resource;
}
