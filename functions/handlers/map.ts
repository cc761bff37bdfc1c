import { z } from "zod";
import { NotImplementedError } from "../core/errors.ts";
import { awsDeps } from "./awsDeps.ts";
import { parseInput, windowSchema } from "./contract.ts";
import { type HandlerDeps, lazyHandler, type StateHandler } from "./deps.ts";

/** The input the ASL's `Map` state passes (its Parameters). */
export const mapInput = z.object({ window: windowSchema, keys: z.array(z.string().min(1)) }).strict();

export function makeHandler(_deps: HandlerDeps): StateHandler<unknown> {
  return async (event) => {
    parseInput("Map", mapInput, event);
    throw new NotImplementedError("Map handler body lands in the next commit (issue 7)");
  };
}

export const handler = lazyHandler(() => makeHandler(awsDeps()));
