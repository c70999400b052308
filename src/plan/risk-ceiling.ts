/**
 * A risk ceiling (`--max-risk safe|disruptive|destructive`): the steps at or below it run, the rest
 * stay pending. A step that needs a held-back step is held back too (its dependency will not have
 * happened), and a step that exists only for held-back steps — the preflight re-check, a backup
 * taken before a change, shields lowered for that backup — is not run for nothing, nor is the step
 * that would only undo it (`params.undoes`: shields put back up). Pure: the planner applies it while planning, and
 * `apply plan.json --max-risk` to a saved plan.
 */
import { factKeysOf } from "./fingerprint.js";
import { summarize } from "./summary.js";
import { type HeldBackStep, type Plan, type Risk, RISKS, type Step } from "./types.js";

export function isRisk(text: string): text is Risk {
  return (RISKS as readonly string[]).includes(text);
}

function above(risk: Risk, ceiling: Risk): boolean {
  return RISKS.indexOf(risk) > RISKS.indexOf(ceiling);
}

/** Steps whose only purpose is the steps that depend on them. */
function onlyForDependents(step: Step): boolean {
  if (step.kind === "preflight") return true;
  if (step.kind === "shields" && step.params?.temporary === true) return true;
  if (step.kind !== "backup") return false;
  const purposes = step.params?.purposes;
  return Array.isArray(purposes) && !purposes.includes("due");
}

/** The step whose effect this one only puts back (shields raised after a backup lowered them), if any. */
function undoes(step: Step): string | null {
  const undone = step.params?.undoes;
  return typeof undone === "string" ? undone : null;
}

function heldBack(step: Step, because: string): HeldBackStep {
  return { id: step.id, kind: step.kind, risk: step.risk, summary: step.reason.summary, because, ...(step.target.kind === "sandbox" ? { sandbox: step.target.name } : {}) };
}

/**
 * Which of a host's steps (in plan order: dependencies first) a ceiling keeps, and which it holds
 * back with the reason. The kept steps form a closed set: every dependency of a kept step is kept.
 */
export function holdBackAbove(steps: readonly Step[], ceiling: Risk): { kept: Set<string>; held: HeldBackStep[] } {
  const held = new Map<string, HeldBackStep>();
  for (const step of steps) {
    if (above(step.risk, ceiling)) {
      held.set(step.id, heldBack(step, `${step.risk} is above --max-risk ${ceiling}`));
      continue;
    }
    const blocker = step.dependsOn.find((id) => held.has(id));
    if (blocker !== undefined) held.set(step.id, heldBack(step, `needs ${blocker}, which is held back`));
  }
  // Dependents come later in the plan: walking backwards, each step's dependents are settled first.
  for (const step of [...steps].reverse()) {
    if (held.has(step.id) || !onlyForDependents(step)) continue;
    const dependents = steps.filter((other) => other.dependsOn.includes(step.id) && undoes(other) !== step.id);
    if (dependents.length > 0 && dependents.every((other) => held.has(other.id))) {
      held.set(step.id, heldBack(step, "only needed by steps that are held back"));
    }
  }
  for (const step of steps) {
    const undone = undoes(step);
    if (undone !== null && held.has(undone) && !held.has(step.id)) held.set(step.id, heldBack(step, `only undoes ${undone}, which is held back`));
  }
  const kept = new Set(steps.filter((step) => !held.has(step.id)).map((step) => step.id));
  return { kept, held: steps.filter((step) => held.has(step.id)).map((step) => held.get(step.id) as HeldBackStep) };
}

/** A saved plan under a ceiling (`apply plan.json --max-risk`): the held-back steps leave the run, listed as pending. */
export function withRiskCeiling(plan: Plan, ceiling: Risk): Plan {
  const hosts = plan.hosts.map((host) => {
    const { kept, held } = holdBackAbove(host.steps, ceiling);
    if (held.length === 0) return host;
    const steps = host.steps.filter((step) => kept.has(step.id));
    // Only the facts the steps that still run depend on decide whether the host is stale.
    const keys = new Set(factKeysOf({ steps }));
    const only = <T>(values: Record<string, T>) => Object.fromEntries(Object.entries(values).filter(([key]) => keys.has(key)));
    return {
      ...host,
      steps,
      heldBack: [...(host.heldBack ?? []), ...held],
      fingerprints: only(host.fingerprints),
      ...(host.factValues ? { factValues: only(host.factValues) } : {}),
    };
  });
  const tighter = plan.options.maxRisk !== undefined && !above(plan.options.maxRisk, ceiling) ? plan.options.maxRisk : ceiling;
  return { ...plan, options: { ...plan.options, maxRisk: tighter }, hosts, summary: summarize(hosts) };
}
