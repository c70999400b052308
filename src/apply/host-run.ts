/**
 * One host's run: refuse early what must not run (unreachable, blocked, nothing to do), take its
 * lease lock (refusing if another run holds it), verify the plan still matches the host's facts,
 * resolve its secrets, then its steps in dependency order — a failed step cancels its
 * dependents — and finally release the lock. Emits every event about the host.
 */

import type { TakenBackup } from "./backup-port.js";
import type { DesiredHost } from "../config/types.js";
import type { HostLockInfo, ObservedHost } from "../observe/types.js";
import type { HostPlan, PlannedCommand, Step } from "../plan/types.js";
import type { CommandOutcome } from "../host/command.js";
import type { Connection } from "../transport/types.js";
import { formatSecretRef } from "../config/secrets.js";
import { secretRefsOf } from "./command.js";
import type { ChangedFact, HostStatus, StepDrift } from "./events.js";
import { stepDrift } from "./source.js";
import type { AcquireResult, HostLease, LockOptions, LockWait } from "./lock.js";
import { describeHolder, leaseOn, lockFor, startLeaseHeartbeat } from "./lock.js";
import { lockText } from "../host/system/fleet-lock.js";
import { unlockHost } from "./unlock.js";
import { blockingDependency, orderSteps } from "./order.js";
import type { RunContext } from "./run-context.js";
import { checkedBySandbox, endsWithItsCommands, runStep, type StepContext, type StepRunResult } from "./steps.js";
import type { RoundTripRequest } from "./round-trip.js";
import { checkedSandboxRead, checkTargetFor } from "../observe/sandbox-check.js";
import { gateHealth } from "./health-gate.js";

interface HostEnd {
  status: HostStatus;
  message?: string | null;
  block?: string[] | null;
  changedFacts?: ChangedFact[] | null;
  stepDrift?: StepDrift | null;
  holder?: HostLockInfo | null;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a planned host status means before anything is attempted, or null when there is work to do. */
export function plannedOutcome(hostPlan: HostPlan): HostEnd | null {
  if (hostPlan.status === "unreachable") {
    return { status: "unreachable", message: hostPlan.notes.map((note) => note.message).join("; ") || "unreachable when planned" };
  }
  if (hostPlan.status === "blocked") {
    return {
      status: "blocked",
      message: hostPlan.notes.map((note) => note.message).join("; ") || "schema preflight refused",
      block: hostPlan.block?.lines ?? null,
    };
  }
  if (hostPlan.steps.length === 0) {
    // A host whose facts were partly unknown had nothing planned that would trust them: say why.
    const unknown = hostPlan.status === "unknown" ? hostPlan.notes.map((note) => note.message).join("; ") : "";
    return { status: "no-changes", message: unknown || null };
  }
  return null;
}

export class HostRun {
  private readonly started = Date.now();
  private observation: ObservedHost | null = null;
  private lockLost: string | null = null;
  private lease: HostLease | null = null;
  /** Set while the host's last step runs: its round trip releases the lock once its commands succeed. */
  private releaseWithLastStep = false;
  /** The step whose commands the next round trip runs. */
  private running: Step | null = null;
  private releasedWithLastStep = false;

  constructor(
    private readonly hostPlan: HostPlan,
    private readonly run: RunContext,
  ) {}

  private get name(): string {
    return this.hostPlan.host;
  }

  private finished: HostStatus | null = null;

  private finish(end: HostEnd): HostStatus {
    this.finished = end.status;
    this.run.events.emit({
      type: "host-finished",
      host: this.name,
      status: end.status,
      durationMs: Date.now() - this.started,
      sessions: this.run.deps.pool.sessionsOpened?.(this.name) ?? null,
      message: end.message ? this.run.redactor.scrub(end.message) : null,
      block: end.block ?? null,
      changedFacts: end.changedFacts ?? null,
      stepDrift: end.stepDrift ?? null,
      holder: end.holder ?? null,
    });
    return end.status;
  }

