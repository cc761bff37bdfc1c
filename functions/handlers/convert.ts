import { z } from "zod";
import { NotImplementedError } from "../core/errors.ts";
import { awsDeps } from "./awsDeps.ts";
import { parseInput, sourceBatchSchema, windowSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler } from "./deps.ts";

/** The input the ASL's `ConvertSource` state passes (its Parameters). */
export const convertInput = z.object({ window: windowSchema, source: sourceBatchSchema }).strict();

export function makeHandler(_deps: HandlerDeps): StateHandler<unknown> {
  return async (event) => {
    parseInput("ConvertSource", convertInput, event);
    throw new NotImplementedError("ConvertSource handler body lands in the next commit (issue 7)");
  };
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
