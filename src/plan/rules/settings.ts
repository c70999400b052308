/**
 * Settings that differ between NemoClaw's registry and the fleet file, changed the least
 * disruptive way: policy presets one by one, another model of the same provider with
 * `inference set` (the route is gateway-wide), shields with `shields up|down`; what only a
 * recreate applies (agent, GPU mode, image, policy tier) with a rebuild; and a new provider or
 * endpoint — baked into the agent's config, which `rebuild` keeps — by recreating the sandbox
 * through onboard between a backup and a restore. Backups come first when a policy asks, always
 * before a recreate, and nothing disruptive touches a protected sandbox. GPU device and CPU/memory
 * are not recorded in the registry, so they are applied at create/rebuild time but never compared.
 */
import type { DesiredSandbox, ShieldsPosture } from "../../config/types.js";
import { inferenceSet, policyAdd, policyRemove, rebuild, recreateEnv, shields } from "../../host/nemoclaw/commands.js";
import type { HostContext, SandboxState } from "../context.js";
import { factKey } from "../fingerprint.js";
import { gatewayProviderName, providerOptionKey, sameProvider } from "../../host/nemoclaw/providers.js";
import type { RegistryEntry } from "../../observe/types.js";
import type { PlannedCommand, Step, TextDiff } from "../types.js";
import { planBackup, planRestore } from "./backups.js";
import { gatewayTarget, onboardSettingsFor, sandboxTarget, sourceOf } from "./common.js";
import { planSandboxCreate } from "./sandboxes.js";

const GPU_RECORDED: Record<string, DesiredSandbox["gpu"]> = { auto: "auto", "1": "on", "0": "off" };

