/**
 * `nemoclaw unlock <host>… [--force]`: show and remove the fleet lock on hosts. A live lease is
 * refused without --force (exit 7); a dead run's lock is removed.
 */
import type { Command } from "commander";
import type { UnlockDeps } from "../apply/unlock.js";
import type { Diagnostic } from "../config/diagnostics.js";
import type { DesiredFleet, DesiredHost } from "../config/types.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { withVaultOptions } from "./common.js";
import { DEFAULT_FLEET_FILE, DEFAULTED_HINT, fleetFileFor } from "./fleet-default.js";
import type { HostPool, Output } from "./session-deps.js";

export interface UnlockOptions {
  fleet?: string;
  inventory: string[];
  force: boolean;
  json: boolean;
  color: boolean;
}

export interface UnlockCommandDeps extends UnlockDeps {
  loadFleet(fleetFile: string | undefined, inventories: string[]): Promise<{ fleet: DesiredFleet; warnings: Diagnostic[] }>;
  openPool(hosts: DesiredHost[]): HostPool;
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  // The vault options too (README: every command that works on hosts): a vault-encrypted inventory
  // or variables file is read for the hosts' connection settings as the other commands read it.
  withVaultOptions(program.command("unlock"))
    .argument("<hosts...>", "hosts whose fleet lock to remove")
    .description("show and remove the fleet lock (~/.nemoclaw-fleet/lock.json) that a run left on hosts")
    .option("-f, --fleet <file>", `fleet file with the hosts' connection settings (default: ./${DEFAULT_FLEET_FILE}; with -i and no --fleet, the inventories alone)`)
    .option("-i, --inventory <path>", "Ansible inventory: INI, YAML, JSON, a directory, an inventory script or a plugin file; repeatable", collect, [])
    .option("--force", "remove a lock even while its lease is live (only when you know its run is gone)", false)
    .option("--json", "machine-readable output", false)
    .option("--no-color", "no colours in the output")
    .addHelpText(
      "after",
      `
Shows each host's lock and removes it when its run is dead: taken on this machine by a pid that is
gone, or its lease expired. A live lease is refused unless --force — use it only when you know
that run is gone (an apply reclaims dead runs' locks by itself).

Exit codes: 0 removed or no lock, 3 a host not in the fleet, 4 a host unreachable, 7 a live lease
refused or the lock changed meanwhile (see docs/exit-codes.md and docs/apply.md).

Examples:
  nemoclaw unlock spark-03
  nemoclaw unlock spark-03 spark-04 --fleet lab.yaml
  nemoclaw unlock spark-03 --force --json`,
    )
    .action(async (hosts: string[], options: UnlockOptions) => {
      process.exitCode = await runUnlockCommand(hosts, options, await defaultDeps());
    });
}

export async function runUnlockCommand(hosts: string[], options: UnlockOptions, deps: UnlockCommandDeps): Promise<ExitCodeValue> {
  const [{ unlockExitCode, unlockHost }, { FleetValidationError, formatDiagnostics }, { colorsFor }, { formatUnlockOutcome }, { ExitCode }] = await Promise.all([
    import("../apply/unlock.js"),
    import("../config/diagnostics.js"),
    import("../report/color.js"),
    import("../report/recap-unlock.js"),
    import("../exit-codes.js"),
  ]);
  const fleetFile = fleetFileFor(options.fleet, options.inventory);
  let fleet: DesiredFleet;
  try {
    ({ fleet } = await deps.loadFleet(fleetFile, options.inventory));
  } catch (error) {
    if (!(error instanceof FleetValidationError)) throw error;
    deps.stderr.write(formatDiagnostics(error.diagnostics, { color: colorsFor(deps.stderr, options.color, deps.env).enabled }));
    if (options.fleet === undefined && fleetFile !== undefined) deps.stderr.write(DEFAULTED_HINT);
    return ExitCode.ValidationError;
  }
  const unknown = hosts.filter((host) => !fleet.hosts.some((candidate) => candidate.name === host));
  if (unknown.length > 0) {
    // Every other command names its fleet file as an argument; unlock's arguments are hosts.
    const file = unknown.find((name) => /\.(ya?ml|json)$/i.test(name));
    const hint = file === undefined ? "" : `; unlock's arguments are hosts: name the fleet file with --fleet (nemoclaw unlock ${hosts.filter((host) => host !== file).join(" ") || "<host>"} --fleet ${file})`;
    deps.stderr.write(`nemoclaw unlock: not in ${fleet.sourceFile}: ${unknown.join(", ")}${hint}\n`);
    return ExitCode.ValidationError;
  }
  // Every fleet host, not only those named: a jump through a fleet host is dialled with its settings.
  const pool = deps.openPool(fleet.hosts);
  try {
    const outcomes = await Promise.all(hosts.map((host) => unlockHost(host, () => pool.get(host), options.force, deps)));
    const colors = colorsFor(deps.stdout, options.color, deps.env);
    deps.stdout.write(options.json ? `${JSON.stringify(outcomes, null, 2)}\n` : `${outcomes.map((outcome) => formatUnlockOutcome(outcome, colors)).join("\n")}\n`);
    return unlockExitCode(outcomes);
  } finally {
    await pool.closeAll();
  }
}

async function defaultDeps(): Promise<UnlockCommandDeps> {
  const [{ localPidAlive }, { loadFleetFrom }, { ConnectionPool }, { processDeps }] = await Promise.all([
    import("../host/system/process.js"),
    import("./fleet-input.js"),
    import("../transport/pool.js"),
    import("./session-deps.js"),
  ]);
  const { stdout, stderr, env, identity, now } = processDeps();
  return {
    loadFleet: loadFleetFrom,
    openPool: (hosts) => new ConnectionPool(hosts),
    identity,
    now,
    pidAlive: localPidAlive,
    stdout,
    stderr,
    env,
  };
}
