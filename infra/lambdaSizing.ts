import type { ConnectorMode } from "../functions/core/pipeline/definition.ts";
import type { FunctionRole } from "./names.ts";

/**
 * Memory and timeout per function: Convert holds record batches and parquet-wasm's memory; the rest is I/O.
 * Push connectors' Commit and Acknowledge parse the window's messages.json (a receipt handle and an event
 * id per message, up to maxEvents of them: tens of MB at 100,000), and Acknowledge deletes them ten per
 * DeleteMessageBatch call, one call after another.
 */
export function lambdaSizing(
  role: FunctionRole,
  mode: ConnectorMode = "pull",
): { memoryMb: number; timeoutSeconds: number } {
  switch (role) {
    case "loadCheckpoint":
    case "recordFailure":
      return { memoryMb: 256, timeoutSeconds: 60 };
    case "commit":
      return mode === "push" ? { memoryMb: 512, timeoutSeconds: 300 } : { memoryMb: 256, timeoutSeconds: 60 };
    case "acknowledge":
      return { memoryMb: 512, timeoutSeconds: 900 };
    case "fetch":
      return { memoryMb: 512, timeoutSeconds: 900 };
    case "map":
      return { memoryMb: 1024, timeoutSeconds: 900 };
    case "convert":
      // Peak RSS of the Convert step measured (bench/convert.ts `convertStep`: staged 64 MiB parts, the
      // S3 writer's buffered object, realistic 2.7 KB events, 2026-12-04): 298 MB at 10k events, 560–572
      // MB at 100k (maxEvents' ceiling per loop); past it the part cache's bound flattens it: 729 MB at
      // 300k, 777 MB at 1M. 1,769 MB covers 100k with 3.1x headroom (2.3x over 1M) and is one full vCPU
      // (CPU scales with memory); the conversion runs on one thread, so 3,008 MB's 1.7 vCPU bought nothing.
      return { memoryMb: 1769, timeoutSeconds: 900 };
  }
}
