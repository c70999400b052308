/**
 * Gateways: start the missing or stopped ones, recover the unhealthy ones — always before their
 * sandboxes. Cluster era: `openshell gateway start` resumes from the existing volume (never
 * `--recreate`, never a volume removal). Host-process era: NemoClaw starts a gateway only while
 * onboarding a sandbox, so the gateway's first sandbox from the file is onboarded on its port.
 */
import type { DesiredGateway, GatewayDriver } from "../../config/types.js";
import { killProcess } from "../../host/system/commands.js";
import { onboard } from "../../host/nemoclaw/commands.js";
import { clusterGatewayGpuDetected, clusterGatewayStart, nemoclawSeesNvidiaGpu } from "../../host/nemoclaw/cluster-gateway.js";
import { NEMOCLAW_RELEASE_RULES } from "../../host/nemoclaw/release-rules.js";
import { gatewayStart, gatewayStop } from "../../host/openshell/commands.js";
import { type HostContext, known } from "../context.js";
import { factKey } from "../fingerprint.js";
import type { PlannedCommand, Risk, Step, StepKind, StepReason } from "../types.js";
import { sameVersion, versionCore } from "../versions.js";
import { gatewayTarget, onboardSettingsFor } from "./common.js";

export interface StartRequest {
  kind: Extract<StepKind, "gateway-start" | "gateway-recover">;
  driver: GatewayDriver;
  reason: StepReason;
  risk: Risk;
  dependsOn?: (Step | undefined)[];
  /** Commands that must run first (stopping what is left of the old process). */
  before?: PlannedCommand[];
  facts?: string[];
  /** Extra executor parameters (e.g. `stopPid`: the observed pid a `kill` may only hit). */
  params?: Record<string, unknown>;
  hint?: string;
}

/** Plans starting a desired gateway, or notes why it cannot be; returns the step. */
export function planGatewayStart(ctx: HostContext, gateway: DesiredGateway, request: StartRequest): Step | undefined {
  const refused = ctx.release === null ? [] : NEMOCLAW_RELEASE_RULES.gatewayProblems(gateway, ctx.release).filter((problem) => problem.severity === "error");
  if (refused.length > 0) {
    ctx.note("warning", `gateway ${gateway.name} (${gateway.source.file}:${gateway.source.line}) is not started: ${refused.map((problem) => `${problem.field.join(".")}: ${problem.message}`).join("; ")}`, {
      target: gatewayTarget(gateway.name),
    });
    return undefined;
  }
  let command: PlannedCommand;
  let sandbox: string | undefined;
  const facts = [factKey.gateway(gateway.name), "openshell", ...(request.facts ?? [])];
  if (request.driver === "cluster-container") {
    const start = clusterStart(ctx, gateway);
    if (start === undefined) return undefined;
    command = start;
    if (ctx.release !== null && clusterGatewayGpuDetected(ctx.release)) facts.push("gpus");
  } else {
    if (!ctx.nemoclawInstalled || ctx.release === null) {
      ctx.note("warning", `gateway ${gateway.name} cannot be started: NemoClaw is not installed`, { target: gatewayTarget(gateway.name) });
      return undefined;
    }
    const first = ctx.desiredSandboxesOn(gateway.name)[0];
    const settings = first ? onboardSettingsFor(ctx, first) : null;
    if (!first) {
      ctx.note(
        "warning",
        `gateway ${gateway.name} has no sandbox in the fleet file; NemoClaw starts a host-process gateway only while onboarding a sandbox, so it is not started`,
        { target: gatewayTarget(gateway.name) },
      );
    }
    if (!settings || !first) return undefined;
    command = onboard(settings, ctx.release);
    sandbox = first.name;
  }
  const step = ctx.steps.add({
    kind: request.kind,
    target: gatewayTarget(gateway.name),
    reason: request.reason,
    risk: request.risk,
    dependsOn: [ctx.installStep, ...(request.dependsOn ?? [])],
    facts,
    commands: [...(request.before ?? []), command],
    params: { gateway: gateway.name, port: gateway.port, driver: request.driver, ...(sandbox ? { sandbox } : {}), ...request.params },
    ...(request.hint ? { hint: request.hint } : {}),
  });
  ctx.gateways.set(gateway.name, { state: "starting", driver: request.driver, step });
  return step;
}

