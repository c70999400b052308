/**
 * Carrying out one step on one host. Every step has a deadline; its commands run in order with
 * retries for known-transient failures only; sandbox-creating steps are classified with
 * NemoClaw's kinds; preflight, backup/restore and stale recovery have their own handling; and
 * after the step the host is re-observed to check that it did what it should.
 */

import type { SandboxBackups, TakenBackup } from "./backup-port.js";
import type { DesiredBackupPolicy, DesiredHost } from "../config/types.js";
import type { ObservedHost } from "../observe/types.js";
import type { PreflightOutcome } from "../plan/preflight.js";
import type { HostPlan, PlannedCommand, Step } from "../plan/types.js";
import { TransportError, type Connection } from "../transport/types.js";
import { resumedOnboard } from "../host/nemoclaw/commands.js";
import { imageRefWorkaroundCommands, pushedImageRef, type WorkaroundTarget } from "../host/nemoclaw/image-ref-workaround.js";
import {
  builtImageRef,
  classifySandboxCreateFailure,
  imageRefWorkaroundText,
  sandboxCreateHint,
  type SandboxCreateFailureKind,
} from "../host/nemoclaw/create-failure.js";
import type { CommandOutcome, ResolvedSecrets } from "../host/command.js";
import { outputExcerpt } from "./command.js";
import { type ApplyEventBody, emptyOutcome, type StepOutcome } from "./events.js";
import { checkPostcondition } from "./postconditions.js";
import type { Redactor } from "./redact.js";
import { clearStaleShields, restoreRegistryEntry, snapshotForRecovery } from "../host/nemoclaw/registry-edit.js";
import { checkLabelledSnapshot } from "../host/nemoclaw/snapshots.js";
import { partialRestoreHint, partialRestores } from "../host/nemoclaw/restore-warnings.js";
import { backoffDelay, transientReason, type RetryPolicy } from "./retry.js";

export interface StepRunResult extends StepOutcome {
  status: "ok" | "failed" | "cancelled";
  /** Set when the preflight refused: the exact block; the host must not be touched further. */
  block: string[] | null;
  /** The step failed because the host stopped answering (not because of what it ran). */
  lostHost: boolean;
}

export interface Sleeper {
  (ms: number, signal: AbortSignal): Promise<void>;
}

/** Everything a step needs about its host and run. */
export interface StepContext {
  host: DesiredHost;
  connection: Connection;
  runId: string;
  secrets: ResolvedSecrets;
  redactor: Redactor;
  /** Aborted by the second Ctrl-C: in-flight commands are killed. */
  abort: AbortSignal;
  /** True after the first Ctrl-C: no new attempts start. */
  stopping(): boolean;
  stepTimeoutMs: number;
  retry: RetryPolicy;
  sleep: Sleeper;
  random: () => number;
  emit(body: ApplyEventBody): void;
  /** A current observation of the host: cached until a step runs, then re-probed. */
  observe(): Promise<ObservedHost>;
  /** Mark the cached observation out of date (a step may have changed the host). */
  invalidate(): void;
  /**
   * Run commands in order, in one round trip with the host's observation after them (which then
   * becomes the current one); the first that fails stops the rest. One outcome per command run.
   */
  runCommands(commands: readonly PlannedCommand[], options: { timeoutMs: number; signal: AbortSignal }): Promise<CommandOutcome[]>;
  /** The host planned afresh from an observation (for postconditions), or null when it cannot be. */
  replan(observed: ObservedHost): HostPlan | null;
  /** Backups taken on this host during the run, by the id of the step that took them. */
  backups: Map<string, TakenBackup>;
  /** Ids of this run's backup steps whose backup was verified (a step may require them). */
  verifiedBackups: Set<string>;
  /** Sandboxes NemoClaw's installer recreated but restored only partly (their restore step always runs). */
  partialRestores: Set<string>;
  backup: SandboxBackups;
  backupPolicy(name: string): DesiredBackupPolicy | undefined;
  /** The schema preflight on an observation, worded with the step's action and command. */
  preflight(observed: ObservedHost, wording: { action: string; command: string }, ignore?: ReadonlySet<string>): PreflightOutcome;
}

