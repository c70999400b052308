/**
 * `nemoclaw backup run`: every live sandbox, on every gateway of every selected host (per-port
 * gateways included, which NemoClaw's own `backup-all` misses), that a policy covers. Hosts run in
 * parallel up to a cap; within a host, sandboxes go one after another (NemoClaw serialises
 * snapshot work on a host anyway). A host that fails the schema preflight gets NemoClaw's block
 * and nothing is written for it; the others go on unless `--strict`.
 */
import type { DesiredBackupPolicy, DesiredFleet, DesiredHost } from "../config/types.js";
import { globToRegExp, hostMatches, policyCovers } from "../config/selectors.js";
import { byCodeUnits } from "../config/order.js";
import type { ObservedHost } from "../observe/types.js";
import { unreachableCause, unreachableLabel } from "../observe/unreachable.js";
import type { PreflightBlock } from "../plan/types.js";
import { ExitCode, mostSevere, type ExitCodeValue } from "../exit-codes.js";
import type { Connection } from "../transport/types.js";
import type { BackupStores, HostConnections } from "./destinations.js";
import { BACKUP_PREFLIGHT, preflight } from "../plan/preflight.js";
import { PreflightRefusedError } from "./errors.js";
import type { BackupRecord } from "./record.js";
import type { BackupService, ObserveHost } from "./service.js";
import type { LockRelease } from "./requests.js";

export type MapHosts = <T>(
  hostNames: string[],
  concurrency: number,
  fn: (host: string) => Promise<T>,
) => Promise<Map<string, { ok: true; value: T } | { ok: false; error: unknown }>>;

export interface SandboxOutcome {
  host: string;
  sandbox: string;
  gateway: string | null;
  policy: string;
  status: "backed-up" | "skipped" | "failed";
  reason?: string;
  record?: BackupRecord;
}

export type HostStatus = "ok" | "refused" | "unreachable" | "locked" | "failed" | "not-started";

export interface HostOutcome {
  host: string;
  status: HostStatus;
  /** Host-level problems (unreachable, versions unreadable, a gateway whose sandboxes could not be listed). */
  problems: string[];
  block?: PreflightBlock;
  sandboxes: SandboxOutcome[];
}

/** The reason of a sandbox outcome the interrupt kept from being backed up (it starts with this). */
export const INTERRUPTED = "interrupted";

export interface RunReport {
  runId: string;
  startedAt: string;
  finishedAt: string;
  policies: string[];
  hosts: HostOutcome[];
  /** Leftovers of interrupted runs removed from the stores. */
  cleaned: string[];
  /** Stores that could not be tidied or written: the policies writing there were not run (exit 1). */
  storeProblems: string[];
  /** Stores on a host that could not be reached: the policies writing there were not run (exit 4). */
  unreachableStores: string[];
  /**
   * The `--sandbox` globs that matched no sandbox the policies cover on any host whose sandboxes
   * could be listed (a typo backs up nothing, so it is an error: exit 3), with the names those
   * hosts have, to say what was meant. Empty when no host could be listed: nothing can be told then.
   */
  unmatchedSandboxes: { globs: string[]; available: string[] };
}

/** A backup a run will attempt on a host: one sandbox to one policy's store. */
export interface BackupStepSketch {
  /** `backup:<sandbox>@<policy>`, the id a planned backup step of the same sandbox and policy has. */
  id: string;
  sandbox: string;
  gateway: string | null;
  policy: string;
}

export function backupStepId(sandbox: string, policy: string): string {
  return `backup:${sandbox}@${policy}`;
}

export type RunEvent =
  | { type: "host-start"; host: string }
  /** What the host will be asked for, once it is observed and passed the preflight. */
  | { type: "host-plan"; host: string; steps: BackupStepSketch[] }
  | { type: "sandbox-start"; host: string; sandbox: string; gateway: string; policy: string }
  | { type: "sandbox-progress"; host: string; sandbox: string; policy: string; bytes: number }
  | { type: "sandbox-done"; outcome: SandboxOutcome }
  | { type: "host-done"; outcome: HostOutcome };

