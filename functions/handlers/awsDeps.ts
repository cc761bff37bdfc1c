import { NotImplementedError } from "../core/errors.ts";
import type { HandlerDeps } from "./deps.ts";
import { loadEnvironment } from "./environment.ts";

/** The AWS adapters for the deployed Lambdas, built once per container from the environment. */
export function awsDeps(env: Readonly<Record<string, string | undefined>> = process.env): HandlerDeps {
  loadEnvironment(env);
  throw new NotImplementedError("AWS adapters are wired in the next commit (issue 7)");
}
