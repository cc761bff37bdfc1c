export * from "./checkpoint.ts";
export * from "./collector.ts";
export * from "./window.ts";