export function planSettings(ctx: HostContext): void {
  const routes = desiredRoutes(ctx);
  const after = new Map<string, Step | undefined>();
  // Sandboxes whose route only a recreate can change: planned (or refused) here, never switched.
  const needRecreate = new Set<string>();
  for (const [name, state] of ctx.sandboxes) {
    const desired = ctx.desiredSandbox(name)!;
    const base = state.kind === "recovering" ? state.step : undefined;
    const route = routes.get(desired.gateway);
    if (route && state.kind === "present" && needsRecreate(route, state.entry)) needRecreate.add(name);
    const recreate = needRecreate.has(name) ? planRouteRecreate(ctx, desired, route!, state.entry, base) : undefined;
    const last = recreate ?? planRebuild(ctx, desired, state, base) ?? base;
    after.set(name, last);
    // A recreate onboards with the file's preset list (custom mode), so only the others need presets.
    if (!recreate) planPresets(ctx, desired, state.entry, last);
    planShields(ctx, desired, state, last);
  }
  planRouteSwitches(ctx, routes, after, needRecreate);
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
  const changes = [
    { kind: "policy-add" as const, verb: "add", presets: added, command: policyAdd },
    { kind: "policy-remove" as const, verb: "remove", presets: removed, command: policyRemove },
  ];
  for (const change of changes.filter((candidate) => candidate.presets.length > 0)) {
    ctx.steps.add({
      ...common,
      kind: change.kind,
      reason: {
        summary: `${change.verb} policy preset${change.presets.length > 1 ? "s" : ""} ${change.presets.join(", ")}`,
        desired: { field: "policy.presets", value: wanted, source },
        observed: { fact: factKey.registryEntry(desired.name), value: entry.policies },
      },
      commands: change.presets.map((preset) => change.command(desired.name, preset)),
      params: { sandbox: desired.name, presets: change.presets },
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

/** One inference route per gateway: a gateway whose sandboxes ask for several gets none (a note says why). */
function desiredRoutes(ctx: HostContext): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const gateway of ctx.host.gateways) {
    const wanting = ctx.desiredSandboxesOn(gateway.name).flatMap((sandbox) => {
      const route = routeOf(sandbox);
      return route ? [{ sandbox, route }] : [];
    });
    const distinct = new Map(wanting.map(({ route }) => [describeRoute(route), route]));
    if (distinct.size > 1) {
      const listed = wanting.map(({ sandbox, route }) => `${sandbox.name}: ${describeRoute(route)}`).join("; ");
      ctx.note("warning", `sandboxes on gateway ${gateway.name} want different inference routes (${listed}); the route is gateway-wide, so none is changed`, { target: gatewayTarget(gateway.name) });
      continue;
    }
    const route = distinct.values().next().value;
    if (route) routes.set(gateway.name, route);
  }
  return routes;
}

/** Another provider, or another endpoint, is baked into the agent's config: only a recreate applies it. */
function needsRecreate(route: Route, entry: RegistryEntry): boolean {
  if (entry.provider !== null && !sameProvider(route.provider, entry.provider)) return true;
  return route.endpoint !== undefined && route.endpoint !== entry.endpointUrl;
}

function routeDiffers(route: Route, entry: RegistryEntry): boolean {
  if (entry.provider === null || !sameProvider(route.provider, entry.provider)) return true;
  if (route.model !== undefined && route.model !== entry.model) return true;
  return route.endpoint !== undefined && route.endpoint !== entry.endpointUrl;
}

function routeLines(route: { provider: string | null; model: string | null | undefined; endpoint: string | null | undefined }): string {
  return lines(Object.entries(route).map(([key, value]) => `${key}: ${value ?? "(unset)"}`));
}

/**
 * Backup → `onboard --recreate-sandbox` with the file's settings → restore. The backup is taken
 * whatever the policies say: recreating loses the sandbox's state.
 */
function planRouteRecreate(ctx: HostContext, desired: DesiredSandbox, route: Route, entry: RegistryEntry, base: Step | undefined): Step | undefined {
  const target = sandboxTarget(desired.name, desired.gateway);
  const change = `inference ${describeRoute({ provider: entry.provider ?? "(unset)", model: entry.model ?? undefined, endpoint: entry.endpointUrl ?? undefined })} → ${describeRoute(route)}`;
  if (ctx.isProtected(desired.name)) {
    ctx.note("warning", `sandbox ${desired.name} is protected: refusing the recreate its new provider or endpoint needs (${change}); set protect: false to allow it`, { target });
    return undefined;
  }
  const settings = onboardSettingsFor(ctx, desired);
  if (!settings) return undefined;
  const policies = ctx.coveringPolicies(desired.name);
  const backups = (policies.length > 0 ? policies : [null]).map((policy) =>
    planBackup(ctx, { sandbox: desired.name, gateway: desired.gateway, purpose: "before-disruptive", policy, verify: true, dependsOn: [base], detail: "recreate for a new inference provider" }),
  );
  const created = planSandboxCreate(ctx, desired, settings, backups, `${change}: the provider and endpoint are baked into the agent's config, so the sandbox is recreated`, {
    recreate: true,
    risk: "disruptive",
  });
  created.diff = [{ label: `${desired.name} inference route`, before: routeLines({ provider: entry.provider, model: entry.model, endpoint: entry.endpointUrl }), after: routeLines({ provider: gatewayProviderName(route.provider), model: route.model, endpoint: route.endpoint }) }];
  return planRestore(ctx, { sandbox: desired.name, gateway: desired.gateway, backup: backups[0]!, dependsOn: [created], detail: `restore ${desired.name} from this run's backup into its recreated sandbox` });
}

/** Another model of the same provider: `inference set`, once per sandbox whose agent config must follow. */
function planRouteSwitches(ctx: HostContext, routes: Map<string, Route>, after: Map<string, Step | undefined>, needRecreate: Set<string>): void {
  for (const [gatewayName, route] of routes) {
    const target = gatewayTarget(gatewayName);
    const stale = ctx.desiredSandboxesOn(gatewayName).filter((sandbox) => {
      const state = ctx.sandboxes.get(sandbox.name);
      return state !== undefined && !needRecreate.has(sandbox.name) && routeDiffers(route, state.entry);
    });
    if (stale.length === 0) continue;
    if (route.model === undefined) {
      ctx.note("warning", `the inference route of gateway ${gatewayName} differs but the fleet file names no model; \`inference set\` needs one`, { target });
      continue;
    }
    for (const entry of ctx.registry?.entries ?? []) {
      if (entry.gatewayName === gatewayName && !ctx.desiredSandbox(entry.name) && routeDiffers(route, entry)) {
        ctx.note("warning", `unmanaged sandbox ${entry.name} shares gateway ${gatewayName}; the route change applies to it too`, { target });
      }
    }
    const desiredRoute = { provider: gatewayProviderName(route.provider), model: route.model, endpoint: route.endpoint ?? null };
    const commands: PlannedCommand[] = stale.map((sandbox) => inferenceSet(sandbox.name, { provider: desiredRoute.provider, model: route.model! }));
    const first = stale[0]!;
    ctx.steps.add({
      kind: "inference-set",
      target,
      reason: {
        summary: `inference route → ${describeRoute(route)}`,
        desired: { field: "provider, model, endpoint", value: route, source: sourceOf(first, "provider") },
        observed: { fact: factKey.registryEntry(first.name), value: recordedRoute(ctx.sandboxes.get(first.name)!.entry) },
      },
      risk: "safe",
      dependsOn: stale.map((sandbox) => after.get(sandbox.name)),
      facts: [factKey.gateway(gatewayName), ...stale.map((sandbox) => factKey.registryEntry(sandbox.name))],
      commands,
      params: { gateway: gatewayName, sandboxes: stale.map((sandbox) => sandbox.name) },
      diff: stale.map((sandbox) => ({ label: `${sandbox.name} inference route`, before: routeLines(recordedRoute(ctx.sandboxes.get(sandbox.name)!.entry)), after: routeLines(desiredRoute) })),
      hint: `A provider without credentials on the gateway needs \`nemoclaw credentials add <provider>\` first; \`nemoclaw inference get\` shows the route.`,
    });
  }
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
