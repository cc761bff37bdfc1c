import { NotImplementedError } from "../../core/errors.ts";

export async function run(_opts: Record<string, string | boolean | undefined>): Promise<number> {
  throw new NotImplementedError("not implemented yet (issue 7)");
}