class StepFailure extends Error {
  constructor(
    message: string,
    readonly extra: Partial<StepRunResult> = {},
  ) {
    super(message);
  }
}

function result(partial: Partial<StepRunResult> & Pick<StepRunResult, "status">): StepRunResult {
  return {
    ...emptyOutcome(),
    attempts: 1,
    block: null,
    lostHost: false,
    ...partial,
  };
}

const CREATES_SANDBOX = new Set<Step["kind"]>(["sandbox-create", "sandbox-recreate", "sandbox-rebuild", "sandbox-stale-recover"]);

function describeFailure(outcome: CommandOutcome, display: string): string {
  if (outcome.timedOut) return `timed out: ${display}`;
  if (outcome.error) return `${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`;
  return `exit ${outcome.exitCode ?? "by signal"}: ${display}`;
}

interface CommandsRun {
  ok: boolean;
  failed: CommandOutcome | null;
  failedDisplay: string;
  output: string;
  attempts: number;
  /** The last command's exit code (an installer's counts as run whatever it is; it is still recorded). */
  exitCode: number | null;
}

/**
 * Run the step's commands in order, in one round trip with the observation that checks them; a
 * failing command is retried (with the commands after it) only when its failure is known to be
 * transient.
 */
async function runCommands(step: Step, context: StepContext, deadline: number): Promise<CommandsRun> {
  let output = "";
  let exitCode: number | null = 0;
  let next = 0;
  let attempt = 1;
  let attempts = 1;
  while (next < step.commands.length) {
    const remaining = deadline - Date.now();
    const pending = step.commands.slice(next);
    if (remaining <= 0) {
      return { ok: false, failed: { exitCode: null, ok: false, stdout: "", stderr: "", timedOut: true, error: null }, failedDisplay: pending[0]?.display ?? "", output, attempts, exitCode: null };
    }
    const outcomes = await context.runCommands(pending, { timeoutMs: remaining, signal: context.abort });
    attempts = Math.max(attempts, attempt);
    for (const outcome of outcomes) {
      output += outcome.stdout + outcome.stderr;
      exitCode = outcome.exitCode;
      if (!outcome.ok) break;
      next += 1;
      attempt = 1;
    }
    if (next === step.commands.length) break;
    const failed = outcomes.at(-1) ?? { exitCode: null, ok: false, stdout: "", stderr: "", timedOut: false, error: new Error("the command did not run") };
    const command = step.commands[next]!;
    const reason = transientReason({ ...failed, argv: command.argv, createsSandbox: CREATES_SANDBOX.has(step.kind) });
    if (reason === null || attempt >= context.retry.maxAttempts || context.stopping() || context.abort.aborted) {
      return { ok: false, failed, failedDisplay: command.display, output, attempts, exitCode };
    }
    const delayMs = backoffDelay(context.retry, attempt, context.random);
    attempt += 1;
    context.emit({ type: "step-retrying", host: context.host.name, step: step.id, attempt, delayMs, reason });
    await context.sleep(delayMs, context.abort);
  }
  return { ok: true, failed: null, failedDisplay: "", output, attempts, exitCode };
}

function stringParam(step: Step, name: string): string | null {
  const value = step.params?.[name];
  return typeof value === "string" ? value : null;
}

