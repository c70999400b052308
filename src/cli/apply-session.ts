/**
 * One `nemoclaw apply` from start to end: read the source (fleet file → observe and plan now;
 * saved plan → narrow it to --limit), show the plan and get the user's yes, then run the executor
 * with the real parts wired in — connection pool, probe, backup service, secrets, locks, journal,
 * views and Ctrl-C — and print the recap. src/cli/apply.ts only parses flags and calls this.
 */

import { createInterface } from "node:readline/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { catalogueIfScheduled, readCatalogue } from "../backup/catalogue.js";
import { preflight } from "../plan/preflight.js";
import { createBackupService, type BackupService } from "../backup/service.js";
import { BackupStores } from "../backup/destinations.js";
import { FleetValidationError, formatDiagnostics, type Diagnostic } from "../config/diagnostics.js";
import { fleetInputs, loadFleetFrom, readFleetInput, refuseOverwritingInputs } from "./fleet-input.js";
import type { InputFile } from "../report/output-file.js";
import { formatSecretRef, resolveSecret } from "../config/secrets.js";
import { selectHosts } from "../config/selectors.js";
import type { DesiredBackupPolicy, DesiredFleet, DesiredHost, SecretRef, WaveSpec } from "../config/types.js";
import { observeFleet } from "../observe/fleet.js";
import { observeHost } from "../observe/host.js";
import { runAndObserve, type RunAndObserve } from "../apply/round-trip.js";
import { RefreshLocks } from "../apply/refresh-locks.js";
import { samePidScope } from "../config/pid-scope.js";
import type { ObservedFleet, ObservedHost } from "../observe/types.js";
import { factFingerprints } from "../plan/fingerprint.js";
import { applyPlanCommand, isPlanFile, PlanFileError, planFromInventoriesAlone, readPlanFile } from "../report/plan-file.js";
import { planFleet } from "../plan/planner.js";
import type { BackupCatalogue, Plan, Risk, SandboxAddress } from "../plan/types.js";
import { withRiskCeiling } from "../plan/risk-ceiling.js";
import { colorsFor, type Colors } from "../report/color.js";
import { ExitCode, type ExitCodeValue, mostSevere } from "../exit-codes.js";
import { renderPlanHuman } from "../report/plan-human.js";
import { chooseProgressMode, jsonLinesView, plainLinesView, type ProgressView } from "../report/progress.js";
import { formatRecap } from "../report/recap.js";
import { ConnectionPool } from "../transport/pool.js";
import type { Connection } from "../transport/types.js";
import { planOptionsFor } from "./plan.js";
import { resolveSandboxAddresses } from "./sandbox-addresses.js";
import { parseSandboxAddress } from "../plan/rules/targets.js";
import { checkMetricsFile, writeMetrics } from "./metrics-option.js";
import { runFamilies } from "../report/fleet-metrics.js";
import { type HostPool, journalFailed, type ProcessDeps, processDeps } from "./session-deps.js";
import { TOOL_VERSION } from "../version.js";
import { RunControl } from "../apply/control.js";
import { EventBus } from "../apply/events.js";
import { applyPlan } from "../apply/executor.js";
import { openHealthGates } from "../apply/history.js";
import { JournalWriter, newRunId } from "../apply/journal.js";
import { localPidAlive } from "../host/system/process.js";
import { acquireHostLock } from "../apply/lock.js";
import { Redactor } from "../apply/redact.js";
import { DEFAULT_RETRY_POLICY } from "../apply/retry.js";
import { confirmationFor, explainChange, hostsOutsideFleet, narrowPlan, policiesOutsideFleet } from "../apply/source.js";
import { notifierFor } from "./notify.js";
import { readRunSecrets, type SecretProblem } from "../apply/secrets.js";

export interface ApplySessionOptions {
  inventory: string[];
  limit?: string;
  json: boolean;
  yes: boolean;
  concurrency?: number;
  waves?: WaveSpec[];
  maxFailPercentage?: number;
  prune: boolean;
  /** `<sandbox>@<host>`, repeatable: --replace and --target. */
  replace?: string[];
  target?: string[];
  /** --max-risk: steps above it are held back and reported as pending. */
  maxRisk?: Risk;
  /** --lock-timeout, in ms: how long to wait for a host lock another run holds. */
  lockTimeout?: number;
  /** False with --no-color. */
  color: boolean;
  /** --metrics-file: the run's outcome as Prometheus metrics. */
  metricsFile?: string;
}

