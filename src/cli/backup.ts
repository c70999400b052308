/**
 * `nemoclaw backup run|list|verify|prune|restore|due`: fleet-wide sandbox backups with retention,
 * checksums and restore. This module defines the commands and wires the core (src/backup) to the
 * fleet file, the connection pool and the renderers; heavy modules load inside the actions so
 * `--help` and `--version` stay fast.
 */
import type { Command } from "commander";
import type { RecordFilter } from "../backup/catalogue.js";
import type { BackupStores } from "../backup/destinations.js";
import type { VerifyOutcome } from "../backup/store.js";
import type { DesiredBackupPolicy, DesiredFleet } from "../config/types.js";
import type { Colors } from "../report/color.js";
import type { ExitCodeValue } from "../report/exit-codes.js";
import type { ConnectionPool } from "../transport/pool.js";
import { type CommonOptions, withCommonOptions } from "./common.js";

interface BackupOptions extends CommonOptions {
  policy: string[];
  color: boolean;
}

interface FilterOptions extends BackupOptions {
  host: string[];
  sandbox: string[];
}

interface RunCommandOptions extends BackupOptions {
  strict: boolean;
  concurrency?: string;
  due: boolean;
}

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
      .argument("[fleet]", "fleet file", "fleet.yaml")
      .description("back up every live sandbox the policies cover, on every gateway of every selected host"),
  )
    .option("--strict", "fail on any sandbox that is not Ready, and stop at the first host the schema preflight refuses", false)
    .option("--concurrency <n>", "hosts backed up at once (default: apply.concurrency)")
    .option("--due", "only the policies whose schedule is due", false)
    .action(async (fleetFile: string, options: RunCommandOptions) => {
      process.exitCode = await withContext(fleetFile, options, (context) => runCommand(context, options));
    });

  withFilters(
    withBackupOptions(
      backup.command("list").argument("[fleet]", "fleet file", "fleet.yaml").description("backups in the stores: age, size, verified or not"),
    ),
  ).action(async (fleetFile: string, options: FilterOptions) => {
    process.exitCode = await withContext(fleetFile, options, (context) => listCommand(context, options));
  });

  withFilters(
    withBackupOptions(
      backup
        .command("verify")
        .argument("[fleet]", "fleet file", "fleet.yaml")
        .description("re-hash backups and test-read them (tar listing, NemoClaw manifest); records the result"),
    ),
  )
    .option("--latest", "only the newest backup of each host/sandbox", false)
    .action(async (fleetFile: string, options: FilterOptions & { latest: boolean }) => {
      process.exitCode = await withContext(fleetFile, options, (context) => verifyCommand(context, options));
    });

  withFilters(
    withBackupOptions(
      backup
        .command("prune")
        .argument("[fleet]", "fleet file", "fleet.yaml")
        .description("delete backups each policy's retention (keepLast/Daily/Weekly/Monthly) no longer keeps"),
    ),
  )
    .option("--dry-run", "show what would be deleted, delete nothing", false)
    .action(async (fleetFile: string, options: FilterOptions & { dryRun: boolean }) => {
      process.exitCode = await withContext(fleetFile, options, (context) => pruneCommand(context, options));
    });

  withBackupOptions(
    backup
      .command("restore")
      .argument("<backup>", "<host>/<sandbox>[@<time>]: the newest backup, or the one at that time")
      .argument("[fleet]", "fleet file", "fleet.yaml")
      .description("restore a backup into its sandbox, or with --to into another sandbox on any host"),
  )
    .option("--to <host/sandbox>", "restore into this existing sandbox instead (same agent type)")
    .action(async (source: string, fleetFile: string, options: BackupOptions & { to?: string }) => {
      process.exitCode = await withContext(fleetFile, options, (context) => restoreCommand(context, source, options));
    });

  withBackupOptions(
    backup
      .command("due")
      .argument("[fleet]", "fleet file", "fleet.yaml")
      .description("which policies are due by their cron schedule (exit 2 when one is, for cron and systemd timers)"),
  ).action(async (fleetFile: string, options: BackupOptions) => {
    process.exitCode = await withContext(fleetFile, options, (context) => dueCommand(context, options));
  });
}