  /** Mark the steps that never ran, so the journal shows them with the reason. */
  private skipSteps(steps: readonly Step[], reason: string): void {
    for (const step of steps) {
      this.run.events.emit({
        type: "step-finished",
        host: this.name,
        step: step.id,
        kind: step.kind,
        status: "skipped",
        durationMs: 0,
        attempts: 0,
        exitCode: null,
        output: "",
        error: reason,
        failureKind: null,
        hint: null,
        postcondition: null,
        notes: [],
      });
    }
  }

  /** Run the host; never throws — an unexpected error fails the host with its message. */
  async execute(): Promise<HostStatus> {
    try {
      return await this.executeHost();
    } catch (error) {
      return this.finished ?? this.finish({ status: "failed", message: `unexpected error: ${errorText(error)}` });
    }
  }

  private async executeHost(): Promise<HostStatus> {
    const early = plannedOutcome(this.hostPlan);
    if (early) {
      await (await this.run.deps.refreshLocks?.take(this.name))?.lease.release().catch(() => undefined);
      if (early.status === "no-changes") await this.removeLeftLock();
      return this.finish(early);
    }
    if (this.run.control.stopping) return this.finish({ status: "skipped", message: "not started: the run was interrupted" });
    this.run.events.emit({ type: "host-started", host: this.name, steps: this.hostPlan.steps.length });

    let ordered: Step[];
    let desired: DesiredHost;
    try {
      ordered = orderSteps(this.name, this.hostPlan.steps);
      desired = this.run.desiredHost(this.name);
    } catch (error) {
      return this.finish({ status: "failed", message: errorText(error) });
    }
    let connection: Connection;
    try {
      connection = await this.run.deps.pool.get(this.name);
    } catch (error) {
      return this.finish({ status: "unreachable", message: errorText(error) });
    }

    let acquired: AcquireResult;
    try {
      acquired = await this.lockAndObserve(desired, connection);
    } catch (error) {
      return this.finish({ status: "unreachable", message: `could not take the host lock: ${errorText(error)}` });
    }
    if (!acquired.acquired) {
      if (this.run.control.stopping) return this.finish({ status: "skipped", message: "not started: the run was interrupted while waiting for the host lock" });
      const waited = acquired.waitedMs ? `; waited ${Math.round(acquired.waitedMs / 1000)}s for it` : "";
      const message = `${acquired.holder ? `locked by ${describeHolder(acquired.holder)}` : acquired.reason}${waited}`;
      return this.finish({ status: "locked", message, holder: acquired.holder });
    }
    this.run.events.emit({ type: "lock-acquired", host: this.name, reclaimed: acquired.reclaimed });
    this.lease = acquired.lease;
    const stopHeartbeat = this.startHeartbeat(acquired.lease);
    try {
      return await this.executeLocked(ordered, desired, connection);
    } finally {
      await stopHeartbeat();
      // Released already when the host's last round trip took the lock away with it; told here all
      // the same, so the lock is given back after the host finished in every event stream.
      if (this.releasedWithLastStep) this.run.events.emit({ type: "lock-released", host: this.name });
      else await acquired.lease.release().then(
        () => this.run.events.emit({ type: "lock-released", host: this.name }),
        (error: unknown) =>
          this.run.events.emit({ type: "host-note", host: this.name, level: "warning", message: `could not release the host lock: ${errorText(error)}` }),
      );
    }
  }

  /**
   * Take the host lock and observe the host in one round trip (the observation then trusted for
   * the staleness check and the preflight, both right before the first change) — or take over
   * the lock and observation the plan's own round trip made. A lock that is held, or whose taking
   * did not report, goes the long way: acquire (reclaiming a dead run's lock, waiting with
   * --lock-timeout), then observe on its own.
   */
  private async lockAndObserve(desired: DesiredHost, connection: Connection): Promise<AcquireResult> {
    const taken = await this.run.deps.refreshLocks?.take(this.name);
    if (taken) {
      if (!taken.observed.unreachable) this.observation = taken.observed;
      return { acquired: true, lease: taken.lease, reclaimed: null };
    }
    const options = this.lockOptions();
    const mine = lockFor(options);
    const trip = await this.run.deps.runAndObserve(desired, connection, { commands: [], secrets: new Map(), createLock: lockText(mine), timeoutMs: 0 });
    if (trip.lockCreated?.created) {
      if (!trip.observed.unreachable) this.observation = trip.observed;
      return { acquired: true, lease: leaseOn(connection, mine, options), reclaimed: null };
    }
    return this.run.deps.acquireLock(connection, options);
  }

