/**
 * The name the staging crawler gives a custom source's table: Glue lowercases a folder's name and keeps
 * [a-z0-9_] (`okta-auth` → `okta_auth`), as Athena names the lake's tables too.
 */
export function stagingTableName(customSource: string): string {
  return customSource.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}
