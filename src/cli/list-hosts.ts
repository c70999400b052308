/**
 * `--list-hosts` on every command that takes `--limit`: load the fleet file (or the saved plan's
 * fleet) and inventories, select, and print the hosts the way `ansible --list-hosts` does
 * (`  hosts (N):` then one host per line, in Ansible's order), or `{"hosts": [...]}` with --json.
 * No host is contacted and nothing else runs.
 */
import type { Command } from "commander";
import { FleetValidationError, formatDiagnostics } from "../config/diagnostics.js";
import { fleetFileFor } from "./fleet-default.js";
import { loadFleetFrom } from "./fleet-input.js";
import { selectLimit } from "../config/selectors.js";
import type { DesiredFleet } from "../config/types.js";
import { colorsFor } from "../report/color.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";

/** The shared options this needs (see withCommonOptions in common.ts). */
interface ListHostsOptions {
  inventory: string[];
  limit?: string;
  json: boolean;
  color?: boolean;
}

export interface ListHostsDeps {
  load(fleetFile: string | undefined, inventories: string[]): Promise<{ fleet: DesiredFleet; warnings: Parameters<typeof formatDiagnostics>[0] }>;
  /** The hosts a saved plan covers and the fleet file it was made from, when `source` is a plan file. */
  savedPlan(source: string): Promise<{ fleetFile: string | undefined; hosts: string[] } | undefined>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** The fleet file argument of a command (named `fleet` or `source`), as given or defaulted. */
export function fleetArgumentOf(command: Command): string | undefined {
  const index = command.registeredArguments.findIndex((argument) => argument.name() === "fleet" || argument.name() === "source");
  const value: unknown = index < 0 ? undefined : command.processedArgs[index];
  return typeof value === "string" ? value : undefined;
}

export async function listHostsInstead(command: Command, deps: ListHostsDeps = defaultDeps()): Promise<ExitCodeValue> {
  const options = command.opts<ListHostsOptions>();
  return listHosts(fleetArgumentOf(command), options, deps);
}

export async function listHosts(named: string | undefined, options: ListHostsOptions, deps: ListHostsDeps): Promise<ExitCodeValue> {
  const color = colorsFor(deps.stderr, options.color ?? true, deps.env).enabled;
  const source = fleetFileFor(named, options.inventory);
  try {
    const plan = source === undefined ? undefined : await deps.savedPlan(source);
    const { fleet, warnings } = await deps.load(plan === undefined ? source : plan.fleetFile, options.inventory);
    if (warnings.length > 0) deps.stderr.write(formatDiagnostics(warnings, { color }));
    const selection = selectLimit(fleet, options.limit);
    for (const warning of selection.warnings) deps.stderr.write(`warning: ${warning}\n`);
    const hosts = plan === undefined ? selection.listed : selection.listed.filter((host) => plan.hosts.includes(host));
    deps.stdout.write(options.json ? `${JSON.stringify({ hosts }, null, 2)}\n` : `  hosts (${hosts.length}):\n${hosts.map((host) => `    ${host}\n`).join("")}`);
    return ExitCode.Ok;
  } catch (error) {
    // A broken saved plan (PlanFileError, from the lazily loaded plan-file module) is a validation error too.
    if (error instanceof Error && error.name === "PlanFileError") {
      deps.stderr.write(`${error.message}\n`);
      return ExitCode.ValidationError;
    }
    if (!(error instanceof FleetValidationError)) throw error;
    deps.stderr.write(formatDiagnostics(error.diagnostics, { color }));
    return ExitCode.ValidationError;
  }
}

function defaultDeps(): ListHostsDeps {
  return {
    load: loadFleetFrom,
    savedPlan: async (source) => {
      const { isPlanFile, readPlanFile } = await import("../report/plan-file.js");
      if (!(await isPlanFile(source))) return undefined;
      const plan = await readPlanFile(source);
      return { fleetFile: plan.fleet.file.startsWith("<") ? undefined : plan.fleet.file, hosts: plan.selection.hosts };
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  };
}
