/**
 * Settings that differ between NemoClaw's registry and the fleet file, changed the way NemoClaw
 * supports (real-cli-2026-12 §4, §14.1): policy presets one by one at runtime, another model of
 * the same provider with `inference set` (the route is gateway-wide), shields with `shields
 * up|down` on releases that have them; and what only a recreate applies — agent, GPU mode,
 * Dockerfile, policy tier, another provider or endpoint — with `onboard --fresh --name <sb>
 * --recreate-sandbox`, never with `rebuild` (which recreates from the registry and ignores the
 * onboard environment). A verified backup comes first; NemoClaw keeps the workspace across the
 * recreate from v0.0.53, and before that this run's backup is restored into the new sandbox.
 * Nothing disruptive touches a protected sandbox. GPU device and CPU/memory are not recorded in the
 * registry, so they are applied on every create and recreate but never compared.
 */
import type { DesiredSandbox, ShieldsPosture } from "../../config/types.js";
import { inferenceSet, policyAdd, policyRemove, type Releases, shields } from "../../host/nemoclaw/commands.js";
import { nemoclawHas, nemoclawHasShields, NEMOCLAW_UNTIL } from "../../host/nemoclaw/releases.js";
import type { HostContext, SandboxState } from "../context.js";
import { factKey } from "../fingerprint.js";
import { gatewayProviderName, providerOptionKey, sameProvider } from "../../host/nemoclaw/providers.js";
import type { RegistryEntry } from "../../observe/types.js";
import type { PlannedCommand, Step, TextDiff } from "../types.js";
import { planBackup, planRestore, shieldsLoweredForBackup } from "./backups.js";
import { gatewayTarget, onboardSettingsFor, sandboxTarget, sourceOf } from "./common.js";
import { planSandboxCreate } from "./sandboxes.js";
import { isReplacementRequested } from "./targets.js";

const GPU_RECORDED: Record<string, DesiredSandbox["gpu"]> = { auto: "auto", "1": "on", "0": "off" };

