/**
 * Sandboxes on a host that the fleet file does not describe. Reported always; deleted only with
 * `--prune` (or `apply.pruneUnmanaged`), never when the name is protected anywhere in the file,
 * and after a backup to every policy that covers them.
 */
import { sandboxNameProblem } from "../../config/names.js";
import { destroy } from "../../host/nemoclaw/commands.js";
import type { HostContext } from "../context.js";
import { factKey } from "../fingerprint.js";
import { planBackup } from "./backups.js";
import { sandboxTarget } from "./common.js";

/** Why `--prune` would keep an unmanaged sandbox, or null when it would delete it. */
function pruneRefusal(ctx: HostContext, name: string, gateway: string): string | null {
  if (ctx.protectedNames.has(name)) return "the name is protected in the fleet file";
  // `nemoclaw gc destroy --yes` would run NemoClaw's global `gc --yes` (image garbage collection)
  // on releases whose hand-written dispatcher ignores the extra words (NC@6966f4b7:src/nemoclaw.ts:3693).
  const unaddressable = sandboxNameProblem(name);
  if (unaddressable !== undefined) return `\`nemoclaw ${name} destroy\` cannot address it (${unaddressable}); remove it by hand`;
  if (!ctx.registryEntry(name)) return "it is not registered with NemoClaw, so `nemoclaw destroy` cannot remove it";
  const outlook = ctx.gateways.get(gateway);
  const healthy = outlook ? outlook.state === "ready" : ctx.observedGateway(gateway)?.health.status === "healthy";
  if (!healthy || !ctx.nemoclawInstalled) return `its gateway ${gateway} is not healthy in this plan`;
  const policies = ctx.coveringPolicies(name);
  if (policies.length > 0 && ctx.liveSandbox(name)?.sandbox.phase !== "Ready") {
    return `backup ${policies.map((policy) => policy.name).join(", ")} covers it but it is not live and Ready, so it cannot be backed up first`;
  }
  return null;
}

export function planUnmanaged(ctx: HostContext): void {
  const prune = ctx.options.pruneUnmanaged;
  const registered = ctx.registry?.entries ?? [];
  const names = new Set([...registered.map((entry) => entry.name), ...ctx.liveSandboxes().map((live) => live.sandbox.name)]);
  for (const name of names) {
    if (ctx.desiredSandbox(name)) continue;
    const live = ctx.liveSandbox(name);
    const gateway = ctx.registryEntry(name)?.gatewayName ?? live!.gateway.name;
    const target = sandboxTarget(name, gateway);
    // Said the same way with and without --prune, so the plan without it tells what --prune would do.
    const refusal = pruneRefusal(ctx, name, gateway);
    if (!prune) {
      const consequence = refusal === null ? "--prune would delete it" : `--prune would not delete it: ${refusal}`;
      ctx.note("info", `sandbox ${name} (gateway ${gateway}) is not in the fleet file; ${consequence}`, { target });
      continue;
    }
    if (refusal !== null) {
      ctx.note("warning", `sandbox ${name} is not in the fleet file but is not deleted: ${refusal}`, { target });
      continue;
    }
    const backups = ctx.coveringPolicies(name).map((policy) => planBackup(ctx, { sandbox: name, gateway, purpose: "before-delete", policy }));
    ctx.steps.add({
      kind: "sandbox-delete",
      target,
      reason: { summary: `sandbox ${name} is not in the fleet file (prune)`, observed: { fact: factKey.registryEntry(name), value: "registered" } },
      risk: "destructive",
      dependsOn: backups,
      facts: [factKey.registryEntry(name), ...(live ? [factKey.sandbox(live.gateway.name, name)] : [])],
      commands: [destroy(name)],
      params: { sandbox: name, gateway, backups: backups.map((step) => step.id) },
    });
  }
}