  /**
   * A host with nothing to do is never locked; a lock a crashed run of this machine left there is
   * removed all the same (re-read and re-checked first, and only if it is still that dead run's).
   */
  private async removeLeftLock(): Promise<void> {
    if (!this.run.options.leftLocks?.includes(this.name)) return;
    const outcome = await unlockHost(this.name, () => this.run.deps.pool.get(this.name), false, {
      identity: this.run.deps.identity,
      now: this.run.deps.now,
      pidAlive: this.run.deps.pidAlive,
    });
    if (outcome.result === "removed") {
      this.run.events.emit({ type: "host-note", host: this.name, level: "info", message: `removed the lock ${outcome.holder ? `run ${outcome.holder.runId}` : "a run"} left: ${outcome.reason}` });
    } else if (outcome.result === "unreachable") {
      this.run.events.emit({ type: "host-note", host: this.name, level: "warning", message: `could not remove the lock a dead run left: ${outcome.message}` });
    }
  }

  private lockOptions(): LockOptions {
    return {
      identity: this.run.deps.identity,
      runId: this.run.runId,
      ttlMs: this.run.options.lockTtlMs,
      clock: { now: this.run.deps.now },
      pidAlive: this.run.deps.pidAlive,
      ...(this.run.options.lockTimeoutMs ? { wait: this.lockWait(this.run.options.lockTimeoutMs) } : {}),
    };
  }

  /** `--lock-timeout`: wait for another run's lock, told as an event, ended at once by Ctrl-C. */
  private lockWait(timeoutMs: number): LockWait {
    const { control, deps, events } = this.run;
    return {
      timeoutMs,
      sleep: (ms) => deps.sleep(ms, control.stopSignal),
      stopped: () => control.stopping,
      onWait: (holder) => events.emit({ type: "lock-waiting", host: this.name, holder, timeoutMs }),
    };
  }

  private async resolveSecrets(steps: readonly Step[]): Promise<Map<string, string> | string> {
    const secrets = new Map<string, string>();
    for (const ref of secretRefsOf(steps)) {
      try {
        const value = await this.run.deps.resolveSecret(ref);
        this.run.redactor.add(value);
        secrets.set(formatSecretRef(ref), value);
      } catch (error) {
        const users = steps.filter((step) => secretRefsOf([step]).some((other) => formatSecretRef(other) === formatSecretRef(ref)));
        return `${errorText(error)} (needed by ${users.map((step) => step.id).join(", ")})`;
      }
    }
    return secrets;
  }

  /** Renew the lease every third of its length; a lease someone else took over stops the host. */
  private startHeartbeat(lease: HostLease): () => Promise<void> {
    return startLeaseHeartbeat(lease, this.run.options.lockTtlMs, {
      onLost: () => {
        this.lockLost = "the host lock was taken over by another run";
      },
      onError: (error) => this.run.events.emit({ type: "host-note", host: this.name, level: "warning", message: `lock heartbeat failed: ${errorText(error)}` }),
    });
  }

  private async observe(desired: DesiredHost, connection: Connection): Promise<ObservedHost> {
    this.observation ??= await this.run.deps.observeHost(desired, connection);
    return this.observation;
  }

