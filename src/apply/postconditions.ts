/**
 * What each kind of step should have changed, checked against a fresh observation of the host
 * (one probe round trip after the step). A command that exits 0 but leaves the host unchanged is
 * a failure, reported as expected vs seen — the same facts the next plan will read, so a step
 * that passes here does not reappear in the next plan.
 */

import type { Fact, GuardFile, ObservedGateway, ObservedHost, ObservedSandbox, RegistryEntry, SandboxGuards } from "../observe/types.js";
import type { Step } from "../plan/types.js";

export type PostconditionResult = { holds: true } | { holds: false; expected: string; seen: string };

const HOLDS: PostconditionResult = { holds: true };

function fails(expected: string, seen: string): PostconditionResult {
  return { holds: false, expected, seen };
}

function unknownFact(fact: Fact<unknown>): string | null {
  return fact.state === "unknown" ? `unknown (${fact.reason})` : null;
}

function gatewayOf(observed: ObservedHost, name: string): ObservedGateway | null | string {
  const unknown = unknownFact(observed.gateways);
  if (unknown) return `gateways ${unknown}`;
  return (observed.gateways as { value: ObservedGateway[] }).value.find((gateway) => gateway.name === name) ?? null;
}

function sandboxOn(observed: ObservedHost, gatewayName: string, sandbox: string): ObservedSandbox | null | string {
  const gateway = gatewayOf(observed, gatewayName);
  if (typeof gateway === "string") return gateway;
  if (gateway === null) return `gateway ${gatewayName} not found`;
  if (gateway.sandboxes.state === "unknown") return `sandboxes on ${gatewayName} unknown (${gateway.sandboxes.reason})`;
  return gateway.sandboxes.value.find((candidate) => candidate.name === sandbox) ?? null;
}

function registryEntry(observed: ObservedHost, sandbox: string): RegistryEntry | null | string {
  if (observed.registry.state === "unknown") return `registry unknown (${observed.registry.reason})`;
  return observed.registry.value.entries.find((entry) => entry.name === sandbox) ?? null;
}

/** A guard file as NemoClaw requires it: a regular file, root:root, mode 0444. */
export function guardFileProblem(file: GuardFile): string | null {
  if (!file.present) return `${file.path} missing`;
  if (file.type !== null && file.type !== "regular file") return `${file.path} is a ${file.type}`;
  if (file.owner !== "root" || file.group !== "root") return `${file.path} owned by ${file.owner ?? "?"}:${file.group ?? "?"}`;
  if (file.mode !== "444") return `${file.path} has mode ${file.mode ?? "?"}`;
  return null;
}

function guardsOf(sandbox: ObservedSandbox): SandboxGuards | string {
  return sandbox.guards.state === "known" ? sandbox.guards.value : `guards unknown (${sandbox.guards.reason})`;
}

function sandboxGateway(step: Step): string {
  return step.target.gateway ?? "nemoclaw";
}

function expectReadySandbox(observed: ObservedHost, step: Step): PostconditionResult {
  const name = step.target.name;
  const gateway = sandboxGateway(step);
  const expected = `sandbox ${name} Ready on gateway ${gateway} and registered`;
  const live = sandboxOn(observed, gateway, name);
  if (typeof live === "string") return fails(expected, live);
  if (live === null) return fails(expected, `sandbox ${name} not present on gateway ${gateway}`);
  if (live.phase !== "Ready") return fails(expected, `sandbox ${name} is ${live.phase}`);
  const entry = registryEntry(observed, name);
  if (typeof entry === "string") return fails(expected, entry);
  if (entry === null) return fails(expected, `sandbox ${name} is not in ~/.nemoclaw/sandboxes.json`);
  return HOLDS;
}

