/** The command list, in the order `nemoclaw --help` shows it. Each module registers itself. */
import type { Command } from "commander";
import { register as registerBackup } from "./backup.js";
import { register as registerCompletion } from "./completion.js";
import { register as registerFacts } from "./facts.js";
import { register as registerPlan } from "./plan.js";
import { register as registerValidate } from "./validate.js";

export function registerCommands(program: Command): void {
  registerValidate(program);
  registerPlan(program);
  registerFacts(program);
  registerBackup(program);
  registerCompletion(program);
}
