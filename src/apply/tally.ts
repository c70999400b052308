/**
 * Folds the event stream into the state of a run: per host, per step. The executor returns this
 * as the run summary, the recap renders it, and `nemoclaw history` rebuilds it from a journal —
 * so all three agree by construction, also about where an interrupted or crashed run stopped.
 */

import type { HeldBackStep, StepKind } from "../plan/types.js";
import { ExitCode, mostSevere, type ExitCodeValue } from "../exit-codes.js";
import type { ApplyEvent, ChangedFact, EventOf, HostStatus, NoticeState, StepDrift, StepOutcome, StepStatus, StoppedStep } from "./events.js";
import { emptyOutcome, HOST_STATUSES } from "./events.js";
import type { HostLockInfo } from "../observe/types.js";

export interface StepState extends StepOutcome {
  id: string;
  kind: StepKind | null;
  status: StepStatus | "pending" | "running";
  commands: string[];
  startedAt: string | null;
  durationMs: number | null;
}

export interface HostState {
  host: string;
  /** null while the host has not finished. */
  status: HostStatus | null;
  started: boolean;
  startedAt: string | null;
  durationMs: number | null;
  steps: StepState[];
  message: string | null;
  block: string[] | null;
  changedFacts: ChangedFact[] | null;
  stepDrift: StepDrift | null;
  holder: HostLockInfo | null;
  /** While the host waits for another run's lock: whose, and until when (ISO time). */
  waitingForLock: { holder: HostLockInfo; until: string } | null;
  reclaimed: { holder: HostLockInfo | null; reason: string } | null;
  notes: { level: "info" | "warning"; message: string }[];
  /** Steps a risk ceiling (`--max-risk`) kept from running: pending. */
  heldBack: HeldBackStep[];
  /** While the health gate waits: for which sandboxes, and until when (ISO time). */
  gating: { sandboxes: string[]; until: string } | null;
  /** The health gate's verdict, once it has one. */
  healthGate: EventOf<"health-gate-finished"> | null;
}

export interface RunSummary {
  runId: string;
  header: EventOf<"run-started"> | null;
  startedAt: string | null;
  finishedAt: string | null;
  hosts: HostState[];
  waves: EventOf<"wave-finished">[];
  threshold: EventOf<"threshold-exceeded"> | null;
  interrupted: boolean;
  /** The run ended with a run-finished record (false for a crashed run's journal). */
  complete: boolean;
  stoppedAt: StoppedStep[];
  exitCode: ExitCodeValue;
  durationMs: number | null;
  /** How the webhook notices went (`notify:`); null without a webhook, or before the run told it. */
  notify: ({ webhook: string; delivered: number; problems: string[] } & NoticeState) | null;
}

export function exitCodeForHostStatus(status: HostStatus): ExitCodeValue {
  switch (status) {
    case "ok":
    case "no-changes":
    case "skipped":
      return ExitCode.Ok;
    case "failed":
      return ExitCode.Failed;
    case "unreachable":
      return ExitCode.Unreachable;
    case "blocked":
      return ExitCode.PreflightRefused;
    case "stale":
      return ExitCode.StalePlan;
    case "locked":
      return ExitCode.LockHeld;
    case "interrupted":
      return ExitCode.Interrupted;
  }
}

function newStep(id: string): StepState {
  return {
    id,
    kind: null,
    ...emptyOutcome(),
    status: "pending",
    commands: [],
    startedAt: null,
    durationMs: null,
  };
}

function newHost(host: string, stepIds: string[]): HostState {
  return {
    host,
    status: null,
    started: false,
    startedAt: null,
    durationMs: null,
    steps: stepIds.map(newStep),
    message: null,
    block: null,
    changedFacts: null,
    stepDrift: null,
    holder: null,
    waitingForLock: null,
    reclaimed: null,
    notes: [],
    heldBack: [],
    gating: null,
    healthGate: null,
  };
}

export class RunTally {
  private header: EventOf<"run-started"> | null = null;
  private readonly hosts = new Map<string, HostState>();
  private readonly waves: EventOf<"wave-finished">[] = [];
  private threshold: EventOf<"threshold-exceeded"> | null = null;
  private interrupted = false;
  private finished: EventOf<"run-finished"> | null = null;
  private notify: EventOf<"notify-finished"> | null = null;
  private firstAt: string | null = null;
  private lastAt: string | null = null;

  constructor(readonly runId: string) {}

  static fromEvents(runId: string, events: Iterable<ApplyEvent>): RunTally {
    const tally = new RunTally(runId);
    for (const event of events) tally.apply(event);
    return tally;
  }

  private host(name: string): HostState {
    let state = this.hosts.get(name);
    if (!state) {
      state = newHost(name, []);
      this.hosts.set(name, state);
    }
    return state;
  }

  private step(host: string, id: string): StepState {
    const state = this.host(host);
    let step = state.steps.find((candidate) => candidate.id === id);
    if (!step) {
      step = newStep(id);
      state.steps.push(step);
    }
    return step;
  }

