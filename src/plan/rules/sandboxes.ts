/**
 * Is each desired sandbox there? Missing → create through NemoClaw's onboard. Registered but
 * absent from a healthy named gateway → NemoClaw's stale recovery (design scenario 5), only after
 * absence is confirmed on the named gateway, never while another gateway is active, never for a
 * sandbox on a non-default per-port gateway. Present and Ready → guards and settings rules follow.
 */
import { DEFAULT_GATEWAY_NAME } from "../../config/names.js";
import type { DesiredSandbox } from "../../config/types.js";
import { onboard, type OnboardMode, type OnboardSettings, rebuild, type Releases } from "../../host/nemoclaw/commands.js";
import { clusterGatewayGpuDetected, nemoclawSeesNvidiaGpu } from "../../host/nemoclaw/cluster-gateway.js";
import type { WorkaroundTarget } from "../../host/nemoclaw/image-ref-workaround.js";
import { NEMOCLAW_SINCE, nemoclawHas } from "../../host/nemoclaw/releases.js";
import { type HostContext, known } from "../context.js";
import { factKey } from "../fingerprint.js";
import type { Step } from "../types.js";
import { onboardSettingsFor, sandboxTarget, sourceOf } from "./common.js";

const ARM64 = new Set(["aarch64", "arm64"]);

/**
 * `nemoclaw onboard` of one sandbox: a new one, or (`recreate`) the existing one deleted and created
 * again with the file's settings — NemoClaw's supported way to change what only a recreate applies.
 */
export function planSandboxCreate(
  ctx: HostContext,
  release: Releases,
  sandbox: DesiredSandbox,
  settings: OnboardSettings,
  dependsOn: (Step | undefined)[],
  why: string,
  options: { mode?: OnboardMode; risk?: Step["risk"] } = {},
): Step {
  const arch = known(ctx.observed.system)?.arch ?? null;
  const arm64 = arch !== null && ARM64.has(arch);
  const mode = options.mode ?? "create";
  return ctx.steps.add({
    kind: mode === "recreate" ? "sandbox-recreate" : "sandbox-create",
    target: sandboxTarget(sandbox.name, sandbox.gateway),
    reason: {
      summary: why,
      desired: { field: "sandboxes", value: sandbox.name, source: sourceOf(sandbox, "name") },
      observed: { fact: factKey.registryEntry(sandbox.name), value: null },
    },
    risk: options.risk ?? "safe",
    dependsOn: [ctx.installStep, ...dependsOn],
    facts: [factKey.registryEntry(sandbox.name), factKey.gatewaySandboxes(sandbox.gateway), "system"],
    commands: [onboard(settings, release, mode)],
    params: {
      sandbox: sandbox.name,
      gateway: sandbox.gateway,
      // What the executor needs for the arm64 image-tar upload 404 (image_upload_container_missing).
      hostArch: arch,
      arm64,
      fromDockerfile: sandbox.from ?? null,
      imageRefWorkaround: sandbox.imageRefWorkaround,
      ...(arm64 ? { imageRefTarget: workaroundTarget(ctx, release, sandbox, settings) } : {}),
    },
    hint: "A half-finished create continues with `nemoclaw onboard --resume`; the failure kind (NemoClaw's classifier) decides the exact recovery.",
  });
}

/** The sandbox as NemoClaw would create it, for the image-reference workaround's own create. */
function workaroundTarget(ctx: HostContext, release: Releases, sandbox: DesiredSandbox, settings: OnboardSettings): WorkaroundTarget {
  const gpus = known(ctx.observed.gpus) ?? [];
  // From v0.0.39 the sandbox's GPU mode decides. v0.0.36–v0.0.38 create a sandbox with `--gpu`
  // exactly when they give the gateway the GPU (NC@e0ab181d:src/lib/onboard.ts:5390-5392); before, never.
  const gpu = nemoclawHas(release.nemoclaw, "sandboxGpu")
    ? settings.gpu === "on" || (settings.gpu === "auto" && gpus.length > 0)
    : clusterGatewayGpuDetected(release) && nemoclawSeesNvidiaGpu(gpus);
  return {
    sandbox: sandbox.name,
    gateway: sandbox.gateway,
    agent: settings.agent,
    gpu,
    ...(gpu && settings.gpuDevice !== undefined ? { gpuDevice: settings.gpuDevice } : {}),
    ...(settings.cpu !== undefined ? { cpu: settings.cpu } : {}),
    ...(settings.memory !== undefined ? { memory: settings.memory } : {}),
    openshell: release.openshell,
  };
}

