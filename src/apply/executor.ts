/**
 * `applyPlan`: carry out a plan across the fleet. Hosts with work are split into rolling waves;
 * within a wave hosts run in parallel up to the concurrency cap, each host free-running through
 * its own steps; at each wave's end the failure threshold decides whether later waves start.
 * Everything is reported as events (one stream for every view and the journal), and the returned
 * summary is the fold of those same events.
 */

import { createHash } from "node:crypto";
import type { HostPlan, Plan } from "../plan/types.js";
import { mapHosts } from "../transport/pool.js";
import { HostRun, plannedOutcome } from "./host-run.js";
import { orderSteps } from "./order.js";
import { RunContext, type ApplyDeps, type ApplyOptions } from "./run-context.js";
import { RunTally, type RunSummary } from "./tally.js";
import { exceedsFailThreshold, failPercentage, splitIntoWaves } from "./waves.js";

export type { ApplyDeps, ApplyOptions } from "./run-context.js";
export type { RunSummary } from "./tally.js";

export function planHash(plan: Plan): string {
  return createHash("sha256").update(JSON.stringify(plan)).digest("hex");
}

function stepOrder(hostPlan: HostPlan): string[] {
  try {
    return orderSteps(hostPlan.host, hostPlan.steps).map((step) => step.id);
  } catch {
    // The host run reports the ordering error; the header keeps the planner's order.
    return hostPlan.steps.map((step) => step.id);
  }
}

export async function applyPlan(plan: Plan, deps: ApplyDeps, options: ApplyOptions): Promise<RunSummary> {
  const run = new RunContext(deps, options);
  const tally = new RunTally(run.runId);
  deps.events.subscribe((event) => tally.apply(event));
  const started = Date.now();

  const actionable = plan.hosts.filter((hostPlan) => plannedOutcome(hostPlan) === null);
  const waves = splitIntoWaves(actionable, options.waves);
  deps.events.emit({
    type: "run-started",
    toolVersion: options.toolVersion,
    identity: deps.identity,
    fleet: plan.fleet,
    planHash: planHash(plan),
    source: options.source,
    selection: { limit: plan.selection.limit, hosts: plan.hosts.map((hostPlan) => hostPlan.host) },
    waves: waves.map((wave) => wave.map((hostPlan) => hostPlan.host)),
    concurrency: options.concurrency,
    maxFailPercentage: options.maxFailPercentage,
    journal: options.journalPath,
    steps: Object.fromEntries(plan.hosts.map((hostPlan) => [hostPlan.host, stepOrder(hostPlan)])),
    maxRisk: plan.options.maxRisk ?? null,
    heldBack: Object.fromEntries(plan.hosts.flatMap((hostPlan) => (hostPlan.heldBack?.length ? [[hostPlan.host, hostPlan.heldBack]] : []))),
  });

  // Hosts with nothing to run (no changes, unreachable, blocked) are reported at once.
  for (const hostPlan of plan.hosts) {
    if (plannedOutcome(hostPlan) !== null) await new HostRun(hostPlan, run).execute();
  }

  const skip = (hostPlans: readonly HostPlan[], message: string): void => {
    for (const hostPlan of hostPlans) {
      deps.events.emit({
        type: "host-finished",
        host: hostPlan.host,
        status: "skipped",
        durationMs: 0,
        sessions: deps.pool.sessionsOpened?.(hostPlan.host) ?? null,
        message,
        block: null,
        changedFacts: null,
        stepDrift: null,
        holder: null,
      });
    }
  };

  for (const [index, wave] of waves.entries()) {
    const number = index + 1;
    if (deps.control.stopping) {
      skip(waves.slice(index).flat(), "not started: the run was interrupted");
      break;
    }
    deps.events.emit({ type: "wave-started", wave: number, waves: waves.length, hosts: wave.map((hostPlan) => hostPlan.host) });
    const byName = new Map(wave.map((hostPlan) => [hostPlan.host, hostPlan]));
    const outcomes = await mapHosts([...byName.keys()], options.concurrency, (host) => new HostRun(byName.get(host) as HostPlan, run).execute());
    // HostRun.execute never rejects; a rejection here would be a bug, counted as a failure.
    const statuses = [...outcomes.values()].map((outcome) => (outcome.ok ? outcome.value : "failed"));
    const failed = statuses.filter((status) => status === "failed").length;
    const unreachable = statuses.filter((status) => status === "unreachable").length;
    const percentage = failPercentage(failed + unreachable, wave.length);
    deps.events.emit({ type: "wave-finished", wave: number, hosts: wave.length, failed, unreachable, failPercentage: percentage });
    const later = waves.slice(index + 1).flat();
    if (later.length > 0 && exceedsFailThreshold(failed + unreachable, wave.length, options.maxFailPercentage)) {
      deps.events.emit({
        type: "threshold-exceeded",
        wave: number,
        failPercentage: percentage,
        maxFailPercentage: options.maxFailPercentage,
        skipped: later.map((hostPlan) => hostPlan.host),
      });
      skip(later, `not started: wave ${number} exceeded the maximum failure percentage (${percentage.toFixed(0)}% > ${options.maxFailPercentage}%)`);
      break;
    }
  }

  const interrupted = deps.control.stopping;
  deps.events.emit({
    type: "run-finished",
    exitCode: tally.exitCode(),
    durationMs: Date.now() - started,
    interrupted,
    stoppedAt: interrupted ? tally.openWork() : [],
    hosts: tally.hostCounts(),
  });
  deps.control.dispose();
  return tally.summary();
}