export interface SessionDeps extends ProcessDeps {
  /** Latest backup per policy/host/sandbox, for scheduled backups (as `nemoclaw plan` reads it). */
  readCatalogue(fleet: DesiredFleet, pool: HostPool): Promise<BackupCatalogue>;
  loadFleet(fleetFile: string | undefined, inventories: string[]): Promise<{ fleet: DesiredFleet; warnings: Diagnostic[]; sources?: string[] }>;
  selectHosts(fleet: DesiredFleet, limit: string | undefined): string[];
  openPool(hosts: DesiredHost[]): HostPool;
  observeHost(host: DesiredHost, connection: Connection): Promise<ObservedHost>;
  /** A step's commands with the observation that checks them (and the lock), in one round trip. */
  runAndObserve: RunAndObserve;
  backupService(fleet: DesiredFleet, pool: HostPool): BackupService;
  /** A problem for each store of these policies this run cannot write to, and for each on a host it cannot reach. */
  unwritableStores(fleet: DesiredFleet, pool: HostPool, policies: DesiredBackupPolicy[]): Promise<{ problems: string[]; unreachable: string[] }>;
  resolveSecret(ref: SecretRef): Promise<string>;
  /** Ask on the terminal; the answer line, or null when the user pressed Ctrl-C instead. */
  ask(question: string): Promise<string | null>;
  stdinIsTTY: boolean;
}

/** Ctrl-C once: running steps get this long to finish before they are aborted. */
const DRAIN_MS = 120_000;

interface Prepared {
  fleet: DesiredFleet;
  plan: Plan;
  pool: HostPool;
  savedPlan: boolean;
  /** The backup catalogue the plan was made with (re-plans use it too). */
  catalogue: BackupCatalogue | undefined;
  /** Hosts the plan's observation found locked by a run of this machine that is gone. */
  leftLocks: string[];
  /** The locks the plan's observation took (a fleet file's plan only). */
  refreshLocks?: RefreshLocks;
  /** Ends the handling of Ctrl-C that gives those locks back before the run starts. */
  stopEarlyInterrupt?: () => void;
}

/**
 * Until the run takes over Ctrl-C (and SIGTERM), an interruption while hosts are observed, the plan
 * is shown or the answer awaited gives the plan's locks back before the process ends: it would
 * otherwise leave every observed host locked for the lease.
 */
function releaseOnInterrupt(locks: RefreshLocks, deps: SessionDeps): () => void {
  let interrupted = false;
  return deps.onInterrupt(() => {
    if (interrupted) return;
    interrupted = true;
    deps.stderr.write("\nInterrupted; nothing was changed. Giving the host locks back…\n");
    const after = (ms: number) => new Promise<"late">((resolve) => setTimeout(() => resolve("late"), ms).unref());
    void Promise.race([locks.releaseRest(), after(RELEASE_ON_INTERRUPT_MS)])
      // Observations that did not answer in time would keep their hosts locked for the lease:
      // their locks are given back directly (bounded too: an unreachable host keeps its lock).
      .then((outcome) => (outcome === "late" ? Promise.race([locks.releaseInFlight(), after(RELEASE_ON_INTERRUPT_MS)]) : undefined))
      .finally(() => deps.exit(ExitCode.Interrupted));
  });
}

/** How long an interrupted session waits for its locks to be given back before it ends anyway. */
const RELEASE_ON_INTERRUPT_MS = 10_000;

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