async function runCommandStep(step: Step, context: StepContext, deadline: number): Promise<StepRunResult> {
  const run = await runCommands(step, context, deadline);
  const output = outputExcerpt(run.output, context.redactor);
  if (run.ok) return checkRestoredState(step, context, run, output);
  const failed = run.failed as CommandOutcome;
  const cancelled = context.abort.aborted;
  const base = {
    status: cancelled ? ("cancelled" as const) : ("failed" as const),
    exitCode: failed.exitCode,
    output,
    error: cancelled ? `cancelled: ${run.failedDisplay}` : describeFailure(failed, run.failedDisplay),
    attempts: run.attempts,
    hint: step.hint ?? null,
    lostHost: failed.error instanceof TransportError && failed.error.kind === "unreachable",
  };
  if (!CREATES_SANDBOX.has(step.kind) || cancelled) return result(base);
  const advice = createFailureAdvice(step, run.output);
  if (advice.workaround && step.kind === "sandbox-create" && step.params?.imageRefWorkaround === true) {
    return carryOutImageRefWorkaround(step, context, deadline, advice.workaround, run.output);
  }
  return result({ ...base, failureKind: advice.kind, hint: advice.hint });
}

/**
 * A recreate or rebuild NemoClaw reports as a partial restore exits 0 with a fresh sandbox Ready:
 * the step fails, naming the backup that holds the state. After NemoClaw's installer the sandbox
 * is remembered instead, so that this run's restore step puts its backup back even though the
 * sandbox survived (runRestore).
 */
function checkRestoredState(step: Step, context: StepContext, run: CommandsRun, output: string): StepRunResult {
  const ok = result({ status: "ok", exitCode: run.exitCode, output, attempts: run.attempts });
  const partial = partialRestores(run.output);
  if (partial.length === 0) return ok;
  if (step.kind === "nemoclaw-install") {
    const names = partial.map((restore) => restore.sandbox).filter((name): name is string => name !== null);
    for (const name of names) context.partialRestores.add(name);
    return { ...ok, notes: [...ok.notes, ...partial.map((restore) => `NemoClaw's installer restored ${restore.sandbox ?? "a sandbox"} only partly (state kept in ${restore.backup})`)] };
  }
  if (!CREATES_SANDBOX.has(step.kind)) return ok;
  const sandbox = step.target.name;
  const mine = partial.find((restore) => restore.sandbox === sandbox) ?? partial[0]!;
  return result({
    status: "failed",
    exitCode: run.exitCode,
    output,
    attempts: run.attempts,
    error: `NemoClaw recreated ${sandbox} but put its workspace back only partly ("partial restore"); the sandbox runs without its previous state`,
    hint: partialRestoreHint(sandbox, mine),
  });
}

interface CreateFailureAdvice {
  kind: SandboxCreateFailureKind;
  hint: string | null;
  /** Set for image_upload_container_missing on arm64 when the built image is known. */
  workaround: { imageRef: string; target: WorkaroundTarget } | null;
}

/** NemoClaw's classification of a failed create, its hint, and on arm64 the image-reference workaround. */
function createFailureAdvice(step: Step, rawOutput: string): CreateFailureAdvice {
  const { kind } = classifySandboxCreateFailure(rawOutput);
  const gateway = step.target.gateway ?? "nemoclaw";
  const hint = [sandboxCreateHint(kind, gateway), step.hint].filter((line): line is string => Boolean(line)).join("\n") || null;
  // The planner records the create as NemoClaw would run it on arm64 hosts only: the workaround is for Linux arm64 (NemoClaw #3266).
  const target = step.params?.imageRefTarget as WorkaroundTarget | undefined;
  if (kind !== "image_upload_container_missing" || step.params?.arm64 !== true || target === undefined) return { kind, hint, workaround: null };
  const imageRef = builtImageRef(rawOutput);
  return {
    kind,
    hint: [hint, imageRefWorkaroundText(imageRef, target)].filter(Boolean).join("\n"),
    workaround: imageRef ? { imageRef, target } : null,
  };
}

/**
 * The fleet file allows it: push the built image to a local registry, create the sandbox from
 * that reference, then let `nemoclaw onboard --resume` (same environment) finish the sandbox.
 */
