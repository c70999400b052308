/**
 * `nemoclaw facts [fleet.yaml] [-i inv]… [--limit …] [--json]`: observe the selected hosts (one
 * round trip each) and print what was found. Works from inventories alone, like `ansible -m setup`.
 * Heavy modules load inside the action so `--help` and `--version` stay fast.
 */
import type { Command } from "commander";
import type { DesiredFleet } from "../config/types.js";
import type { ObservedFleet } from "../observe/types.js";
import type { ExitCodeValue } from "../report/exit-codes.js";
import { type CommonOptions, withCommonOptions } from "./common.js";

export interface FactsCommandOptions extends CommonOptions {
  /** False with --no-color. */
  color: boolean;
}

export interface FactsCommandDeps {
  load(fleetFile: string | undefined, inventories: string[]): Promise<{ fleet: DesiredFleet; warnings: string }>;
  select(fleet: DesiredFleet, limit: string | undefined): string[];
  observe(fleet: DesiredFleet, hosts: string[]): Promise<ObservedFleet>;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function register(program: Command): void {
  withCommonOptions(
    program
      .command("facts")
      .argument("[fleet]", "fleet file (default: hosts from the inventories only)")
      .description("observe the selected hosts and show what is there: versions, gateways, sandboxes, guards, backups; changes nothing"),
  )
    .option("--no-color", "no colours in the output")
    .action(async (fleetFile: string | undefined, options: FactsCommandOptions) => {
      process.exitCode = await runFactsCommand(fleetFile, options, await defaultDeps());
    });
}

export async function runFactsCommand(fleetFile: string | undefined, options: FactsCommandOptions, deps: FactsCommandDeps): Promise<ExitCodeValue> {
  const [{ renderFactsHuman }, { renderFactsJson, factsExitCode }, { colorsFor }, { ExitCode }, { FleetValidationError, formatDiagnostics }] = await Promise.all([
    import("../report/facts-human.js"),
    import("../report/facts-json.js"),
    import("../report/color.js"),
    import("../report/exit-codes.js"),
    import("../config/diagnostics.js"),
  ]);
  let fleet: DesiredFleet;
  let hosts: string[];
  try {
    const loaded = await deps.load(fleetFile, options.inventory);
    if (loaded.warnings) deps.stderr.write(loaded.warnings);
    fleet = loaded.fleet;
    hosts = deps.select(fleet, options.limit);
  } catch (error) {
    if (!(error instanceof FleetValidationError)) throw error;
    deps.stderr.write(formatDiagnostics(error.diagnostics, { color: colorsFor(deps.stderr, options.color, deps.env).enabled }));
    return ExitCode.ValidationError;
  }
  if (!options.json) deps.stderr.write(`Observing ${hosts.length} host${hosts.length === 1 ? "" : "s"}…\n`);
  const observed = await deps.observe(fleet, hosts);
  deps.stdout.write(options.json ? renderFactsJson(observed) : renderFactsHuman(observed, { colors: colorsFor(deps.stdout, options.color, deps.env) }));
  return factsExitCode(observed);
}

async function defaultDeps(): Promise<FactsCommandDeps> {
  const [{ loadFleet }, { selectHosts }, { formatDiagnostics }, { ConnectionPool }, { observeFleet }] = await Promise.all([
    import("../config/load.js"),
    import("../config/selectors.js"),
    import("../config/diagnostics.js"),
    import("../transport/pool.js"),
    import("../observe/fleet.js"),
  ]);
  return {
    async load(fleetFile, inventories) {
      const { fleet, warnings } = await loadFleet({ ...(fleetFile ? { fleetFile } : {}), inventories });
      return { fleet, warnings: warnings.length > 0 ? formatDiagnostics(warnings, { color: false }) : "" };
    },
    select: selectHosts,
    async observe(fleet, hosts) {
      const pool = new ConnectionPool(fleet.hosts.filter((host) => hosts.includes(host.name)));
      try {
        return await observeFleet(fleet, hosts, { pool, concurrency: fleet.apply.concurrency });
      } finally {
        await pool.closeAll();
      }
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  };
}
