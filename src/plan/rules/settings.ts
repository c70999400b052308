/**
 * Settings that differ between NemoClaw's registry and the fleet file, changed the least
 * disruptive way: policy presets one by one, the inference route with `inference set` (it is
 * gateway-wide), shields with `shields up|down`, and only what nothing else can change (agent,
 * GPU mode, image, policy tier) with a rebuild — backed up first when a policy asks, and never on
 * a protected sandbox. GPU device and CPU/memory are not recorded in the registry, so they are
 * applied at create/rebuild time but cannot be compared here.
 */
import type { DesiredSandbox, ShieldsPosture } from "../../config/types.js";
import { inferenceSet, policyAdd, policyRemove, rebuild, recreateEnv, shields } from "../commands/nemoclaw.js";
import type { HostContext, SandboxState } from "../context.js";
import { factKey } from "../fingerprint.js";
import { gatewayProviderName, providerOptionKey, sameProvider } from "../providers.js";
import type { RegistryEntry } from "../../observe/types.js";
import type { PlannedCommand, Step, TextDiff } from "../types.js";
import { planBackup } from "./backups.js";
import { gatewayTarget, onboardSettingsFor, sandboxTarget, sourceOf } from "./common.js";

const GPU_RECORDED: Record<string, DesiredSandbox["gpu"]> = { auto: "auto", "1": "on", "0": "off" };

export function planSettings(ctx: HostContext): void {
  const after = new Map<string, Step | undefined>();
  for (const [name, state] of ctx.sandboxes) {
    const desired = ctx.desiredSandbox(name)!;
    const base = state.kind === "recovering" ? state.step : undefined;
    const rebuilt = planRebuild(ctx, desired, state, base);
    const last = rebuilt ?? base;
    after.set(name, last);
    planPresets(ctx, desired, state.entry, last);
    planShields(ctx, desired, state, last);
  }
  planRoutes(ctx, after);
}

interface FieldChange {
  field: string;
  before: string;
  after: string;
}

function recreateChanges(desired: DesiredSandbox, entry: RegistryEntry): FieldChange[] {
  const changes: FieldChange[] = [];
  const recordedAgent = (entry.agent ?? "openclaw").toLowerCase();
  if (desired.agent.toLowerCase() !== recordedAgent) changes.push({ field: "agent", before: recordedAgent, after: desired.agent });
  // NemoClaw may record what `auto` resolved to ("0" on a host without a GPU), so `auto` in the
  // file accepts any recorded mode; only an explicit on/off can differ.
  const recordedGpu = entry.gpuMode === null ? undefined : GPU_RECORDED[entry.gpuMode];
  if (desired.gpu !== "auto" && recordedGpu !== undefined && recordedGpu !== desired.gpu) changes.push({ field: "gpu", before: recordedGpu, after: desired.gpu });
  if ((desired.from ?? null) !== (entry.fromDockerfile ?? null)) {
    changes.push({ field: "from", before: entry.fromDockerfile ?? "(NemoClaw image)", after: desired.from ?? "(NemoClaw image)" });
  }
  if (desired.policy.tier !== undefined && entry.policyTier !== null && desired.policy.tier !== entry.policyTier) {
    changes.push({ field: "policy.tier", before: entry.policyTier, after: desired.policy.tier });
  }
  return changes;
}

function planRebuild(ctx: HostContext, desired: DesiredSandbox, state: SandboxState, base: Step | undefined): Step | undefined {
  const changes = recreateChanges(desired, state.entry);
  if (changes.length === 0) return undefined;
  const target = sandboxTarget(desired.name, desired.gateway);
  const summary = changes.map((change) => `${change.field} ${change.before} → ${change.after}`).join(", ");
  if (ctx.isProtected(desired.name)) {
    ctx.note("warning", `sandbox ${desired.name} is protected: refusing the rebuild its settings need (${summary}); set protect: false to allow it`, { target });
    return undefined;
  }
  const settings = onboardSettingsFor(ctx, desired);
  if (!settings) return undefined;
  const backups =
    state.kind === "present"
      ? ctx
          .coveringPolicies(desired.name)
          .filter((policy) => policy.beforeDisruptive)
          .map((policy) => planBackup(ctx, { sandbox: desired.name, gateway: desired.gateway, purpose: "before-disruptive", policy, dependsOn: [base], detail: "rebuild" }))
      : [];
  return ctx.steps.add({
    kind: "sandbox-rebuild",
    target,
    reason: {
      summary: `${summary}: only a rebuild applies ${changes.length === 1 ? "this" : "these"}`,
      desired: { field: changes.map((change) => change.field).join(", "), value: Object.fromEntries(changes.map((change) => [change.field, change.after])), source: sourceOf(desired, changes[0]!.field) },
      observed: { fact: factKey.registryEntry(desired.name), value: Object.fromEntries(changes.map((change) => [change.field, change.before])) },
    },
    risk: "disruptive",
    dependsOn: [base, ...backups],
    facts: [factKey.registryEntry(desired.name), factKey.sandbox(desired.gateway, desired.name)],
    commands: [rebuild(desired.name, recreateEnv(settings))],
    params: { sandbox: desired.name, gateway: desired.gateway, changes: changes.map((change) => change.field) },
    diff: [settingsDiff("settings", changes)],
    hint: `NemoClaw keeps the pre-rebuild backup; \`nemoclaw ${desired.name} snapshot list\` shows it.`,
  });
}

