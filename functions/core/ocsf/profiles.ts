/**
 * The OCSF profiles this project uses, for every class. The Arrow/Parquet schema of a class holds its core
 * attributes plus the attributes of these profiles, so a mapping may populate a profile attribute (e.g.
 * `actor`, which is a `host` profile attribute in User Access Management 3005) only if the profile is listed
 * here, and must then declare it in `metadata.profiles` (the validator checks that).
 * Changing this list changes the Parquet schema of every class: treat it as a schema migration.
 */
export const USED_PROFILES = ["cloud", "host", "datetime"] as const;

export type UsedProfile = (typeof USED_PROFILES)[number];
