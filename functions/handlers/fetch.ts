import { z } from "zod";
import { NotImplementedError } from "../core/errors.ts";
import { awsDeps } from "./awsDeps.ts";
import { parseInput, windowSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler } from "./deps.ts";

/** The input the ASL's `Fetch` state passes (its Parameters). */
export const fetchInput = z.object({ window: windowSchema }).strict();

export function makeHandler(_deps: HandlerDeps): StateHandler<unknown> {
  return async (event) => {
    parseInput("Fetch", fetchInput, event);
    throw new NotImplementedError("Fetch handler body lands in the next commit (issue 7)");
  };
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
