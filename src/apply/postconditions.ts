/**
 * Did a step do what it should? After the step the host is re-observed (one probe round trip)
 * and re-planned with the same rules that planned the step: if the planner would still plan a
 * step with the same id, the facts it changes are not as desired, and the step fails with the
 * planner's own account of desired vs observed. Keeping this to the planner's rules means a
 * step that passes here does not reappear in the next plan (convergence), and no rule is written
 * twice.
 */

import { compareOpenShellVersions, parseOpenShellVersion } from "../config/openshell-version.js";
import type { ObservedGateway, ObservedHost } from "../observe/types.js";
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
  const name = step.target.name;
  const gatewayName = step.target.gateway ?? "nemoclaw";
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

/** The gateway process the step stopped is gone (the next steps start it again). */
function gatewayStopped(step: Step, observed: ObservedHost): PostconditionResult {
  const name = String(step.params?.gateway ?? step.target.name);
  const pid = step.params?.stopPid;
  const found = observedGateway(observed, name);
  if ("holds" in found) return found;
  const expected = `gateway ${name} process ${String(pid)} stopped`;
  return found.gateway?.pid === pid ? { holds: false, expected, seen: `process ${String(pid)} still runs` } : { holds: true };
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
  if (observed.openshell.state === "unknown") return { holds: false, expected, seen: `openshell unknown (${observed.openshell.reason})` };
  const cli = observed.openshell.value;
  if (!cli.installed) return { holds: false, expected, seen: "openshell not installed" };
  const have = cli.version === null ? undefined : parseOpenShellVersion(cli.version);
  const want = parseOpenShellVersion(pin);
  return have !== undefined && want !== undefined && compareOpenShellVersions(have, want) === 0
    ? { holds: true }
    : { holds: false, expected, seen: `openshell ${cli.version ?? "of unknown version"}` };
}

/**
 * Steps that are a means to a later step's end (the upgrade path: stop, retire, install) leave the
 * host in a state the planner would plan more work for; they are checked against their own effect.
 * Restores are checked directly too: the planner never plans a restore again.
 */
const OWN_EFFECT: Partial<Record<Step["kind"], (step: Step, observed: ObservedHost) => PostconditionResult>> = {
  "gateway-stop": gatewayStopped,
  "gateway-retire": gatewayRetired,
  "openshell-install": openShellInstalled,
  restore: restoredSandbox,
};

/**
 * Check a finished step against the host now. `replanned` is the host planned afresh from
 * `observed`; null when no re-plan is possible, in which case only own-effect steps are checked.
 */
export function checkPostcondition(step: Step, observed: ObservedHost, replanned: HostPlan | null): PostconditionResult | null {
  if (observed.unreachable) return { holds: false, expected: "the host answering the probe", seen: `unreachable: ${observed.unreachable.message}` };
  const ownEffect = OWN_EFFECT[step.kind];
  if (ownEffect) return ownEffect(step, observed);
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