async function carryOutImageRefWorkaround(
  step: Step,
  context: StepContext,
  deadline: number,
  workaround: { imageRef: string; target: WorkaroundTarget },
  firstOutput: string,
): Promise<StepRunResult> {
  context.emit({
    type: "host-note",
    host: context.host.name,
    level: "info",
    message: `${step.id}: image_upload_container_missing on arm64; carrying out the image-reference workaround with ${workaround.imageRef}`,
  });
  const commands: PlannedCommand[] = imageRefWorkaroundCommands(workaround.imageRef, workaround.target);
  for (const onboard of step.commands) commands.push(resumedOnboard(onboard));
  const run = await runCommands({ ...step, commands }, context, deadline);
  const output = outputExcerpt(`${firstOutput}${run.output}`, context.redactor);
  const used = pushedImageRef(workaround.imageRef);
  if (run.ok) {
    return result({ status: "ok", exitCode: 0, output, notes: [`the image-tar upload failed (image_upload_container_missing); created from ${used} with the image-reference workaround`] });
  }
  const failed = run.failed as CommandOutcome;
  return result({
    status: context.abort.aborted ? "cancelled" : "failed",
    exitCode: failed.exitCode,
    output,
    error: `image-reference workaround failed: ${describeFailure(failed, run.failedDisplay)}`,
    failureKind: "image_upload_container_missing",
    hint: imageRefWorkaroundText(workaround.imageRef, workaround.target),
  });
}

/**
 * Re-check, right before anything changes, that the installed OpenShell CLI and every running
 * gateway agree — on a fresh observation (the probe reads the same versions the step's commands
 * show). Drift refuses the host with NemoClaw's block; versions that cannot be read fail the step.
 */
async function runPreflight(step: Step, context: StepContext): Promise<StepRunResult> {
  const observed = await context.observe();
  const wording = { action: stringParam(step, "action") ?? "applying fleet changes", command: stringParam(step, "command") ?? "nemoclaw apply" };
  // A crashed gateway the plan handles is left out only while it still shows its migration error.
  const planned = Array.isArray(step.params?.crashedGateways) ? step.params.crashedGateways.filter((name): name is string => typeof name === "string") : [];
  const gateways = observed.gateways.state === "known" ? observed.gateways.value : [];
  const ignore = new Set(planned.filter((name) => gateways.some((gateway) => gateway.name === name && gateway.health.fatalMigration !== null)));
  const outcome = context.preflight(observed, wording, ignore);
  switch (outcome.state) {
    case "clean":
      return result({ status: "ok", notes: [`OpenShell ${outcome.openshellVersion}: the CLI and every running gateway agree`] });
    case "refused":
      return result({
        status: "failed",
        error: "schema preflight refused: the OpenShell CLI and a running gateway differ",
        block: outcome.block.lines,
        hint: step.hint ?? null,
      });
    case "unknown":
      throw new StepFailure(`could not re-check OpenShell versions: ${outcome.reason}`);
  }
}

async function runBackup(step: Step, context: StepContext, deadline: number): Promise<StepRunResult> {
  const policyName = stringParam(step, "policy");
  // Without a policy the planner snapshots with NemoClaw's own engine on the host (plain commands).
  if (policyName === null) return runSnapshotBackup(step, context, deadline);
  const policy = context.backupPolicy(policyName);
  if (!policy) throw new StepFailure(`backup policy ${policyName} is not in the fleet file`);
  const sandbox = step.target.name;
  const record = await context.backup.backupSandbox({
    host: context.host,
    connection: context.connection,
    sandbox,
    gateway: step.target.gateway ?? "nemoclaw",
    policy,
    runId: context.runId,
    signal: context.abort,
  });
  const summary = `backup ${record.id}: ${record.sizeBytes} bytes, sha256 ${record.sha256.slice(0, 12)}…, at ${record.location}`;
  if (record.verified === false) throw new StepFailure(`backup ${record.id} of ${sandbox} failed verification`, { notes: [summary] });
  if (step.params?.verify === true && record.verified !== true) {
    throw new StepFailure(`backup ${record.id} of ${sandbox} was not verified, and the step needs a verified backup`, { notes: [summary] });
  }
  context.backups.set(step.id, record);
  if (record.verified === true) context.verifiedBackups.add(step.id);
  return result({ status: "ok", notes: [`${summary}${record.verified ? ", verified" : ""}`] });
}

