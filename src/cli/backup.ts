/**
 * `nemoclaw backup run|list|verify|prune|restore|due`: fleet-wide sandbox backups with retention,
 * checksums and restore. This module only defines the commands and their options; each action
 * calls src/cli/backup-session.ts, loaded inside the action so `--help` and `--version` stay fast.
 */
import { type Command, Option } from "commander";
import type { BackupOptions, FilterOptions, RunCommandOptions } from "./backup-session.js";
import { concurrency, durationMs, withCommonOptions } from "./common.js";
import { DEFAULT_FLEET_FILE } from "./fleet-default.js";
import { withMetricsOption } from "./metrics-option.js";

/**
 * A backup run waits this long by default for a host lock another run holds: it mostly runs from a
 * timer, which fires on the same minute as the scheduled apply's (whose lock lasts seconds), and a
 * host left out is not backed up until its policy fires again.
 */
export const DEFAULT_BACKUP_LOCK_TIMEOUT_MS = 5 * 60_000;

/** Backups always need a fleet file: the policies live there. */
const FLEET_FILE = `fleet file with the backup policies (default: ./${DEFAULT_FLEET_FILE})`;

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

/** A subcommand's exit codes and examples, under its own --help. */
function helpAfter(exitCodes: string, examples: string[]): string {
  return `\nExit codes: ${exitCodes} (see docs/exit-codes.md and docs/backups.md).\n\nExamples:\n${examples.map((example) => `  ${example}`).join("\n")}`;
}

