/**
 * The planner: (DesiredFleet, ObservedFleet) → Plan. Pure: no I/O, no clock but `options.now`,
 * no randomness, so the same inputs always give the same plan (and the same plan file).
 */
import { formatSandboxAddress } from "./rules/targets.js";
import type { DesiredFleet, DesiredHost } from "../config/types.js";
import type { ObservedFleet } from "../observe/types.js";
import { FleetMemo, HostContext } from "./context.js";
import { planHost } from "./host-planner.js";
import { summarize } from "./summary.js";
import { type HostPlan, PLAN_FORMAT_VERSION, type Plan, type PlanOptions } from "./types.js";

export function planFleet(desired: DesiredFleet, observed: ObservedFleet, options: PlanOptions): Plan {
  const desiredHosts = new Map(desired.hosts.map((host) => [host.name, host]));
  const observedHosts = new Map(observed.hosts.map((host) => [host.host, host]));
  const protectedNames = new Set(desired.hosts.flatMap((host) => host.sandboxes.filter((sandbox) => sandbox.protect).map((sandbox) => sandbox.name)));
  const memo = new FleetMemo(options.now);
  const hosts = options.hosts.map((name) => {
    const host = desiredHosts.get(name);
    if (!host) throw new Error(`host ${JSON.stringify(name)} is selected but not in the fleet`);
    const seen = observedHosts.get(name);
    return seen ? planHost(new HostContext(desired, host, seen, options, protectedNames, memo)) : notObserved(host);
  });
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    kind: "nemoclaw-fleet-plan",
    createdAt: options.now.toISOString(),
    toolVersion: options.toolVersion,
    fleet: { name: desired.name, file: desired.sourceFile, digest: desired.sourceDigest },
    selection: { limit: options.limit, hosts: [...options.hosts] },
    options: {
      pruneUnmanaged: options.pruneUnmanaged,
      replace: (options.replace ?? []).map(formatSandboxAddress),
      targets: options.targets === undefined ? null : options.targets.map(formatSandboxAddress),
      ...(options.maxRisk ? { maxRisk: options.maxRisk } : {}),
    },
    hosts,
    summary: summarize(hosts),
  };
}

function notObserved(host: DesiredHost): HostPlan {
  return { host: host.name, status: "unknown", steps: [], notes: [{ level: "warning", message: "the host was not observed" }], fingerprints: {} };
}