async function prepare(source: string | undefined, runId: string, options: ApplySessionOptions, deps: SessionDeps, colors: { out: Colors; err: Colors }): Promise<Prepared | ExitCodeValue> {
  const validationFailed = (error: unknown): ExitCodeValue => {
    if (error instanceof FleetValidationError) {
      deps.stderr.write(formatDiagnostics(error.diagnostics, { color: colors.err.enabled }));
      return ExitCode.ValidationError;
    }
    if (error instanceof PlanFileError) {
      deps.stderr.write(`${error.message}\n`);
      return ExitCode.ValidationError;
    }
    throw error;
  };
  const load = async (fleetFile: string | undefined): Promise<{ fleet: DesiredFleet; inputs: InputFile[] }> => {
    const { fleet, warnings, sources } = await deps.loadFleet(fleetFile, options.inventory);
    if (warnings.length > 0) deps.stderr.write(formatDiagnostics(warnings, { color: colors.err.enabled }));
    return { fleet, inputs: fleetInputs(fleet, sources) };
  };

  if (source !== undefined && (await isPlanFile(source))) {
    let plan: Plan;
    let fleet: DesiredFleet;
    try {
      plan = await readPlanFile(source);
    } catch (error) {
      return validationFailed(error);
    }
    if (planFromInventoriesAlone(plan) && options.inventory.length === 0) {
      deps.stderr.write(`${source}: the plan was made from inventories alone (no fleet file), and apply reads them again for the hosts' settings: give them with -i, as in \`${applyPlanCommand(source, plan, null)}\`; nothing was applied\n`);
      return ExitCode.ValidationError;
    }
    let inputs: InputFile[];
    try {
      ({ fleet, inputs } = await load(planFromInventoriesAlone(plan) ? undefined : plan.fleet.file));
    } catch (error) {
      deps.stderr.write(`${source}: the plan was made from ${plan.fleet.file} (fleet.file), which apply reads for the hosts' settings:\n`);
      return validationFailed(error);
    }
    const clash = refuseOverwritingInputs("apply", [{ option: "--metrics-file", path: options.metricsFile }], [{ path: source, what: "the plan file" }, ...inputs], deps.stderr);
    if (clash !== null) return clash;
    const outside = hostsOutsideFleet(plan, fleet.hosts.map((host) => host.name));
    if (outside.length > 0) {
      deps.stderr.write(`${source}: not a usable plan file:\n  names host(s) that are not in ${plan.fleet.file}: ${outside.join(", ")}; nothing was applied\n`);
      return ExitCode.ValidationError;
    }
    const policies = fleet.backupPolicies.map((policy) => policy.name);
    const lostPolicies = policiesOutsideFleet(plan, policies);
    if (lostPolicies.length > 0) {
      deps.stderr.write(
        `${source}: not a usable plan file:\n  backs up to policies ${plan.fleet.file} no longer defines (it has: ${policies.join(", ") || "none"}): ${lostPolicies.join(", ")}; re-run \`nemoclaw plan\`; nothing was applied\n`,
      );
      return ExitCode.ValidationError;
    }
    if (fleet.sourceDigest !== plan.fleet.digest) {
      deps.stderr.write(`warning: ${plan.fleet.file} (or its inventories) changed since the plan was made; the saved steps are applied as they are\n`);
    }
    if (options.prune) deps.stderr.write("warning: --prune has no effect on a saved plan (it was decided when the plan was made)\n");
    if (options.replace?.length || options.target?.length) {
      deps.stderr.write("warning: --replace and --target have no effect on a saved plan (they were decided when the plan was made)\n");
    }
    if (options.limit !== undefined) {
      let allowed: string[];
      try {
        allowed = deps.selectHosts(fleet, options.limit);
      } catch (error) {
        return validationFailed(error);
      }
      const narrowed = narrowPlan(plan, allowed, options.limit);
      if (narrowed.outside.length > 0) {
        deps.stderr.write(`warning: --limit can only narrow a saved plan; not in it: ${narrowed.outside.join(", ")}\n`);
      }
      if (narrowed.plan.hosts.length === 0) {
        deps.stderr.write(`nemoclaw apply: --limit '${options.limit}' selects none of the plan's hosts (${plan.selection.hosts.join(", ")})\n`);
        // A well-formed --limit that selects nothing: exit 3, as one matching no host of the fleet.
        return ExitCode.ValidationError;
      }
      plan = narrowed.plan;
    }
    if (options.maxRisk) plan = withRiskCeiling(plan, options.maxRisk);
    // Every fleet host is known to the pool (only used ones are connected): a bastion may be a fleet host.
    const pool = deps.openPool(fleet.hosts);
    // A stale host is re-planned to show how its steps would differ; backups the saved plan has
    // because a schedule made them due are only re-planned with the stores' catalogue.
    const catalogue = hasDueBackups(plan) ? await catalogueIfScheduled(fleet, () => deps.readCatalogue(fleet, pool), (text) => deps.stderr.write(text)) : undefined;
    return { fleet, plan, pool, savedPlan: true, catalogue, leftLocks: [] };
  }

  const input = await readFleetInput(source, { inventories: options.inventory, limit: options.limit, color: colors.err.enabled }, { load: deps.loadFleet, select: deps.selectHosts, stderr: deps.stderr });
  if (typeof input === "number") return input;
  const clash = refuseOverwritingInputs("apply", [{ option: "--metrics-file", path: options.metricsFile }], input.inputs, deps.stderr);
  if (clash !== null) return clash;
  const { fleet } = input;
  const addressed = resolveSandboxAddresses(fleet, input.hosts, { ...(options.replace ? { replace: options.replace } : {}), ...(options.target ? { target: options.target } : {}) });
  if ("problems" in addressed) {
    for (const problem of addressed.problems) deps.stderr.write(`nemoclaw apply: ${problem}\n`);
    return ExitCode.ValidationError;
  }
  const { hosts } = addressed;
  const pool = deps.openPool(fleet.hosts);
  deps.stderr.write(`Observing ${plural(hosts.length, "host")}…\n`);
  // The stores' catalogue is read beside the observations: planning a host needs it when backups are scheduled.
  const catalogueRead = catalogueIfScheduled(fleet, () => deps.readCatalogue(fleet, pool), (text) => deps.stderr.write(text));
  const planOf = (selected: string[], observed: ObservedFleet, catalogue: BackupCatalogue | undefined) =>
    planFleet(fleet, observed, planOptionsFor(fleet, { ...addressed, hosts: selected, limit: options.limit, prune: options.prune, maxRisk: options.maxRisk }, deps.now(), catalogue));
  // Each host is locked in the round trip that observes it for the plan (src/apply/refresh-locks.ts),
  // and unlocked right away when its own plan has no step (a host's plan depends on its observation only).
  const refreshLocks = new RefreshLocks(
    { identity: deps.identity, runId, ttlMs: fleet.apply.lockTtlMs, clock: { now: deps.now }, pidAlive: localPidAlive },
    deps.runAndObserve,
    async (seen) => planOf([seen.host], { hosts: [seen] }, await catalogueRead).hosts[0]?.steps.length === 0,
  );
  const stopEarlyInterrupt = releaseOnInterrupt(refreshLocks, deps);
  try {
    const observed = await observeFleet(fleet, hosts, { pool, concurrency: options.concurrency ?? fleet.apply.concurrency, observeHost: refreshLocks.observeHost });
    const catalogue = await catalogueRead;
    const plan = planOf(hosts, observed, catalogue);
    // Hosts with nothing to do that are still locked (judged at another moment) are unlocked before the plan is shown.
    await refreshLocks.releaseUnless((host) => (plan.hosts.find((candidate) => candidate.host === host)?.steps.length ?? 0) > 0);
    if (!options.json) deps.stdout.write(renderPlanHuman(plan, { colors: colors.out }));
    const leftLocks = observed.hosts.filter((host) => {
      const lock = host.fleetLock.state === "known" ? host.fleetLock.value : null;
      return lock !== null && samePidScope(lock.pidScope, deps.identity.pidScope) && !localPidAlive(lock.pid);
    });
    return { fleet, plan, pool, savedPlan: false, catalogue, leftLocks: leftLocks.map((host) => host.host), refreshLocks, stopEarlyInterrupt };
  } catch (error) {
    stopEarlyInterrupt();
    await refreshLocks.releaseRest();
    await pool.closeAll();
    throw error;
  }
}

