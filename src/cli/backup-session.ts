/**
 * One `nemoclaw backup …` subcommand from start to end: read the fleet file and --limit, open the
 * connection pool and stores, run the core (run, list, verify, prune, restore, due), render, and map
 * the outcome to an exit code. `backup run` is journaled like an apply, so `nemoclaw history` shows
 * it. src/cli/backup.ts only defines the commands and calls these with `defaultBackupDeps()`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { EventBus } from "../apply/events.js";
import { JournalWriter, newRunId } from "../apply/journal.js";
import { acquireHostLock, describeHolder, type HostLease, leaseOn, lockFor, type LockOptions, type Reclaimed, whileHolding } from "../apply/lock.js";
import { lockUnconfirmed, runAndObserve, type RunAndObserve } from "../apply/round-trip.js";
import { Redactor } from "../apply/redact.js";
import { notifierFor } from "./notify.js";
import { backupFreshness, catalogueOf, duePolicies, readStores, type RecordFilter, type StoreContents } from "../backup/catalogue.js";
import { BackupStores } from "../backup/destinations.js";
import { PreflightRefusedError } from "../backup/errors.js";
import { executePrune, planPrune } from "../backup/prune.js";
import { type HostLock, type MapHosts, runBackups, runExitCode } from "../backup/run.js";
import { parseBackupReference, selectBackup } from "../backup/select.js";
import { BACKUP_OBSERVE, type BackupService, createBackupService, type ObserveHost, observeForBackup } from "../backup/service.js";
import type { Liveness, VerifyOutcome } from "../backup/store.js";
import type { Diagnostic } from "../config/diagnostics.js";
import { formatDurationSetting } from "../config/duration.js";
import { selectHosts } from "../config/selectors.js";
import type { DesiredBackupPolicy, DesiredFleet, DesiredHost } from "../config/types.js";
import type { ObservedHost } from "../observe/types.js";
import { ExitCode, type ExitCodeValue, mostSevere } from "../exit-codes.js";
import { didYouMean } from "../config/suggest.js";
import { type HostLockInfo, lockText } from "../host/system/fleet-lock.js";
import { localPidAlive } from "../host/system/process.js";
import * as human from "../report/backup-human.js";
import * as json from "../report/backup-json.js";
import { BackupRunEvents } from "../report/backup-run-events.js";
import { colorsFor, type Colors } from "../report/color.js";
import { backupFamilies, runFamilies } from "../report/fleet-metrics.js";
import { ConnectionPool, mapHosts } from "../transport/pool.js";
import { TransportError, type Connection } from "../transport/types.js";
import { TOOL_VERSION } from "../version.js";
import type { CommonOptions } from "./common.js";
import { loadFleetFrom, readFleetInput, refuseOverwritingInputs } from "./fleet-input.js";
import { DEFAULT_FLEET_FILE } from "./fleet-default.js";
import { checkMetricsFile, type MetricsOption, writeMetrics } from "./metrics-option.js";
import { type HostPool, journalFailed, type ProcessDeps, processDeps } from "./session-deps.js";

export interface BackupOptions extends CommonOptions, MetricsOption {
  policy: string[];
  color: boolean;
}

export interface FilterOptions extends BackupOptions {
  host: string[];
  sandbox: string[];
}

export interface RunCommandOptions extends BackupOptions {
  sandbox: string[];
  strict: boolean;
  /** Checked by the option's parser (1 to 1024). */
  concurrency?: number;
  due: boolean;
  /** --lock-timeout, in ms: how long to wait for a host lock another run holds before leaving that host out. */
  lockTimeout: number;
}