/**
 * A cluster-era gateway starts as the host's NemoClaw release starts it (cluster-gateway.ts): from
 * v0.0.36 with `--gpu` when nvidia-smi shows an NVIDIA GPU, so its sandboxes get the GPU and
 * NemoClaw's next onboard accepts it. Without NemoClaw, as OpenShell's own default.
 */
function clusterStart(ctx: HostContext, gateway: DesiredGateway): PlannedCommand | undefined {
  if (ctx.release === null) return gatewayStart(gateway.name, gateway.port);
  const gpus = ctx.observed.gpus;
  if (gpus.state === "unknown" && clusterGatewayGpuDetected(ctx.release)) {
    ctx.unknown(
      "gpus",
      gpus,
      `gateway ${gateway.name} is not started: NemoClaw v${ctx.release.nemoclaw} gives a cluster gateway the GPU when nvidia-smi shows one, and one started without it cannot take GPU sandboxes`,
      gatewayTarget(gateway.name),
    );
    return undefined;
  }
  return clusterGatewayStart(gateway.name, gateway.port, ctx.release, known(gpus) ?? []);
}

/** Gateways an earlier rule (upgrade, migration recovery) has not already decided. */
export function planGateways(ctx: HostContext): void {
  for (const gateway of ctx.host.gateways) {
    if (ctx.gateways.has(gateway.name)) continue;
    planGateway(ctx, gateway);
  }
  for (const observed of ctx.observedGateways()) {
    if (!ctx.desiredGateway(observed.name)) {
      ctx.note("info", `gateway ${observed.name} is not in the fleet file; it is left alone`, { target: gatewayTarget(observed.name) });
    }
  }
}

