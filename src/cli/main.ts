#!/usr/bin/env node
/**
 * Entry point. Each command lives in its own module under src/cli/ and registers itself here;
 * the heavy parts (ssh2, ajv, listr2) load only when a command actually runs, so `--version`
 * and `--help` start fast. A lone `--version` is answered before commander and the command
 * modules load at all: scripts and shell prompts call it most.
 */
import { TOOL_VERSION } from "../version.js";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  process.stdout.write(`${TOOL_VERSION}\n`);
} else {
  const [{ Command }, { registerCommands }, { FinishedEarly }, { optionTypo }] = await Promise.all([
    import("commander"),
    import("./commands.js"),
    import("./common.js"),
    import("./option-typos.js"),
  ]);
  const program = new Command("nemoclaw")
    .description("Declarative fleet management for NVIDIA NemoClaw: plan, apply and back up OpenShell gateways and sandboxes across DGX hosts.")
    .version(TOOL_VERSION, "-V, --version")
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false });

  registerCommands(program);

  // `-out=plan.json` would be read as `-o 'ut=plan.json'`: refused before commander reads it.
  const typo = optionTypo(program, args);
  if (typo !== null) {
    process.stderr.write(`${typo}\n`);
    process.exitCode = 1;
  } else {
    program.parseAsync(process.argv).catch((error: unknown) => {
      if (error instanceof FinishedEarly) {
        process.exitCode = error.exitCode;
        return;
      }
      process.stderr.write(`nemoclaw: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
  }
}
