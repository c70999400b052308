/**
 * What `nemoclaw apply <file>` was given — a fleet file to plan now, or a saved plan to carry out
 * exactly — and the rules that keep a saved plan's selection from ever growing.
 */

import { canonicalJson, factValue } from "../plan/fingerprint.js";
import type { ObservedHost } from "../observe/types.js";
import type { Plan } from "../plan/types.js";

/**
 * Keep only the plan's hosts that `allowed` also selects: `--limit` on a saved plan can narrow
 * it, never widen it. Returns the narrowed plan and the requested hosts it had to leave out.
 */
export function narrowPlan(plan: Plan, allowed: readonly string[], limit: string): { plan: Plan; outside: string[] } {
  const keep = new Set(allowed);
  const inPlan = new Set(plan.selection.hosts);
  const hosts = plan.hosts.filter((hostPlan) => keep.has(hostPlan.host));
  const combined = plan.selection.limit ? `${plan.selection.limit}:&${limit}` : limit;
  return {
    plan: { ...plan, selection: { limit: combined, hosts: hosts.map((hostPlan) => hostPlan.host) }, hosts },
    outside: allowed.filter((host) => !inPlan.has(host)),
  };
}

/**
 * The hosts a saved plan names that the fleet file (and its inventories) no longer has: without
 * their connection settings nothing can be checked or run there, so the plan is refused as a whole.
 */
export function hostsOutsideFleet(plan: Plan, fleetHosts: readonly string[]): string[] {
  const known = new Set(fleetHosts);
  return [...new Set([...plan.selection.hosts, ...plan.hosts.map((hostPlan) => hostPlan.host)])].filter((host) => !known.has(host));
}

/** A fact's current value for the stale-plan report (canonical JSON; the plan file keeps only its fingerprint). */
export function describeFact(observed: ObservedHost, key: string): string {
  const text = canonicalJson(factValue(observed, key));
  return text.length > 2_000 ? `${text.slice(0, 1_999)}…` : text;
}

/** Whether carrying out the plan needs the user's yes, and how to get it. */
export type Confirmation = { kind: "not-needed" } | { kind: "given" } | { kind: "ask" } | { kind: "refuse"; reason: string };

export function confirmationFor(options: { steps: number; savedPlan: boolean; yes: boolean; json: boolean; interactive: boolean }): Confirmation {
  // A saved plan was reviewed when it was saved (Terraform's rule); nothing to run needs no yes.
  if (options.steps === 0 || options.savedPlan) return { kind: "not-needed" };
  if (options.yes) return { kind: "given" };
  if (options.json) return { kind: "refuse", reason: "--json needs --yes: there is no one to ask" };
  if (!options.interactive) return { kind: "refuse", reason: "stdin is not a terminal, so there is no one to ask; pass --yes to apply unattended" };
  return { kind: "ask" };
}
