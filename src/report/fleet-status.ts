/**
 * The fleet at a glance: per host its state against the fleet file (from the plan), its versions,
 * and a gateways × sandboxes matrix with a state and a one-line explanation for every cell (from
 * the facts). The report page and the metrics files are both rendered from this one model, so a
 * host is never green on the page and blocked in Prometheus.
 */
import type { DesiredFleet, DesiredHost } from "../config/types.js";
import { sandboxGuardProblems } from "../host/nemoclaw/guard-safety.js";
import type { BinaryFacts, Fact, GatewayHealthStatus, HostLockInfo, ObservedFleet, ObservedGateway, ObservedHost, ObservedSandbox } from "../observe/types.js";
import { APPLY_PREFLIGHT_ACTION, preflight } from "../plan/preflight.js";
import type { HostPlan, HostPlanStatus, Plan, PreflightBlock, Risk } from "../plan/types.js";
import { unreachableLabel } from "../observe/unreachable.js";

/** A host against the fleet file: ok (matches), drift (changes pending), blocked (schema preflight), unreachable, unknown (facts missing). */
export type HostState = "ok" | "drift" | "blocked" | "unreachable" | "unknown";
export const HOST_STATES: readonly HostState[] = ["ok", "drift", "blocked", "unreachable", "unknown"];

/**
 * A sandbox cell: ok; degraded (not Ready, or its agent gateway is not running); guards (a guard
 * file is unsafe or missing, a stale gateway lock); missing (the fleet file or NemoClaw's registry
 * has it, its gateway does not); unknown (it could not be looked into).
 */
export type SandboxState = "ok" | "degraded" | "guards" | "missing" | "unknown";
export const SANDBOX_STATES: readonly SandboxState[] = ["ok", "degraded", "guards", "missing", "unknown"];

export const RISKS: readonly Risk[] = ["safe", "disruptive", "destructive"];

export type VersionState = { state: "installed"; version: string } | { state: "absent" } | { state: "unknown"; reason: string };

export interface SandboxView {
  name: string;
  state: SandboxState;
  /** The OpenShell phase, or null for a missing sandbox. */
  phase: string | null;
  /** One line saying why the cell has its state. */
  explanation: string;
  /** Guard problems (unsafe files, stale locks); null when the guards could not be read or the sandbox is missing. */
  guardProblems: string[] | null;
  staleGatewayLocks: number | null;
  /** In the fleet file for this host. */
  managed: boolean;
  /** Registered with NemoClaw but gone from its gateway (a stale registry entry). */
  staleRegistryEntry: boolean;
}

export interface GatewayView {
  name: string;
  port: number | null;
  driver: string;
  /** `missing`: the fleet file has it, the host does not. */
  health: GatewayHealthStatus | "missing";
  explanation: string;
  runningVersion: VersionState;
  sandboxes: SandboxView[];
  /** Why the gateway's sandboxes are not known, or null. */
  sandboxesUnknown: string | null;
}

export interface LockView {
  holder: HostLockInfo;
  ageSeconds: number;
  expired: boolean;
}

export interface PendingStep {
  id: string;
  kind: string;
  risk: Risk;
  summary: string;
}

export interface HostView {
  host: string;
  /** Null when there is no plan to compare with (facts alone). */
  state: HostState | null;
  explanation: string;
  observedAt: string | null;
  unreachable: { kind: string; message: string } | null;
  versions: { nemoclaw: VersionState; openshell: VersionState; gatewayBinary: VersionState; wantedNemoclaw: string | null; wantedOpenshell: string | null };
  /** True when the installed CLI and a running gateway disagree (NemoClaw's schema preflight refuses); null when not known. */
  schemaDrift: boolean | null;
  /** Null when the host's facts are not known (unreachable, no facts given). */
  gateways: GatewayView[] | null;
  gatewaysUnknown: string | null;
  block: PreflightBlock | null;
  pending: PendingStep[];
  notes: { level: "info" | "warning"; message: string }[];
  /** The fleet lock held on the host; null when none; "unknown" when it could not be read. */
  lock: LockView | null | "unknown";
}

const PLAN_STATE: Record<HostPlanStatus, HostState> = {
  "no-changes": "ok",
  changes: "drift",
  blocked: "blocked",
  unreachable: "unreachable",
  unknown: "unknown",
};

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function versionOf(fact: Fact<BinaryFacts>): VersionState {
  if (fact.state === "unknown") return { state: "unknown", reason: fact.reason };
  if (!fact.value.installed) return { state: "absent" };
  return fact.value.version === null ? { state: "unknown", reason: "installed, but it did not report a version" } : { state: "installed", version: fact.value.version };
}

