export * from "./collect.ts";
export type { ConnectorDeps } from "./common.ts";
export * from "./http.ts";
export * from "./okta.ts";
export * from "./onelogin.ts";
export * from "./pageSink.ts";
export * from "./s3Inbox.ts";
export * from "./sailpoint.ts";
export * from "./types.ts";
