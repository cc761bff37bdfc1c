import { Command, CommanderError, Option } from "commander";
import { SeclakeError } from "../core/errors.ts";
import { type CommandSpec, commands } from "./spec.ts";

export interface ParsedArgs {
  readonly command: CommandSpec;
  readonly options: Record<string, string | boolean | undefined>;
}

/** Builds the commander program from the spec table. `onParsed` receives the chosen command. */
function buildProgram(onParsed: (parsed: ParsedArgs) => void, quiet = false): Command {
  const output = quiet
    ? { writeErr: () => {}, writeOut: () => {} }
    : { writeErr: (text: string) => process.stderr.write(text) };
  const program = new Command("seclake")
    .description("Bring SaaS audit events into Amazon Security Lake as OCSF 1.1.0 Parquet.")
    .exitOverride()
    .configureOutput(output);
  for (const spec of commands) {
    const cmd = program.command(spec.name).description(spec.summary).exitOverride().configureOutput(output);
    for (const opt of spec.options) {
      const option = new Option(opt.flags, opt.description);
      if (opt.required) option.makeOptionMandatory(true);
      if (opt.default !== undefined) option.default(opt.default);
      if (opt.choices) option.choices(opt.choices);
      cmd.addOption(option);
    }
    if (spec.help) cmd.addHelpText("after", spec.help);
    const argument = spec.argument;
    if (argument) {
      cmd.argument(argument.name, argument.description);
      cmd.action((value: string | undefined, options: Record<string, string | boolean | undefined>) =>
        onParsed({ command: spec, options: { ...options, [argument.key]: value } }),
      );
    } else {
      cmd.action((options: Record<string, string | boolean | undefined>) =>
        onParsed({ command: spec, options }),
      );
    }
  }
  return program;
}

/**
 * Parses `argv` (without node and script) into the command and its options, without running anything.
 * Throws commander's error (with its one-line message) on bad arguments; exported for tests.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs | undefined {
  let parsed: ParsedArgs | undefined;
  const program = buildProgram((p) => {
    parsed = p;
  }, true);
  program.parse([...argv], { from: "user" });
  return parsed;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 failed, 2 bad usage. Errors are one line on stderr. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed: ParsedArgs | undefined;
  const program = buildProgram((p) => {
    parsed = p;
  });
  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its one-line message; help and version are not failures.
      return error.exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
  if (!parsed) return 2;
  try {
    const mod = await parsed.command.load();
    return await mod.run(parsed.options);
  } catch (error) {
    process.stderr.write(`seclake ${parsed.command.name}: ${describe(error)}\n`);
    return 1;
  }
}

function describe(error: unknown): string {
  if (error instanceof SeclakeError) return error.message;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