function runningVersionOf(fact: Fact<string | null>): VersionState {
  if (fact.state === "unknown") return { state: "unknown", reason: fact.reason };
  return fact.value === null ? { state: "absent" } : { state: "installed", version: fact.value };
}

function sandboxView(sandbox: ObservedSandbox, managed: boolean): SandboxView {
  const base = { name: sandbox.name, phase: sandbox.phase, managed, staleRegistryEntry: false };
  const unmanaged = managed ? "" : "; not in the fleet file";
  if (sandbox.guards.state === "unknown") {
    const state = sandbox.phase === "Ready" ? "unknown" : "degraded";
    const why = sandbox.phase === "Ready" ? `guards unknown: ${sandbox.guards.reason}` : `phase ${sandbox.phase}`;
    return { ...base, state, explanation: `${why}${unmanaged}`, guardProblems: null, staleGatewayLocks: null };
  }
  const guards = sandbox.guards.value;
  const problems = sandboxGuardProblems(guards);
  const staleGatewayLocks = guards.locks.filter((lock) => lock.stale).length;
  const agentRunning = guards.agentGatewayPids.length > 0;
  const agent = agentRunning ? `agent gateway pid ${guards.agentGatewayPids.join(", ")}` : "agent gateway not running";
  const facts = { guardProblems: problems, staleGatewayLocks };
  if (problems.length > 0) return { ...base, ...facts, state: "guards", explanation: `${problems.join("; ")}; ${agent}${unmanaged}` };
  if (sandbox.phase !== "Ready") return { ...base, ...facts, state: "degraded", explanation: `phase ${sandbox.phase}; guard files in place${unmanaged}` };
  if (!agentRunning) return { ...base, ...facts, state: "degraded", explanation: `Ready, guard files in place; ${agent}${unmanaged}` };
  return { ...base, ...facts, state: "ok", explanation: `Ready, guard files in place, ${agent}${unmanaged}` };
}

function missingSandbox(name: string, explanation: string, managed: boolean, staleRegistryEntry: boolean): SandboxView {
  return { name, state: "missing", phase: null, explanation, guardProblems: null, staleGatewayLocks: null, managed, staleRegistryEntry };
}

function gatewayExplanation(gateway: ObservedGateway, cli: VersionState): string {
  const running = runningVersionOf(gateway.runningVersion);
  const version =
    running.state === "installed"
      ? `runs ${running.version}${cli.state === "installed" && cli.version !== running.version ? ` (CLI ${cli.version})` : ""}`
      : running.state === "absent"
        ? "not running"
        : `version unknown: ${running.reason}`;
  return `${gateway.health.status}: ${gateway.health.reason}; ${version}`;
}

/** The observed gateways with their sandboxes, plus what the fleet file or NemoClaw's registry expects and the host lacks. */
function gatewayViews(observed: ObservedHost, desired: DesiredHost | undefined): { gateways: GatewayView[] | null; unknown: string | null } {
  if (observed.gateways.state === "unknown") return { gateways: null, unknown: observed.gateways.reason };
  const cli = versionOf(observed.openshell);
  const declared = new Set(desired?.sandboxes.map((sandbox) => sandbox.name) ?? []);
  const views: GatewayView[] = observed.gateways.value.map((gateway) => ({
    name: gateway.name,
    port: gateway.port,
    driver: gateway.driver,
    health: gateway.health.status,
    explanation: gatewayExplanation(gateway, cli),
    runningVersion: runningVersionOf(gateway.runningVersion),
    sandboxes: gateway.sandboxes.state === "known" ? gateway.sandboxes.value.map((sandbox) => sandboxView(sandbox, declared.has(sandbox.name))) : [],
    sandboxesUnknown: gateway.sandboxes.state === "unknown" ? gateway.sandboxes.reason : null,
  }));
  const gatewayNamed = (name: string, port: number | null): GatewayView => {
    let view = views.find((candidate) => candidate.name === name);
    if (!view) {
      view = { name, port, driver: "unknown", health: "missing", explanation: "expected here, not found on the host", runningVersion: { state: "absent" }, sandboxes: [], sandboxesUnknown: null };
      views.push(view);
    }
    return view;
  };
  const listed = (view: GatewayView, name: string) => view.sandboxesUnknown !== null || view.sandboxes.some((sandbox) => sandbox.name === name);
  for (const gateway of desired?.gateways ?? []) gatewayNamed(gateway.name, gateway.port);
  if (observed.registry.state === "known") {
    for (const entry of observed.registry.value.entries) {
      const view = gatewayNamed(entry.gatewayName, entry.gatewayPort);
      if (listed(view, entry.name)) continue;
      view.sandboxes.push(
        missingSandbox(entry.name, `registered with NemoClaw on gateway ${entry.gatewayName}, which does not list it (stale registry entry)`, declared.has(entry.name), true),
      );
    }
  }
  for (const sandbox of desired?.sandboxes ?? []) {
    const view = gatewayNamed(sandbox.gateway, null);
    if (!listed(view, sandbox.name)) view.sandboxes.push(missingSandbox(sandbox.name, "in the fleet file, not created on the host yet", true, false));
  }
  return { gateways: views, unknown: null };
}

