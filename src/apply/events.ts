/**
 * The apply event stream: ONE typed sequence of events that drives every view of a run — the
 * listr2 live view, the plain line view, `--json` JSON Lines and the run journal. Whatever a user
 * can see about a run, live or afterwards, is in these events (schemas/events.schema.json).
 *
 * Events never carry secret values: commands are shown by their redacted `display`, and output
 * excerpts are scrubbed of every resolved secret before an event is created.
 */

import type { HostLockInfo } from "../observe/types.js";
import type { FieldChange } from "../plan/fact-values.js";
import type { HeldBackStep, Risk, StepKind } from "../plan/types.js";

export type { FieldChange };

export const EVENTS_FORMAT_VERSION = 1;

/** How a host ended up. Each maps to one exit code (see exitCodeForHostStatus). */
export type HostStatus =
  /** Every step ran and its postcondition held (and, with a health gate, every sandbox they changed is healthy). */
  | "ok"
  /** Nothing to do on this host. */
  | "no-changes"
  /** A step failed (its dependents were skipped), or a changed sandbox failed the health gate. */
  | "failed"
  /** The host could not be reached (before or during the run). */
  | "unreachable"
  /** The schema preflight refused state-touching work (planned block or re-check at apply time). */
  | "blocked"
  /** A saved plan no longer matches the host's facts; the host was refused. */
  | "stale"
  /** Another run holds the host's lock; the host was refused. */
  | "locked"
  /** Never started: a failure threshold stopped later waves, or the run was interrupted first. */
  | "skipped"
  /** Stopped part-way by Ctrl-C. */
  | "interrupted";

/** What a run carries out: a freshly made plan, a saved plan file, or `nemoclaw backup run`. */
export type RunSource = "fleet" | "plan-file" | "backup";

export type StepStatus = "ok" | "failed" | "skipped" | "cancelled";

export interface RunIdentity {
  user: string;
  /** The controller machine (os.hostname()), for people to read. */
  machine: string;
  pid: number;
  /** Where the pid can be looked up (src/config/pid-scope.ts); null when the controller cannot tell. */
  pidScope: string | null;
}

/** A fact whose fingerprint changed between the saved plan and the host now. */
export interface ChangedFact {
  key: string;
  /** The fields that changed, old → new, from the values the plan recorded (HostPlan.factValues). */
  fields?: FieldChange[];
  /** When no recorded field differs: the masked fields, one of which must have changed unseen. */
  masked?: string[];
  /** The current value, compact, when the plan recorded no values to compare with. */
  now?: string;
}

/** A step by id, with the planner's one-line reason. */
export interface StepSketch {
  id: string;
  summary: string;
}

/** A step both plans have, whose reason or settings differ: the saved one → the new one. */
export interface StepChange {
  id: string;
  before: string;
  after: string;
}

/** How the steps re-planned from the current facts differ from the saved ones (the "diff of the diff"). */
export interface StepDrift {
  /** Saved steps a new plan would no longer have. */
  removed: StepSketch[];
  /** Steps only a new plan would have. */
  added: StepSketch[];
  /** Steps both have that a new plan would do differently. */
  changed?: StepChange[];
}

export interface StoppedStep {
  host: string;
  /** The step in flight when the run stopped, or null when the host was between steps. */
  step: string | null;
  /** Steps of that host that had not started. */
  notStarted: string[];
}

/** What a finished step reports: the executor's result, the step-finished event and the tally share it. */
export interface StepOutcome {
  attempts: number;
  exitCode: number | null;
  /** Bounded, secret-scrubbed tail of the step's output. */
  output: string;
  /** One line: why the step failed, was skipped or cancelled. */
  error: string | null;
  /** NemoClaw's sandbox-create failure kind, when classified. */
  failureKind: string | null;
  /** What to do about it (may be several lines). */
  hint: string | null;
  /** When the step ran but the facts it should change were not as expected afterwards. */
  postcondition: { expected: string; seen: string } | null;
  notes: string[];
}

/** One sandbox as the health gate last saw it. */
export interface HealthGateSandbox {
  sandbox: string;
  gateway: string;
  healthy: boolean;
  /** The check, as the user would run it, with what it proves on this release. */
  check: string;
  /** One line: what the check saw. */
  detail: string;
  /** The check's output (bounded, secrets scrubbed); empty for the observed phase. */
  output: string;
}

/** The outcome of a step before anything is known about it. */
export function emptyOutcome(): StepOutcome {
  return { attempts: 0, exitCode: null, output: "", error: null, failureKind: null, hint: null, postcondition: null, notes: [] };
}

