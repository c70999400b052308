/** The counts a plan carries in `summary`: hosts by status, steps by risk and fidelity, steps held back. */
import type { HostPlan, PlanSummary } from "./types.js";

export function summarize(hosts: readonly HostPlan[]): PlanSummary {
  const summary: PlanSummary = {
    hosts: hosts.length,
    hostsWithChanges: 0,
    blocked: 0,
    unreachable: 0,
    unknown: 0,
    steps: 0,
    byRisk: { safe: 0, disruptive: 0, destructive: 0 },
    byFidelity: { exact: 0, predicted: 0 },
  };
  const heldBack = hosts.reduce((sum, host) => sum + (host.heldBack?.length ?? 0), 0);
  if (heldBack > 0) summary.heldBack = heldBack;
  for (const host of hosts) {
    if (host.status === "changes") summary.hostsWithChanges += 1;
    if (host.status === "blocked") summary.blocked += 1;
    if (host.status === "unreachable") summary.unreachable += 1;
    if (host.status === "unknown") summary.unknown += 1;
    for (const step of host.steps) {
      summary.steps += 1;
      summary.byRisk[step.risk] += 1;
      summary.byFidelity[step.fidelity] += 1;
    }
  }
  return summary;
}
