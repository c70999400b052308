/**
 * Did a step do what it should? After the step the host is re-observed (one probe round trip)
 * and re-planned with the same rules that planned the step: if the planner would still plan a
 * step with the same id, the facts it changes are not as desired, and the step fails with the
 * planner's own account of desired vs observed. Keeping this to the planner's rules means a
 * step that passes here does not reappear in the next plan (convergence), and no rule is written
 * twice.
 */

import { compareOpenShellVersions, parseOpenShellVersion } from "../config/openshell-version.js";
import { describePin, pinAccepts, type OpenShellPin } from "../host/nemoclaw/releases.js";
import type { BinaryFacts, Fact, ObservedGateway, ObservedHost } from "../observe/types.js";
import type { HostPlan, Step, StepReason } from "../plan/types.js";

export type PostconditionResult = { holds: true } | { holds: false; expected: string; seen: string };

/** Kinds whose effect the planner does not read back (backups live in a store; preflight changes nothing). */
const NOT_REPLANNED = new Set<Step["kind"]>(["preflight", "backup"]);

function compact(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function expectedOf(reason: StepReason): string {
  return reason.desired ? `${reason.desired.field} = ${compact(reason.desired.value)}` : reason.summary;
}

function seenOf(reason: StepReason): string {
  return reason.observed ? `${reason.observed.fact} = ${compact(reason.observed.value)}` : reason.summary;
}

/** The restore's sandbox is back and Ready (a restore is not something the planner plans again). */
function restoredSandbox(step: Step, observed: ObservedHost): PostconditionResult {
  return sandboxReady(observed, step.target.name, step.target.gateway ?? "nemoclaw");
}

function sandboxReady(observed: ObservedHost, name: string, gatewayName: string): PostconditionResult {
  const expected = `sandbox ${name} Ready on gateway ${gatewayName}`;
  if (observed.gateways.state === "unknown") return { holds: false, expected, seen: `gateways unknown (${observed.gateways.reason})` };
  const gateway = observed.gateways.value.find((candidate) => candidate.name === gatewayName);
  if (!gateway) return { holds: false, expected, seen: `gateway ${gatewayName} not found` };
  if (gateway.sandboxes.state === "unknown") return { holds: false, expected, seen: `sandboxes unknown (${gateway.sandboxes.reason})` };
  const sandbox = gateway.sandboxes.value.find((candidate) => candidate.name === name);
  if (!sandbox) return { holds: false, expected, seen: `sandbox ${name} not present` };
  return sandbox.phase === "Ready" ? { holds: true } : { holds: false, expected, seen: `sandbox ${name} is ${sandbox.phase}` };
}

function observedGateway(observed: ObservedHost, name: string): { gateway: ObservedGateway | null } | PostconditionResult {
  if (observed.gateways.state === "unknown") return { holds: false, expected: `gateway ${name} readable after the step`, seen: `gateways unknown (${observed.gateways.reason})` };
  return { gateway: observed.gateways.value.find((candidate) => candidate.name === name) ?? null };
}

/** The retired gateway is neither registered nor running any more. */
function gatewayRetired(step: Step, observed: ObservedHost): PostconditionResult {
  const name = String(step.params?.gateway ?? step.target.name);
  const found = observedGateway(observed, name);
  if ("holds" in found) return found;
  const { gateway } = found;
  if (gateway === null || (!gateway.registered && gateway.health.status !== "healthy")) return { holds: true };
  return { holds: false, expected: `gateway ${name} retired`, seen: `still ${gateway.registered ? "registered" : gateway.health.status} (${gateway.health.reason})` };
}

/** The OpenShell CLI now reports the pinned version. */
function openShellInstalled(step: Step, observed: ObservedHost): PostconditionResult {
  const pin = String(step.reason.desired?.value ?? "");
  const expected = `openshell ${pin} installed`;
  const cli = installedVersion(observed.openshell, "openshell");
  if ("seen" in cli) return { holds: false, expected, seen: cli.seen };
  return sameCore(cli.version, pin) ? { holds: true } : { holds: false, expected, seen: `openshell ${cli.version}` };
}

function installedVersion(fact: Fact<BinaryFacts>, name: string): { version: string } | { seen: string } {
  if (fact.state === "unknown") return { seen: `${name} unknown (${fact.reason})` };
  if (!fact.value.installed) return { seen: `${name} not installed` };
  const parsed = fact.value.version === null ? undefined : parseOpenShellVersion(fact.value.version);
  return parsed === undefined ? { seen: `${name} of unknown version (${fact.value.version ?? "none printed"})` } : { version: parsed.text };
}

function sameCore(a: string, b: string): boolean {
  const left = parseOpenShellVersion(a);
  const right = parseOpenShellVersion(b);
  return left !== undefined && right !== undefined && compareOpenShellVersions(left, right) === 0;
}

/** The releases the host runs, read from `nemoclaw --version` and `openshell --version` after the step. */
function runningReleases(observed: ObservedHost): { nemoclaw: string; openshell: string } | { seen: string } {
  const nemoclaw = installedVersion(observed.nemoclaw, "nemoclaw");
  if ("seen" in nemoclaw) return nemoclaw;
  const openshell = installedVersion(observed.openshell, "openshell");
  if ("seen" in openshell) return { seen: `NemoClaw v${nemoclaw.version}, ${openshell.seen}` };
  return { nemoclaw: nemoclaw.version, openshell: openshell.version };
}

/**
 * NemoClaw's installer is judged by what the host runs afterwards, never by its exit code: NemoClaw
 * at the release, OpenShell within that release's pin, and on a fresh host the sandbox its onboard
 * created.
 */
function nemoclawInstalled(step: Step, observed: ObservedHost): PostconditionResult {
  const version = String(step.params?.nemoclaw);
  const pin = step.params?.openshell as OpenShellPin;
  const expected = `NemoClaw v${version} with ${describePin(pin)}`;
  const running = runningReleases(observed);
  if ("seen" in running) return { holds: false, expected, seen: running.seen };
  if (!sameCore(running.nemoclaw, version) || !pinAccepts(pin, running.openshell)) {
    return { holds: false, expected, seen: `NemoClaw v${running.nemoclaw} with OpenShell ${running.openshell}` };
  }
  const onboarded = step.params?.onboarded;
  return typeof onboarded === "string" ? sandboxReady(observed, onboarded, String(step.params?.gateway ?? "nemoclaw")) : { holds: true };
}

/**
 * The end of a release change: the host runs the planned releases, every gateway of the fleet
 * file answers on the new OpenShell, and every sandbox that was live before is Ready again with
 * nothing left for the guard rules to repair.
 */
function releaseVerified(step: Step, observed: ObservedHost, replanned: HostPlan | null): PostconditionResult {
  const version = String(step.params?.nemoclaw);
  const pin = step.params?.openshellPin as OpenShellPin | undefined;
  const running = runningReleases(observed);
  const expected = `NemoClaw v${version} with ${pin ? describePin(pin) : `OpenShell ${String(step.params?.openshell)}`}`;
  if ("seen" in running) return { holds: false, expected, seen: running.seen };
  const openshellHolds = pin ? pinAccepts(pin, running.openshell) : sameCore(running.openshell, String(step.params?.openshell));
  if (!sameCore(running.nemoclaw, version) || !openshellHolds) {
    return { holds: false, expected, seen: `NemoClaw v${running.nemoclaw} with OpenShell ${running.openshell}` };
  }
  // Gateways must run the OpenShell the host now has (the pin's newest, or one it kept).
  const openshell = running.openshell;
  for (const name of stringList(step.params?.gateways)) {
    const found = observedGateway(observed, name);
    if ("holds" in found) return found;
    const gateway = found.gateway;
    const wanted = `gateway ${name} healthy on OpenShell ${openshell}`;
    if (gateway === null) return { holds: false, expected: wanted, seen: `gateway ${name} not found` };
    if (gateway.health.status !== "healthy") return { holds: false, expected: wanted, seen: `gateway ${name} ${gateway.health.status} (${gateway.health.reason})` };
    // A version that cannot be read does not prove the new one: after an upgrade it is typically the
    // old gateway still running from the binary the installer replaced (NC#10541, real-cli-2026-12 §8.3).
    if (gateway.runningVersion.state === "unknown") return { holds: false, expected: wanted, seen: `gateway ${name}: ${gateway.runningVersion.reason}` };
    const runs = gateway.runningVersion.value;
    if (runs !== null && !sameCore(runs, openshell)) return { holds: false, expected: wanted, seen: `gateway ${name} runs OpenShell ${runs}` };
  }
  for (const name of stringList(step.params?.sandboxes)) {
    const where = sandboxGateway(observed, name);
    const ready = sandboxReady(observed, name, where ?? "nemoclaw");
    if (!ready.holds) return ready;
    const repair = replanned?.steps.find((candidate) => GUARD_REPAIRS.has(candidate.kind) && candidate.target.name === name);
    if (repair) return { holds: false, expected: `sandbox ${name} with its guards and agent gateway intact`, seen: repair.reason.summary };
  }
  return { holds: true };
}

/** What the guard rules plan for a sandbox whose guards or agent gateway need repair. */
const GUARD_REPAIRS = new Set<Step["kind"]>(["lock-clear", "sandbox-gateway-restart", "sandbox-recover", "sandbox-rebuild"]);

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function sandboxGateway(observed: ObservedHost, name: string): string | null {
  if (observed.gateways.state === "unknown") return null;
  const gateway = observed.gateways.value.find((candidate) => candidate.sandboxes.state === "known" && candidate.sandboxes.value.some((sandbox) => sandbox.name === name));
  return gateway?.name ?? null;
}

/**
 * Steps that are a means to a later step's end (the upgrade path: retire, install) leave the host
 * in a state the planner would plan more work for; they are checked against their own effect.
 * Restores and release verification are checked directly too: the planner never plans them again.
 */
const OWN_EFFECT: Partial<Record<Step["kind"], (step: Step, observed: ObservedHost, replanned: HostPlan | null) => PostconditionResult>> = {
  "gateway-retire": gatewayRetired,
  "nemoclaw-install": nemoclawInstalled,
  "openshell-install": openShellInstalled,
  "release-verify": releaseVerified,
  restore: restoredSandbox,
};

/**
 * Check a finished step against the host now. `replanned` is the host planned afresh from
 * `observed`; null when no re-plan is possible, in which case only own-effect steps are checked.
 */
export function checkPostcondition(step: Step, observed: ObservedHost, replanned: HostPlan | null): PostconditionResult | null {
  if (observed.unreachable) return { holds: false, expected: "the host answering the probe", seen: `unreachable: ${observed.unreachable.message}` };
  const ownEffect = OWN_EFFECT[step.kind];
  if (ownEffect) return ownEffect(step, observed, replanned);
  if (NOT_REPLANNED.has(step.kind) || replanned === null) return null;
  if (replanned.status === "blocked") {
    return { holds: false, expected: "OpenShell CLI and running gateways of the same version", seen: replanned.block?.lines.find((line) => line.trim() !== "")?.trim() ?? "schema preflight block" };
  }
  const again = replanned.steps.find((candidate) => candidate.id === step.id);
  if (again) return { holds: false, expected: expectedOf(again.reason), seen: seenOf(again.reason) };
  // A fact the step changes that can no longer be read is not a success either.
  const unreadable = replanned.notes.find((note) => note.fact !== undefined && step.facts.includes(note.fact));
  if (unreadable) return { holds: false, expected: `${unreadable.fact} readable after the step`, seen: unreadable.message };
  return { holds: true };
}
