/** The command list, in the order `nemoclaw --help` shows it. Each module registers itself. */
import type { Command } from "commander";
import { register as registerCompletion } from "./completion.js";

export function registerCommands(program: Command): void {
  registerCompletion(program);
}