function expectGuards(observed: ObservedHost, step: Step, options: { requireRunningAgent: boolean }): PostconditionResult {
  const name = step.target.name;
  const expected = options.requireRunningAgent
    ? `guards intact and the agent gateway running in ${name}`
    : `guard files of ${name} present, regular, root:root, mode 0444`;
  const live = sandboxOn(observed, sandboxGateway(step), name);
  if (typeof live === "string") return fails(expected, live);
  if (live === null) return fails(expected, `sandbox ${name} not present`);
  const guards = guardsOf(live);
  if (typeof guards === "string") return fails(expected, guards);
  const problems = guards.files.map(guardFileProblem).filter((problem): problem is string => problem !== null);
  if (problems.length > 0) return fails(expected, problems.join("; "));
  if (options.requireRunningAgent) {
    if (guards.agentGatewayPids.length === 0) return fails(expected, "no agent gateway process running");
    const stale = guards.locks.filter((lock) => lock.stale);
    if (stale.length > 0) return fails(expected, `stale lock ${stale.map((lock) => lock.path).join(", ")}`);
  }
  return HOLDS;
}

function expectNoStaleLocks(observed: ObservedHost, step: Step): PostconditionResult {
  const name = step.target.name;
  const expected = `no stale gateway lock in ${name}`;
  const live = sandboxOn(observed, sandboxGateway(step), name);
  if (typeof live === "string") return fails(expected, live);
  if (live === null) return fails(expected, `sandbox ${name} not present`);
  const guards = guardsOf(live);
  if (typeof guards === "string") return fails(expected, guards);
  const stale = guards.locks.filter((lock) => lock.stale);
  return stale.length === 0 ? HOLDS : fails(expected, `stale ${stale.map((lock) => lock.path).join(", ")}`);
}

function expectGateway(observed: ObservedHost, name: string, wanted: "healthy" | "stopped" | "absent"): PostconditionResult {
  const expected = wanted === "absent" ? `gateway ${name} removed` : `gateway ${name} ${wanted}`;
  const gateway = gatewayOf(observed, name);
  if (typeof gateway === "string") return fails(expected, gateway);
  if (wanted === "absent") return gateway === null || !gateway.registered ? HOLDS : fails(expected, `gateway ${name} still registered`);
  if (gateway === null) return fails(expected, `gateway ${name} not found`);
  if (wanted === "stopped") {
    return gateway.health.status === "stopped" || gateway.pid === null && gateway.health.status !== "healthy"
      ? HOLDS
      : fails(expected, `gateway ${name} is ${gateway.health.status}${gateway.pid ? ` (pid ${gateway.pid})` : ""}`);
  }
  return gateway.health.status === "healthy" ? HOLDS : fails(expected, `gateway ${name} is ${gateway.health.status}: ${gateway.health.reason}`);
}

function expectSandboxGone(observed: ObservedHost, step: Step): PostconditionResult {
  const name = step.target.name;
  const expected = `sandbox ${name} deleted and unregistered`;
  const live = sandboxOn(observed, sandboxGateway(step), name);
  if (typeof live === "string") return fails(expected, live);
  if (live !== null) return fails(expected, `sandbox ${name} still present (${live.phase})`);
  const entry = registryEntry(observed, name);
  if (typeof entry === "string") return fails(expected, entry);
  return entry === null ? HOLDS : fails(expected, `sandbox ${name} still in ~/.nemoclaw/sandboxes.json`);
}

function stringParam(step: Step, name: string): string | null {
  const value = step.params?.[name];
  return typeof value === "string" ? value : null;
}

function expectPolicy(observed: ObservedHost, step: Step, present: boolean): PostconditionResult {
  const name = step.target.name;
  const preset = stringParam(step, "preset");
  if (preset === null) return HOLDS;
  const expected = `policy preset ${preset} ${present ? "applied to" : "removed from"} ${name}`;
  const entry = registryEntry(observed, name);
  if (typeof entry === "string") return fails(expected, entry);
  if (entry === null) return fails(expected, `sandbox ${name} not registered`);
  return entry.policies.includes(preset) === present ? HOLDS : fails(expected, `policies: ${entry.policies.join(", ") || "(none)"}`);
}