interface Context {
  fleet: DesiredFleet;
  /** Hosts selected by --limit. */
  hosts: string[];
  /** Policies selected by --policy (all when none given). */
  policies: DesiredBackupPolicy[];
  pool: ConnectionPool;
  stores: BackupStores;
  colors: Colors;
  errColors: Colors;
  now: () => Date;
  write(text: string): void;
  warn(text: string): void;
}

async function withContext(fleetFile: string, options: BackupOptions, action: (context: Context) => Promise<ExitCodeValue>): Promise<ExitCodeValue> {
  const [{ loadFleetFrom, readFleetInput }, { selectHosts }, { ConnectionPool }, { BackupStores }, { colorsFor }, { ExitCode }] = await Promise.all([
    import("../config/input.js"),
    import("../config/selectors.js"),
    import("../transport/pool.js"),
    import("../backup/destinations.js"),
    import("../report/color.js"),
    import("../report/exit-codes.js"),
  ]);
  const errColors = colorsFor(process.stderr, options.color);
  const input = await readFleetInput(fleetFile, { inventories: options.inventory, limit: options.limit, color: errColors.enabled }, { load: loadFleetFrom, select: selectHosts, stderr: process.stderr });
  if (typeof input === "number") return input;
  const { fleet, hosts } = input;
  const unknown = options.policy.filter((name) => !fleet.backupPolicies.some((policy) => policy.name === name));
  if (fleet.backupPolicies.length === 0 || unknown.length > 0) {
    const known = fleet.backupPolicies.map((policy) => policy.name).join(", ") || "none";
    process.stderr.write(
      `nemoclaw backup: ${unknown.length > 0 ? `no backup policy named ${unknown.join(", ")}` : `${fleetFile} defines no backupPolicies`} (policies: ${known})\n`,
    );
    return ExitCode.ValidationError;
  }
  const policies = options.policy.length === 0 ? fleet.backupPolicies : fleet.backupPolicies.filter((policy) => options.policy.includes(policy.name));
  const pool = new ConnectionPool(fleet.hosts);
  try {
    return await action({
      fleet,
      hosts,
      policies,
      pool,
      stores: new BackupStores(fleet, pool),
      colors: colorsFor(process.stdout, options.color),
      errColors,
      now: () => new Date(),
      write: (text) => process.stdout.write(text),
      warn: (text) => process.stderr.write(text),
    });
  } finally {
    await pool.closeAll();
  }
}

/** Ctrl-C / SIGTERM cancel the work in flight (remote commands are killed, partial backups removed). */
function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function filterOf(context: Context, options: FilterOptions): RecordFilter {
  const limited = options.limit === undefined ? undefined : context.hosts;
  const hosts = options.host.length > 0 ? options.host.filter((host) => limited === undefined || limited.includes(host)) : limited;
  return {
    ...(hosts ? { hosts } : {}),
    ...(options.sandbox.length > 0 ? { sandboxes: options.sandbox } : {}),
    ...(options.policy.length > 0 ? { policies: options.policy } : {}),
  };
}