export interface RunDeps {
  fleet: DesiredFleet;
  pool: HostConnections;
  observeHost: ObserveHost;
  service: BackupService;
  stores: BackupStores;
  mapHosts: MapHosts;
  now: () => Date;
  isAlive: (pid: number) => boolean;
  onEvent?: (event: RunEvent) => void;
  /**
   * Look at a host taking its fleet lock in the same round trip, as apply does (docs/apply.md#locks,
   * docs/performance.md), so that a backup never snapshots a sandbox another run is changing and
   * the look it backs up from is taken under the lock. `keep` is asked about that look before the
   * round trip ends: false gives the lock back in it (a host with nothing Ready to snapshot is not
   * left locked). `lock` is null when it was given back, or another run holds it.
   */
  lookAtHost(host: DesiredHost, connection: Connection, keep: (observed: ObservedHost) => boolean): Promise<{ observed: ObservedHost; lock: HostLock | null }>;
  /** Take the lock another run held at the look, waiting for it (--lock-timeout); or whose lock it is and why it stands. */
  waitForHost(connection: Connection, signal: AbortSignal): Promise<{ lock: HostLock } | { reason: string }>;
}

/** A host's fleet lock, held by this run; its last backup there gives it back with its snapshot's removal. */
export interface HostLock extends LockRelease {
  /** Run `work` holding it (its lease renewed meanwhile), then release it; a lost lease aborts `work`'s signal, which follows `signal`. */
  hold<T>(work: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T>;
}

export interface RunOptions {
  policies: DesiredBackupPolicy[];
  /** Hosts selected by --limit, in fleet order. */
  hosts: string[];
  /** Fail on skipped sandboxes, and stop starting hosts once one is refused. */
  strict: boolean;
  concurrency: number;
  runId: string;
  signal?: AbortSignal;
  /** Only sandboxes whose name matches one of these globs (all when absent). */
  sandboxes?: string[];
}

/** A host's backups as one observation of it says: what to snapshot, and what could not be listed. */
interface Planned {
  observed: ObservedHost;
  withoutOpenShell: boolean;
  candidates: Candidate[];
  problems: string[];
  selected: Candidate[];
}

interface Candidate {
  sandbox: string;
  gateway: string | null;
  phase: string | null;
  policy: DesiredBackupPolicy;
}

/**
 * What to back up on an observed host: each live sandbox once per covering policy, plus sandboxes
 * the fleet file declares there that are not live (reported as skipped). Gateways whose sandbox
 * list is unknown are returned as problems: their sandboxes cannot be covered.
 */
export function backupCandidates(
  policies: readonly DesiredBackupPolicy[],
  host: DesiredHost,
  observed: ObservedHost,
): { candidates: Candidate[]; problems: string[] } {
  const candidates: Candidate[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const cover = (sandbox: string, gateway: string | null, phase: string | null) => {
    for (const policy of policies) if (policyCovers(policy, host, sandbox)) candidates.push({ sandbox, gateway, phase, policy });
  };
  if (observed.gateways.state === "unknown") {
    problems.push(`gateways could not be listed: ${observed.gateways.reason}`);
  } else {
    for (const gateway of observed.gateways.value) {
      if (gateway.sandboxes.state === "unknown") {
        problems.push(`gateway ${gateway.name}: sandboxes could not be listed (${gateway.sandboxes.reason})`);
        continue;
      }
      for (const sandbox of gateway.sandboxes.value) {
        if (seen.has(sandbox.name)) continue;
        seen.add(sandbox.name);
        cover(sandbox.name, gateway.name, sandbox.phase);
      }
    }
  }
  if (observed.gateways.state === "known") {
    for (const declared of host.sandboxes) if (!seen.has(declared.name)) cover(declared.name, declared.gateway, null);
  }
  return { candidates, problems };
}

/** `unreachable: <cause>`, or `unreachable (<kind>): <cause>`, as facts and plan name it. */
function unreachableProblem(cause: { kind: string; message: string }): string {
  return `${unreachableLabel(cause)}: ${cause.message}`;
}

/** Whether a look has a sandbox to snapshot: only then is the host's lock held. */
function needsLock(planned: Planned | Partial<HostOutcome>): boolean {
  return "selected" in planned && planned.selected.some((candidate) => candidate.phase === "Ready");
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runBackups(options: RunOptions, deps: RunDeps): Promise<RunReport> {
  const startedAt = deps.now().toISOString();
  const cleaned: string[] = [];
  // A store that cannot be written is found before any host is touched: its policies are not run,
  // rather than each of their sandboxes snapshotted on its host and then failing.
  const { policies, problems: storeProblems, unreachable: unreachableStores } = await deps.stores.writable(options.policies);
  for (const { destination } of deps.stores.destinationsOf(policies)) {
    try {
      const store = await deps.stores.open(destination);
      cleaned.push(...(await store.cleanPartials({ now: deps.now, isAlive: deps.isAlive })));
    } catch (error) {
      storeProblems.push(errorMessage(error));
    }
  }

  const hostsByName = new Map(deps.fleet.hosts.map((host) => [host.name, host]));
  const hostNames = options.hosts.filter((name) => {
    const host = hostsByName.get(name);
    return host !== undefined && policies.some((policy) => hostMatches(host, policy.hosts));
  });
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const wanted = options.sandboxes?.map((glob) => ({ glob, pattern: globToRegExp(glob) }));
  /** Globs that named a sandbox somewhere, and every sandbox name the listed hosts had. */
  const matchedGlobs = new Set<string>();
  const available = new Set<string>();
  let listedHosts = 0;

  const backupHost = async (name: string): Promise<HostOutcome> => {
    const host = hostsByName.get(name)!;
    const outcome: HostOutcome = { host: name, status: "ok", problems: [], sandboxes: [] };
    const notStarted = (): HostOutcome => ({ ...outcome, status: "not-started", problems: [options.signal?.aborted ? INTERRUPTED : "not started: --strict stopped the run"] });
    if (signal.aborted) return notStarted();
    deps.onEvent?.({ type: "host-start", host: name });
    let connection: Connection;
    let look: { observed: ObservedHost; lock: HostLock | null };
    try {
      connection = await deps.pool.get(name);
      look = await deps.lookAtHost(host, connection, (observed) => needsLock(planHost(host, observed)));
    } catch (error) {
      return { ...outcome, status: "unreachable", problems: [unreachableProblem(unreachableCause(error))] };
    }
    const first = counted(planHost(host, look.observed));
    let ended: Partial<HostOutcome> | null;
    if (look.lock !== null) {
      // The look was taken under the lock: it is what is backed up, without a second one.
      const lock = look.lock;
      ended = await lock.hold((leased) => backupPlanned(host, connection, first, outcome, leased, lock), signal);
    } else if (!needsLock(first)) {
      // Nothing to snapshot, so nothing to hold the lock for: skipping the others changes nothing.
      ended = await backupPlanned(host, connection, first, outcome, signal, null);
    } else {
      // Another run holds the lock: wait for it, then look again under it, for that run (an apply)
      // may have changed the host since the first look.
      const waited = await deps.waitForHost(connection, signal);
      if (!("lock" in waited)) {
        // Still waiting for the lock when the run was stopped: not started, as the hosts after it.
        if (signal.aborted) return notStarted();
        return { ...outcome, status: "locked", problems: [waited.reason] };
      }
      ended = await waited.lock.hold(async (leased) => {
        let locked: ObservedHost;
        try {
          locked = await deps.observeHost(host, connection);
        } catch (error) {
          return { status: "unreachable", problems: [unreachableProblem(unreachableCause(error))] };
        }
        return backupPlanned(host, connection, counted(planHost(host, locked)), outcome, leased, waited.lock);
      }, signal);
    }
    if (ended !== null) return { ...outcome, ...ended };
    if (outcome.problems.length > 0 || outcome.sandboxes.some((sandbox) => sandbox.status === "failed")) outcome.status = "failed";
    return outcome;
  };

  /** Back up what a look planned, or say why nothing is (its outcome then). */
  const backupPlanned = async (host: DesiredHost, connection: Connection, planned: Planned | Partial<HostOutcome>, outcome: HostOutcome, leased: AbortSignal, lock: HostLock | null): Promise<Partial<HostOutcome> | null> => {
    if (!("selected" in planned)) return planned;
    await backupSelected(host, connection, planned, outcome, leased, lock);
    return null;
  };

  /**
   * What one observation of a host says to back up there, or why nothing is (unreachable, refused
   * by the preflight). Asked within the look's round trip too (whether to keep the lock), so it
   * only reads; `counted` records what the run goes by.
   */
  const planHost = (host: DesiredHost, observed: ObservedHost): Planned | Partial<HostOutcome> => {
    if (observed.unreachable) return { status: "unreachable", problems: [unreachableProblem(observed.unreachable)] };
    // Without OpenShell nothing can be live: only sandboxes the fleet file puts there are reported
    // (skipped), and a host with nothing selected has simply nothing to do.
    const withoutOpenShell = observed.openshell.state === "known" && !observed.openshell.value.installed;
    const check = preflight(observed, BACKUP_PREFLIGHT);
    if (check.state === "refused") return { status: "refused", block: check.block };
    if (check.state === "unknown" && !withoutOpenShell) return { status: "failed", problems: [`cannot check OpenShell versions: ${check.reason}`] };

    const { candidates, problems } = backupCandidates(policies, host, withoutOpenShell ? { ...observed, gateways: { state: "known", value: [] } } : observed);
    const selected = candidates.filter((entry) => wanted === undefined || wanted.some(({ pattern }) => pattern.test(entry.sandbox)));
    return { observed, withoutOpenShell, candidates, problems, selected };
  };

  /**
   * A plan the run goes by: a refusal stops --strict; what it lists counts for --sandbox's check,
   * even when the host is then locked.
   */
  const counted = (planned: Planned | Partial<HostOutcome>): Planned | Partial<HostOutcome> => {
    if (!("candidates" in planned)) {
      if (planned.status === "refused" && options.strict) stop.abort();
      return planned;
    }
    if (planned.problems.length === 0) listedHosts++;
    for (const entry of planned.candidates) {
      available.add(entry.sandbox);
      for (const { glob, pattern } of wanted ?? []) if (pattern.test(entry.sandbox)) matchedGlobs.add(glob);
    }
    return planned;
  };

  /**
   * Back up a host's plan (announced only now that it is the one carried out), one sandbox after another, into `outcome`; `signal` stops them (an interrupt,
   * --strict, a lost lock). The last snapshot's removal gives `lock` back: nothing is run on the host after it.
   */
  const backupSelected = async (host: DesiredHost, connection: Connection, planned: Planned, outcome: HostOutcome, signal: AbortSignal, lock: HostLock | null): Promise<void> => {
    const name = host.name;
    const { observed, withoutOpenShell, problems, selected } = planned;
    const last = selected.findLastIndex((candidate) => candidate.phase === "Ready");
    outcome.problems.push(...problems);
    deps.onEvent?.({
      type: "host-plan",
      host: name,
      steps: selected.map((entry) => ({ id: backupStepId(entry.sandbox, entry.policy.name), sandbox: entry.sandbox, gateway: entry.gateway, policy: entry.policy.name })),
    });
    for (const [index, candidate] of selected.entries()) {
      const base = { host: name, sandbox: candidate.sandbox, gateway: candidate.gateway, policy: candidate.policy.name };
      const strict = options.strict || candidate.policy.strict;
      let result: SandboxOutcome;
      if (candidate.phase !== "Ready") {
        const reason =
          candidate.phase !== null
            ? `not Ready (phase ${candidate.phase})`
            : withoutOpenShell
              ? "declared in the fleet file, but OpenShell is not installed on this host"
              : "declared in the fleet file but not live on any gateway";
        result = { ...base, status: strict ? "failed" : "skipped", reason };
      } else if (signal.aborted) {
        result = { ...base, status: "skipped", reason: options.signal?.aborted ? INTERRUPTED : "--strict stopped the run" };
      } else {
        deps.onEvent?.({ type: "sandbox-start", host: name, sandbox: candidate.sandbox, gateway: candidate.gateway ?? "", policy: candidate.policy.name });
        try {
          const record = await deps.service.backupSandbox({
            host,
            connection,
            sandbox: candidate.sandbox,
            gateway: candidate.gateway ?? "",
            policy: candidate.policy,
            runId: options.runId,
            signal,
            observed,
            ...(lock !== null && index === last ? { releaseLock: lock } : {}),
            onProgress: (bytes) => deps.onEvent?.({ type: "sandbox-progress", host: name, sandbox: candidate.sandbox, policy: candidate.policy.name, bytes }),
          });
          result = { ...base, status: "backed-up", record };
        } catch (error) {
          if (error instanceof PreflightRefusedError) outcome.block = error.block;
          // Ctrl-C cancelled it in flight (its partial copy removed): not backed up because of the
          // interrupt, as the sandboxes after it, not a failure; what it was doing stays in the reason.
          result = options.signal?.aborted ? { ...base, status: "skipped", reason: `${INTERRUPTED}: ${errorMessage(error)}` } : { ...base, status: "failed", reason: errorMessage(error) };
        }
      }
      outcome.sandboxes.push(result);
      deps.onEvent?.({ type: "sandbox-done", outcome: result });
    }
  };

  const results = await deps.mapHosts(hostNames, options.concurrency, async (name) => {
    const outcome = await backupHost(name);
    deps.onEvent?.({ type: "host-done", outcome });
    return outcome;
  });
  const hosts = hostNames.map((name): HostOutcome => {
    const result = results.get(name);
    if (result?.ok) return result.value;
    return { host: name, status: "failed", problems: [errorMessage(result?.error ?? "no result")], sandboxes: [] };
  });
  const unmatched = listedHosts === 0 ? [] : (options.sandboxes ?? []).filter((glob) => !matchedGlobs.has(glob));
  return {
    runId: options.runId,
    startedAt,
    finishedAt: deps.now().toISOString(),
    policies: options.policies.map((p) => p.name),
    hosts,
    cleaned,
    storeProblems,
    unreachableStores,
    unmatchedSandboxes: { globs: unmatched, available: unmatched.length === 0 ? [] : [...available].sort(byCodeUnits) },
  };
}

export function runExitCode(report: RunReport): ExitCodeValue {
  const codes: ExitCodeValue[] = report.hosts.map((host) => {
    switch (host.status) {
      case "ok":
        return ExitCode.Ok;
      case "refused":
        return ExitCode.PreflightRefused;
      case "unreachable":
        return ExitCode.Unreachable;
      case "locked":
        return ExitCode.LockHeld;
      case "not-started":
        // Only a refusal under --strict or an interrupt leaves hosts unstarted; those set the code.
        return ExitCode.Ok;
      case "failed":
        return ExitCode.Failed;
    }
  });
  // A store nothing could be written to is an I/O error on the controller's side of the run.
  if (report.storeProblems.length > 0) codes.push(ExitCode.Error);
  // A store whose host cannot be reached is an unreachable host, as `backup list` and `verify` say (exit 4).
  if (report.unreachableStores.length > 0) codes.push(ExitCode.Unreachable);
  // A --sandbox naming nothing is a selection that names nothing, as a --limit matching no host.
  if (report.unmatchedSandboxes.globs.length > 0) codes.push(ExitCode.ValidationError);
  return mostSevere(codes);
}