export type ApplyEventBody =
  | {
      type: "run-started";
      toolVersion: string;
      identity: RunIdentity;
      fleet: { name: string; file: string; digest: string };
      /** sha256 of the canonical plan JSON that this run executes. */
      planHash: string;
      source: RunSource;
      selection: { limit: string | null; hosts: string[] };
      waves: string[][];
      concurrency: number;
      maxFailPercentage: number;
      journal: string | null;
      /** Steps planned per host, in execution order (ids). */
      steps: Record<string, string[]>;
      /** `--max-risk`, when the run has a ceiling (absent in journals written before it existed). */
      maxRisk?: Risk | null;
      /** Per host, the steps the ceiling holds back: pending, not run (absent in older journals). */
      heldBack?: Record<string, HeldBackStep[]>;
    }
  | { type: "wave-started"; wave: number; waves: number; hosts: string[] }
  | {
      type: "wave-finished";
      wave: number;
      hosts: number;
      failed: number;
      unreachable: number;
      /** (failed + unreachable) / hosts × 100. */
      failPercentage: number;
    }
  | {
      type: "threshold-exceeded";
      wave: number;
      failPercentage: number;
      maxFailPercentage: number;
      /** Hosts of later waves that will not be started. */
      skipped: string[];
    }
  | { type: "host-started"; host: string; steps: number }
  /** Another run holds the host's lock; this run waits for it (`--lock-timeout`) for at most `timeoutMs`. */
  | { type: "lock-waiting"; host: string; holder: HostLockInfo; timeoutMs: number }
  /** `reclaimed.holder` is null when the lock taken over was an empty file (no holder named). */
  | { type: "lock-acquired"; host: string; reclaimed: { holder: HostLockInfo | null; reason: string } | null }
  | { type: "lock-released"; host: string }
  | { type: "host-note"; host: string; level: "info" | "warning"; message: string }
  | {
      type: "step-started";
      host: string;
      step: string;
      kind: StepKind;
      target: string;
      commands: string[];
      attempt: number;
    }
  | {
      type: "step-retrying";
      host: string;
      step: string;
      attempt: number;
      delayMs: number;
      reason: string;
    }
  | ({
      type: "step-finished";
      host: string;
      step: string;
      kind: StepKind;
      status: StepStatus;
      durationMs: number;
    } & StepOutcome)
  | {
      type: "host-finished";
      host: string;
      status: HostStatus;
      durationMs: number;
      /** SSH sessions this run opened on the host (its plan's observation included); null when not counted. */
      sessions: number | null;
      message: string | null;
      /** The exact preflight block (status blocked). */
      block: string[] | null;
      /** The facts that changed (status stale). */
      changedFacts: ChangedFact[] | null;
      stepDrift: StepDrift | null;
      /** Who holds the lock (status locked). */
      holder: HostLockInfo | null;
    }
  /** `apply.healthGate`: the host's steps are done; the sandboxes they changed must become healthy within `timeoutMs`. */
  | { type: "health-gate-started"; host: string; sandboxes: string[]; timeoutMs: number }
  | {
      type: "health-gate-finished";
      host: string;
      /** unhealthy: a sandbox was still not healthy when the time ran out (the host fails). */
      status: "healthy" | "unhealthy" | "interrupted";
      durationMs: number;
      /** Rounds of checks. */
      attempts: number;
      sandboxes: HealthGateSandbox[];
      /** Where the backups this run took of the unhealthy sandboxes before changing them are. */
      backups: string[];
    }
  | { type: "run-interrupting"; stage: "draining" | "aborting" }
  | {
      type: "run-finished";
      exitCode: number;
      durationMs: number;
      interrupted: boolean;
      /** Where an interrupted run stopped, per host that had work left. */
      stoppedAt: StoppedStep[];
      hosts: Record<HostStatus, number>;
    }
  /**
   * After run-finished, with `notify:` in the fleet file: how the run's webhook notices went.
   * `webhook` names it without a secret (its reference, or the origin of a URL in the file); the
   * notice state is what the next run of the same job decides by (src/report/run-notice.ts).
   */
  | ({ type: "notify-finished"; webhook: string; delivered: number; problems: string[] } & NoticeState);

/**
 * What the webhook was last told of a job's trouble, carried from run to run in the journal: the
 * trouble (null: the run ended well), since when it has lasted, and when a notice of it last
 * arrived (null: none has).
 */
export interface NoticeState {
  trouble: string | null;
  since: string | null;
  told: string | null;
}

export type ApplyEventType = ApplyEventBody["type"];

export type ApplyEvent = ApplyEventBody & {
  /** Event format version (schemas/events.schema.json). */
  v: typeof EVENTS_FORMAT_VERSION;
  runId: string;
  /** 1-based position in the run's stream. */
  seq: number;
  at: string;
};

export type EventOf<T extends ApplyEventType> = Extract<ApplyEvent, { type: T }>;

export type EventListener = (event: ApplyEvent) => void;

/** Stamps event bodies and hands them, in order, to every listener (views and the journal). */
export class EventBus {
  private seq = 0;
  private readonly listeners: EventListener[] = [];

  constructor(
    readonly runId: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  subscribe(listener: EventListener): void {
    this.listeners.push(listener);
  }

  emit(body: ApplyEventBody): ApplyEvent {
    this.seq += 1;
    const event = { ...body, v: EVENTS_FORMAT_VERSION, runId: this.runId, seq: this.seq, at: this.now().toISOString() } as ApplyEvent;
    for (const listener of this.listeners) listener(event);
    return event;
  }
}

export const HOST_STATUSES: readonly HostStatus[] = [
  "ok",
  "no-changes",
  "failed",
  "unreachable",
  "blocked",
  "stale",
  "locked",
  "skipped",
  "interrupted",
];