const HELP_AFTER = `
Backups live in each policy's destination as <destination>/<host>/<sandbox>/<timestamp>/ with
backup.tar (NemoClaw's own snapshot layout, restorable by hand with \`nemoclaw <sandbox> snapshot
restore\`) and manifest.json (schemas/backup-manifest.schema.json). See docs/backups.md.

Exit codes: 0 ok, 1 bad usage or a store that cannot be written, 2 (\`due\`) a policy is due,
3 invalid fleet file or option value, 4 unreachable hosts or stores, 5 failures, 7 host lock held,
8 schema preflight refused, 130 interrupted (see docs/exit-codes.md and docs/backups.md).

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

  withMetricsOption(
    withBackupOptions(
      backup
        .command("run")
        .argument("[fleet]", FLEET_FILE)
        .description("back up every live sandbox the policies cover, on every gateway of every selected host"),
    ),
  )
    .option("--strict", "fail on any sandbox that is not Ready, and stop at the first host the schema preflight refuses", false)
    .option("--concurrency <n>", "hosts backed up at once, 1 to 1024 (default: apply.concurrency)", concurrency)
    .option("--due", "only the policies whose schedule is due", false)
    .option("--sandbox <glob>", "only sandboxes matching this name or glob; repeatable", collect, [])
    .addOption(
      new Option("--lock-timeout <duration>", "wait this long (30s, 5m, 1h30m) for a host lock another run holds before leaving that host out; 0 leaves it out at once")
        .argParser(durationMs)
        .default(DEFAULT_BACKUP_LOCK_TIMEOUT_MS, "5m"),
    )
    .addHelpText(
      "after",
      helpAfter("0 every backup taken (and verified where asked), 3 invalid fleet file, inventory, --limit or --policy, or a --sandbox matching no sandbox the policies cover, 1 a store that cannot be written, 4 unreachable hosts or a store on one, 5 a backup failed, 7 another run holds a host's lock, 8 schema preflight refused, 130 interrupted", [
        "nemoclaw backup run                                  # every policy of ./fleet.yaml",
        "nemoclaw backup run fleet.yaml --policy nightly --limit spark",
        "nemoclaw backup run fleet.yaml --due                 # from cron or a systemd timer",
        "nemoclaw backup run fleet.yaml --sandbox 'research-*' --json",
        "nemoclaw backup run --due --metrics-file /var/lib/prometheus/node-exporter/nemoclaw-backup-run.prom",
      ]),
    )
    .action(async (fleetFile: string | undefined, options: RunCommandOptions) => {
      const session = await import("./backup-session.js");
      process.exitCode = await session.withContext(fleetFile, options, session.defaultBackupDeps(), (context) => session.runCommand(context, options));
    });

  withFilters(
    withBackupOptions(
      backup.command("list").argument("[fleet]", FLEET_FILE).description("backups in the stores: age, size, verified or not"),
    ),
  )
    .addHelpText(
      "after",
      helpAfter("0 listed, 3 invalid fleet file or --policy, 4 a store could not be read", [
        "nemoclaw backup list",
        "nemoclaw backup list fleet.yaml --host spark-01 --sandbox alice",
        "nemoclaw backup list --json | jq '.stores[].records[] | {host, sandbox, timestamp, verified}'",
      ]),
    )
    .action(async (fleetFile: string | undefined, options: FilterOptions) => {
    const session = await import("./backup-session.js");
    process.exitCode = await session.withContext(fleetFile, options, session.defaultBackupDeps(), (context) => session.listCommand(context, options));
  });

  withMetricsOption(
    withFilters(
      withBackupOptions(
        backup
          .command("verify")
          .argument("[fleet]", FLEET_FILE)
          .description("re-hash backups and test-read them (tar listing, NemoClaw manifest); records the result"),
      ),
    ),
  )
    .option("--latest", "only the newest backup of each policy and host/sandbox", false)
    .addHelpText(
      "after",
      helpAfter("0 every backup verified, 3 invalid fleet file or --policy, 4 a store could not be read, 5 a backup failed verification", [
        "nemoclaw backup verify --latest",
        "nemoclaw backup verify fleet.yaml --host spark-01 --json",
        "nemoclaw backup verify --latest --metrics-file /var/lib/prometheus/node-exporter/nemoclaw-backups.prom",
      ]),
    )
    .action(async (fleetFile: string | undefined, options: FilterOptions & { latest: boolean }) => {
      const session = await import("./backup-session.js");
      process.exitCode = await session.withContext(fleetFile, options, session.defaultBackupDeps(), (context) => session.verifyCommand(context, options));
    });

  withFilters(
    withBackupOptions(
      backup
        .command("prune")
        .argument("[fleet]", FLEET_FILE)
        .description("delete backups each policy's retention (keepLast/Daily/Weekly/Monthly) no longer keeps, and what killed runs left in the stores"),
    ),
  )
    .option("--dry-run", "show what would be deleted, delete nothing", false)
    .addHelpText(
      "after",
      helpAfter("0 pruned (or shown with --dry-run), 3 invalid fleet file or --policy, 4 a store could not be read, 5 a backup or leftover could not be deleted", [
        "nemoclaw backup prune --dry-run",
        "nemoclaw backup prune fleet.yaml --policy nightly",
      ]),
    )
    .action(async (fleetFile: string | undefined, options: FilterOptions & { dryRun: boolean }) => {
      const session = await import("./backup-session.js");
      process.exitCode = await session.withContext(fleetFile, options, session.defaultBackupDeps(), (context) => session.pruneCommand(context, options));
    });

  withBackupOptions(
    backup
      .command("restore")
      .argument("<backup>", "<host>/<sandbox>[@<time>]: the newest backup, or the one at that time")
      .argument("[fleet]", FLEET_FILE)
      .description("restore a backup into its sandbox, or with --to into another sandbox on any host"),
  )
    .option("--to <host/sandbox>", "restore into this existing sandbox instead (same agent type)")
    .option("--dry-run", "run every check on the target host and say what the restore would do (and warn about), change nothing", false)
    .addHelpText(
      "after",
      helpAfter("0 restored (or the checks passed with --dry-run), 1 no such backup, 3 invalid fleet file or --policy, or a target host not in the fleet, 4 the host or store could not be reached, 5 the restore failed or was refused (e.g. the target sandbox is missing, not Ready or runs another agent), 7 another run holds the host lock, 8 schema preflight refused, 130 interrupted", [
        "nemoclaw backup restore spark-01/alice                # the newest backup",
        "nemoclaw backup restore spark-01/alice@2026-07-10 fleet.yaml",
        "nemoclaw backup restore spark-01/alice --to spark-02/alice --dry-run",
        "nemoclaw backup restore spark-01/alice --to spark-02/alice",
      ]),
    )
    .action(async (source: string, fleetFile: string | undefined, options: BackupOptions & { to?: string; dryRun: boolean }) => {
      const session = await import("./backup-session.js");
      process.exitCode = await session.withContext(fleetFile, options, session.defaultBackupDeps(), (context) => session.restoreCommand(context, source, options));
    });

  withMetricsOption(
    withBackupOptions(
      backup
        .command("due")
        .argument("[fleet]", FLEET_FILE)
        .description("which policies are due by their cron schedule (exit 2 when one is, for cron and systemd timers)"),
    ),
  )
    .addHelpText(
      "after",
      helpAfter("0 none due, 2 a policy is due, 3 invalid fleet file or --policy, 4 a store could not be read", [
        "nemoclaw backup due",
        "nemoclaw backup due fleet.yaml --policy nightly || nemoclaw backup run fleet.yaml --due",
        "nemoclaw backup due --metrics-file /var/lib/prometheus/node-exporter/nemoclaw-backups.prom",
      ]),
    )
    .action(async (fleetFile: string | undefined, options: BackupOptions) => {
    const session = await import("./backup-session.js");
    process.exitCode = await session.withContext(fleetFile, options, session.defaultBackupDeps(), (context) => session.dueCommand(context, options));
  });
}
