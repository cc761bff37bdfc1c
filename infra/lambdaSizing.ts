import type { FunctionRole } from "./names.ts";

/** Memory and timeout per function: Convert holds record batches and parquet-wasm's memory; the rest is I/O. */
export function lambdaSizing(role: FunctionRole): { memoryMb: number; timeoutSeconds: number } {
  switch (role) {
    case "loadCheckpoint":
    case "commit":
    case "recordFailure":
      return { memoryMb: 256, timeoutSeconds: 60 };
    case "fetch":
      return { memoryMb: 512, timeoutSeconds: 900 };
    case "map":
      return { memoryMb: 1024, timeoutSeconds: 900 };
    case "convert":
      return { memoryMb: 3008, timeoutSeconds: 900 };
  }
}
