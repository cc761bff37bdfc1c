import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Writes mapping files (`{"syn/_source.yaml": "..."}`) into a fresh temp mappings root; returns the root. */
export function makeMappingsDir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "seclake-mappings-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A small synthetic source used by the engine tests: Okta-like events, id `uuid`, type `eventType`. */
export const SYN_SOURCE = `
source: syn
product: { name: Syn Log, vendor_name: Syn }
event_id: uuid
event_type: eventType
time: { path: published }
fields:
  message: displayMessage
  metadata.event_code: eventType
  severity_id: { from: severity, table: severity }
tables:
  severity:
    values: { INFO: 1, WARN: 3, ERROR: 4 }
    default: 0
drop: [version]
`;

export const SYN_AUTH = `
class_uid: 3002
match: [user.session.start, "user.authentication.*", "user.authentication.sso.*"]
tables:
  activity:
    values: { user.session.start: 1, "user.authentication.*": 1 }
    default: 99
  status:
    values: { SUCCESS: 1, FAILURE: 2 }
    default: 0
  protocol:
    values: { SAML2: 5, OAUTH2: 6 }
    default: 99
fields:
  activity_id: { from: eventType, table: activity }
  status_id: { from: outcome.result, table: status }
  status_detail: outcome.reason
  user.name: actor.alternateId
  user.uid: actor.id
  user.type_id: { value: 1 }
  src_endpoint.ip: { from: client.ipAddress, transform: ip }
  auth_protocol_id: { from: authenticationContext.protocol, table: protocol }
  auth_protocol: authenticationContext.protocol
  observables:
    each: target
    where: { type: [AppInstance, Token] }
    fields: { name: { value: target.id }, value: id, type_id: { value: 99 }, type: type }
  service.name: target[0].displayName
  dst_endpoint:
    pick: target
    where: { type: Host }
    fields: { hostname: alternateId }
  enrichments:
    entries: debugContext.debugData
    fields: { name: key, value: { from: value, transform: to_string }, data: { value: {} } }
drop: [debugContext.debugData.requestId]
`;

export const SYN_GROUP = `
class_uid: 3006
match: ["group.*"]
fields:
  activity_id: { value: 3 }
  group.name: target[0].displayName
  group.uid: target[0].id
`;

/** One raw event of the synthetic source; `over` replaces top-level fields (undefined removes one). */
export function synEvent(over: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    uuid: "syn-0001",
    published: "2024-01-15T17:15:10.234Z",
    eventType: "user.session.start",
    severity: "INFO",
    version: "0",
    displayMessage: "User login to Syn",
    actor: { id: "syn-user-1", alternateId: "ann@example.com", type: "User" },
    client: { ipAddress: "198.51.100.7", zone: null },
    outcome: { result: "SUCCESS" },
    target: [
      { id: "syn-app-1", displayName: "Syn App", type: "AppInstance", detail: "kept" },
      { id: "syn-host-1", alternateId: "host1.example.com", type: "Host" },
    ],
    debugContext: { debugData: { requestId: "syn-req", risk: "low", n: 3 } },
    extra: { keep: "me", nothing: null, empty: "" },
  };
  const out = { ...base, ...over };
  for (const [k, v] of Object.entries(over)) if (v === undefined) delete out[k];
  return out;
}