export function planSettings(ctx: HostContext): void {
  const release = ctx.release;
  if (release === null) return;
  const routes = desiredRoutes(ctx);
  const after = new Map<string, Step | undefined>();
  // Sandboxes recreated here (or refused a recreate): their route is never switched.
  const recreated = new Set<string>();
  for (const [name, state] of ctx.sandboxes) {
    const desired = ctx.desiredSandbox(name)!;
    const base = state.kind === "recovering" ? state.step : undefined;
    const changes = [...recreateChanges(desired, state.entry), ...routeRecreateChanges(routes.get(desired.gateway), state, release), ...replacement(ctx, desired, state)];
    if (changes.length > 0) recreated.add(name);
    const recreate = changes.length > 0 ? planRecreate(ctx, release, desired, state, changes, base) : undefined;
    const last = recreate ?? base;
    after.set(name, last);
    // A recreate onboards with the file's preset list, so only the others need presets.
    if (changes.length === 0) planPresets(ctx, desired, state.entry, last);
    planShields(ctx, release.nemoclaw, desired, state, last);
  }
  planRouteSwitches(ctx, routes, after, recreated);
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

/** `--replace <sandbox>@<host>` on a sandbox that is there: recreated like a settings change. */
function replacement(ctx: HostContext, desired: DesiredSandbox, state: SandboxState): FieldChange[] {
  if (state.kind !== "present" || !isReplacementRequested(ctx, desired.name)) return [];
  return [{ field: "replace", before: "", after: `--replace ${desired.name}@${ctx.host.name}` }];
}

/**
 * Another provider, or another endpoint, is baked into the agent's config: only a recreate applies
 * it. Before v0.0.39 so is another model: there is no `nemoclaw inference set`, and OpenShell's
 * own changes the gateway's route but neither the agent's config nor NemoClaw's registry.
 */
function routeRecreateChanges(route: Route | undefined, state: SandboxState, release: Releases): FieldChange[] {
  if (route === undefined || state.kind !== "present") return [];
  const recreate = needsRecreate(route, state.entry) || (!nemoclawHas(release.nemoclaw, "inferenceSet") && routeDiffers(route, state.entry));
  if (!recreate) return [];
  const entry = state.entry;
  return [
    {
      field: "inference",
      before: describeRoute({ provider: entry.provider ?? "(unset)", model: entry.model ?? undefined, endpoint: entry.endpointUrl ?? undefined }),
      after: describeRoute(route),
    },
  ];
}

/**
 * Backup → `onboard --fresh --name <sb> --recreate-sandbox` with the file's settings → (before
 * v0.0.53, which recreated without keeping state) restore from this run's backup. The backup is
 * taken whatever the policies say: a recreate can lose the sandbox's state.
 */
function planRecreate(ctx: HostContext, release: Releases, desired: DesiredSandbox, state: SandboxState, changes: FieldChange[], base: Step | undefined): Step | undefined {
  const target = sandboxTarget(desired.name, desired.gateway);
  const summary = changes.map((change) => (change.field === "replace" ? `replacement requested (${change.after})` : `${change.field} ${change.before} → ${change.after}`)).join(", ");
  const settingChanges = changes.filter((change) => change.field !== "replace");
  if (ctx.isProtected(desired.name)) {
    ctx.note("warning", `sandbox ${desired.name} is protected: refusing the recreate its settings need (${summary}); set protect: false to allow it`, { target });
    return undefined;
  }
  const settings = onboardSettingsFor(ctx, desired);
  if (!settings) return undefined;
  const backups =
    state.kind === "present"
      ? ctx.disruptionBackupPolicies(desired.name).map((policy) =>
          planBackup(ctx, { sandbox: desired.name, gateway: desired.gateway, purpose: "before-disruptive", policy, verify: true, dependsOn: [base], detail: "recreate" }),
        )
      : [];
  const why = settingChanges.length === 0 ? summary : `${summary}: only a recreate applies ${changes.length === 1 ? "this" : "these"}`;
  const created = planSandboxCreate(ctx, release, desired, settings, [base, ...backups], why, {
    mode: "recreate",
    risk: "disruptive",
  });
  const source = settingChanges[0] === undefined ? "the command line (--replace)" : sourceOf(desired, settingChanges[0].field);
  created.reason.desired = { field: changes.map((change) => change.field).join(", "), value: Object.fromEntries(changes.map((change) => [change.field, change.after])), source };
  created.reason.observed = { fact: factKey.registryEntry(desired.name), value: Object.fromEntries(changes.map((change) => [change.field, change.before])) };
  created.params = { ...created.params, changes: changes.map((change) => change.field) };
  if (settingChanges.length > 0) created.diff = [settingsDiff(`${desired.name} settings`, settingChanges)];
  created.hint = `NemoClaw keeps its pre-recreate backup under ~/.nemoclaw/rebuild-backups/${desired.name}/; \`nemoclaw ${desired.name} snapshot list\` shows it, and this run's backup is kept in the store.`;
  if (nemoclawHas(release.nemoclaw, "recreateKeepsState") || backups[0] === undefined) return created;
  return planRestore(ctx, { sandbox: desired.name, gateway: desired.gateway, backup: backups[0], dependsOn: [created], detail: `restore ${desired.name} from this run's backup: NemoClaw v${release.nemoclaw} recreates without keeping state` });
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

function planShields(ctx: HostContext, release: string, desired: DesiredSandbox, state: SandboxState, base: Step | undefined): void {
  const wanted = desired.shields;
  if (wanted === undefined) return;
  const target = sandboxTarget(desired.name, desired.gateway);
  if (!nemoclawHasShields(release)) {
    ctx.note("warning", `shields: ${wanted} for ${desired.name} cannot be applied: NemoClaw v${release} has no shields (removed after v${NEMOCLAW_UNTIL.shields}); remove shields: from the fleet file`, { target });
    return;
  }
  // Lowered for a backup in this plan: planShieldsAfterBackups puts them back up unless the file
  // wants them down, and then that lowering is the file's own change too, which runs even when
  // --max-risk holds the backup back.
  const lowered = shieldsLoweredForBackup(ctx, desired.name, desired.gateway);
  if (lowered) {
    if (wanted === "down") {
      lowered.params = { ...lowered.params, temporary: false };
      lowered.reason = {
        ...lowered.reason,
        summary: "shields up → down (the fleet file wants them down, and NemoClaw needs them down to snapshot it)",
        desired: { field: "shields", value: "down", source: sourceOf(desired, "shields") },
      };
    }
    return;
  }
  const fact = factKey.shields(desired.name);
  // Without a state file (or `shieldsDown` in it) shields are down from v0.0.32, up before.
  const byDefault: ShieldsPosture = nemoclawHas(release, "shieldsDownByDefault") ? "down" : "up";
  let current: ShieldsPosture;
  if (state.kind === "recovering") {
    // Stale recovery clears the lost sandbox's shields state: the new one starts at the default.
    current = byDefault;
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
    current = mode === "locked" ? "up" : mode === "mutable_default" ? byDefault : "down";
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
    // NemoClaw syncs each sandbox's agent config with the route (releases without it recreate instead).
    const perSandbox = stale.map((sandbox) => inferenceSet(sandbox.name, { provider: desiredRoute.provider, model: route.model! }));
    const commands: PlannedCommand[] = [...new Map(perSandbox.map((command) => [command.display, command])).values()];
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
