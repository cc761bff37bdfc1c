import { vi } from "vitest";
import { main } from "../../functions/cli/main.ts";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `seclake <args>` in-process (the bin's own wiring is covered by test/unit/cli.test.ts) and
 * returns its exit code and everything it wrote to stdout and stderr. The console spies are removed
 * again whatever happens.
 */
export async function runSeclake(args: readonly string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}