/** NemoClaw's own snapshot on the host; verified, when the step needs it, by the manifest NemoClaw writes last. */
async function runSnapshotBackup(step: Step, context: StepContext, deadline: number): Promise<StepRunResult> {
  const ran = await runCommandStep(step, context, deadline);
  const label = stringParam(step, "snapshot");
  if (ran.status !== "ok" || step.params?.verify !== true || label === null) return ran;
  const checked = await checkLabelledSnapshot(context.connection, step.target.name, label, { signal: context.abort });
  context.verifiedBackups.add(step.id);
  return { ...ran, notes: [...ran.notes, `NemoClaw snapshot ${label} (${checked.timestamp}): ${checked.files} files, manifest written, verified`] };
}

/** A step that may only run after verified backups (a gateway retire) checks that this run has them. */
function requireVerifiedBackups(step: Step, context: StepContext): void {
  const required = step.params?.requiresVerifiedBackups;
  if (!Array.isArray(required)) return;
  const missing = required.filter((id) => typeof id !== "string" || !context.verifiedBackups.has(id));
  if (missing.length > 0) throw new StepFailure(`refusing ${step.id}: no verified backup from ${missing.join(", ")} in this run`);
}

/**
 * Put a backup taken earlier in this run back. A restore that may recreate the sandbox (after a
 * release upgrade) runs that recreate only when the sandbox is missing; one planned "when
 * missing" leaves a sandbox that survived as it is. A policy backup goes back through the backup
 * service; a NemoClaw snapshot through the step's own `snapshot restore` command.
 */
async function runRestore(step: Step, context: StepContext, deadline: number): Promise<StepRunResult> {
  const sandbox = step.target.name;
  const recreates = step.params?.recreateIfMissing === true;
  const live = recreates ? await sandboxIsLive(context, step) : false;
  if (step.params?.when === "sandbox-missing" && live && !context.partialRestores.has(sandbox)) {
    return result({ status: "ok", notes: [`${sandbox} survived; nothing to restore`] });
  }
  const ran = await runCommandStep(live ? { ...step, commands: step.commands.slice(1) } : step, context, deadline);
  if (ran.status !== "ok" || stringParam(step, "policy") === null) return ran;
  const from = stringParam(step, "from") ?? "";
  const record = context.backups.get(from);
  if (!record) throw new StepFailure(`no backup from step ${from} was taken in this run; refusing to restore ${sandbox}`);
  await context.backup.restoreSandbox({ record, host: context.host, connection: context.connection, sandbox, signal: context.abort });
  context.invalidate();
  return { ...ran, notes: [...ran.notes, ...(recreates && !live ? [`recreated ${sandbox}`] : []), `restored ${sandbox} from backup ${record.id}`] };
}

async function sandboxIsLive(context: StepContext, step: Step): Promise<boolean> {
  const observed = await context.observe();
  if (observed.gateways.state === "unknown") throw new StepFailure(`cannot tell whether ${step.target.name} survived: gateways unknown (${observed.gateways.reason})`);
  const gateway = observed.gateways.value.find((candidate) => candidate.name === (step.target.gateway ?? "nemoclaw"));
  if (!gateway || gateway.sandboxes.state === "unknown") return false;
  return gateway.sandboxes.value.some((candidate) => candidate.name === step.target.name);
}

/**
 * Stale registry entry (scenario 5): snapshot the entry and the shields state, recreate; on
 * failure put the entry back exactly; on success clear the old sandbox's shields state.
 */
