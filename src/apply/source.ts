/**
 * What `nemoclaw apply <file>` was given — a fleet file to plan now, or a saved plan to carry out
 * exactly — the rules that keep a saved plan's selection from ever growing, and how a plan that
 * went stale is explained: the facts that changed, field by field, and the steps a new plan
 * would really do differently.
 */

import { compactValue, fieldChanges, maskedFields, recordedFact } from "../plan/fact-values.js";
import type { ObservedHost } from "../observe/types.js";
import type { HostPlan, Plan, Step } from "../plan/types.js";
import type { ChangedFact, StepDrift } from "./events.js";

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
 * How a fact whose fingerprint changed differs from the value the plan recorded (`recorded`;
 * undefined for plans that recorded none, then only its current value can be shown).
 */
export function explainChange(observed: ObservedHost, key: string, recorded: unknown): ChangedFact {
  const now = recordedFact(observed, key);
  if (recorded === undefined) return { key, now: compactValue(now) };
  const fields = fieldChanges(recorded, now);
  return fields.length > 0 ? { key, fields } : { key, fields, masked: maskedFields(now) };
}

/** What a reader compares of a step: its reason and the settings it changes (not time-stamped labels). */
function sketch(step: Step): string {
  const settings = (step.diff ?? []).map((diff) => `${diff.label}: ${diff.after.split("\n").filter(Boolean).join(", ") || "none"}`);
  return [step.reason.summary, ...settings].join("; ");
}

/**
 * The steps a plan made from the host now would do differently from the saved ones: steps only
 * one of them has, and steps both have whose reason or settings differ. Steps that are the same
 * in both are not listed.
 */
export function stepDrift(saved: HostPlan, replanned: HostPlan): StepDrift {
  const before = new Map(saved.steps.map((step) => [step.id, step]));
  const after = new Map(replanned.steps.map((step) => [step.id, step]));
  const changed = replanned.steps.flatMap((step) => {
    const old = before.get(step.id);
    return old && sketch(old) !== sketch(step) ? [{ id: step.id, before: sketch(old), after: sketch(step) }] : [];
  });
  return {
    removed: saved.steps.filter((step) => !after.has(step.id)).map((step) => ({ id: step.id, summary: step.reason.summary })),
    added: replanned.steps.filter((step) => !before.has(step.id)).map((step) => ({ id: step.id, summary: step.reason.summary })),
    changed,
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

/**
 * The backup steps of a saved plan whose policy the fleet file no longer defines (renamed or
 * removed since): each would fail at its step, after the host's earlier steps ran, so the plan is
 * refused before any host is touched. As `<step> on <host> (policy <name>)`.
 */
export function policiesOutsideFleet(plan: Plan, fleetPolicies: readonly string[]): string[] {
  const known = new Set(fleetPolicies);
  return plan.hosts.flatMap((hostPlan) =>
    hostPlan.steps.flatMap((step) => {
      const policy = step.params?.policy;
      return typeof policy === "string" && !known.has(policy) ? [`${step.id} on ${hostPlan.host} (policy ${policy})`] : [];
    }),
  );
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
