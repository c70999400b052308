/**
 * The health gate (`apply.healthGate`): a host is done only when every sandbox its steps changed
 * is healthy by its release's own account (src/host/nemoclaw/sandbox-health.ts), checked at once
 * and then with growing pauses until the fleet file's timeout. A sandbox that is not fails the
 * host — so the wave's failure threshold stops later waves as for any failed host — naming the
 * sandbox, the check and what it saw, and where the backups this run took before the change are.
 */
import type { TakenBackup } from "./backup-port.js";
import type { DesiredHost } from "../config/types.js";
import { runForOutcome } from "../host/run.js";
import { describeHealthCheck, phaseHealth, readSandboxStatus, sandboxHealthCheck, sandboxStatusJson, type SandboxHealthCheck } from "../host/nemoclaw/sandbox-health.js";
import type { ObservedHost } from "../observe/types.js";
import type { Step } from "../plan/types.js";
import type { Connection } from "../transport/types.js";
import { formatDurationSetting } from "../config/duration.js";
import type { HealthGateSandbox } from "./events.js";
import type { RunContext } from "./run-context.js";

/** Pauses between rounds: 2 s, doubling, at most 30 s. */
const FIRST_PAUSE_MS = 2_000;
const LONGEST_PAUSE_MS = 30_000;
/** One status command may take this long at most (NemoClaw's own probes time out within 15 s each). */
const CHECK_TIMEOUT_MS = 60_000;
const OUTPUT_LIMIT = 2_000;

export interface GateInput {
  host: DesiredHost;
  connection: Connection;
  /** The host's steps that succeeded, in the order they ran. */
  succeeded: readonly Step[];
  /** Backups this run took on the host, by the id of the step that took them. */
  backups: ReadonlyMap<string, TakenBackup>;
  /** Sandboxes with a step --max-risk held back: still pending, so not judged. */
  pending: ReadonlySet<string>;
}

/** How the host ends when the gate does not pass; null when it passes (or there is no gate). */
export type GateVerdict = { status: "failed" | "interrupted"; message: string } | null;

interface Target {
  sandbox: string;
  gateway: string;
}

/** Steps that only read (backups, the preflight, the release check) or remove the sandbox change nothing to check. */
const NOT_A_CHANGE = new Set<Step["kind"]>(["preflight", "backup", "release-verify", "sandbox-delete", "gateway-retire"]);

/**
 * The sandboxes the steps changed: each step's own sandbox; the sandboxes a gateway step names
 * (an inference change), else all of a gateway's for a gateway step; all of them for an install.
 * Sandboxes still pending (a step of theirs held back) are not judged.
 */
export function changedSandboxes(host: DesiredHost, steps: readonly Step[], pending: ReadonlySet<string> = new Set()): Target[] {
  const targets = new Map<string, Target>();
  const add = (sandbox: string, gateway: string) => {
    if (!pending.has(sandbox)) targets.set(`${gateway}/${sandbox}`, { sandbox, gateway });
  };
  for (const step of steps) {
    if (NOT_A_CHANGE.has(step.kind)) continue;
    const named = step.params?.sandboxes;
    if (step.target.kind === "sandbox") add(step.target.name, step.target.gateway ?? "nemoclaw");
    else if (step.target.kind === "gateway" && Array.isArray(named)) {
      for (const sandbox of named) if (typeof sandbox === "string") add(sandbox, step.target.name);
    } else {
      const gateway = step.target.kind === "gateway" ? step.target.name : null;
      for (const sandbox of host.sandboxes) if (gateway === null || sandbox.gateway === gateway) add(sandbox.name, sandbox.gateway);
    }
  }
  return [...targets.values()];
}

function observedPhase(observed: ObservedHost, target: Target): string | null {
  if (observed.gateways.state !== "known") return null;
  const gateway = observed.gateways.value.find((candidate) => candidate.name === target.gateway);
  if (!gateway || gateway.sandboxes.state !== "known") return null;
  return gateway.sandboxes.value.find((sandbox) => sandbox.name === target.sandbox)?.phase ?? null;
}

