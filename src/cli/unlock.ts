/**
 * `nemoclaw unlock <host>… [--force]`: show and remove the fleet lock on hosts. A live lease is
 * refused without --force (exit 7); a dead run's lock is removed.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";

interface UnlockOptions {
  fleet?: string;
  inventory: string[];
  force: boolean;
  json: boolean;
  color: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function register(program: Command): void {
  program
    .command("unlock")
    .argument("<hosts...>", "hosts whose fleet lock to remove")
    .description("show and remove the fleet lock (~/.nemoclaw-fleet/lock.json) that a run left on hosts")
    .option("-f, --fleet <file>", "fleet file with the hosts' connection settings (default: ./fleet.yaml when it exists)")
    .option("-i, --inventory <path>", "Ansible inventory (YAML or INI); repeatable", collect, [])
    .option("--force", "remove a lock even while its lease is live (only when you know its run is gone)", false)
    .option("--json", "machine-readable output", false)
    .option("--no-color", "no colours in the output")
    .action(async (hosts: string[], options: UnlockOptions) => {
      const [{ unlockExitCode, unlockHost }, { localPidAlive }, { loadFleet }, { FleetValidationError, formatDiagnostics }, { ConnectionPool }, { colorsFor }, { formatUnlockOutcome }, { ExitCode }, os] =
        await Promise.all([
          import("../apply/unlock.js"),
          import("../host/system/process.js"),
          import("../config/load.js"),
          import("../config/diagnostics.js"),
          import("../transport/pool.js"),
          import("../report/color.js"),
          import("../report/recap-unlock.js"),
          import("../exit-codes.js"),
          import("node:os"),
        ]);
      const fleetFile = options.fleet ?? (existsSync("fleet.yaml") ? "fleet.yaml" : undefined);
      let fleet;
      try {
        ({ fleet } = await loadFleet({ ...(fleetFile !== undefined ? { fleetFile } : {}), inventories: options.inventory }));
      } catch (error) {
        if (!(error instanceof FleetValidationError)) throw error;
        process.stderr.write(formatDiagnostics(error.diagnostics, { color: colorsFor(process.stderr, options.color).enabled }));
        process.exitCode = ExitCode.ValidationError;
        return;
      }
      const unknown = hosts.filter((host) => !fleet.hosts.some((candidate) => candidate.name === host));
      if (unknown.length > 0) {
        process.stderr.write(`nemoclaw unlock: not in ${fleet.sourceFile}: ${unknown.join(", ")}\n`);
        process.exitCode = ExitCode.ValidationError;
        return;
      }
      const pool = new ConnectionPool(fleet.hosts.filter((host) => hosts.includes(host.name)));
      const deps = { identity: { user: os.userInfo().username, machine: os.hostname(), pid: process.pid }, now: () => new Date(), pidAlive: localPidAlive };
      try {
        const outcomes = await Promise.all(hosts.map((host) => unlockHost(host, () => pool.get(host), options.force, deps)));
        const colors = colorsFor(process.stdout, options.color);
        process.stdout.write(options.json ? `${JSON.stringify(outcomes, null, 2)}\n` : `${outcomes.map((outcome) => formatUnlockOutcome(outcome, colors)).join("\n")}\n`);
        process.exitCode = unlockExitCode(outcomes);
      } finally {
        await pool.closeAll();
      }
    });
}