/**
 * The --replace and --target a plan was made with, to plan a host again the same way; after the
 * run's steps, without --replace: the replacements are done, and asked for again they would be
 * planned again, failing every replace's postcondition.
 */
function savedAddresses(plan: Plan, afterSteps = false): { replace?: SandboxAddress[]; targets?: SandboxAddress[] } {
  const parse = (texts: string[]) => texts.map(parseSandboxAddress).filter((address): address is SandboxAddress => !("problem" in address));
  return {
    ...(!afterSteps && plan.options.replace && plan.options.replace.length > 0 ? { replace: parse(plan.options.replace) } : {}),
    ...(plan.options.targets ? { targets: parse(plan.options.targets) } : {}),
  };
}

/** The fleet's backup policies the plan's backup steps write to. */
function backupPoliciesOf(plan: Plan, fleet: DesiredFleet): DesiredBackupPolicy[] {
  const named = new Set(plan.hosts.flatMap((host) => host.steps.flatMap((step) => (step.kind === "backup" && typeof step.params?.policy === "string" ? [step.params.policy] : []))));
  return fleet.backupPolicies.filter((policy) => named.has(policy.name));
}

function hasDueBackups(plan: Plan): boolean {
  return plan.hosts.some((host) => host.steps.some((step) => step.kind === "backup" && (step.params?.purposes as string[] | undefined)?.includes("due")));
}