function lockView(fact: Fact<HostLockInfo | null>, now: Date): LockView | null | "unknown" {
  if (fact.state === "unknown") return "unknown";
  if (fact.value === null) return null;
  const started = Date.parse(fact.value.startedAt);
  return {
    holder: fact.value,
    ageSeconds: Number.isNaN(started) ? 0 : Math.max(0, Math.round((now.getTime() - started) / 1000)),
    expired: Date.parse(fact.value.expiresAt) < now.getTime(),
  };
}

function schemaDriftOf(observed: ObservedHost): boolean | null {
  const outcome = preflight(observed, { action: APPLY_PREFLIGHT_ACTION });
  return outcome.state === "unknown" ? null : outcome.state === "refused";
}

function stateExplanation(state: HostState | null, plan: HostPlan | undefined, observed: ObservedHost | undefined): string {
  const unreachable = observed?.unreachable;
  switch (state) {
    case null:
      return unreachable ? `${unreachableLabel(unreachable)}: ${unreachable.message}` : "observed; no plan to compare with the fleet file";
    case "ok":
      return "matches the fleet file";
    case "drift": {
      const steps = plan?.steps ?? [];
      const risks = RISKS.map((risk) => [risk, steps.filter((step) => step.risk === risk).length] as const).filter(([, count]) => count > 0);
      return `${plural(steps.length, "step")} pending (${risks.map(([risk, count]) => `${count} ${risk}`).join(", ")})`;
    }
    case "blocked": {
      const block = plan?.block;
      if (!block) return "the schema preflight refuses state-touching work";
      const running = block.runningVersion === null ? "" : `, gateway ${block.gateway} runs ${block.runningVersion}`;
      return `the schema preflight refuses state-touching work: installed OpenShell ${block.installedVersion}${running}`;
    }
    case "unreachable":
      return unreachable ? `${unreachableLabel(unreachable)}: ${unreachable.message}` : (plan?.notes[0]?.message ?? "unreachable");
    case "unknown": {
      const unknownFacts = plan?.notes.filter((note) => note.fact !== undefined).map((note) => note.message) ?? [];
      return `facts needed to plan are unknown${unknownFacts.length > 0 ? `: ${unknownFacts.join("; ")}` : ""}`;
    }
  }
}

const NOT_OBSERVED: VersionState = { state: "unknown", reason: "not observed" };

/** The model of every host the facts or the plan name, in the order they name them. */
export function fleetStatus(input: { fleet: DesiredFleet; observed: ObservedFleet | null; plan: Plan | null; now: Date }): HostView[] {
  const { fleet, observed, plan, now } = input;
  const names = [...new Set([...(observed?.hosts.map((host) => host.host) ?? []), ...(plan?.hosts.map((host) => host.host) ?? [])])];
  return names.map((name): HostView => {
    const facts = observed?.hosts.find((host) => host.host === name);
    const hostPlan = plan?.hosts.find((host) => host.host === name);
    const desired = fleet.hosts.find((host) => host.name === name);
    const state = hostPlan ? PLAN_STATE[hostPlan.status] : null;
    const matrix = facts ? gatewayViews(facts, desired) : { gateways: null, unknown: "not observed" };
    return {
      host: name,
      state,
      explanation: stateExplanation(state, hostPlan, facts),
      observedAt: facts?.observedAt ?? null,
      unreachable: facts?.unreachable ?? null,
      versions: {
        nemoclaw: facts ? versionOf(facts.nemoclaw) : NOT_OBSERVED,
        openshell: facts ? versionOf(facts.openshell) : NOT_OBSERVED,
        gatewayBinary: facts ? versionOf(facts.gatewayBinary) : NOT_OBSERVED,
        wantedNemoclaw: desired?.nemoclaw?.version ?? null,
        wantedOpenshell: desired?.openshell?.version ?? null,
      },
      schemaDrift: facts ? schemaDriftOf(facts) : null,
      gateways: matrix.gateways,
      gatewaysUnknown: matrix.unknown,
      block: hostPlan?.block ?? null,
      pending: (hostPlan?.steps ?? []).map((step) => ({ id: step.id, kind: step.kind, risk: step.risk, summary: step.reason.summary })),
      notes: (hostPlan?.notes ?? []).map((note) => ({ level: note.level, message: note.message })),
      lock: facts ? lockView(facts.fleetLock, now) : "unknown",
    };
  });
}
