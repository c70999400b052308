/** The command list, in the order `nemoclaw --help` shows it. Each module registers itself. */
import type { Command } from "commander";
import { register as registerApply } from "./apply.js";
import { register as registerBackup } from "./backup.js";
import { register as registerCompletion } from "./completion.js";
import { register as registerFacts } from "./facts.js";
import { register as registerHistory } from "./history.js";
import { register as registerInit } from "./init.js";
import { register as registerInventory } from "./inventory.js";
import { register as registerPlan } from "./plan.js";
import { register as registerReport } from "./report.js";
import { register as registerSchedule } from "./schedule.js";
import { register as registerShow } from "./show.js";
import { register as registerUnlock } from "./unlock.js";
import { register as registerValidate } from "./validate.js";

export function registerCommands(program: Command): void {
  registerValidate(program);
  registerPlan(program);
  registerShow(program);
  registerApply(program);
  registerFacts(program);
  registerBackup(program);
  registerReport(program);
  registerHistory(program);
  registerSchedule(program);
  registerUnlock(program);
  registerInventory(program);
  registerInit(program);
  registerCompletion(program);
}
