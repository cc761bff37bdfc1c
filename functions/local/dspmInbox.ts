/**
 * The embedded default's Zscaler DSPM inbox: synthetic alert exports in the field names of
 * mappings/zscaler-dspm (no public DSPM sample exists; see the shared samples' PROVENANCE), one NDJSON
 * file per export under a date prefix so key order is arrival order, plus two alerts that must be
 * quarantined (no alert id; a time that is not one). Deterministic: the same files every run.
 */
export interface InboxAlertFile {
  readonly key: string;
  readonly lines: readonly string[];
}

const RISKS = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;
const POLICIES = [
  ["Sensitive data exposed to the public", "Data Exposure"],
  ["Unencrypted sensitive data store", "Data Security Posture"],
  ["Stale access to PII", "Access Governance"],
] as const;

export function dspmAlertFiles(files = 4, alertsPerFile = 15): InboxAlertFile[] {
  const out: InboxAlertFile[] = [];
  let n = 0;
  for (let f = 0; f < files; f += 1) {
    const lines: string[] = [];
    for (let a = 0; a < alertsPerFile; a += 1) {
      n += 1;
      const [policy, policyType] = POLICIES[n % POLICIES.length] ?? POLICIES[0];
      const time = new Date(Date.parse("2024-09-02T08:00:00.000Z") + n * 97_000).toISOString();
      lines.push(
        JSON.stringify({
          organisation_name: "Example Corp",
          organisation_id: "synorg-0001",
          alert_id: `synalert-${String(n).padStart(4, "0")}`,
          alert_status: n % 5 === 0 ? "RESOLVED" : "OPEN",
          alert_description: `Synthetic DSPM alert ${n}`,
          risk: RISKS[n % RISKS.length],
          policy_name: policy,
          policy_type: policyType,
          csp_event_timestamp: time,
          alert_created_dt: time,
          alert_updated_dt: time,
          account_name: "syn-data",
          account_id: "123456789012",
          csp: "AWS",
          resource_id: `arn:aws:s3:::syn-bucket-${n % 7}`,
          resource_name: `syn-bucket-${n % 7}`,
          resource_type: "S3_BUCKET",
          identity_id: `synuser-${String(100 + (n % 9)).padStart(4, "0")}`,
          identity_name: "dana.owner",
          identity_email: "dana.owner@example.com",
          identity_type: "User",
        }),
      );
    }
    if (f === files - 1) {
      lines.push(
        JSON.stringify({
          alert_status: "OPEN",
          risk: "HIGH",
          policy_name: "No id",
          csp_event_timestamp: "2024-09-03T10:00:00Z",
          csp: "AWS",
        }),
        JSON.stringify({
          alert_id: "synalert-bad-time",
          alert_status: "OPEN",
          risk: "HIGH",
          policy_name: "Bad time",
          csp_event_timestamp: "last tuesday",
          csp: "AWS",
        }),
      );
    }
    out.push({
      key: `dspm/2024/09/${String(2 + f).padStart(2, "0")}/alerts-${String(f + 1).padStart(4, "0")}.ndjson`,
      lines,
    });
  }
  return out;
}