  apply(event: ApplyEvent): void {
    this.firstAt ??= event.at;
    this.lastAt = event.at;
    switch (event.type) {
      case "run-started":
        this.header = event;
        for (const host of event.selection.hosts) {
          this.hosts.set(host, { ...newHost(host, event.steps[host] ?? []), heldBack: event.heldBack?.[host] ?? [] });
        }
        return;
      case "wave-started":
        return;
      case "wave-finished":
        this.waves.push(event);
        return;
      case "threshold-exceeded":
        this.threshold = event;
        return;
      case "host-started": {
        const host = this.host(event.host);
        host.started = true;
        host.startedAt = event.at;
        return;
      }
      case "lock-waiting":
        this.host(event.host).waitingForLock = { holder: event.holder, until: new Date(Date.parse(event.at) + event.timeoutMs).toISOString() };
        return;
      case "lock-acquired": {
        const host = this.host(event.host);
        host.reclaimed = event.reclaimed;
        host.waitingForLock = null;
        return;
      }
      case "lock-released":
        return;
      case "host-note":
        this.host(event.host).notes.push({ level: event.level, message: event.message });
        return;
      case "step-started": {
        const step = this.step(event.host, event.step);
        step.kind = event.kind;
        step.status = "running";
        step.commands = event.commands;
        step.startedAt ??= event.at;
        step.attempts = event.attempt;
        return;
      }
      case "step-retrying":
        return;
      case "step-finished": {
        const step = this.step(event.host, event.step);
        Object.assign(step, {
          kind: event.kind,
          status: event.status,
          durationMs: event.durationMs,
          attempts: event.attempts,
          exitCode: event.exitCode,
          output: event.output,
          error: event.error,
          failureKind: event.failureKind,
          hint: event.hint,
          postcondition: event.postcondition,
          notes: event.notes,
        });
        return;
      }
      case "host-finished": {
        const host = this.host(event.host);
        Object.assign(host, {
          waitingForLock: null,
          status: event.status,
          durationMs: event.durationMs,
          message: event.message,
          block: event.block,
          changedFacts: event.changedFacts,
          stepDrift: event.stepDrift,
          holder: event.holder,
        });
        return;
      }
      case "health-gate-started":
        this.host(event.host).gating = { sandboxes: event.sandboxes, until: new Date(Date.parse(event.at) + event.timeoutMs).toISOString() };
        return;
      case "health-gate-finished": {
        const host = this.host(event.host);
        host.gating = null;
        host.healthGate = event;
        return;
      }
      case "run-interrupting":
        this.interrupted = true;
        return;
      case "run-finished":
        this.finished = event;
        this.interrupted ||= event.interrupted;
        return;
      case "notify-finished":
        this.notify = event;
        return;
    }
  }

  /** One host's state so far (live views refresh hosts one at a time). */
  hostState(name: string): HostState | undefined {
    return this.hosts.get(name);
  }

  summary(): RunSummary {
    const hosts = [...this.hosts.values()];
    // A journal without run-finished belongs to a run that died: it counts as interrupted — also
    // when not even its run-started header was written or could be read. Never Ok: nothing says it was.
    const crashed = !this.finished;
    const exitCode = this.finished
      ? (this.finished.exitCode as ExitCodeValue)
      : mostSevere([this.exitCode(), crashed ? ExitCode.Interrupted : ExitCode.Ok]);
    return {
      runId: this.runId,
      header: this.header,
      startedAt: this.header?.at ?? this.firstAt,
      finishedAt: this.finished?.at ?? null,
      hosts,
      waves: this.waves,
      threshold: this.threshold,
      interrupted: this.interrupted || crashed,
      complete: this.finished !== null,
      stoppedAt: this.finished ? this.finished.stoppedAt : this.openWork(),
      exitCode,
      durationMs: this.finished?.durationMs ?? (this.firstAt && this.lastAt ? Date.parse(this.lastAt) - Date.parse(this.firstAt) : null),
      notify: this.notify
        ? { webhook: this.notify.webhook, delivered: this.notify.delivered, problems: this.notify.problems, trouble: this.notify.trouble, since: this.notify.since, told: this.notify.told }
        : null,
    };
  }

  /** The run's exit code from the host outcomes so far (used to write run-finished); held-back steps are changes pending. */
  exitCode(): ExitCodeValue {
    const codes: ExitCodeValue[] = [...this.hosts.values()].map((host) => (host.status ? exitCodeForHostStatus(host.status) : ExitCode.Ok));
    if ([...this.hosts.values()].some((host) => host.heldBack.length > 0)) codes.push(ExitCode.Changes);
    if (this.interrupted) codes.push(ExitCode.Interrupted);
    return mostSevere(codes);
  }

  hostCounts(): Record<HostStatus, number> {
    const counts = Object.fromEntries(HOST_STATUSES.map((status) => [status, 0])) as Record<HostStatus, number>;
    for (const host of this.hosts.values()) if (host.status) counts[host.status] += 1;
    return counts;
  }

  /** Where the run stopped: per host interrupted or still unfinished, the step in flight and those not started. */
  openWork(): StoppedStep[] {
    return [...this.hosts.values()]
      .filter((host) => host.status === "interrupted" || (host.started && host.status === null))
      .map((host) => ({
        host: host.host,
        step: host.steps.find((step) => step.status === "running" || step.status === "cancelled")?.id ?? null,
        notStarted: host.steps.filter((step) => step.status === "pending").map((step) => step.id),
      }));
  }
}
