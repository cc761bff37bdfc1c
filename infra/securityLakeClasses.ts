import { ocsf } from "../functions/core/ocsf/schema.ts";

/**
 * The names Security Lake takes for a custom source's OCSF event class (CreateCustomLogSource
 * `eventClasses`), by class uid. Upper-casing the OCSF 1.1.0 class name is not the same thing: 3003 is
 * "Authorize Session" in OCSF but AUTHORIZATION here, 3004 "Entity Management" but ENTITY_MANAGEMENT_AUDIT.
 *
 * Source: the list of supported event classes in the CreateCustomLogSource API reference
 * (https://docs.aws.amazon.com/security-lake/latest/APIReference/API_CreateCustomLogSource.html), the
 * same list the SDKs' `OcsfEventClass` enum carries. Names of that list whose OCSF 1.1.0 class is not
 * clear (ACCESS_ACTIVITY, CLOUD_API, CLOUD_STORAGE, CONTAINER_LIFECYCLE, DATABASE_LIFECYCLE, RFB_ACTIVITY,
 * SMTP_ACTIVITY, VIRTUAL_MACHINE_ACTIVITY) are left out rather than guessed.
 */
export const SECURITY_LAKE_EVENT_CLASSES: Readonly<Record<number, string>> = {
  1001: "FILE_ACTIVITY",
  1002: "KERNEL_EXTENSION",
  1003: "KERNEL_ACTIVITY",
  1004: "MEMORY_ACTIVITY",
  1005: "MODULE_ACTIVITY",
  1006: "SCHEDULED_JOB_ACTIVITY",
  1007: "PROCESS_ACTIVITY",
  2001: "SECURITY_FINDING",
  3001: "ACCOUNT_CHANGE",
  3002: "AUTHENTICATION",
  3003: "AUTHORIZATION",
  3004: "ENTITY_MANAGEMENT_AUDIT",
  4001: "NETWORK_ACTIVITY",
  4002: "HTTP_ACTIVITY",
  4003: "DNS_ACTIVITY",
  4004: "DHCP_ACTIVITY",
  4005: "RDP_ACTIVITY",
  4006: "SMB_ACTIVITY",
  4007: "SSH_ACTIVITY",
  4008: "FTP_ACTIVITY",
  4009: "EMAIL_ACTIVITY",
  5001: "INVENTORY_INFO",
  5002: "CONFIG_STATE",
  6003: "API_ACTIVITY",
  201001: "REGISTRY_KEY_ACTIVITY",
  201002: "REGISTRY_VALUE_ACTIVITY",
  201003: "RESOURCE_ACTIVITY",
};

/** The `eventClasses` value for a custom source of `classUid`, or undefined when Security Lake lists none. */
export function securityLakeEventClass(classUid: number): string | undefined {
  return SECURITY_LAKE_EVENT_CLASSES[classUid];
}

/**
 * What happens to a custom source this stack creates whose class Security Lake does not list (e.g. User
 * Access Management 3005 and Group Management 3006, which the Okta and OneLogin mappings produce).
 * `eventClasses` is optional in CreateCustomLogSource and only labels the source: the stack creates such
 * a source without it rather than send a name Security Lake does not document. The source's location,
 * provider role, table and crawler are the same; the console shows no event class for it.
 */
export function unlistedClassNotice(sourceName: string, classUid: number): string {
  const name = ocsf.findClass(classUid)?.caption ?? `class ${classUid}`;
  return (
    `custom source ${sourceName}: Security Lake does not list OCSF class ${classUid} (${name}) among the ` +
    "event classes of custom sources, so it is created without an event class label (eventClasses is " +
    "optional); its data, table and crawler are unaffected."
  );
}