function planPresets(ctx: HostContext, desired: DesiredSandbox, entry: RegistryEntry, base: Step | undefined): void {
  const wanted = desired.policy.presets;
  const added = wanted.filter((preset) => !entry.policies.includes(preset));
  const removed = entry.policies.filter((preset) => !wanted.includes(preset));
  if (added.length === 0 && removed.length === 0) return;
  const target = sandboxTarget(desired.name, desired.gateway);
  const diff: TextDiff = { label: `${desired.name} policy presets`, before: lines([...entry.policies].sort()), after: lines([...wanted].sort()) };
  const common = {
    target,
    risk: "safe" as const,
    dependsOn: [base],
    facts: [factKey.registryEntry(desired.name)],
    diff: [diff],
  };
  const source = sourceOf(desired, "policy.presets");
  if (added.length > 0) {
    ctx.steps.add({
      ...common,
      kind: "policy-add",
      reason: { summary: `add policy preset${added.length > 1 ? "s" : ""} ${added.join(", ")}`, desired: { field: "policy.presets", value: wanted, source }, observed: { fact: factKey.registryEntry(desired.name), value: entry.policies } },
      commands: added.map((preset) => policyAdd(desired.name, preset)),
      params: { sandbox: desired.name, presets: added },
    });
  }
  if (removed.length > 0) {
    ctx.steps.add({
      ...common,
      kind: "policy-remove",
      reason: { summary: `remove policy preset${removed.length > 1 ? "s" : ""} ${removed.join(", ")}`, desired: { field: "policy.presets", value: wanted, source }, observed: { fact: factKey.registryEntry(desired.name), value: entry.policies } },
      commands: removed.map((preset) => policyRemove(desired.name, preset)),
      params: { sandbox: desired.name, presets: removed },
    });
  }
}

function planShields(ctx: HostContext, desired: DesiredSandbox, state: SandboxState, base: Step | undefined): void {
  const wanted = desired.shields;
  if (wanted === undefined) return;
  const target = sandboxTarget(desired.name, desired.gateway);
  const fact = factKey.shields(desired.name);
  let current: ShieldsPosture;
  if (state.kind === "recovering") {
    // Stale recovery clears the lost sandbox's shields state: the new one starts mutable.
    current = "down";
  } else {
    if (ctx.observed.shields.state === "unknown") {
      ctx.unknown(fact, ctx.observed.shields, `shields of ${desired.name} are not changed`, target);
      return;
    }
    const mode = ctx.observed.shields.value.find((entry) => entry.sandbox === desired.name)?.mode ?? "mutable_default";
    if (mode === "error") {
      ctx.note("warning", `the shields state of ${desired.name} is unreadable; shields are not changed`, { target, fact });
      return;
    }
    current = mode === "locked" ? "up" : "down";
  }
  if (current === wanted) return;
  ctx.steps.add({
    kind: "shields",
    target,
    reason: { summary: `shields ${current} → ${wanted}`, desired: { field: "shields", value: wanted, source: sourceOf(desired, "shields") }, observed: { fact, value: current } },
    risk: "safe",
    dependsOn: [base],
    facts: [fact],
    commands: [shields(desired.name, wanted)],
    params: { sandbox: desired.name, posture: wanted },
    ...(wanted === "down" ? { hint: "Shields down is a temporary unlock; NemoClaw relocks after its timeout." } : {}),
  });
}

interface Route {
  provider: string;
  model: string | undefined;
  endpoint: string | undefined;
}

function routeOf(sandbox: DesiredSandbox): Route | null {
  return sandbox.provider === undefined ? null : { provider: providerOptionKey(sandbox.provider), model: sandbox.model, endpoint: sandbox.endpoint };
}

