/**
 * Step order within a host: dependency order, keeping the planner's order wherever the
 * dependencies allow it (a stable topological sort), and the rule for what a failure cancels.
 */

import type { Step } from "../plan/types.js";

export class StepOrderError extends Error {
  constructor(host: string, message: string) {
    super(`${host}: ${message}`);
    this.name = "StepOrderError";
  }
}

export function orderSteps(host: string, steps: readonly Step[]): Step[] {
  const byId = new Map<string, Step>();
  for (const step of steps) {
    if (byId.has(step.id)) throw new StepOrderError(host, `step id '${step.id}' appears twice in the plan`);
    byId.set(step.id, step);
  }
  for (const step of steps) {
    for (const dependency of step.dependsOn) {
      if (!byId.has(dependency)) {
        throw new StepOrderError(host, `step '${step.id}' depends on '${dependency}', which is not in this host's plan`);
      }
    }
  }
  const ordered: Step[] = [];
  const placed = new Set<string>();
  const remaining = [...steps];
  while (remaining.length > 0) {
    const index = remaining.findIndex((step) => step.dependsOn.every((dependency) => placed.has(dependency)));
    if (index === -1) {
      throw new StepOrderError(host, `steps ${remaining.map((step) => `'${step.id}'`).join(", ")} depend on each other in a cycle`);
    }
    const [step] = remaining.splice(index, 1) as [Step];
    ordered.push(step);
    placed.add(step.id);
  }
  return ordered;
}

/**
 * The first dependency of `step` that did not succeed, if any. A failed step therefore cancels
 * everything that depends on it, directly or through skipped steps; independent steps still run.
 */
export function blockingDependency(step: Step, succeeded: ReadonlySet<string>): string | null {
  return step.dependsOn.find((dependency) => !succeeded.has(dependency)) ?? null;
}
