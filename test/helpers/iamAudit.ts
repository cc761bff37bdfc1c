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
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

const S3_WRITE = new Set(["s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"]);

/**
 * Independent reading of an IAM policy: returns one finding per action/resource pair outside `scope`,
 * and one per wildcard action. An empty list means least privilege holds for this scope.
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
    }
  }
  return findings;
}

function allowedFor(action: string, scope: AuditScope): readonly string[] {
  const service = action.split(":")[0];
  if (S3_WRITE.has(action)) return scope.s3Write;
  if (action === "s3:GetObject") return [...scope.s3Read, ...scope.s3Write];
  if (action === "s3:ListBucket") return scope.s3Buckets;
  if (action === "sts:AssumeRole") return scope.assumeRole;
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