function describeRoute(route: Route): string {
  return [route.provider, route.model ?? "(default model)", route.endpoint].filter(Boolean).join(" ");
}

/** One inference route per gateway: refuse when the file asks for several on the same gateway. */
function planRoutes(ctx: HostContext, after: Map<string, Step | undefined>): void {
  for (const gateway of ctx.host.gateways) {
    const wanting = ctx.desiredSandboxesOn(gateway.name).flatMap((sandbox) => {
      const route = routeOf(sandbox);
      return route ? [{ sandbox, route }] : [];
    });
    const distinct = new Map(wanting.map(({ route }) => [describeRoute(route), route]));
    const target = gatewayTarget(gateway.name);
    if (distinct.size > 1) {
      const listed = wanting.map(({ sandbox, route }) => `${sandbox.name}: ${describeRoute(route)}`).join("; ");
      ctx.note("warning", `sandboxes on gateway ${gateway.name} want different inference routes (${listed}); the route is gateway-wide, so none is changed`, { target });
      continue;
    }
    const route = distinct.values().next().value;
    if (!route) continue;
    const stale = wanting.filter(({ sandbox }) => {
      const state = ctx.sandboxes.get(sandbox.name);
      return state !== undefined && routeDiffers(route, state.entry);
    });
    if (stale.length === 0) continue;
    if (route.model === undefined) {
      ctx.note("warning", `the inference route of gateway ${gateway.name} differs but the fleet file names no model; \`inference set\` needs one`, { target });
      continue;
    }
    for (const entry of ctx.registry?.entries ?? []) {
      if (entry.gatewayName === gateway.name && !ctx.desiredSandbox(entry.name) && routeDiffers(route, entry)) {
        ctx.note("warning", `unmanaged sandbox ${entry.name} shares gateway ${gateway.name}; the route change applies to it too`, { target });
      }
    }
    const commands: PlannedCommand[] = stale.map(({ sandbox }) =>
      inferenceSet(sandbox.name, {
        provider: gatewayProviderName(route.provider),
        model: route.model!,
        ...(route.endpoint ? { endpoint: route.endpoint } : {}),
        ...(sandbox.credentialEnv ? { credentialEnv: sandbox.credentialEnv } : {}),
      }),
    );
    const first = stale[0]!.sandbox;
    ctx.steps.add({
      kind: "inference-set",
      target,
      reason: {
        summary: `inference route → ${describeRoute(route)}`,
        desired: { field: "provider, model, endpoint", value: route, source: sourceOf(first, "provider") },
        observed: { fact: factKey.registryEntry(first.name), value: recordedRoute(ctx.sandboxes.get(first.name)!.entry) },
      },
      risk: "safe",
      dependsOn: stale.map(({ sandbox }) => after.get(sandbox.name)),
      facts: [factKey.gateway(gateway.name), ...stale.map(({ sandbox }) => factKey.registryEntry(sandbox.name))],
      commands,
      params: { gateway: gateway.name, sandboxes: stale.map(({ sandbox }) => sandbox.name) },
      diff: stale.map(({ sandbox }) => ({
        label: `${sandbox.name} inference route`,
        before: lines(Object.entries(recordedRoute(ctx.sandboxes.get(sandbox.name)!.entry)).map(([key, value]) => `${key}: ${value ?? "(unset)"}`)),
        after: lines(Object.entries({ provider: gatewayProviderName(route.provider), model: route.model, endpoint: route.endpoint ?? null }).map(([key, value]) => `${key}: ${value ?? "(unset)"}`)),
      })),
      hint: `A provider without credentials on the gateway needs \`nemoclaw credentials add <provider>\` first; \`nemoclaw inference get\` shows the route.`,
    });
  }
}

function routeDiffers(route: Route, entry: RegistryEntry): boolean {
  if (entry.provider === null || !sameProvider(route.provider, entry.provider)) return true;
  if (route.model !== undefined && route.model !== entry.model) return true;
  return route.endpoint !== undefined && route.endpoint !== entry.endpointUrl;
}

function recordedRoute(entry: RegistryEntry): { provider: string | null; model: string | null; endpoint: string | null } {
  return { provider: entry.provider, model: entry.model, endpoint: entry.endpointUrl };
}

function settingsDiff(label: string, changes: FieldChange[]): TextDiff {
  return {
    label,
    before: lines(changes.map((change) => `${change.field}: ${change.before}`)),
    after: lines(changes.map((change) => `${change.field}: ${change.after}`)),
  };
}

function lines(items: string[]): string {
  return items.map((item) => `${item}\n`).join("");
}