function planGateway(ctx: HostContext, gateway: DesiredGateway): void {
  const observed = ctx.observedGateway(gateway.name);
  const target = gatewayTarget(gateway.name);
  const desired = { field: "gateways", value: { name: gateway.name, port: gateway.port }, source: `${gateway.source.file}:${gateway.source.line}` };
  const eraDriver = ctx.driver;
  if (!observed) {
    if (eraDriver === null) return;
    planGatewayStart(ctx, gateway, {
      kind: "gateway-start",
      driver: eraDriver,
      reason: { summary: `gateway ${gateway.name} does not exist`, desired, observed: { fact: factKey.gateway(gateway.name), value: null } },
      risk: "safe",
    });
    return;
  }
  const driver = observed.driver === "unknown" ? null : observed.driver;
  if (observed.gpuPassthrough === false) noteGpuLessGateway(ctx, gateway.name);
  if (gateway.driver !== undefined && driver !== null && gateway.driver !== driver) {
    ctx.note(
      "warning",
      `gateway ${gateway.name} runs the ${driver} driver, the fleet file asks for ${gateway.driver}; the driver follows the OpenShell release: it changes only by moving the host to a NemoClaw release on the other side of OpenShell 0.0.37 (nemoclaw.version, with backups), never in place`,
      { target, fact: factKey.gateway(gateway.name) },
    );
  }
  const health = observed.health;
  if (health.status === "healthy") {
    if (driver === null) {
      ctx.note("warning", `gateway ${gateway.name} is healthy but its driver is unknown; its sandboxes are not planned`, { target, fact: factKey.gateway(gateway.name) });
      ctx.gateways.set(gateway.name, { state: "unavailable" });
      return;
    }
    if (observed.port !== null && observed.port !== gateway.port) {
      ctx.note("warning", `gateway ${gateway.name} listens on port ${observed.port}, the fleet file says ${gateway.port}; a gateway's port is not changed in place`, { target });
    }
    ctx.gateways.set(gateway.name, { state: "ready", driver });
    return;
  }
  if (health.status === "unknown" || driver === null) {
    ctx.unknown(factKey.gateway(gateway.name), { reason: health.reason, excerpt: health.reason }, "nothing is planned for this gateway or its sandboxes", target);
    ctx.gateways.set(gateway.name, { state: "unavailable" });
    return;
  }
  const reason: StepReason = {
    summary: `gateway ${gateway.name} is ${health.status}: ${health.reason}`,
    desired,
    observed: { fact: factKey.gateway(gateway.name), value: health.status },
  };
  if (health.status === "stopped") {
    const image = driver === "cluster-container" ? known(observed.runningVersion) : null;
    if (image && ctx.version !== null && versionCore(image) !== null && !sameVersion(image, ctx.version)) {
      // `gateway start` resumes the existing container, old image and all: it would come back drifted.
      ctx.note(
        "warning",
        `gateway ${gateway.name} is stopped and its container is OpenShell ${image} while the CLI is ${ctx.version}; starting it would resume the old image (schema drift), so it is not started — back up its sandboxes and recreate it with \`nemoclaw onboard --resume\``,
        { target, fact: factKey.gateway(gateway.name) },
      );
      ctx.gateways.set(gateway.name, { state: "unavailable" });
      return;
    }
    planGatewayStart(ctx, gateway, { kind: "gateway-start", driver, reason, risk: "safe", hint: startHint(driver, gateway.name) });
    return;
  }
  const before =
    driver === "cluster-container" ? [gatewayStop(gateway.name)] : observed.pid !== null ? [killProcess(observed.pid)] : [];
  planGatewayStart(ctx, gateway, {
    kind: "gateway-recover",
    driver,
    reason,
    risk: "disruptive",
    before,
    ...(observed.pid !== null && driver === "host-process" ? { params: { stopPid: observed.pid } } : {}),
    hint: startHint(driver, gateway.name),
  });
}

/**
 * A cluster gateway created without `--gpu` on a host where NemoClaw v0.0.36+ gives it the GPU: its
 * sandboxes have no GPU, and NemoClaw's onboard refuses to reuse it, so no sandbox can be created
 * on it (NC@e0ab181d:src/lib/onboard.ts:9851-9868). Only NemoClaw's own fix, which destroys the
 * gateway, repairs it; the tool does not plan that.
 */
function noteGpuLessGateway(ctx: HostContext, gateway: string): void {
  const gpus = known(ctx.observed.gpus);
  if (ctx.release === null || !clusterGatewayGpuDetected(ctx.release) || gpus === null || !nemoclawSeesNvidiaGpu(gpus)) return;
  ctx.note(
    "warning",
    `gateway ${gateway} was started without GPU passthrough on a host with an NVIDIA GPU: its sandboxes cannot use the GPU, and NemoClaw v${ctx.release.nemoclaw}'s onboard refuses to reuse it ("Existing gateway was started without GPU passthrough."), so no sandbox can be created on it. NemoClaw's fix destroys the gateway and every sandbox on it: back them up (\`nemoclaw backup run\`), run \`nemoclaw <sandbox> destroy --yes\` for each, then \`nemoclaw onboard --gpu\` on the host, and restore (docs/releases.md)`,
    { target: gatewayTarget(gateway), fact: factKey.gateway(gateway) },
  );
}

function startHint(driver: GatewayDriver, gateway: string): string {
  return driver === "cluster-container"
    ? `Check \`openshell status\` and \`docker logs openshell-cluster-${gateway}\`; never use \`gateway start --recreate\` or remove its volume: that deletes every sandbox on it.`
    : `Check \`openshell status\` and the gateway log under ~/.local/state/nemoclaw/; \`nemoclaw onboard --resume\` repairs the gateway with the installed OpenShell.`;
}
