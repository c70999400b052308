/** One host's plan: the rules in dependency order, then the preflight, status and fingerprints. */
import { gatewayBinaryVersion } from "../host/system/commands.js";
import { clusterImage } from "../host/docker/commands.js";
import { openshellVersion } from "../host/openshell/commands.js";
import { type HostContext, known } from "./context.js";
import { factFingerprints, factKey, factKeysOf } from "./fingerprint.js";
import { factValues } from "./fact-values.js";
import { planDueBackups, planShieldsAfterBackups } from "./rules/backups.js";
import { hostTarget } from "./rules/common.js";
import { planGateways } from "./rules/gateways.js";
import { planGuards } from "./rules/guards.js";
import { planFatalMigrations, planSchemaCheck, preflightWording } from "./rules/openshell.js";
import { planReleaseChange, planReleases } from "./rules/releases.js";
import { planSandboxes } from "./rules/sandboxes.js";
import { planSettings } from "./rules/settings.js";
import { narrowToTargets } from "./rules/targets.js";
import { planUnmanaged } from "./rules/unmanaged.js";
import { holdBackAbove } from "./risk-ceiling.js";
import type { HeldBackStep, HostPlan, HostPlanStatus, PlannedCommand } from "./types.js";
import { versionCore } from "./versions.js";
import { unreachableLabel } from "../observe/unreachable.js";

export function planHost(ctx: HostContext): HostPlan {
  const { observed } = ctx;
  if (observed.unreachable) {
    ctx.note("warning", `${unreachableLabel(observed.unreachable)}: ${observed.unreachable.message}`);
    return finish(ctx, "unreachable");
  }
  const skipPreflight = runRules(ctx);
  if (ctx.blocked) return finish(ctx, "blocked");
  narrowToTargets(ctx);
  const heldBack = holdBackAboveCeiling(ctx);
  if (ctx.steps.steps.length > 0 && ctx.steps.trustsSandboxState && !skipPreflight.fresh) addPreflight(ctx, skipPreflight.gateways);
  const pending = ctx.steps.steps.length > 0 || heldBack.length > 0;
  const status: HostPlanStatus = pending ? "changes" : ctx.unknownFacts > 0 ? "unknown" : "no-changes";
  return finish(ctx, status, heldBack);
}

/** With `--max-risk`, the steps above it (and what needs them) leave the plan and are listed as held back. */
function holdBackAboveCeiling(ctx: HostContext): HeldBackStep[] {
  const ceiling = ctx.options.maxRisk;
  if (ceiling === undefined) return [];
  const { kept, held } = holdBackAbove(ctx.steps.steps, ceiling);
  ctx.steps.retain(kept);
  return held;
}

/** Runs the rules; reports what the preflight must leave out (a fresh host, crashed gateways). */
function runRules(ctx: HostContext): { fresh: boolean; gateways: ReadonlySet<string> } {
  const none = { fresh: false, gateways: new Set<string>() };
  noteHostConditions(ctx);
  if (!planReleases(ctx)) return none;
  const docker = known(ctx.observed.docker);
  if (docker && !docker.reachable) {
    ctx.note("warning", `Docker is not reachable (${docker.error ?? "no error text"}); nothing that needs it is planned`, { fact: "docker" });
    return { fresh: ctx.installStep !== undefined, gateways: none.gateways };
  }
  if (ctx.installStep) {
    planGateways(ctx);
    planSandboxes(ctx);
    planDueBackups(ctx);
    planShieldsAfterBackups(ctx);
    return { fresh: true, gateways: none.gateways };
  }
  const crashed = planFatalMigrations(ctx);
  if (ctx.blocked || !planSchemaCheck(ctx, crashed)) return none;
  planReleaseChange(ctx);
  if (ctx.blocked) return none;
  planGateways(ctx);
  planSandboxes(ctx);
  planGuards(ctx);
  planDueBackups(ctx);
  planSettings(ctx);
  planUnmanaged(ctx);
  // Last: shields lowered for any backup above go back up after everything else.
  planShieldsAfterBackups(ctx);
  return { fresh: false, gateways: crashed };
}

function noteHostConditions(ctx: HostContext): void {
  const { nemoclaw, registry, fleetLock } = ctx.observed;
  if (nemoclaw.state === "unknown") ctx.unknown("nemoclaw", nemoclaw, "nothing is planned for this host: neither NemoClaw's nor OpenShell's installer may run beside a NemoClaw that cannot be read");
  else if (!nemoclaw.value.installed && ctx.host.nemoclaw === undefined) {
    ctx.note("warning", "NemoClaw is not installed: sandboxes cannot be managed on this host (set nemoclaw.version to install it)", { fact: "nemoclaw" });
  }
  if (known(registry)?.locked) ctx.note("warning", "NemoClaw's registry lock is held (another nemoclaw command may be writing); apply waits for it", { fact: "registry" });
  const lock = known(fleetLock);
  if (lock) ctx.note("info", `a fleet run holds this host's lock: ${lock.user}@${lock.machine} pid ${lock.pid} (run ${lock.runId}) until ${lock.expiresAt}`, { fact: "fleetLock" });
}

/**
 * The first step of a host that trusts sandbox state: right before anything changes, the executor
 * re-reads the CLI and each running gateway's version and refuses with the same block on drift.
 */
function addPreflight(ctx: HostContext, skip: ReadonlySet<string>): void {
  const cli = known(ctx.observed.openshell);
  const installed = cli?.version ? versionCore(cli.version) : null;
  const running = ctx.observedGateways().filter((gateway) => !skip.has(gateway.name) && known(gateway.runningVersion) !== null);
  const commands: PlannedCommand[] = [openshellVersion()];
  for (const gateway of running) {
    if (gateway.driver === "cluster-container") commands.push(clusterImage(gateway.name));
    else if (gateway.binary) commands.push(gatewayBinaryVersion(gateway.binary));
  }
  const wording = preflightWording(ctx);
  ctx.steps.prepend({
    id: `preflight:${ctx.host.name}`,
    kind: "preflight",
    target: hostTarget(ctx),
    reason: {
      summary: "re-check the installed OpenShell against every running gateway right before anything changes",
      observed: { fact: "openshell", value: installed },
    },
    risk: "safe",
    fidelity: "exact",
    facts: ["openshell", ...running.map((gateway) => factKey.gateway(gateway.name))].sort(),
    commands,
    params: {
      installedVersion: installed,
      gateways: running.map((gateway) => ({ name: gateway.name, driver: gateway.driver })),
      // Gateways that crashed on a migration and that this plan handles (restarts, or leaves
      // alone with a note): apply's re-check leaves them out while their log still shows it.
      ...(skip.size > 0 ? { crashedGateways: [...skip].sort() } : {}),
      action: wording.action,
      command: wording.command,
    },
    hint: "On drift nothing was changed on this host; follow the recovery in the printed block.",
  });
}

function finish(ctx: HostContext, status: HostPlanStatus, heldBack: HeldBackStep[] = []): HostPlan {
  const steps = status === "blocked" || status === "unreachable" ? [] : ctx.steps.steps;
  const keys = factKeysOf({ steps });
  return {
    host: ctx.host.name,
    status,
    steps,
    ...(heldBack.length > 0 ? { heldBack } : {}),
    ...(status === "blocked" && ctx.block ? { block: ctx.block } : {}),
    notes: ctx.notes,
    fingerprints: factFingerprints(ctx.observed, keys),
    factValues: factValues(ctx.observed, keys),
  };
}