async function confirmed(prepared: Prepared, options: ApplySessionOptions, deps: SessionDeps): Promise<ExitCodeValue | null> {
  const { plan } = prepared;
  const confirmation = confirmationFor({
    steps: plan.summary.steps,
    savedPlan: prepared.savedPlan,
    yes: options.yes,
    json: options.json,
    interactive: deps.stdinIsTTY,
  });
  switch (confirmation.kind) {
    case "not-needed":
    case "given":
      return null;
    case "refuse":
      deps.stderr.write(`nemoclaw apply: refusing to apply ${plural(plan.summary.steps, "step")} without confirmation: ${confirmation.reason}\n`);
      return ExitCode.Error;
    case "ask": {
      const answer = await deps.ask(
        `\nApply ${plural(plan.summary.steps, "step")} on ${plural(plan.summary.hostsWithChanges, "host")}? Only 'yes' will be accepted: `,
      );
      if (answer === null) {
        deps.stderr.write("\nInterrupted; nothing was changed.\n");
        return ExitCode.Interrupted;
      }
      if (answer.trim() === "yes") return null;
      deps.stderr.write("Apply cancelled; nothing was changed.\n");
      return ExitCode.Error;
    }
  }
}

async function createView(options: ApplySessionOptions, deps: SessionDeps, plan: Plan, colors: Colors): Promise<ProgressView> {
  const write = (text: string) => void deps.stdout.write(text);
  const mode = chooseProgressMode({
    json: options.json,
    isTTY: deps.stdout.isTTY === true && plan.summary.steps > 0,
    hosts: plan.summary.hostsWithChanges,
    ...(deps.stdout.rows === undefined ? {} : { rows: deps.stdout.rows }),
  });
  switch (mode) {
    case "json":
      return jsonLinesView(write);
    case "lines":
      return plainLinesView(write, colors);
    case "live": {
      // listr2 loads only for a terminal that shows it, not for cron, CI or --json runs.
      const { ListrView } = await import("../report/progress-listr.js");
      return new ListrView(colors);
    }
  }
}