  /** Compare the facts the steps were planned from with the host now. */
  private staleness(observed: ObservedHost): HostEnd | null {
    const saved = this.hostPlan.fingerprints;
    const keys = Object.keys(saved);
    if (keys.length === 0) return null;
    const now = this.run.deps.fingerprints(observed, keys);
    const changed = keys.filter((key) => now[key] !== saved[key]);
    if (changed.length === 0) return null;
    const changedFacts = changed.map((key) => this.run.deps.explainChange(observed, key, this.hostPlan.factValues?.[key]));
    const replanned = this.run.deps.replan(this.name, observed);
    // A snapshot the plan itself names already exists: this plan was applied here before.
    const taken = changed.filter((key) => key.startsWith("snapshot:")).map((key) => {
      const [sandbox, label] = key.slice("snapshot:".length).split("/");
      return `${label} of ${sandbox}`;
    });
    const applied = taken.length > 0 ? `; this plan was already applied here (its snapshot ${taken.join(", ")} exists), and a saved plan runs once` : "";
    return {
      status: "stale",
      message: `the host changed since the plan was made (${changed.join(", ")})${applied}; re-run \`nemoclaw plan\``,
      changedFacts,
      stepDrift: replanned ? stepDrift(this.hostPlan, replanned) : null,
    };
  }

  private async executeLocked(ordered: Step[], desired: DesiredHost, connection: Connection): Promise<HostStatus> {
    let observed: ObservedHost;
    try {
      observed = await this.observe(desired, connection);
    } catch (error) {
      this.skipSteps(ordered, "not started: the host could not be observed");
      return this.finish({ status: "unreachable", message: errorText(error) });
    }
    if (observed.unreachable) {
      this.skipSteps(ordered, "not started: the host could not be observed");
      return this.finish({ status: "unreachable", message: observed.unreachable.message });
    }
    const stale = this.staleness(observed);
    if (stale) {
      this.skipSteps(ordered, "not started: the plan is stale for this host");
      return this.finish(stale);
    }
    // Only a plan that still holds needs its secrets: a stale host is refused as stale even when one is missing.
    const secrets = await this.resolveSecrets(ordered);
    if (typeof secrets === "string") return this.finish({ status: "failed", message: secrets });

    const context = this.stepContext(desired, connection, secrets);
    const succeeded = new Set<string>();
    let failed = 0;
    for (const [index, step] of ordered.entries()) {
      // Steps an interruption keeps from starting stay pending: the run's end record lists them as not started.
      if (this.run.control.stopping) return this.finish({ status: "interrupted", message: `stopped before ${step.id}` });
      if (this.lockLost) {
        this.skipSteps(ordered.slice(index), `not started: ${this.lockLost}`);
        return this.finish({ status: "failed", message: this.lockLost });
      }
      const blocker = blockingDependency(step, succeeded);
      if (blocker) {
        this.skipSteps([step], `not run: ${blocker} did not succeed`);
        continue;
      }
      // The last step's round trip also releases the lock, once its commands succeed — unless the
      // step does more after it, or a health gate is still to run under it (docs/apply.md#health-gates).
      this.releaseWithLastStep = index === ordered.length - 1 && endsWithItsCommands(step) && !this.run.options.healthGate;
      this.running = step;
      const outcome = await this.runOne(step, context);
      if (outcome.block) {
        this.skipSteps(ordered.slice(index + 1), "not run: the schema preflight refused this host");
        return this.finish({ status: "blocked", message: outcome.error, block: outcome.block });
      }
      if (outcome.status === "ok") succeeded.add(step.id);
      else if (outcome.status === "cancelled") return this.finish({ status: "interrupted", message: `aborted during ${step.id}` });
      else if (outcome.lostHost) {
        // A host that stopped answering is reported apart from one where a step failed.
        this.skipSteps(ordered.slice(index + 1), "not started: the host stopped answering");
        return this.finish({ status: "unreachable", message: `stopped answering during ${step.id}: ${outcome.error ?? ""}` });
      } else failed += 1;
    }
    if (failed > 0) return this.finish({ status: "failed", message: `${failed} step${failed === 1 ? "" : "s"} failed` });
    const pending = new Set((this.hostPlan.heldBack ?? []).flatMap((step) => (step.sandbox === undefined ? [] : [step.sandbox])));
    const gate = await gateHealth(this.run, { host: desired, connection, succeeded: ordered.filter((step) => succeeded.has(step.id)), backups: context.backups, pending });
    return this.finish(gate ?? { status: "ok" });
  }

