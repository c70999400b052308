/**
 * `nemoclaw backup run|list|verify|prune|restore|due`: fleet-wide sandbox backups with retention,
 * checksums and restore. This module only defines the commands and their options; each action
 * calls src/cli/backup-session.ts, loaded inside the action so `--help` and `--version` stay fast.
 */
import type { Command } from "commander";
import type { BackupOptions, FilterOptions, RunCommandOptions } from "./backup-session.js";
import { withCommonOptions } from "./common.js";
import { DEFAULT_FLEET_FILE } from "./fleet-default.js";

/** Backups always need a fleet file: the policies live there. */
const FLEET_FILE = "fleet file with the backup policies";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function withBackupOptions(command: Command): Command {
  return withCommonOptions(command)
    .option("--policy <name>", "only this backup policy; repeatable", collect, [])
    .option("--no-color", "no colours in the output");
}

function withFilters(command: Command): Command {
  return command
    .option("--host <name>", "only backups of this host; repeatable", collect, [])
    .option("--sandbox <glob>", "only backups of sandboxes matching this name or glob; repeatable", collect, []);
}

const HELP_AFTER = `
Backups live in each policy's destination as <destination>/<host>/<sandbox>/<timestamp>/ with
backup.tar (NemoClaw's own snapshot layout, restorable by hand with \`nemoclaw <sandbox> snapshot
restore\`) and manifest.json (schemas/backup-manifest.schema.json). See docs/backups.md.

Exit codes: 0 ok, 2 (\`due\`) a policy is due, 4 unreachable hosts, 5 failures, 8 schema preflight
refused (see docs/exit-codes.md).

Examples:
  nemoclaw backup run fleet.yaml                       # every policy, every covered sandbox
  nemoclaw backup run fleet.yaml --due                 # only the policies whose schedule is due
  nemoclaw backup list fleet.yaml --host spark-01
  nemoclaw backup verify fleet.yaml --latest
  nemoclaw backup prune fleet.yaml --dry-run
  nemoclaw backup restore spark-01/alice fleet.yaml
  nemoclaw backup restore spark-01/alice@2026-07-10 fleet.yaml --to spark-02/alice
  nemoclaw backup due fleet.yaml || nemoclaw backup run fleet.yaml --due`;

export function register(program: Command): void {
  const backup = program
    .command("backup")
    .description("fleet-wide sandbox backups: run, list, verify, prune, restore, and which policies are due")
    .addHelpText("after", HELP_AFTER);

  withBackupOptions(
    backup
      .command("run")
      .argument("[fleet]", FLEET_FILE, DEFAULT_FLEET_FILE)
      .description("back up every live sandbox the policies cover, on every gateway of every selected host"),
  )
    .option("--strict", "fail on any sandbox that is not Ready, and stop at the first host the schema preflight refuses", false)
    .option("--concurrency <n>", "hosts backed up at once (default: apply.concurrency)")
    .option("--due", "only the policies whose schedule is due", false)
    .option("--sandbox <glob>", "only sandboxes matching this name or glob; repeatable", collect, [])
    .action(async (fleetFile: string, options: RunCommandOptions) => {
      const session = await import("./backup-session.js");
      process.exitCode = await session.withContext(fleetFile, options, session.defaultBackupDeps(), (context) => session.runCommand(context, options));
    });

  withFilters(
    withBackupOptions(
      backup.command("list").argument("[fleet]", FLEET_FILE, DEFAULT_FLEET_FILE).description("backups in the stores: age, size, verified or not"),
    ),
  ).action(async (fleetFile: string, options: FilterOptions) => {
    const session = await import("./backup-session.js");
    process.exitCode = await session.withContext(fleetFile, options, session.defaultBackupDeps(), (context) => session.listCommand(context, options));
  });

  withFilters(
    withBackupOptions(
      backup
        .command("verify")
        .argument("[fleet]", FLEET_FILE, DEFAULT_FLEET_FILE)
        .description("re-hash backups and test-read them (tar listing, NemoClaw manifest); records the result"),
    ),
  )
    .option("--latest", "only the newest backup of each host/sandbox", false)
    .action(async (fleetFile: string, options: FilterOptions & { latest: boolean }) => {
      const session = await import("./backup-session.js");
      process.exitCode = await session.withContext(fleetFile, options, session.defaultBackupDeps(), (context) => session.verifyCommand(context, options));
    });

  withFilters(
    withBackupOptions(
      backup
        .command("prune")
        .argument("[fleet]", FLEET_FILE, DEFAULT_FLEET_FILE)
        .description("delete backups each policy's retention (keepLast/Daily/Weekly/Monthly) no longer keeps"),
    ),
  )
    .option("--dry-run", "show what would be deleted, delete nothing", false)
    .action(async (fleetFile: string, options: FilterOptions & { dryRun: boolean }) => {
      const session = await import("./backup-session.js");
      process.exitCode = await session.withContext(fleetFile, options, session.defaultBackupDeps(), (context) => session.pruneCommand(context, options));
    });

  withBackupOptions(
    backup
      .command("restore")
      .argument("<backup>", "<host>/<sandbox>[@<time>]: the newest backup, or the one at that time")
      .argument("[fleet]", FLEET_FILE, DEFAULT_FLEET_FILE)
      .description("restore a backup into its sandbox, or with --to into another sandbox on any host"),
  )
    .option("--to <host/sandbox>", "restore into this existing sandbox instead (same agent type)")
    .action(async (source: string, fleetFile: string, options: BackupOptions & { to?: string }) => {
      const session = await import("./backup-session.js");
      process.exitCode = await session.withContext(fleetFile, options, session.defaultBackupDeps(), (context) => session.restoreCommand(context, source, options));
    });

  withBackupOptions(
    backup
      .command("due")
      .argument("[fleet]", FLEET_FILE, DEFAULT_FLEET_FILE)
      .description("which policies are due by their cron schedule (exit 2 when one is, for cron and systemd timers)"),
  ).action(async (fleetFile: string, options: BackupOptions) => {
    const session = await import("./backup-session.js");
    process.exitCode = await session.withContext(fleetFile, options, session.defaultBackupDeps(), (context) => session.dueCommand(context, options));
  });
}