export async function runApplySession(source: string | undefined, options: ApplySessionOptions, deps: SessionDeps): Promise<ExitCodeValue> {
  const colors = { out: colorsFor(deps.stdout, options.color, deps.env), err: colorsFor(deps.stderr, options.color, deps.env) };
  const badPath = checkMetricsFile("apply", options.metricsFile, deps.stderr);
  if (badPath !== null) return badPath;
  // The run id is chosen first: the locks the plan's observation takes carry it.
  const runId = newRunId(deps.now());
  const prepared = await prepare(source, runId, options, deps, colors);
  if (typeof prepared === "number") return prepared;
  const { fleet, plan, pool } = prepared;
  try {
    // Only fleets with a gate pay for reading past journals: a run without one is not slowed.
    if (fleet.apply.healthGate !== null) warnOfOpenHealthGates(plan, deps);
    // Every secret the steps need is read before anything runs: one that cannot be is the file's
    // mistake, refused for the whole run (exit 3), not a failure of each host that needs it.
    const secrets = await readRunSecrets(plan, fleet, deps.resolveSecret);
    if ("problems" in secrets) {
      reportSecretProblems(secrets.problems, source ?? fleet.sourceFile, colors.err, deps);
      return ExitCode.ValidationError;
    }
    // So is every store the backup steps write to: a backup that cannot be stored fails its step
    // after the host's earlier steps ran, and stops its disruptive step.
    // A store on a host that cannot be reached is exit 4, as `backup run` says it (docs/backups.md).
    const stores = await deps.unwritableStores(fleet, pool, backupPoliciesOf(plan, fleet));
    if (stores.problems.length + stores.unreachable.length > 0) {
      for (const problem of [...stores.unreachable, ...stores.problems]) deps.stderr.write(`nemoclaw apply: ${problem}\n`);
      const written = stores.problems.length > 0;
      deps.stderr.write(`nemoclaw apply: the plan backs up to a store that cannot be ${written ? "written" : "reached"}; nothing was changed\n`);
      return written ? ExitCode.Error : ExitCode.Unreachable;
    }
    const refusal = await confirmed(prepared, options, deps);
    if (refusal !== null) return refusal;

    const redactor = new Redactor();
    const events = new EventBus(runId, deps.now);
    const control = new RunControl(DRAIN_MS, (stage) => events.emit({ type: "run-interrupting", stage }));
    let journal: JournalWriter;
    try {
      // A run whose journal cannot be written (a full disk) stops as Ctrl-C stops it: nothing new
      // starts, running steps finish. After the event being written, not inside it.
      journal = JournalWriter.open(deps.journalDir, runId, redactor, (failure) => {
        deps.stderr.write(`nemoclaw apply: ${failure.message}; stopping the run: nothing new starts\n`);
        queueMicrotask(() => control.interrupt());
      });
    } catch (error) {
      deps.stderr.write(`nemoclaw apply: cannot write the run journal in ${deps.journalDir}: ${(error as Error).message}; nothing was changed\n`);
      return ExitCode.Error;
    }
    // The journal first: a record is on disk before any view shows it.
    events.subscribe((event) => journal.write(event));
    const notifier = await notifierFor(fleet.notify, events, redactor, deps);
    const view = await createView(options, deps, plan, colors.out);
    events.subscribe(view.onEvent);
    prepared.stopEarlyInterrupt?.();
    const stopListening = deps.onInterrupt(() => control.interrupt());
    try {
      const summary = await applyPlan(
        plan,
        {
          fleet,
          pool,
          observeHost: deps.observeHost,
          runAndObserve: deps.runAndObserve,
          backup: deps.backupService(fleet, pool),
          resolveSecret: async (ref) => secrets.values.get(formatSecretRef(ref)) ?? deps.resolveSecret(ref),
          preflight,
          fingerprints: factFingerprints,
          explainChange,
          replan: (host, observed, afterSteps = false) =>
            planFleet(fleet, { hosts: [observed] }, {
              limit: null,
              hosts: [host],
              pruneUnmanaged: plan.options.pruneUnmanaged,
              ...savedAddresses(plan, afterSteps),
              // The ceiling the steps were narrowed to, so a held-back step is not reported as drift.
              ...(plan.options.maxRisk ? { maxRisk: plan.options.maxRisk } : {}),
              now: deps.now(),
              toolVersion: TOOL_VERSION,
              ...(prepared.catalogue ? { backupCatalogue: prepared.catalogue } : {}),
            }).hosts[0] ?? null,
          acquireLock: acquireHostLock,
          ...(prepared.refreshLocks ? { refreshLocks: prepared.refreshLocks } : {}),
          identity: deps.identity,
          pidAlive: localPidAlive,
          now: deps.now,
          sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
          random: Math.random,
          events,
          redactor,
          control,
        },
        {
          source: prepared.savedPlan ? "plan-file" : "fleet",
          concurrency: options.concurrency ?? fleet.apply.concurrency,
          waves: options.waves ?? fleet.apply.waves,
          maxFailPercentage: options.maxFailPercentage ?? fleet.apply.maxFailPercentage,
          stepTimeoutMs: fleet.apply.stepTimeoutMs,
          lockTtlMs: fleet.apply.lockTtlMs,
          lockTimeoutMs: options.lockTimeout ?? 0,
          leftLocks: prepared.leftLocks,
          retry: DEFAULT_RETRY_POLICY,
          healthGate: fleet.apply.healthGate,
          journalPath: journal.path,
          toolVersion: TOOL_VERSION,
        },
      );
      await view.finish();
      // A journal that could not be written to the end makes the run exit 1 (journalFailed): the recap says so too.
      const recapped = journal.failure === null ? summary : { ...summary, exitCode: ExitCode.Error };
      if (!options.json) deps.stdout.write(`\n${formatRecap(recapped, colors.out).join("\n")}\n`);
      const notify = (await notifier?.finish()) ?? null;
      const exitCode = mostSevere([summary.exitCode, await writeMetrics("apply", options.metricsFile, () => runFamilies("apply", { ...summary, notify }), deps)]);
      return journal.failure === null ? exitCode : journalFailed(journal.failure, "apply", deps.stderr);
    } finally {
      stopListening();
      journal.close();
    }
  } finally {
    prepared.stopEarlyInterrupt?.();
    await prepared.refreshLocks?.releaseRest();
    await pool.closeAll();
  }
}