async function runCommand(context: Context, options: RunCommandOptions): Promise<ExitCodeValue> {
  const [{ runBackups, runExitCode }, { createBackupService }, { readStores, catalogueOf, duePolicies }, { observeHost }, { mapHosts }, { newRunId }, human, json, { ExitCode }] =
    await Promise.all([
      import("../backup/run.js"),
      import("../backup/service.js"),
      import("../backup/catalogue.js"),
      import("../observe/host.js"),
      import("../transport/pool.js"),
      import("../apply/journal.js"),
      import("../report/backup-human.js"),
      import("../report/backup-json.js"),
      import("../report/exit-codes.js"),
    ]);
  const concurrency = options.concurrency === undefined ? context.fleet.apply.concurrency : Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    context.warn(`nemoclaw backup run: --concurrency must be a positive whole number, got ${options.concurrency}\n`);
    return ExitCode.Error;
  }
  let policies = context.policies;
  if (options.due) {
    const { contents } = await readStores(context.stores, policies);
    const dues = duePolicies(context.fleet, policies, catalogueOf(contents), context.now());
    policies = policies.filter((policy) => dues.some((due) => due.policy === policy.name && due.due));
    if (policies.length === 0) {
      context.write(options.json ? json.dueJson(dues) : "No backup policy is due.\n");
      return ExitCode.Ok;
    }
  }
  const interrupt = interruptSignal();
  try {
    const service = createBackupService({ fleet: context.fleet, pool: context.pool, now: context.now, observeHost, stores: context.stores });
    const report = await runBackups(
      { policies, hosts: context.hosts, strict: options.strict, concurrency, runId: newRunId(context.now()), signal: interrupt.signal },
      {
        fleet: context.fleet,
        pool: context.pool,
        observeHost,
        service,
        stores: context.stores,
        mapHosts,
        now: context.now,
        isAlive,
        onEvent: (event) => {
          if (options.json) return;
          const line = human.renderRunEvent(event, context.errColors);
          if (line) context.warn(line);
        },
      },
    );
    context.write(options.json ? json.runJson(report) : human.renderRunReport(report, context.colors));
    return interrupt.signal.aborted ? ExitCode.Interrupted : runExitCode(report);
  } finally {
    interrupt.dispose();
  }
}

async function listCommand(context: Context, options: FilterOptions): Promise<ExitCodeValue> {
  const [{ readStores }, human, json, { ExitCode }] = await Promise.all([
    import("../backup/catalogue.js"),
    import("../report/backup-human.js"),
    import("../report/backup-json.js"),
    import("../report/exit-codes.js"),
  ]);
  const { contents } = await readStores(context.stores, context.policies, filterOf(context, options));
  context.write(options.json ? json.listingJson(contents) : human.renderListing(contents, context.now(), context.colors));
  return contents.some((store) => store.error !== undefined) ? ExitCode.Unreachable : ExitCode.Ok;
}

async function verifyCommand(context: Context, options: FilterOptions & { latest: boolean }): Promise<ExitCodeValue> {
  const [{ readStores }, human, json, { ExitCode }] = await Promise.all([
    import("../backup/catalogue.js"),
    import("../report/backup-human.js"),
    import("../report/backup-json.js"),
    import("../report/exit-codes.js"),
  ]);
  const { contents } = await readStores(context.stores, context.policies, filterOf(context, options));
  const results: VerifyOutcome[] = [];
  for (const store of contents) {
    const seen = new Set<string>();
    for (const record of store.records) {
      const series = `${record.host}/${record.sandbox}`;
      if (options.latest && seen.has(series)) continue;
      seen.add(series);
      const outcome = await (await context.stores.storeOf(record)).verify(record, { now: context.now });
      results.push(outcome);
      if (!options.json) context.warn(human.renderVerifyOutcome(outcome, context.errColors));
    }
  }
  context.write(options.json ? json.verifyJson(results) : human.renderVerifySummary(results, context.colors));
  const unreadable = contents.some((store) => store.error !== undefined);
  if (results.some((result) => result.problems.length > 0)) return ExitCode.Failed;
  return unreadable ? ExitCode.Unreachable : ExitCode.Ok;
}

async function pruneCommand(context: Context, options: FilterOptions & { dryRun: boolean }): Promise<ExitCodeValue> {
  const [{ readStores }, { planPrune, executePrune }, human, json, { ExitCode }] = await Promise.all([
    import("../backup/catalogue.js"),
    import("../backup/prune.js"),
    import("../report/backup-human.js"),
    import("../report/backup-json.js"),
    import("../report/exit-codes.js"),
  ]);
  const { contents } = await readStores(context.stores, context.policies, filterOf(context, options));
  const plan = planPrune(contents, context.policies);
  const result = options.dryRun ? null : await executePrune(plan, (record) => context.stores.storeOf(record));
  context.write(options.json ? json.pruneJson(plan, result) : human.renderPrune(plan, result, context.colors));
  if (result && result.failed.length > 0) return ExitCode.Failed;
  return contents.some((store) => store.error !== undefined) ? ExitCode.Unreachable : ExitCode.Ok;
}