function expectInference(observed: ObservedHost, step: Step): PostconditionResult {
  const provider = stringParam(step, "provider");
  const model = stringParam(step, "model");
  if (provider === null && model === null) return HOLDS;
  const name = step.target.name;
  const expected = `inference ${[provider, model].filter(Boolean).join(" / ")} recorded for ${name}`;
  const entry = registryEntry(observed, name);
  if (typeof entry === "string") return fails(expected, entry);
  if (entry === null) return fails(expected, `sandbox ${name} not registered`);
  const matches = (provider === null || entry.provider === provider) && (model === null || entry.model === model);
  return matches ? HOLDS : fails(expected, `provider ${entry.provider ?? "none"}, model ${entry.model ?? "none"}`);
}

function expectShields(observed: ObservedHost, step: Step): PostconditionResult {
  const posture = stringParam(step, "shields") ?? stringParam(step, "posture");
  if (posture !== "up" && posture !== "down") return HOLDS;
  const name = step.target.name;
  const wanted = posture === "up" ? "locked" : "temporarily_unlocked";
  const expected = `shields ${posture} on ${name}`;
  if (observed.shields.state === "unknown") return fails(expected, `shields unknown (${observed.shields.reason})`);
  const mode = observed.shields.value.find((state) => state.sandbox === name)?.mode ?? "mutable_default";
  return mode === wanted ? HOLDS : fails(expected, `shields state ${mode}`);
}

function expectOpenshell(observed: ObservedHost, step: Step): PostconditionResult {
  const version = stringParam(step, "version");
  const expected = version ? `openshell ${version} installed` : "openshell installed";
  if (observed.openshell.state === "unknown") return fails(expected, `openshell unknown (${observed.openshell.reason})`);
  const binary = observed.openshell.value;
  if (!binary.installed) return fails(expected, "openshell not installed");
  if (version && binary.version !== version.replace(/^v/, "")) return fails(expected, `openshell ${binary.version ?? "(unparsed version)"}`);
  return HOLDS;
}

function expectActiveGateway(observed: ObservedHost, name: string): PostconditionResult {
  const expected = `active gateway ${name}`;
  if (observed.activeGateway.state === "unknown") return fails(expected, `active gateway unknown (${observed.activeGateway.reason})`);
  return observed.activeGateway.value === name ? HOLDS : fails(expected, `active gateway ${observed.activeGateway.value ?? "none"}`);
}

/** Check the step's effect; null when the step kind changes nothing the probe can see. */
export function checkPostcondition(step: Step, observed: ObservedHost): PostconditionResult | null {
  if (observed.unreachable) return fails("the host answering the probe", `unreachable: ${observed.unreachable.message}`);
  switch (step.kind) {
    case "preflight":
    case "backup":
      return null;
    case "restore":
    case "sandbox-create":
    case "sandbox-rebuild":
    case "sandbox-stale-recover":
      return expectReadySandbox(observed, step);
    case "sandbox-recover":
      return expectGuards(observed, step, { requireRunningAgent: true });
    case "guards-reemit":
      return expectGuards(observed, step, { requireRunningAgent: false });
    case "lock-clear":
      return expectNoStaleLocks(observed, step);
    case "gateway-start":
    case "gateway-recover":
      return expectGateway(observed, step.target.name, "healthy");
    case "gateway-stop":
      return expectGateway(observed, step.target.name, "stopped");
    case "gateway-retire":
      return expectGateway(observed, step.target.name, "absent");
    case "gateway-select":
      return expectActiveGateway(observed, step.target.name);
    case "openshell-install":
      return expectOpenshell(observed, step);
    case "policy-add":
      return expectPolicy(observed, step, true);
    case "policy-remove":
      return expectPolicy(observed, step, false);
    case "inference-set":
      return expectInference(observed, step);
    case "shields":
      return expectShields(observed, step);
    case "sandbox-delete":
      return expectSandboxGone(observed, step);
  }
}