export function planSandboxes(ctx: HostContext): void {
  const release = ctx.release;
  if (!ctx.nemoclawInstalled || release === null || ctx.host.sandboxes.length === 0) return;
  if (ctx.observed.registry.state === "unknown") {
    ctx.unknown("registry", ctx.observed.registry, "no sandbox is planned (created, recovered or changed) on this host");
    return;
  }
  for (const sandbox of ctx.host.sandboxes) {
    if (!ctx.handledSandboxes.has(sandbox.name)) planSandbox(ctx, release, sandbox);
  }
}

function planSandbox(ctx: HostContext, release: Releases, sandbox: DesiredSandbox): void {
  const target = sandboxTarget(sandbox.name, sandbox.gateway);
  const outlook = ctx.gateways.get(sandbox.gateway);
  if (outlook === undefined || outlook.state === "unavailable") {
    ctx.note("info", `sandbox ${sandbox.name} is not planned: its gateway ${sandbox.gateway} is not usable in this plan`, { target });
    return;
  }
  const entry = ctx.registryEntry(sandbox.name);
  if (outlook.state === "starting") {
    if (outlook.step.params?.sandbox === sandbox.name) return;
    if (entry) {
      ctx.note("info", `sandbox ${sandbox.name} is checked once gateway ${sandbox.gateway} runs again; plan again after this apply`, { target });
      return;
    }
    const settings = onboardSettingsFor(ctx, sandbox);
    if (settings) planSandboxCreate(ctx, release, sandbox, settings, [outlook.step], `sandbox ${sandbox.name} does not exist`);
    return;
  }
  const gateway = ctx.observedGateway(sandbox.gateway)!;
  if (gateway.sandboxes.state === "unknown") {
    ctx.unknown(factKey.gatewaySandboxes(sandbox.gateway), gateway.sandboxes, `sandbox ${sandbox.name} is not planned`, target);
    return;
  }
  const live = gateway.sandboxes.value.find((candidate) => candidate.name === sandbox.name);
  const elsewhere = ctx.liveSandbox(sandbox.name);
  if (!entry && !live) {
    if (elsewhere) {
      ctx.note("warning", `sandbox ${sandbox.name} runs on gateway ${elsewhere.gateway.name}, the fleet file puts it on ${sandbox.gateway}; moving a sandbox between gateways is not automated`, { target });
      return;
    }
    const settings = onboardSettingsFor(ctx, sandbox);
    if (settings) planSandboxCreate(ctx, release, sandbox, settings, [], `sandbox ${sandbox.name} does not exist`);
    return;
  }
  if (!entry) {
    ctx.note("warning", `sandbox ${sandbox.name} is live on gateway ${sandbox.gateway} but not registered with NemoClaw; nemoclaw commands cannot manage it`, { target, fact: factKey.registryEntry(sandbox.name) });
    return;
  }
  if (entry.gatewayName !== sandbox.gateway) {
    ctx.note("warning", `sandbox ${sandbox.name} is registered on gateway ${entry.gatewayName}, the fleet file puts it on ${sandbox.gateway}; moving a sandbox between gateways is not automated`, { target });
    return;
  }
  if (!live) {
    planStaleRecovery(ctx, release, sandbox, entry);
    return;
  }
  if (live.phase !== "Ready") {
    ctx.note(
      "warning",
      `sandbox ${sandbox.name} is stuck in phase ${live.phase}; nothing is planned for it (last resort: \`nemoclaw ${sandbox.name} rebuild --yes\`)`,
      { target, fact: factKey.sandbox(sandbox.gateway, sandbox.name) },
    );
    return;
  }
  ctx.sandboxes.set(sandbox.name, { kind: "present", live: { gateway, sandbox: live }, entry });
}