async function restoreCommand(context: Context, source: string, options: BackupOptions & { to?: string }): Promise<ExitCodeValue> {
  const [{ readStores }, { parseBackupReference, selectBackup }, { createBackupService }, { PreflightRefusedError }, { TransportError }, json, { ExitCode }] =
    await Promise.all([
      import("../backup/catalogue.js"),
      import("../backup/select.js"),
      import("../backup/service.js"),
      import("../backup/preflight.js"),
      import("../transport/types.js"),
      import("../report/backup-json.js"),
      import("../report/exit-codes.js"),
    ]);
  let reference;
  let target;
  try {
    reference = parseBackupReference(source);
    target = options.to ? parseBackupReference(options.to, "--to") : { ...reference, at: null };
    if (target.at !== null) throw new Error(`--to ${options.to}: name a sandbox, not a time`);
  } catch (error) {
    context.warn(`nemoclaw backup restore: ${(error as Error).message}\n`);
    return ExitCode.Error;
  }
  const host = context.fleet.hosts.find((candidate) => candidate.name === target.host);
  if (!host) {
    context.warn(`nemoclaw backup restore: ${target.host} is not a host of this fleet\n`);
    return ExitCode.Error;
  }
  const { contents } = await readStores(context.stores, context.policies, { hosts: [reference.host], sandboxes: [reference.sandbox] });
  for (const store of contents.filter((entry) => entry.error !== undefined)) context.warn(`! ${store.store}: ${store.error}\n`);
  let record;
  try {
    record = selectBackup(contents.flatMap((store) => store.records), reference);
  } catch (error) {
    context.warn(`nemoclaw backup restore: ${(error as Error).message}\n`);
    return ExitCode.Error;
  }
  const subject = { record, target: { host: target.host, sandbox: target.sandbox } };
  if (!options.json) context.warn(`Restoring ${record.location} into ${target.host}/${target.sandbox}…\n`);
  const interrupt = interruptSignal();
  try {
    const service = createBackupService({ fleet: context.fleet, pool: context.pool, now: context.now, stores: context.stores });
    await service.restoreSandbox({ record, host, connection: await context.pool.get(host.name), sandbox: target.sandbox, signal: interrupt.signal });
    context.write(options.json ? json.restoreJson({ ...subject, ok: true }) : `Restored ${target.host}/${target.sandbox} from ${record.id}.\n`);
    return ExitCode.Ok;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const block = error instanceof PreflightRefusedError ? error.block.lines : undefined;
    if (options.json) context.write(json.restoreJson({ ...subject, ok: false, error: message, ...(block ? { block } : {}) }));
    else context.warn(block ? `${target.host}:\n${block.join("\n")}\n` : `nemoclaw backup restore: ${message}\n`);
    if (interrupt.signal.aborted) return ExitCode.Interrupted;
    if (error instanceof PreflightRefusedError) return ExitCode.PreflightRefused;
    if (error instanceof TransportError && error.kind !== "command-failed" && error.kind !== "timeout") return ExitCode.Unreachable;
    return ExitCode.Failed;
  } finally {
    interrupt.dispose();
  }
}

async function dueCommand(context: Context, options: BackupOptions): Promise<ExitCodeValue> {
  const [{ readStores, catalogueOf, duePolicies }, human, json, { ExitCode }] = await Promise.all([
    import("../backup/catalogue.js"),
    import("../report/backup-human.js"),
    import("../report/backup-json.js"),
    import("../report/exit-codes.js"),
  ]);
  const { contents } = await readStores(context.stores, context.policies);
  const unreadable = contents.filter((store) => store.error !== undefined);
  for (const store of unreadable) context.warn(`nemoclaw backup due: ${store.store}: ${store.error}\n`);
  if (unreadable.length > 0) return ExitCode.Unreachable;
  const dues = duePolicies(context.fleet, context.policies, catalogueOf(contents), context.now());
  context.write(options.json ? json.dueJson(dues) : human.renderDue(dues, context.colors));
  return dues.some((due) => due.due) ? ExitCode.Changes : ExitCode.Ok;
}
