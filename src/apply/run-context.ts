/**
 * What the executor is given (dependencies, injected so tests need no module mocks) and the
 * per-run context every host run shares.
 */

import type { PreflightOutcome } from "../plan/preflight.js";
import type { SandboxBackups } from "./backup-port.js";
import type { DesiredFleet, DesiredHost, SecretRef, WaveSpec } from "../config/types.js";
import type { ObservedHost } from "../observe/types.js";
import type { HostPlan } from "../plan/types.js";
import type { Connection } from "../transport/types.js";
import type { RunControl } from "./control.js";
import type { ChangedFact, EventBus, RunIdentity, RunSource } from "./events.js";
import type { AcquireResult, LockOptions, PidAlive } from "./lock.js";
import type { Redactor } from "./redact.js";
import type { RefreshLock } from "./refresh-locks.js";
import type { RunAndObserve } from "./round-trip.js";
import type { RetryPolicy } from "./retry.js";
import type { Sleeper } from "./steps.js";

export interface ApplyDeps {
  fleet: DesiredFleet;
  /** The hosts' connections; `sessionsOpened` counts the round trips a run makes (docs/performance.md). */
  pool: { get(host: string): Promise<Connection>; sessionsOpened?(host: string): number };
  observeHost(host: DesiredHost, connection: Connection): Promise<ObservedHost>;
  /** Commands, then the host's observation, in one round trip; also takes and releases the lock (src/apply/round-trip.ts). */
  runAndObserve: RunAndObserve;
  backup: SandboxBackups;
  resolveSecret(ref: SecretRef): Promise<string>;
  /** The schema preflight (src/backup/preflight.ts): NemoClaw's exact block when the CLI and a running gateway disagree. */
  preflight(observed: ObservedHost, wording: { action: string; command: string }, ignore?: ReadonlySet<string>): PreflightOutcome;
  /** Fingerprints of the given fact keys (src/plan/fingerprint.ts). */
  fingerprints(observed: ObservedHost, keys: string[]): Record<string, string>;
  /** How a changed fact differs from the value the plan recorded (undefined: none recorded), for the stale-plan report. */
  explainChange(observed: ObservedHost, key: string, recorded: unknown): ChangedFact;
  /**
   * Plan one host afresh from an observation with the plan's own rules and options: checks each
   * step's postcondition and shows how a stale plan's steps would differ. Null when not possible.
   * `afterSteps`: planned after this run's own steps, so without its one-off requests (`--replace`:
   * a replacement done is not asked for again, or every replace would fail its postcondition).
   */
  replan(host: string, observed: ObservedHost, afterSteps?: boolean): HostPlan | null;
  acquireLock(connection: Connection, options: LockOptions): Promise<AcquireResult>;
  /** Locks taken in the plan's own observation (src/apply/refresh-locks.ts); absent for a saved plan. */
  refreshLocks?: { take(host: string): Promise<RefreshLock | undefined> };
  identity: RunIdentity;
  pidAlive: PidAlive;
  now(): Date;
  sleep: Sleeper;
  random(): number;
  /** The event stream; the journal and the views are subscribed to it. */
  events: EventBus;
  redactor: Redactor;
  control: RunControl;
}

export interface ApplyOptions {
  source: RunSource;
  concurrency: number;
  waves: WaveSpec[];
  maxFailPercentage: number;
  stepTimeoutMs: number;
  lockTtlMs: number;
  /** How long to wait for a host lock another run holds before refusing the host; 0 refuses at once. */
  lockTimeoutMs?: number;
  /**
   * Hosts whose lock, in the observation the plan was made from, a dead run of this machine left:
   * removed even when the host has nothing to do, so it does not lock other controllers out.
   */
  leftLocks?: readonly string[];
  retry: RetryPolicy;
  /** `apply.healthGate`: the sandboxes a host's steps changed must be healthy within this long; absent or null: no gate. */
  healthGate?: { timeoutMs: number } | null;
  journalPath: string | null;
  toolVersion: string;
}

export class RunContext {
  constructor(
    readonly deps: ApplyDeps,
    readonly options: ApplyOptions,
  ) {}

  get runId(): string {
    return this.deps.events.runId;
  }

  get events(): EventBus {
    return this.deps.events;
  }

  get redactor() {
    return this.deps.redactor;
  }

  get control(): RunControl {
    return this.deps.control;
  }

  desiredHost(name: string): DesiredHost {
    const host = this.deps.fleet.hosts.find((candidate) => candidate.name === name);
    if (!host) throw new Error(`host ${name} is in the plan but not in the fleet (${this.deps.fleet.sourceFile})`);
    return host;
  }
}