function nemoclawVersion(observed: ObservedHost): string | null {
  return observed.nemoclaw.state === "known" && observed.nemoclaw.value.installed ? observed.nemoclaw.value.version : null;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class Gate {
  /** The latest observation, or why the host could not be observed. */
  private observed: ObservedHost | string = "not observed yet";
  /** The release's check, decided by the first observation that succeeds (the phase until then). */
  private check: SandboxHealthCheck = "phase";
  private decided = false;

  constructor(
    private readonly run: RunContext,
    private readonly input: GateInput,
  ) {}

  private async observe(): Promise<void> {
    try {
      const observed = await this.run.deps.observeHost(this.input.host, this.input.connection);
      this.observed = observed.unreachable ? observed.unreachable.message : observed;
      if (typeof this.observed !== "string" && !this.decided) {
        this.check = sandboxHealthCheck(nemoclawVersion(this.observed));
        this.decided = true;
      }
    } catch (error) {
      this.observed = errorText(error);
    }
  }

  /** One sandbox, once: NemoClaw's status where the release has it, else the phase just observed. */
  private async checkOne(target: Target, deadline: number): Promise<HealthGateSandbox> {
    const base = { sandbox: target.sandbox, gateway: target.gateway, check: describeHealthCheck(this.check, target.sandbox) };
    if (this.check === "phase") {
      if (typeof this.observed === "string") return { ...base, healthy: false, detail: `the host could not be observed: ${this.observed}`, output: "" };
      return { ...base, ...phaseHealth(observedPhase(this.observed, target)), output: "" };
    }
    const timeoutMs = Math.max(1_000, Math.min(CHECK_TIMEOUT_MS, deadline - this.run.deps.now().getTime()));
    const outcome = await runForOutcome(this.input.connection, sandboxStatusJson(target.sandbox), { timeoutMs, signal: this.run.control.abortSignal });
    const output = this.run.redactor.scrub(`${outcome.stdout}${outcome.stderr}`).slice(-OUTPUT_LIMIT);
    if (outcome.error) return { ...base, healthy: false, detail: `could not run the check: ${errorText(outcome.error)}`, output };
    if (outcome.timedOut) return { ...base, healthy: false, detail: `the check timed out after ${formatDurationSetting(timeoutMs)}`, output };
    const health = readSandboxStatus(outcome, this.check);
    return { ...base, healthy: health.healthy, detail: this.run.redactor.scrub(health.detail), output };
  }

  async pass(timeoutMs: number): Promise<GateVerdict> {
    const { deps, control, events } = this.run;
    const host = this.input.host.name;
    const targets = changedSandboxes(this.input.host, this.input.succeeded, this.input.pending);
    if (targets.length === 0) return null;
    const started = deps.now().getTime();
    const deadline = started + timeoutMs;
    await this.observe();
    events.emit({ type: "health-gate-started", host, sandboxes: targets.map((target) => `${target.gateway}/${target.sandbox}`), timeoutMs });

    const results = new Map<string, HealthGateSandbox>();
    let pending = targets;
    let attempts = 0;
    let pause = FIRST_PAUSE_MS;
    let status: "healthy" | "unhealthy" | "interrupted";
    for (;;) {
      attempts += 1;
      if ((this.check === "phase" || !this.decided) && attempts > 1) await this.observe();
      for (const target of pending) results.set(`${target.gateway}/${target.sandbox}`, await this.checkOne(target, deadline));
      pending = pending.filter((target) => !results.get(`${target.gateway}/${target.sandbox}`)?.healthy);
      const left = deadline - deps.now().getTime();
      if (pending.length === 0) status = "healthy";
      else if (control.stopping) status = "interrupted";
      else if (left <= 0) status = "unhealthy";
      else {
        await deps.sleep(Math.min(pause, left), control.stopSignal);
        pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
        continue;
      }
      break;
    }
    const sandboxes = targets.map((target) => results.get(`${target.gateway}/${target.sandbox}`) as HealthGateSandbox);
    const failing = sandboxes.filter((sandbox) => !sandbox.healthy);
    const backups = this.backupsOf(failing.map((sandbox) => sandbox.sandbox));
    events.emit({ type: "health-gate-finished", host, status, durationMs: deps.now().getTime() - started, attempts, sandboxes, backups });
    if (status === "healthy") return null;
    if (status === "interrupted") return { status: "interrupted", message: "interrupted during the health gate" };
    const what = failing.map((sandbox) => `${sandbox.sandbox} (gateway ${sandbox.gateway}) is not healthy by ${sandbox.check}: ${sandbox.detail.replace(/\.$/, "")}`).join("; ");
    return { status: "failed", message: `health gate: after ${formatDurationSetting(timeoutMs)}, ${what}. ${this.backupAdvice(failing.map((sandbox) => sandbox.sandbox), backups)}` };
  }

  /** Backups this run took of these sandboxes before changing them, as the user would find them. */
  private backupsOf(names: readonly string[]): string[] {
    const found: string[] = [];
    for (const step of this.input.succeeded) {
      if (step.kind !== "backup" || !names.includes(step.target.name)) continue;
      const record = this.input.backups.get(step.id);
      if (record) found.push(`${step.target.name}: backup ${record.id} at ${record.location}${record.verified ? " (verified)" : ""}`);
      else if (typeof step.params?.snapshot === "string") found.push(`${step.target.name}: NemoClaw snapshot ${step.params.snapshot} on the host`);
    }
    return found;
  }

  private backupAdvice(names: readonly string[], backups: readonly string[]): string {
    const host = this.input.host.name;
    const fleet = this.run.deps.fleet.sourceFile;
    if (backups.length === 0) {
      return `No backup of ${names.join(", ")} was taken in this run (its changes needed none); \`nemoclaw backup list ${fleet} --host ${host}\` lists earlier ones.`;
    }
    const restore = names.map((name) => `\`nemoclaw backup restore ${host}/${name} ${fleet}\``).join(", ");
    return `The backups taken before the change: ${backups.join("; ")}. Restore with ${restore} (policy backups) or \`nemoclaw <sandbox> snapshot restore <label>\` on the host (NemoClaw snapshots).`;
  }
}

/** Run the host's health gate; null when it passes or the fleet file sets none. */
export async function gateHealth(run: RunContext, input: GateInput): Promise<GateVerdict> {
  const settings = run.options.healthGate;
  if (!settings) return null;
  return new Gate(run, input).pass(settings.timeoutMs);
}
