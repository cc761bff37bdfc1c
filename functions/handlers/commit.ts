import { z } from "zod";
import { NotImplementedError } from "../core/errors.ts";
import { awsDeps } from "./awsDeps.ts";
import { fetchResultSchema, parseInput, windowSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler } from "./deps.ts";

/** The input the ASL's `Commit` state passes (its Parameters). */
export const commitInput = z
  .object({ window: windowSchema, fetch: fetchResultSchema, executionId: z.string().min(1) })
  .strict();

export function makeHandler(_deps: HandlerDeps): StateHandler<unknown> {
  return async (event) => {
    parseInput("Commit", commitInput, event);
    throw new NotImplementedError("Commit handler body lands in the next commit (issue 7)");
  };
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
