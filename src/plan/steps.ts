/**
 * The ordered step list of one host. Steps are appended in dependency order (a step can only
 * depend on steps already added), ids are `<kind>:<target>` (plus `@<qualifier>` where one
 * target takes the same kind twice, e.g. backups to two policies), and fidelity is derived:
 * a step that waits on a step which changes what it was planned from is only predicted.
 */
import type { Fidelity, PlannedCommand, Risk, Step, StepKind, StepReason, StepTarget, TextDiff } from "./types.js";

/**
 * Kinds whose outcome is what later steps act on (a gateway that will only then exist, a sandbox
 * that will only then be recreated). Stopping or retiring a gateway does not count: what follows
 * (the install) is fully determined without knowing how the stop went.
 */
const STATE_CHANGING: ReadonlySet<StepKind> = new Set<StepKind>([
  "nemoclaw-install",
  "openshell-install",
  "gateway-start",
  "gateway-recover",
  "sandbox-create",
  "sandbox-stale-recover",
  "sandbox-rebuild",
  "sandbox-recreate",
  "restore",
]);

export interface StepSpec {
  kind: StepKind;
  target: StepTarget;
  qualifier?: string;
  reason: StepReason;
  risk: Risk;
  dependsOn?: (Step | undefined)[];
  /** Force `predicted` even without a state-changing dependency (e.g. a conditional restore). */
  predicted?: boolean;
  facts: string[];
  commands: PlannedCommand[];
  params?: Record<string, unknown>;
  diff?: TextDiff[];
  hint?: string;
  /** False only for steps that cannot be misled by a CLI/gateway schema drift (e.g. a fresh install). */
  trustsSandboxState?: boolean;
}

export class StepList {
  readonly steps: Step[] = [];
  private readonly byId = new Map<string, Step>();
  private readonly trusting = new Set<string>();

  static idOf(kind: StepKind, target: StepTarget, qualifier?: string): string {
    return `${kind}:${target.name}${qualifier ? `@${qualifier}` : ""}`;
  }

  get(id: string): Step | undefined {
    return this.byId.get(id);
  }

  /** Adds a step, or returns the existing one with the same id (the first reason wins). */
  add(spec: StepSpec): Step {
    const id = StepList.idOf(spec.kind, spec.target, spec.qualifier);
    const existing = this.byId.get(id);
    if (existing) return existing;
    const dependencies = spec.dependsOn?.filter((step): step is Step => step !== undefined) ?? [];
    for (const dependency of dependencies) {
      if (this.byId.get(dependency.id) !== dependency) throw new Error(`step ${id} depends on ${dependency.id}, which is not planned before it`);
    }
    const fidelity: Fidelity =
      spec.predicted || dependencies.some((step) => STATE_CHANGING.has(step.kind) || step.fidelity === "predicted") ? "predicted" : "exact";
    const step: Step = {
      id,
      kind: spec.kind,
      target: spec.target,
      reason: spec.reason,
      risk: spec.risk,
      fidelity,
      dependsOn: [...new Set(dependencies.map((dependency) => dependency.id))],
      facts: [...new Set(spec.facts)].sort(),
      commands: spec.commands,
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.diff ? { diff: spec.diff } : {}),
      ...(spec.hint ? { hint: spec.hint } : {}),
    };
    this.steps.push(step);
    this.byId.set(id, step);
    if (spec.trustsSandboxState !== false) this.trusting.add(id);
    return step;
  }

  get trustsSandboxState(): boolean {
    return this.trusting.size > 0;
  }

  /** Keeps only the steps with these ids (a closed set: every dependency of a kept step is in it). */
  retain(ids: ReadonlySet<string>): void {
    const kept = this.steps.filter((step) => ids.has(step.id));
    this.steps.splice(0, this.steps.length, ...kept);
    for (const id of [...this.byId.keys()]) if (!ids.has(id)) this.byId.delete(id);
    for (const id of [...this.trusting]) if (!ids.has(id)) this.trusting.delete(id);
  }

  /** Puts a step first and makes every step without dependencies wait for it. */
  prepend(step: Omit<Step, "dependsOn">): void {
    for (const other of this.steps) if (other.dependsOn.length === 0) other.dependsOn.push(step.id);
    const first: Step = { ...step, dependsOn: [] };
    this.steps.unshift(first);
    this.byId.set(first.id, first);
  }
}
