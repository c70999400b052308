#!/usr/bin/env node
/**
 * Entry point. Each command lives in its own module under src/cli/ and registers itself here;
 * the heavy parts (ssh2, ajv, listr2) load only when a command actually runs, so `--version`
 * and `--help` start fast.
 */
import { Command } from "commander";
import { TOOL_VERSION } from "../version.js";
import { registerCommands } from "./commands.js";

const program = new Command("nemoclaw")
  .description("Declarative fleet management for NVIDIA NemoClaw: plan, apply and back up OpenShell gateways and sandboxes across DGX hosts.")
  .version(TOOL_VERSION, "-V, --version")
  .showSuggestionAfterError(true)
  .configureHelp({ sortSubcommands: false });

registerCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`nemoclaw: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