async function runStaleRecover(step: Step, context: StepContext, deadline: number): Promise<StepRunResult> {
  const sandbox = step.target.name;
  const { registry, shields } = await snapshotForRecovery(context.connection, sandbox);
  const recreated = await runCommandStep(step, context, deadline);
  if (recreated.status !== "ok") {
    const restoreNote = await restoreRegistryEntry(context.connection, registry, sandbox).catch(
      (error: unknown) => `RESTORING THE REGISTRY ENTRY FAILED: ${error instanceof Error ? error.message : String(error)}`,
    );
    return { ...recreated, notes: [...recreated.notes, restoreNote] };
  }
  const cleared = await clearStaleShields(context.connection, sandbox, shields);
  if (cleared?.mustReapply) context.emit({ type: "host-note", host: context.host.name, level: "warning", message: cleared.note });
  return { ...recreated, notes: [...recreated.notes, "recovered from a stale registry entry", ...(cleared ? [cleared.note] : [])] };
}

/**
 * Kinds that do more on the host after their commands' round trip (a restore through the backup
 * service, a stale-entry recovery's shields clean-up, a snapshot's verification, a policy backup's
 * stream): such a step's commands must never release the host lock.
 */
const WORK_AFTER_COMMANDS = new Set<Step["kind"]>(["backup", "restore", "sandbox-stale-recover", "preflight"]);

/**
 * Kinds whose commands change nothing but one sandbox's inside — its stale gateway locks, and the
 * running agent gateway `<sb> gateway restart` relaunches after re-emitting the guard chain
 * (real-cli-2026-12 §5; src/plan/rules/guards.ts): their effect is checked by reading that sandbox
 * again, not the whole host. `recover` is not one: on a cold boot it may start the OpenShell
 * gateway too (§14, NC#7418), so the host is observed whole after it.
 */
const CHANGES_ONE_SANDBOX = new Set<Step["kind"]>(["lock-clear", "sandbox-gateway-restart"]);

export function checkedBySandbox(step: Step): boolean {
  return CHANGES_ONE_SANDBOX.has(step.kind) && step.target.kind === "sandbox";
}

/** Whether the step's last action is its commands' round trip, which may then also release the host lock. */
export function endsWithItsCommands(step: Step): boolean {
  return !WORK_AFTER_COMMANDS.has(step.kind);
}

async function runByKind(step: Step, context: StepContext, deadline: number): Promise<StepRunResult> {
  requireVerifiedBackups(step, context);
  switch (step.kind) {
    case "preflight":
      return runPreflight(step, context);
    case "backup":
      return runBackup(step, context, deadline);
    case "restore":
      return runRestore(step, context, deadline);
    case "sandbox-stale-recover":
      return runStaleRecover(step, context, deadline);
    default:
      return runCommandStep(step, context, deadline);
  }
}

/** Run a step, then check its postcondition on a fresh observation. Never throws. */
export async function runStep(step: Step, context: StepContext): Promise<StepRunResult> {
  const deadline = Date.now() + context.stepTimeoutMs;
  let outcome: StepRunResult;
  try {
    outcome = await runByKind(step, context, deadline);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const extra = error instanceof StepFailure ? error.extra : {};
    context.invalidate();
    return result({ status: context.abort.aborted ? "cancelled" : "failed", error: context.redactor.scrub(message), hint: step.hint ?? null, ...extra });
  }
  if (outcome.status !== "ok") return outcome;
  const observed = await context.observe().catch((error: unknown) => error);
  if (observed instanceof Error || !observed) {
    return { ...outcome, status: "failed", error: `could not verify the step: ${observed instanceof Error ? observed.message : "no observation"}`, lostHost: true };
  }
  if ((observed as ObservedHost).unreachable) {
    return { ...outcome, status: "failed", error: `could not verify the step: the host stopped answering (${(observed as ObservedHost).unreachable?.message})`, lostHost: true };
  }
  const check = checkPostcondition(step, observed as ObservedHost, context.replan(observed as ObservedHost));
  if (check === null || check.holds) return outcome;
  return {
    ...outcome,
    status: "failed",
    error: `postcondition failed: expected ${check.expected}; saw ${check.seen}`,
    postcondition: { expected: check.expected, seen: check.seen },
    hint: step.hint ?? null,
  };
}