  private async runOne(step: Step, context: StepContext): Promise<StepRunResult> {
    const started = Date.now();
    this.run.events.emit({
      type: "step-started",
      host: this.name,
      step: step.id,
      kind: step.kind,
      target: step.target.gateway && step.target.kind === "sandbox" ? `${step.target.gateway}/${step.target.name}` : step.target.name,
      commands: step.commands.map((command) => command.display),
      attempt: 1,
    });
    const outcome = await runStep(step, context);
    this.run.events.emit({
      type: "step-finished",
      host: this.name,
      step: step.id,
      kind: step.kind,
      status: outcome.status,
      durationMs: Date.now() - started,
      attempts: outcome.attempts,
      exitCode: outcome.exitCode,
      output: outcome.output,
      error: outcome.error,
      failureKind: outcome.failureKind,
      hint: outcome.hint,
      postcondition: outcome.postcondition,
      notes: outcome.notes.map((note) => this.run.redactor.scrub(note)),
    });
    return outcome;
  }

  /**
   * A step's commands and the observation that checks them, in one round trip; the observation is
   * kept for the step's postcondition (and the next step), unless the host stopped answering.
   */
  private async runCommands(
    desired: DesiredHost,
    connection: Connection,
    secrets: Map<string, string>,
    commands: readonly PlannedCommand[],
    options: { timeoutMs: number; signal: AbortSignal },
  ): Promise<CommandOutcome[]> {
    const release = this.releaseWithLastStep && this.lease !== null ? this.lease.content : undefined;
    const check = this.targetedCheck();
    const answer = await this.run.deps.runAndObserve(desired, connection, {
      commands,
      secrets,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      ...(release !== undefined ? { releaseLock: release } : {}),
      ...(check ? { check } : {}),
    });
    // A check that could not read its sandbox leaves the judgement to a full observation.
    const judged = check ? checkedSandboxRead(answer.observed, check.target) : !answer.observed.unreachable;
    this.observation = judged ? answer.observed : null;
    if (answer.lockReleased === "swapped") {
      this.lease?.released();
      this.releasedWithLastStep = true;
    }
    return answer.outcomes;
  }

  /**
   * A step that changes one sandbox's inside only is checked by reading that sandbox again on top
   * of the last observation, not by observing the whole host (docs/apply.md#what-each-step-does).
   */
  private targetedCheck(): RoundTripRequest["check"] | undefined {
    const step = this.running;
    if (step === null || !checkedBySandbox(step) || this.observation === null) return undefined;
    const target = checkTargetFor(this.observation, step.target.gateway ?? "nemoclaw", step.target.name);
    return target ? { previous: this.observation, target } : undefined;
  }

  private stepContext(desired: DesiredHost, connection: Connection, secrets: Map<string, string>): StepContext {
    const backups = new Map<string, TakenBackup>();
    return {
      host: desired,
      connection,
      runId: this.run.runId,
      secrets,
      redactor: this.run.redactor,
      abort: this.run.control.abortSignal,
      stopping: () => this.run.control.stopping,
      stepTimeoutMs: this.run.options.stepTimeoutMs,
      retry: this.run.options.retry,
      sleep: this.run.deps.sleep,
      random: this.run.deps.random,
      emit: (body) => this.run.events.emit(body),
      observe: () => this.observe(desired, connection),
      invalidate: () => {
        this.observation = null;
      },
      runCommands: (commands, options) => this.runCommands(desired, connection, secrets, commands, options),
      backups,
      verifiedBackups: new Set(),
      partialRestores: new Set(),
      backup: this.run.deps.backup,
      backupPolicy: (name) => this.run.deps.fleet.backupPolicies.find((policy) => policy.name === name),
      preflight: (observed, wording, ignore) => this.run.deps.preflight(observed, wording, ignore),
      replan: (observed) => this.run.deps.replan(this.name, observed, true),
    };
  }
}
