/**
 * The plan: a first-class, serialisable object (schemas/plan.schema.json). The planner builds it
 * purely from (DesiredFleet, ObservedFleet); `plan -o plan.json` saves it; `apply plan.json`
 * executes exactly its steps after checking the fingerprints of the facts they depend on.
 */

import type { EnvValue, PlannedCommand } from "../host/command.js";

export type { EnvValue, PlannedCommand };

export const PLAN_FORMAT_VERSION = 1;

export type Risk = "safe" | "disruptive" | "destructive";

/** Risks from least to most: a ceiling keeps the steps at or below it (`--max-risk`). */
export const RISKS: readonly Risk[] = ["safe", "disruptive", "destructive"];

/** exact: fully determined by observed facts; predicted: depends on the outcome of an earlier step. */
export type Fidelity = "exact" | "predicted";

export type StepKind =
  /** Re-check CLI vs running gateway versions right before anything that trusts sandbox state. */
  | "preflight"
  /** Snapshot a sandbox into the backup store (before a disruptive step, or because a policy is due). */
  | "backup"
  /** Put a backup taken earlier in this run back into a recreated sandbox. */
  | "restore"
  /** NemoClaw's installer at a release (with the OpenShell that release pins). */
  | "nemoclaw-install"
  /** After a release change: the host runs what was planned, checked by observation. */
  | "release-verify"
  /** OpenShell's own installer, on a host without NemoClaw. */
  | "openshell-install"
  | "gateway-retire"
  | "gateway-start"
  | "gateway-recover"
  | "sandbox-create"
  | "sandbox-stale-recover"
  | "lock-clear"
  | "sandbox-recover"
  | "sandbox-rebuild"
  /** `onboard --recreate-sandbox` with new settings: what only a recreate applies. */
  | "sandbox-recreate"
  /** `<sb> gateway restart`: relaunch a running agent gateway, re-emitting its guards. */
  | "sandbox-gateway-restart"
  | "policy-add"
  | "policy-remove"
  | "inference-set"
  | "shields"
  | "sandbox-delete";

export interface StepTarget {
  kind: "host" | "gateway" | "sandbox";
  /** Gateway or sandbox name; the host name for host-level steps. */
  name: string;
  gateway?: string;
}

/** Why a step exists: which desired field against which observed fact. */
export interface StepReason {
  summary: string;
  desired?: { field: string; value: unknown; source?: string };
  observed?: { fact: string; value: unknown };
}

export interface TextDiff {
  label: string;
  before: string;
  after: string;
}

export interface Step {
  /** Unique within the host, stable across re-plans of the same state: `<kind>:<target>`. */
  id: string;
  kind: StepKind;
  target: StepTarget;
  reason: StepReason;
  risk: Risk;
  fidelity: Fidelity;
  /** Ids of earlier steps on the same host that must succeed first. */
  dependsOn: string[];
  /** Keys of the observed facts this step was planned from (see HostPlan.fingerprints). */
  facts: string[];
  commands: PlannedCommand[];
  /** Step-specific parameters the executor needs (backup policy name, restore source, …). */
  params?: Record<string, unknown>;
  diff?: TextDiff[];
  /** Printed when the step fails (recovery hint). */
  hint?: string;
}

/** The structured schema-preflight refusal (design scenario 1), with its exact lines. */
export interface PreflightBlock {
  driver: "cluster-container" | "host-process" | "unknown";
  installedVersion: string;
  runningVersion: string | null;
  runningImage?: string;
  runningBinary?: string;
  gateway: string;
  /** The block exactly as printed, one entry per line (blank lines included). */
  lines: string[];
}

export type HostPlanStatus =
  | "no-changes"
  | "changes"
  /** Schema drift: every state-touching step refused. */
  | "blocked"
  | "unreachable"
  /** Facts needed to plan are unknown; nothing planned that would trust them. */
  | "unknown";

export interface HostNote {
  level: "info" | "warning";
  message: string;
  target?: StepTarget;
  /** The observed fact the note is about (a key as in Step.facts), e.g. when it is unknown. */
  fact?: string;
  /** Excerpt of the raw output that left the fact unknown. */
  excerpt?: string;
}

/** A step a risk ceiling (`--max-risk`) keeps from running: still pending, with why. */
export interface HeldBackStep {
  id: string;
  kind: StepKind;
  risk: Risk;
  /** The planner's reason for the step. */
  summary: string;
  /** Why it is held back: above the ceiling, or it needs a step that is. */
  because: string;
  /** The sandbox the step is for, when it is for one (its health gate leaves it out: it is still pending). */
  sandbox?: string;
}

export interface HostPlan {
  host: string;
  status: HostPlanStatus;
  steps: Step[];
  /** Steps `--max-risk` holds back (pending); absent when nothing is. */
  heldBack?: HeldBackStep[];
  block?: PreflightBlock;
  notes: HostNote[];
  /** fact key → sha256 of its canonical JSON, for every fact any step depends on. */
  fingerprints: Record<string, string>;
  /**
   * fact key → the value that was fingerprinted, with secret-shaped strings masked
   * (src/plan/fact-values.ts): what lets a stale plan say which fields changed. Absent in plans
   * made before it was recorded.
   */
  factValues?: Record<string, unknown>;
}

export interface PlanSummary {
  hosts: number;
  hostsWithChanges: number;
  blocked: number;
  unreachable: number;
  unknown: number;
  steps: number;
  byRisk: Record<Risk, number>;
  byFidelity: Record<Fidelity, number>;
  /** Steps held back by `--max-risk`; absent when none is. */
  heldBack?: number;
}

/** Latest fleet backup time (ISO 8601) per backup policy → host → sandbox; input for "backups due". */
export type BackupCatalogue = Record<string, Record<string, Record<string, string>>>;

/** What `planFleet` needs besides the desired and observed state. */
/** A sandbox on a host, as written on the command line: `<sandbox>@<host>`. */
export interface SandboxAddress {
  sandbox: string;
  host: string;
}

export interface PlanOptions {
  limit: string | null;
  hosts: string[];
  pruneUnmanaged: boolean;
  /** `--replace`: recreate these sandboxes (verified backup first) although their settings match. */
  replace?: SandboxAddress[];
  /** `--target`: plan only the steps for these sandboxes and what they depend on. */
  targets?: SandboxAddress[];
  /** The only clock the planner reads (cron schedules, backup labels, createdAt). */
  now: Date;
  toolVersion: string;
  /** Without a catalogue no backup is planned as due (policies are then evaluated by `backup due`). */
  backupCatalogue?: BackupCatalogue;
  /** `--max-risk`: steps above it, and steps that need them, are held back (pending). */
  maxRisk?: Risk;
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  kind: "nemoclaw-fleet-plan";
  createdAt: string;
  toolVersion: string;
  fleet: { name: string; file: string; digest: string };
  /** The selection this plan was made for; applying it can never widen it. */
  selection: { limit: string | null; hosts: string[] };
  /** `replace` and `targets` as `<sandbox>@<host>`; absent in plans written before they existed. */
  options: { pruneUnmanaged: boolean; replace?: string[]; targets?: string[] | null; maxRisk?: Risk };
  hosts: HostPlan[];
  summary: PlanSummary;
}
