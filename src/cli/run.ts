/**
 * The CLI itself: commander and the command the arguments name. src/cli/main.ts loads it from the
 * bundle once a lone `--version` is ruled out.
 */
import { Command } from "commander";
import { TOOL_VERSION } from "../version.js";
import { registerCommands } from "./commands.js";
import { FinishedEarly } from "./common.js";
import { optionTypo } from "./option-typos.js";
import { guardStandardStreams } from "./standard-streams.js";

export async function runCli(args: readonly string[]): Promise<void> {
  guardStandardStreams();
  const program = await buildProgram(args);
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

/**
 * The program `nemoclaw` runs, with the commands `args` need (every command for an empty list):
 * scripts/gen-docs.mjs writes docs/cli.md from it.
 */
export async function buildProgram(args: readonly string[]): Promise<Command> {
  const program = new Command("nemoclaw")
    .description("Declarative fleet management for NVIDIA NemoClaw: plan, apply and back up OpenShell gateways and sandboxes across DGX hosts.")
    .version(TOOL_VERSION, "-V, --version")
    .showSuggestionAfterError(true)
    // An option after a command word belongs to that command, as in git or terraform: without this
    // commander hands the words after `history prune` to `history` first, and an option both define
    // (`--json`) went to `history` (history.ts enables the same for its subcommand).
    .enablePositionalOptions()
    .configureHelp({ sortSubcommands: false });

  await registerCommands(program, args);
  program.addHelpText(
    "after",
    `
Every command reads ./fleet.yaml when no fleet file is named (with -i and no fleet file, the
inventories alone), and explains itself with \`nemoclaw <command> --help\`. Documentation: docs/
in the package (docs/README.md; every command and option in docs/cli.md).

Exit codes: 0 ok, 1 error or bad usage, 2 changes pending (plan --detailed-exitcode, steps apply
--max-risk held back) or a backup due, 3 invalid fleet file, inventory or plan file (or a secret
apply needs that cannot be read), 4 unreachable hosts, 5 failed hosts (a step, or a health gate),
6 stale plan, 7 host lock held, 8 schema preflight refused, 130 interrupted (docs/exit-codes.md).

Examples:
  nemoclaw init -i inventory/hosts.ini -o fleet.yaml   # a fleet file from what the hosts run
  nemoclaw plan -o plan.json                           # what would change, saved
  nemoclaw apply plan.json                             # exactly that, nothing else
  nemoclaw backup run --due                            # backups whose schedule is due
  nemoclaw schedule install                            # safe repairs every 5m, backups on schedule`,
  );
  return program;
}