function planStaleRecovery(ctx: HostContext, release: Releases, sandbox: DesiredSandbox, entry: NonNullable<ReturnType<HostContext["registryEntry"]>>): void {
  const target = sandboxTarget(sandbox.name, sandbox.gateway);
  const gateway = entry.gatewayName;
  // NemoClaw's rebuild itself refuses both cases and points at the gateway switch first
  // (printWrongGatewayActiveGuidance, NC@9708c264:src/lib/actions/sandbox/gateway-state.ts:329-347).
  const refuse = (why: string) =>
    ctx.note(
      "warning",
      `sandbox ${sandbox.name} is registered but absent from gateway ${gateway}; stale recovery refused: ${why}. The registry entry is preserved; by hand on the host, \`openshell gateway select ${gateway}\`, then \`nemoclaw ${sandbox.name} rebuild --yes\` (or \`nemoclaw ${sandbox.name} destroy --yes\` if it should go)`,
      { target, fact: factKey.registryEntry(sandbox.name) },
    );
  if (!nemoclawHas(release.nemoclaw, "staleRecovery")) {
    ctx.note(
      "warning",
      `sandbox ${sandbox.name} is registered but absent from gateway ${gateway}; stale recovery is not planned: NemoClaw v${release.nemoclaw}'s rebuild refuses a sandbox its gateway does not have (\`Sandbox '${sandbox.name}' is not running. Cannot back up state.\`), recreating from the registry needs v${NEMOCLAW_SINCE.staleRecovery} or later. The registry entry is preserved; move the host to a newer release (nemoclaw.version) and apply again`,
      { target, fact: factKey.registryEntry(sandbox.name) },
    );
    return;
  }
  if (gateway !== DEFAULT_GATEWAY_NAME) {
    refuse(`it belongs to the per-port gateway ${gateway}, not the default ${DEFAULT_GATEWAY_NAME}`);
    return;
  }
  const active = ctx.observed.activeGateway;
  if (active.state === "unknown") {
    ctx.unknown("activeGateway", active, `stale recovery of ${sandbox.name} is not planned`, target);
    return;
  }
  if (active.value !== gateway) {
    refuse(`another gateway (${active.value ?? "none"}) is active`);
    return;
  }
  const shields = known(ctx.observed.shields)?.find((state) => state.sandbox === sandbox.name);
  const shieldsWereUp = shields?.mode === "locked";
  const step = ctx.steps.add({
    kind: "sandbox-stale-recover",
    target,
    reason: {
      summary: `sandbox ${sandbox.name} is registered but absent from the healthy gateway ${gateway}: recreate it from the preserved registry metadata (no live state to back up)`,
      desired: { field: "sandboxes", value: sandbox.name, source: sourceOf(sandbox, "name") },
      observed: { fact: factKey.gatewaySandboxes(gateway), value: "absent" },
    },
    risk: "safe",
    facts: [factKey.registryEntry(sandbox.name), factKey.gateway(gateway), factKey.gatewaySandboxes(gateway), "activeGateway", factKey.shields(sandbox.name)],
    commands: [rebuild(sandbox.name, release, sandbox.resources)],
    params: {
      sandbox: sandbox.name,
      gateway,
      // Snapshot ~/.nemoclaw/sandboxes.json's entry first; put it back byte for byte if the recreate fails.
      registry: { snapshot: true, restoreExactlyOnFailure: true },
      // After success, drop the dead sandbox's shields state; say whether shields must be re-applied.
      shields: { clearStaleState: true, reapply: shieldsWereUp },
    },
    hint: `If the recreate fails the registry entry is restored exactly; \`nemoclaw ${sandbox.name} destroy --yes\` removes it for good.`,
  });
  if (shieldsWereUp && sandbox.shields === undefined) {
    ctx.note("warning", `shields were up on ${sandbox.name} before it was lost; re-apply them after recovery with \`nemoclaw ${sandbox.name} shields up\``, { target });
  }
  ctx.sandboxes.set(sandbox.name, { kind: "recovering", step, entry });
}
