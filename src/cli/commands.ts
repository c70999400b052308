/** The command list, in the order `nemoclaw --help` shows it. */
import type { Command } from "commander";

export function registerCommands(program: Command): void {
  void program;
}