export interface BackupSessionDeps extends ProcessDeps {
  loadFleet(fleetFile: string | undefined, inventories: string[]): Promise<{ fleet: DesiredFleet; warnings: Diagnostic[]; sources?: string[] }>;
  selectHosts(fleet: DesiredFleet, limit: string | undefined): string[];
  openPool(hosts: DesiredHost[]): HostPool;
  openStores(fleet: DesiredFleet, pool: HostPool): BackupStores;
  backupService(fleet: DesiredFleet, pool: HostPool, stores: BackupStores, now: () => Date): BackupService;
  observeHost: ObserveHost;
  mapHosts: MapHosts;
  /** Liveness of a pid on this machine (partial backups of dead runs are removed). */
  pidAlive(pid: number): boolean;
  /** Takes a host's fleet lock (src/apply/lock.ts), held while a backup run or a restore works there. */
  acquireHostLock: typeof acquireHostLock;
  /** One round trip to a host (src/apply/round-trip.ts): `backup run` takes the host lock in its look. */
  runAndObserve: RunAndObserve;
}

export function defaultBackupDeps(): BackupSessionDeps {
  return {
    ...processDeps(),
    loadFleet: loadFleetFrom,
    selectHosts,
    openPool: (hosts) => new ConnectionPool(hosts),
    openStores: (fleet, pool) => new BackupStores(fleet, pool),
    backupService: (fleet, pool, stores, now) => createBackupService({ fleet, pool, stores, now }),
    observeHost: observeForBackup,
    mapHosts,
    pidAlive: localPidAlive,
    acquireHostLock,
    runAndObserve,
  };
}

interface Context {
  fleet: DesiredFleet;
  /** Hosts selected by --limit. */
  hosts: string[];
  /** Policies selected by --policy (all when none given). */
  policies: DesiredBackupPolicy[];
  pool: HostPool;
  stores: BackupStores;
  colors: Colors;
  errColors: Colors;
  deps: BackupSessionDeps;
  write(text: string): void;
  warn(text: string): void;
}

/** `named`: the fleet file the user gave, if any (./fleet.yaml otherwise: the policies live in a fleet file, never in inventories). */
export async function withContext(
  named: string | undefined,
  options: BackupOptions,
  deps: BackupSessionDeps,
  action: (context: Context) => Promise<ExitCodeValue>,
): Promise<ExitCodeValue> {
  const errColors = colorsFor(deps.stderr, options.color, deps.env);
  const badPath = checkMetricsFile("backup", options.metricsFile, deps.stderr);
  if (badPath !== null) return badPath;
  const fleetFile = named ?? DEFAULT_FLEET_FILE;
  const input = await readFleetInput(fleetFile, { inventories: options.inventory, limit: options.limit, color: errColors.enabled }, { load: deps.loadFleet, select: deps.selectHosts, stderr: deps.stderr });
  if (typeof input === "number") {
    if (named === undefined) deps.stderr.write(`(no fleet file was named, so ./${DEFAULT_FLEET_FILE} was read; backup commands take their policies from a fleet file: name it, as in \`nemoclaw backup list lab.yaml\`)\n`);
    return input;
  }
  const clash = refuseOverwritingInputs("backup", [{ option: "--metrics-file", path: options.metricsFile }], input.inputs, deps.stderr);
  if (clash !== null) return clash;
  const { fleet, hosts } = input;
  const unknown = options.policy.filter((name) => !fleet.backupPolicies.some((policy) => policy.name === name));
  if (fleet.backupPolicies.length === 0 || unknown.length > 0) {
    const known = fleet.backupPolicies.map((policy) => policy.name).join(", ") || "none";
    deps.stderr.write(
      `nemoclaw backup: ${unknown.length > 0 ? `no backup policy named ${unknown.join(", ")}` : `${fleetFile} defines no backupPolicies`} (policies: ${known})\n`,
    );
    return ExitCode.ValidationError;
  }
  const policies = options.policy.length === 0 ? fleet.backupPolicies : fleet.backupPolicies.filter((policy) => options.policy.includes(policy.name));
  const pool = deps.openPool(fleet.hosts);
  try {
    return await action({
      fleet,
      hosts,
      policies,
      pool,
      stores: deps.openStores(fleet, pool),
      colors: colorsFor(deps.stdout, options.color, deps.env),
      errColors,
      deps,
      write: (text) => void deps.stdout.write(text),
      warn: (text) => void deps.stderr.write(text),
    });
  } finally {
    await pool.closeAll();
  }
}