function reportSecretProblems(problems: SecretProblem[], source: string, colors: Colors, deps: SessionDeps): void {
  const located = problems.flatMap((problem) => (problem.at ? [{ ...problem.at, message: problem.message, severity: "error" as const }] : []));
  if (located.length > 0) deps.stderr.write(formatDiagnostics(located, { color: colors.enabled }));
  // A saved plan's reference its fleet file no longer writes: named by the plan.
  for (const problem of problems) if (!problem.at) deps.stderr.write(`${source}: ${problem.message}\n`);
  deps.stderr.write("nemoclaw apply: a secret the plan needs cannot be read; nothing was changed\n");
}

/**
 * A health gate judges only what its run changed (docs/apply.md#health-gates): a host whose last
 * gate failed has nothing to do in the next apply, which checks nothing there. Say so before it
 * runs, from this machine's journals.
 */
function warnOfOpenHealthGates(plan: Plan, deps: SessionDeps): void {
  let open: ReturnType<typeof openHealthGates>;
  try {
    open = openHealthGates(deps.journalDir, plan.hosts.map((host) => host.host));
  } catch {
    return; // the journal directory itself is reported when this run's journal is opened
  }
  const others = plan.hosts.length > 1;
  for (const gate of open) {
    const sandboxes = gate.sandboxes.length > 0 ? ` (${gate.sandboxes.join(", ")} not healthy)` : "";
    const verdict = gate.status === "interrupted" ? "was interrupted" : "failed";
    const hostPlan = plan.hosts.find((host) => host.host === gate.host);
    const thisRun =
      hostPlan?.status === "changes" ? "checks only the sandboxes it changes" : hostPlan?.status === "no-changes" ? "has nothing to do there and checks nothing" : "does not check it";
    deps.stderr.write(
      `warning: ${gate.host}: the health gate of run ${gate.runId} ${verdict}${sandboxes}, and no run has checked it since; ` +
        `this run ${thisRun}` +
        `${others ? ", and does not hold the other hosts back for it" : ""}: check it first (\`nemoclaw history ${gate.runId}\`)\n`,
    );
  }
}

export function defaultSessionDeps(): SessionDeps {
  return {
    ...processDeps(),
    loadFleet: loadFleetFrom,
    selectHosts,
    openPool: (hosts) => new ConnectionPool(hosts),
    readCatalogue: (fleet, pool) => readCatalogue(fleet, { pool }),
    observeHost: (host, connection) => observeHost(host, connection),
    runAndObserve,
    backupService: (fleet, pool) => createBackupService({ fleet, pool }),
    unwritableStores: async (fleet, pool, policies) => await new BackupStores(fleet, pool).writable(policies),
    resolveSecret: (ref) => resolveSecret(ref),
    async ask(question) {
      const terminal = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await terminal.question(question);
      } catch (error) {
        // readline rejects the question when Ctrl-C is pressed at the prompt.
        if ((error as { code?: unknown }).code === "ABORT_ERR") return null;
        throw error;
      } finally {
        terminal.close();
      }
    },
    stdinIsTTY: process.stdin.isTTY === true,
  };
}
