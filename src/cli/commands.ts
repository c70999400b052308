/** The command list, in the order `nemoclaw --help` shows it. Each module registers itself. */
import type { Command } from "commander";

interface CommandModule {
  register(program: Command): void;
}

/** Each top-level command's module, by the command's name. */
const COMMAND_MODULES: Record<string, () => Promise<CommandModule>> = {
  validate: () => import("./validate.js"),
  plan: () => import("./plan.js"),
  show: () => import("./show.js"),
  apply: () => import("./apply.js"),
  facts: () => import("./facts.js"),
  backup: () => import("./backup.js"),
  report: () => import("./report.js"),
  history: () => import("./history.js"),
  schedule: () => import("./schedule.js"),
  unlock: () => import("./unlock.js"),
  inventory: () => import("./inventory.js"),
  init: () => import("./init.js"),
  completion: () => import("./completion.js"),
};

/**
 * Registers the command the first word names, and only that one: the others' modules need not load
 * (about 15 ms of every run, docs/performance.md). Any other first word registers every command:
 * `--help`, `help`, a mistyped command (so commander can suggest the right one), and the shells'
 * `__complete`, which reads every command's definition.
 */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  const first = args[0];
  const alone = first !== undefined && Object.hasOwn(COMMAND_MODULES, first);
  const names = alone ? [first] : Object.keys(COMMAND_MODULES);
  const modules = await Promise.all(names.map((name) => COMMAND_MODULES[name]!()));
  for (const module of modules) module.register(program);
}