/** Ctrl-C / SIGTERM cancel the work in flight (remote commands are killed, partial backups removed). */
/** Ctrl-C (or `abort()`, when the journal cannot be written) cancels the run. */
function interruptSignal(deps: BackupSessionDeps): { signal: AbortSignal; abort(): void; dispose(): void } {
  const controller = new AbortController();
  const dispose = deps.onInterrupt(() => controller.abort());
  return { signal: controller.signal, abort: () => controller.abort(), dispose };
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

export async function runCommand(context: Context, options: RunCommandOptions): Promise<ExitCodeValue> {
  const concurrency = options.concurrency ?? context.fleet.apply.concurrency;
  let policies = context.policies;
  if (options.due) {
    const { contents } = await readStores(context.stores, policies);
    const dues = duePolicies(context.fleet, policies, catalogueOf(contents), context.deps.now());
    policies = policies.filter((policy) => dues.some((due) => due.policy === policy.name && due.due));
    if (policies.length === 0) {
      context.write(options.json ? json.dueJson(dues) : "No backup policy is due.\n");
      return ExitCode.Ok;
    }
  }
  const runId = newRunId(context.deps.now());
  let journal: JournalWriter;
  const redactor = new Redactor();
  const interrupt = interruptSignal(context.deps);
  try {
    // A run whose journal cannot be written (a full disk) stops as Ctrl-C stops it.
    journal = JournalWriter.open(context.deps.journalDir, runId, redactor, (failure) => {
      context.warn(`nemoclaw backup run: ${failure.message}; stopping the run\n`);
      queueMicrotask(() => interrupt.abort());
    });
  } catch (error) {
    interrupt.dispose();
    context.warn(`nemoclaw backup run: cannot write the run journal in ${context.deps.journalDir}: ${(error as Error).message}; nothing was backed up\n`);
    return ExitCode.Error;
  }
  const bus = new EventBus(runId, context.deps.now);
  bus.subscribe((event) => journal.write(event));
  const notifier = await notifierFor(context.fleet.notify, bus, redactor, context.deps);
  const recorded = new BackupRunEvents(bus, context.deps.now, (host) => context.pool.sessionsOpened?.(host) ?? null);
  recorded.runStarted({
    toolVersion: TOOL_VERSION,
    identity: context.deps.identity,
    fleet: context.fleet,
    policies: policies.map((policy) => policy.name),
    limit: options.limit ?? null,
    hosts: context.hosts,
    sandboxes: options.sandbox,
    concurrency,
    journal: journal.path,
  });
  try {
    const service = context.deps.backupService(context.fleet, context.pool, context.stores, context.deps.now);
    const report = await runBackups(
      {
        policies,
        hosts: context.hosts,
        strict: options.strict,
        concurrency,
        runId,
        signal: interrupt.signal,
        ...(options.sandbox.length > 0 ? { sandboxes: options.sandbox } : {}),
      },
      {
        fleet: context.fleet,
        pool: context.pool,
        observeHost: context.deps.observeHost,
        service,
        stores: context.stores,
        mapHosts: context.deps.mapHosts,
        now: context.deps.now,
        isAlive: context.deps.pidAlive,
        lookAtHost: async (host, connection, keep) => {
          const look = await lookLocking(context, runId, host, connection, keep);
          if (look.lock !== null) recorded.lockAcquired(host.name, null);
          return look;
        },
        waitForHost: (connection, signal) =>
          takeHostLock(context, runId, connection, signal, {
            timeoutMs: options.lockTimeout,
            onWait: (holder) => {
              recorded.lockWaiting(connection.host, holder, options.lockTimeout);
              if (!options.json) context.warn(`${connection.host}: waiting up to ${formatDurationSetting(options.lockTimeout)} for the host lock of ${describeHolder(holder)}\n`);
            },
            onAcquired: (reclaimed) => recorded.lockAcquired(connection.host, reclaimed),
          }),
        onEvent: (event) => {
          recorded.onRunEvent(event);
          if (options.json) return;
          const line = human.renderRunEvent(event, context.errColors);
          if (line) context.warn(line);
        },
      },
    );
    const exitCode = interrupt.signal.aborted ? ExitCode.Interrupted : runExitCode(report);
    recorded.runFinished(report, exitCode, interrupt.signal.aborted);
    context.write(options.json ? json.runJson(report, (host) => recorded.sessionsRecorded(host)) : human.renderRunReport(report, context.colors));
    const notify = (await notifier?.finish()) ?? null;
    const code = mostSevere([exitCode, await writeMetrics("backup run", options.metricsFile, () => runFamilies("backup run", { ...recorded.summary(), notify }), context.deps)]);
    return journal.failure === null ? code : journalFailed(journal.failure, "backup run", context.deps.stderr);
  } finally {
    interrupt.dispose();
    journal.close();
  }
}

/** How list and prune tell a partial entry's writer is gone (src/backup/owner.ts). */
function livenessOf(context: Context): Liveness {
  return { now: context.deps.now, isAlive: context.deps.pidAlive };
}

export async function listCommand(context: Context, options: FilterOptions): Promise<ExitCodeValue> {
  const { contents } = await readStores(context.stores, context.policies, filterOf(context, options), livenessOf(context));
  context.write(options.json ? json.listingJson(contents) : human.renderListing(contents, context.deps.now(), context.colors));
  return contents.some((store) => store.error !== undefined) ? ExitCode.Unreachable : ExitCode.Ok;
}

export async function verifyCommand(context: Context, options: FilterOptions & { latest: boolean }): Promise<ExitCodeValue> {
  const { contents } = await readStores(context.stores, context.policies, filterOf(context, options));
  const results: VerifyOutcome[] = [];
  for (const store of contents) {
    const seen = new Set<string>();
    for (const record of store.records) {
      // A series is one policy's backups of one sandbox (docs/backups.md#prune): two policies
      // sharing a destination each have their newest.
      const series = `${record.policy}/${record.host}/${record.sandbox}`;
      if (options.latest && seen.has(series)) continue;
      seen.add(series);
      const outcome = await (await context.stores.storeOf(record)).verify(record, { now: context.deps.now });
      results.push(outcome);
      if (!options.json) context.warn(human.renderVerifyOutcome(outcome, context.errColors));
    }
  }
  context.write(options.json ? json.verifyJson(results) : human.renderVerifySummary(results, context.colors));
  const unreadable = contents.some((store) => store.error !== undefined);
  const outcome = results.some((result) => result.problems.length > 0 || result.notRecorded !== undefined) ? ExitCode.Failed : unreadable ? ExitCode.Unreachable : ExitCode.Ok;
  if (options.metricsFile === undefined) return outcome;
  // The stores as verification left them, every series of the policies (not only those verified now).
  const after = await readStores(context.stores, context.policies);
  return mostSevere([outcome, await writeBackupMetrics("backup verify", context, after.contents, options.metricsFile)]);
}

export async function pruneCommand(context: Context, options: FilterOptions & { dryRun: boolean }): Promise<ExitCodeValue> {
  const { contents, stores } = await readStores(context.stores, context.policies, filterOf(context, options), livenessOf(context));
  const plan = planPrune(contents, context.policies);
  const result = options.dryRun ? null : await executePrune(plan, { storeOf: (record) => context.stores.storeOf(record), labelled: (label) => stores.get(label) });
  context.write(options.json ? json.pruneJson(plan, result) : human.renderPrune(plan, result, context.colors));
  if (result && result.failed.length + result.leftoversFailed.length > 0) return ExitCode.Failed;
  return contents.some((store) => store.error !== undefined) ? ExitCode.Unreachable : ExitCode.Ok;
}

export async function restoreCommand(context: Context, source: string, options: BackupOptions & { to?: string; dryRun?: boolean }): Promise<ExitCodeValue> {
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
    const names = context.fleet.hosts.map((candidate) => candidate.name);
    context.warn(`nemoclaw backup restore: ${target.host} is not a host of this fleet${didYouMean(target.host, names)}; nothing was restored\n`);
    // A well-formed name the fleet does not have, as a --limit or --target naming nothing (docs/exit-codes.md).
    return ExitCode.ValidationError;
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
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    if (!options.json) context.warn(`! ${target.host}: ${message}\n`);
  };
  const subject = { record, target: { host: target.host, sandbox: target.sandbox }, warnings };
  const interrupt = interruptSignal(context.deps);
  try {
    const service = context.deps.backupService(context.fleet, context.pool, context.stores, context.deps.now);
    const connection = await context.pool.get(host.name);
    if (options.dryRun) {
      // Only reads the host, as plan does: no lock.
      const { gateway, release } = await service.checkRestore({ record, host, connection, sandbox: target.sandbox, signal: interrupt.signal, warn });
      context.write(
        options.json
          ? json.restoreJson({ ...subject, ok: true, dryRun: true, gateway })
          : `Would restore ${target.host}/${target.sandbox} (gateway ${gateway}, NemoClaw v${release.nemoclaw}) from ${record.id}, keeping its state as a NemoClaw snapshot first; the archive is checked as it is copied. Nothing was changed.\n`,
      );
      return ExitCode.Ok;
    }
    // A restore changes the sandbox: it holds the host lock, as apply does (docs/apply.md#locks).
    const taken = await takeHostLock(context, newRunId(context.deps.now()), connection, interrupt.signal);
    if (!("lock" in taken)) {
      if (interrupt.signal.aborted) return ExitCode.Interrupted;
      const message = `${target.host} is locked: ${taken.reason}`;
      if (options.json) context.write(json.restoreJson({ ...subject, ok: false, error: message }));
      else context.warn(`nemoclaw backup restore: ${message}\n`);
      return ExitCode.LockHeld;
    }
    const { previous } = await taken.lock.hold((signal) => {
      if (!options.json) context.warn(`Restoring ${record.location} into ${target.host}/${target.sandbox}…\n`);
      return service.restoreSandbox({ record, host, connection, sandbox: target.sandbox, signal, warn, keepPrevious: true });
    }, interrupt.signal);
    const kept = previous?.timestamp ?? null;
    context.write(
      options.json
        ? json.restoreJson({ ...subject, ok: true, previousSnapshot: kept })
        : `Restored ${target.host}/${target.sandbox} from ${record.id}.\n${kept === null ? "" : `Its state before the restore is kept on ${target.host} as NemoClaw snapshot ${kept}: \`nemoclaw ${target.sandbox} snapshot restore ${kept}\` there puts it back.\n`}`,
    );
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

function lockOptions(context: Context, runId: string): LockOptions {
  return { identity: context.deps.identity, runId, ttlMs: context.fleet.apply.lockTtlMs, clock: { now: context.deps.now }, pidAlive: context.deps.pidAlive };
}

/** A lease this run holds, as the backup core uses it: renewed while work runs, released after (docs/apply.md#locks). */
function held(context: Context, lease: HostLease): HostLock {
  return {
    hold: (work, signal) => whileHolding(lease, context.fleet.apply.lockTtlMs, work, signal),
    get content() {
      return lease.content;
    },
    released: () => lease.released(),
  };
}

/**
 * `backup run`'s look at a host (the backup probe) with the host's lock created in the same round
 * trip, as apply's (docs/performance.md): kept when `keep` says the look has something to snapshot,
 * given back in that round trip otherwise. A lock another run holds is left to `takeHostLock`.
 */
async function lookLocking(context: Context, runId: string, host: DesiredHost, connection: Connection, keep: (observed: ObservedHost) => boolean): Promise<{ observed: ObservedHost; lock: HostLock | null }> {
  const options = lockOptions(context, runId);
  const mine = lockFor(options);
  const lease = leaseOn(connection, mine, options);
  const trip = await context.deps.runAndObserve(host, connection, {
    commands: [],
    secrets: new Map(),
    createLock: lockText(mine),
    releaseLockIf: async (observed) => !keep(observed),
    timeoutMs: 0,
    observe: BACKUP_OBSERVE,
  });
  // "changed": it is not this run's lock any more.
  if (trip.lockReleased === "swapped" || trip.lockReleased === "changed") return { observed: trip.observed, lock: null };
  if (trip.lockCreated?.created && keep(trip.observed)) return { observed: trip.observed, lock: held(context, lease) };
  // Not given back in the round trip (no answer in time, the release did not report), or the
  // answer was lost after the script was sent: removed now, only while it still reads ours.
  if (trip.lockCreated?.created || lockUnconfirmed(trip)) await lease.release().catch(() => undefined);
  return { observed: trip.observed, lock: null };
}

/**
 * Take a host's fleet lock (docs/apply.md#locks), reclaiming a dead run's; with `wait`, a live
 * holder is waited for up to its limit. Otherwise whose lock it is and why it stands.
 */
async function takeHostLock(
  context: Context,
  runId: string,
  connection: Connection,
  signal: AbortSignal,
  wait?: { timeoutMs: number; onWait(holder: HostLockInfo): void; onAcquired(reclaimed: Reclaimed | null): void },
): Promise<{ lock: HostLock } | { reason: string }> {
  const lock = await context.deps.acquireHostLock(connection, {
    ...lockOptions(context, runId),
    ...(wait !== undefined && wait.timeoutMs > 0
      ? {
          wait: {
            timeoutMs: wait.timeoutMs,
            sleep: (ms: number) => sleep(ms, undefined, { signal }).catch(() => undefined),
            stopped: () => signal.aborted,
            onWait: wait.onWait,
          },
        }
      : {}),
  });
  if (!lock.acquired) return { reason: lock.holder ? `${describeHolder(lock.holder)} (${lock.reason})` : lock.reason };
  wait?.onAcquired(lock.reclaimed);
  return { lock: held(context, lock.lease) };
}

/** The stores against the policies, as `backup due` and `backup verify` write them with --metrics-file. */
function writeBackupMetrics(command: string, context: Context, contents: readonly StoreContents[], path: string | undefined): Promise<ExitCodeValue> {
  return writeMetrics(command, path, () => backupFamilies(backupFreshness(context.fleet, context.policies, contents, context.deps.now()), context.deps.now()), context.deps);
}

export async function dueCommand(context: Context, options: BackupOptions): Promise<ExitCodeValue> {
  const { contents } = await readStores(context.stores, context.policies);
  const metrics = await writeBackupMetrics("backup due", context, contents, options.metricsFile);
  const unreadable = contents.filter((store) => store.error !== undefined);
  for (const store of unreadable) context.warn(`nemoclaw backup due: ${store.store}: ${store.error}\n`);
  if (unreadable.length > 0) return mostSevere([ExitCode.Unreachable, metrics]);
  const dues = duePolicies(context.fleet, context.policies, catalogueOf(contents), context.deps.now());
  context.write(options.json ? json.dueJson(dues) : human.renderDue(dues, context.colors));
  return mostSevere([dues.some((due) => due.due) ? ExitCode.Changes : ExitCode.Ok, metrics]);
}
