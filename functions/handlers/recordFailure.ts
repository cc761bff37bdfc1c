import { z } from "zod";
import { NotImplementedError } from "../core/errors.ts";
import { awsDeps } from "./awsDeps.ts";
import { parseInput, stateErrorSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler } from "./deps.ts";

/** The input the ASL's `RecordFailure` state passes (its Parameters). */
export const recordFailureInput = z
  .object({ executionId: z.string().min(1), error: stateErrorSchema })
  .strict();

export function makeHandler(_deps: HandlerDeps): StateHandler<unknown> {
  return async (event) => {
    parseInput("RecordFailure", recordFailureInput, event);
    throw new NotImplementedError("RecordFailure handler body lands in the next commit (issue 7)");
  };
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
