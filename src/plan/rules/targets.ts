/**
 * Terraform's `-replace` and `-target`, for sandboxes. `--replace <sandbox>@<host>` recreates a
 * sandbox whose settings already match (the same backup-first recreate a settings change gets);
 * `--target <sandbox>@<host>` keeps only the steps for the named sandboxes and the steps they
 * depend on, and says how many were left out, so a partial plan is never mistaken for a whole one.
 */
import type { HostContext } from "../context.js";
import type { SandboxAddress, Step } from "../types.js";

export function formatSandboxAddress(address: SandboxAddress): string {
  return `${address.sandbox}@${address.host}`;
}

/** `<sandbox>@<host>`, or why the text is not one. */
export function parseSandboxAddress(text: string): SandboxAddress | { problem: string } {
  const at = text.lastIndexOf("@");
  if (at <= 0 || at === text.length - 1) return { problem: `"${text}" is not <sandbox>@<host>` };
  return { sandbox: text.slice(0, at), host: text.slice(at + 1) };
}

export function isReplacementRequested(ctx: HostContext, sandbox: string): boolean {
  return (ctx.options.replace ?? []).some((address) => address.host === ctx.host.name && address.sandbox === sandbox);
}

/** Whether a step is about one of the sandboxes: it targets it, or onboards it (a gateway start, an install). */
function concerns(step: Step, sandboxes: ReadonlySet<string>): boolean {
  if (step.target.kind === "sandbox" && sandboxes.has(step.target.name)) return true;
  const named = step.params?.sandbox ?? step.params?.onboarded;
  return typeof named === "string" && sandboxes.has(named);
}

/** With `--target`, drop every step that neither concerns a targeted sandbox nor is needed by one that does. */
export function narrowToTargets(ctx: HostContext): void {
  const targets = ctx.options.targets;
  if (targets === undefined) return;
  const sandboxes = new Set(targets.filter((address) => address.host === ctx.host.name).map((address) => address.sandbox));
  const keep = new Set<string>();
  const visit = (id: string): void => {
    if (keep.has(id)) return;
    keep.add(id);
    for (const dependency of ctx.steps.get(id)?.dependsOn ?? []) visit(dependency);
  };
  for (const step of ctx.steps.steps) if (concerns(step, sandboxes)) visit(step.id);
  const left = ctx.steps.steps.length - keep.size;
  ctx.steps.retain(keep);
  if (left > 0) {
    ctx.note("warning", `--target: ${left} step${left === 1 ? "" : "s"} for other sandboxes or the host ${left === 1 ? "is" : "are"} left out of this plan; plan without --target to see the whole change`);
  }
}
