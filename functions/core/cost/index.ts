export * from "./assumptions.ts";
export * from "./estimate.ts";
export * from "./metrics.ts";
export * from "./model.ts";
export * from "./prices.ts";
export * from "./schedule.ts";
export * from "./seed.ts";
export * from "./usage.ts";
