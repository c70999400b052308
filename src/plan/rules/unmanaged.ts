/**
 * Sandboxes on a host that the fleet file does not describe. Reported always; deleted only with
 * `--prune` (or `apply.pruneUnmanaged`), never when the name is protected anywhere in the file,
 * and after a backup to every policy that covers them.
 */
import { destroy } from "../../host/nemoclaw/commands.js";
import type { HostContext } from "../context.js";
import { factKey } from "../fingerprint.js";
import { planBackup } from "./backups.js";
import { sandboxTarget } from "./common.js";

export function planUnmanaged(ctx: HostContext): void {
  const prune = ctx.options.pruneUnmanaged;
  const registered = ctx.registry?.entries ?? [];
  const names = new Set([...registered.map((entry) => entry.name), ...ctx.liveSandboxes().map((live) => live.sandbox.name)]);
  for (const name of names) {
    if (ctx.desiredSandbox(name)) continue;
    const entry = ctx.registryEntry(name);
    const live = ctx.liveSandbox(name);
    const gateway = entry?.gatewayName ?? live!.gateway.name;
    const target = sandboxTarget(name, gateway);
    if (!prune) {
      const consequence = ctx.protectedNames.has(name) ? "its name is protected, so --prune never deletes it" : "--prune would delete it";
      ctx.note("info", `sandbox ${name} (gateway ${gateway}) is not in the fleet file; ${consequence}`, { target });
      continue;
    }
    const refuse = (why: string) => ctx.note("warning", `sandbox ${name} is not in the fleet file but is not deleted: ${why}`, { target });
    if (ctx.protectedNames.has(name)) {
      refuse("the name is protected in the fleet file");
      continue;
    }
    if (!entry) {
      refuse("it is not registered with NemoClaw, so `nemoclaw destroy` cannot remove it");
      continue;
    }
    const outlook = ctx.gateways.get(gateway);
    const healthy = outlook ? outlook.state === "ready" : ctx.observedGateway(gateway)?.health.status === "healthy";
    if (!healthy || !ctx.nemoclawInstalled) {
      refuse(`its gateway ${gateway} is not healthy in this plan`);
      continue;
    }
    const policies = ctx.coveringPolicies(name);
    if (policies.length > 0 && live?.sandbox.phase !== "Ready") {
      refuse(`backup ${policies.map((policy) => policy.name).join(", ")} covers it but it is not live and Ready, so it cannot be backed up first`);
      continue;
    }
    const backups = policies.map((policy) => planBackup(ctx, { sandbox: name, gateway, purpose: "before-delete", policy }));
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
