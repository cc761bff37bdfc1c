import { z } from "zod";
import { NotImplementedError } from "../core/errors.ts";
import { awsDeps } from "./awsDeps.ts";
import { parseInput } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler } from "./deps.ts";

/** The input the ASL's `LoadCheckpoint` state passes (its Parameters). */
export const loadCheckpointInput = z.object({ executionId: z.string().min(1) }).strict();

export function makeHandler(_deps: HandlerDeps): StateHandler<unknown> {
  return async (event) => {
    parseInput("LoadCheckpoint", loadCheckpointInput, event);
    throw new NotImplementedError("LoadCheckpoint handler body lands in the next commit (issue 7)");
  };
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
