/**
 * The OpenShell install on a host: is it there, is it the pinned version, and do the running
 * gateways agree with it. Order matters and follows the field scenarios:
 *   1. the CLI must be observable (else nothing can be trusted);
 *   2. a gateway whose log shows a fatal migration is dead whatever `status` says: restart it with
 *      the installed binary when that is newer, else the host is blocked;
 *   3. CLI/gateway drift or protobuf mismatch → blocked with NemoClaw's preflight block, no steps;
 *   4. a pin lower than installed is refused; a higher pin is upgraded with verified backups first.
 */
import { installOpenShell, killProcess } from "../../host/system/commands.js";
import { onboard } from "../../host/nemoclaw/commands.js";
import { gatewayDestroy } from "../../host/openshell/commands.js";
import { type HostContext, type LiveSandbox, known } from "../context.js";
import { factKey } from "../fingerprint.js";
import { APPLY_PREFLIGHT_ACTION, checkSchema, gatewayDrift, preflightBlock, type PreflightWording } from "../preflight.js";
import type { Step } from "../types.js";
import { compareVersions, driverOfVersion, sameVersion, versionCore } from "../versions.js";
import { planBackup, planRestore } from "./backups.js";
import { gatewayTarget, hostTarget, onboardSettingsFor } from "./common.js";
import { planGatewayStart } from "./gateways.js";
import { planSandboxCreate } from "./sandboxes.js";

export function preflightWording(ctx: HostContext): PreflightWording {
  return { action: APPLY_PREFLIGHT_ACTION, command: `nemoclaw apply ${ctx.fleet.sourceFile}` };
}

/** Step 1. False when nothing more can be planned for the host. */
export function planOpenShellPresence(ctx: HostContext): boolean {
  const fact = ctx.observed.openshell;
  if (fact.state === "unknown") {
    ctx.unknown("openshell", fact, "nothing is planned for this host");
    return false;
  }
  const pin = pinnedVersion(ctx);
  if (pin === undefined) return false;
  if (!fact.value.installed) {
    if (pin === null) {
      ctx.note("warning", "OpenShell is not installed and the fleet file pins no openshell.version for this host; nothing is planned for its gateways and sandboxes");
      return false;
    }
    ctx.installStep = ctx.steps.add({
      kind: "openshell-install",
      target: hostTarget(ctx),
      reason: {
        summary: `OpenShell is not installed; the fleet file pins ${pin}`,
        desired: { field: "openshell.version", value: pin, source: `${ctx.host.source.file}:${ctx.host.source.line}` },
        observed: { fact: "openshell", value: null },
      },
      risk: "safe",
      facts: ["openshell"],
      commands: [installOpenShell(pin, { acknowledgeBreaking: false })],
      trustsSandboxState: false,
    });
    ctx.version = pin;
    return true;
  }
  const core = fact.value.version === null ? null : versionCore(fact.value.version);
  if (core === null) {
    ctx.unknown("openshell", { reason: "installed, but its version could not be read", excerpt: fact.value.version ?? fact.value.path ?? "" }, "nothing is planned for this host");
    return false;
  }
  ctx.version = core;
  return true;
}

/**
 * Step 2: gateways whose log shows `migration N was previously applied but is missing…`.
 * Such a gateway is dead whatever `status` says. A restart through NemoClaw runs the
 * `openshell-gateway` installed beside the CLI; that helps only when the installed binary is the
 * CLI's version and the binary that crashed is older. What crashed is known when an older version
 * still runs, when observe could ask the binary NemoClaw's marker recorded for its version, or when
 * that binary is the installed one (then nothing installed is new enough); otherwise its version is
 * unknown, and nothing is restarted on a guess.
 * Returns the names handled here (the drift check must not count them).
 */
export function planFatalMigrations(ctx: HostContext): Set<string> {
  const handled = new Set<string>();
  const installed = ctx.version;
  if (installed === null || ctx.installStep) return handled;
  for (const gateway of ctx.observedGateways()) {
    const fatal = gateway.health.fatalMigration;
    if (fatal === null) continue;
    handled.add(gateway.name);
    ctx.gateways.set(gateway.name, { state: "unavailable" });
    const target = gatewayTarget(gateway.name);
    if (gateway.runningVersion.state === "unknown") {
      ctx.unknown(factKey.gateway(gateway.name), gateway.runningVersion, "the crashed gateway is not restarted", target);
      continue;
    }
    const binary = ctx.observed.gatewayBinary;
    if (binary.state === "unknown") {
      ctx.unknown("gatewayBinary", binary, `gateway ${gateway.name} is not restarted`, target);
      continue;
    }
    const installedBinary = binary.value;
    const restartRunsInstalled =
      gateway.driver === "host-process" &&
      installedBinary.installed &&
      installedBinary.version !== null &&
      versionCore(installedBinary.version) !== null &&
      sameVersion(installedBinary.version, installed);
    const recorded = gateway.binaryVersion?.state === "known" ? gateway.binaryVersion.value : null;
    const crashed =
      gateway.runningVersion.value ?? recorded ?? (gateway.binary !== null && gateway.binary === installedBinary.path ? installedBinary.version : null);
    if (crashed === null) {
      ctx.unknown(
        factKey.gateway(gateway.name),
        { reason: `the version of the binary that crashed (${gateway.binary ?? "not recorded"}) is not known`, excerpt: fatal },
        "the crashed gateway is not restarted; `nemoclaw onboard --resume` restarts it with the installed OpenShell",
        target,
      );
      continue;
    }
    const crashedOlder = versionCore(crashed) !== null && compareVersions(crashed, installed) < 0;
    const desired = ctx.desiredGateway(gateway.name);
    if (restartRunsInstalled && crashedOlder && desired) {
      planGatewayStart(ctx, desired, {
        kind: "gateway-recover",
        driver: "host-process",
        reason: {
          summary: `gateway ${gateway.name} (${gateway.binary ?? "host-process gateway"}, ${crashed}) dies on a database migrated by a newer OpenShell; restart it with the installed ${installed}`,
          observed: { fact: factKey.gateway(gateway.name), value: fatal },
        },
        risk: "disruptive",
        before: gateway.pid !== null ? [killProcess(gateway.pid)] : [],
        facts: ["gatewayBinary"],
        ...(gateway.pid !== null ? { params: { stopPid: gateway.pid } } : {}),
        hint: "If the restarted gateway still reports a migration error, the database is newer than the installed OpenShell: install a version at least as new as the one that migrated it.",
      });
      continue;
    }
    if (restartRunsInstalled && crashedOlder) {
      ctx.note("warning", `gateway ${gateway.name} crashed (${fatal}) and is not in the fleet file; restart it with \`nemoclaw onboard --resume\``, { target });
      continue;
    }
    ctx.blocked = true;
    ctx.block = preflightBlock({ kind: "drift", drift: gatewayDrift(gateway, crashed, installed) }, installed, preflightWording(ctx));
    ctx.note(
      "warning",
      `gateway ${gateway.name} crashed: ${fatal}. Nothing installed is newer than the OpenShell that migrated its database, and a gateway can never be downgraded onto a database a newer one migrated; install an OpenShell at least that new`,
      { target, fact: factKey.gateway(gateway.name) },
    );
    return handled;
  }
  return handled;
}

/** Step 3: schema drift blocks the whole host. False when planning must stop. */
export function planSchemaCheck(ctx: HostContext, ignore: ReadonlySet<string>): boolean {
  if (ctx.version === null || ctx.installStep) return true;
  const check = checkSchema(ctx.observed, ctx.version, ignore);
  if (check.state === "clean") return true;
  if (check.state === "unknown") {
    ctx.unknown(check.fact, check, "without it a CLI/gateway schema drift cannot be ruled out, so nothing that trusts sandbox state is planned");
    return false;
  }
  ctx.blocked = true;
  ctx.block = preflightBlock(check.issue, ctx.version, preflightWording(ctx));
  return false;
}

/** Step 4: the pinned version against the installed one. */
export function planPin(ctx: HostContext): void {
  const installed = ctx.version;
  const pin = pinnedVersion(ctx);
  if (installed === null || ctx.installStep || !pin || sameVersion(pin, installed)) return;
  if (compareVersions(pin, installed) < 0) {
    ctx.blocked = true;
    ctx.note(
      "warning",
      `openshell.version pins ${pin}, lower than the installed ${installed}: refused — an older gateway must never start on a database a newer one migrated`,
      { fact: "openshell" },
    );
    return;
  }
  planUpgrade(ctx, installed, pin);
}

/** The pinned version as an x.y.z core; null when none is pinned, undefined (with a note) when unreadable. */
function pinnedVersion(ctx: HostContext): string | null | undefined {
  const pin = ctx.host.openshell?.version;
  if (pin === undefined) return null;
  const core = versionCore(pin);
  if (core === null) ctx.note("warning", `openshell.version ${JSON.stringify(pin)} is not an x.y.z version; nothing is planned for this host`);
  return core ?? undefined;
}

/**
 * Upgrade path (design scenario 3). Every live sandbox on every gateway gets a verified backup
 * first. Host-process era: stop the running gateway processes, install, start each gateway through
 * NemoClaw, restore any sandbox that did not survive. Cluster era (including 0.0.36 → 0.0.37):
 * upgrading the CLI never upgrades an existing cluster container, so the old gateways are retired
 * with the old CLI, then the new version is installed, the gateways started and each sandbox
 * recreated and restored from this run's backup.
 */
function planUpgrade(ctx: HostContext, installed: string, pin: string): void {
  const retire = driverOfVersion(installed) === "cluster-container";
  const crossesBreakingRelease = retire && driverOfVersion(pin) === "host-process";
  const live = ctx.liveSandboxes();
  if (!upgradeIsSafe(ctx, installed, pin, retire, live)) return;

  const backups = new Map<string, Step>();
  for (const { gateway, sandbox } of live) {
    const policy = ctx.coveringPolicies(sandbox.name)[0] ?? null;
    backups.set(
      sandbox.name,
      planBackup(ctx, { sandbox: sandbox.name, gateway: gateway.name, purpose: "openshell-upgrade", policy, verify: true, detail: `${installed} → ${pin}` }),
    );
  }
  const allBackups = [...backups.values()];
  const stopped: Step[] = [];
  for (const gateway of ctx.observedGateways()) {
    const facts = [factKey.gateway(gateway.name), factKey.gatewaySandboxes(gateway.name)];
    if (retire) {
      stopped.push(
        ctx.steps.add({
          kind: "gateway-retire",
          target: gatewayTarget(gateway.name),
          reason: {
            summary: `OpenShell ${pin} cannot take over the ${installed} cluster gateway: retire it with the installed CLI after its sandboxes are backed up`,
            observed: { fact: factKey.gateway(gateway.name), value: gateway.image ?? gateway.driver },
          },
          risk: "destructive",
          dependsOn: allBackups,
          facts,
          commands: [gatewayDestroy(gateway.name)],
          params: { gateway: gateway.name, requiresVerifiedBackups: allBackups.map((step) => step.id) },
          hint: "Only run after every backup of this run verified; the sandboxes are recreated and restored from them.",
        }),
      );
    } else if (gateway.pid !== null) {
      stopped.push(
        ctx.steps.add({
          kind: "gateway-stop",
          target: gatewayTarget(gateway.name),
          reason: { summary: `stop the running ${installed} gateway before installing ${pin}`, observed: { fact: factKey.gateway(gateway.name), value: gateway.pid } },
          risk: "disruptive",
          dependsOn: allBackups,
          facts,
          commands: [killProcess(gateway.pid)],
          params: { gateway: gateway.name, stopPid: gateway.pid, binary: gateway.binary },
        }),
      );
    }
  }
  const install = ctx.steps.add({
    kind: "openshell-install",
    target: hostTarget(ctx),
    reason: {
      summary: `upgrade OpenShell ${installed} → ${pin}${crossesBreakingRelease ? " (breaking release 0.0.37: old gateway state is incompatible)" : ""}`,
      desired: { field: "openshell.version", value: pin, source: `${ctx.host.source.file}:${ctx.host.source.line}` },
      observed: { fact: "openshell", value: installed },
    },
    risk: "disruptive",
    dependsOn: [...allBackups, ...stopped],
    facts: ["openshell", "gateways"],
    commands: [installOpenShell(pin, { acknowledgeBreaking: crossesBreakingRelease })],
  });
  ctx.installStep = install;
  ctx.version = pin;

  const driver = driverOfVersion(pin);
  for (const gateway of ctx.host.gateways) {
    const start = planGatewayStart(ctx, gateway, {
      kind: "gateway-start",
      driver,
      reason: { summary: `start gateway ${gateway.name} on OpenShell ${pin}`, observed: { fact: factKey.gateway(gateway.name), value: ctx.observedGateway(gateway.name)?.health.status ?? null } },
      risk: "safe",
    });
    if (!start) ctx.gateways.set(gateway.name, { state: "unavailable" });
  }
  for (const { gateway, sandbox } of live) {
    restoreAfterUpgrade(ctx, sandbox.name, gateway.name, backups.get(sandbox.name)!, retire);
  }
}

function restoreAfterUpgrade(ctx: HostContext, name: string, observedGateway: string, backup: Step, recreated: boolean): void {
  const desired = ctx.desiredSandbox(name)!;
  const outlook = ctx.gateways.get(desired.gateway);
  if (outlook?.state !== "starting") return;
  const settings = onboardSettingsFor(ctx, desired);
  if (!settings) return;
  if (recreated) {
    const created = outlook.step.params?.sandbox === name ? outlook.step : planSandboxCreate(ctx, desired, settings, [outlook.step], "recreate after the OpenShell upgrade");
    ctx.handledSandboxes.set(
      name,
      planRestore(ctx, { sandbox: name, gateway: desired.gateway, backup, dependsOn: [created], detail: `restore ${name} from this run's backup into its recreated sandbox` }),
    );
    return;
  }
  ctx.handledSandboxes.set(
    name,
    planRestore(ctx, {
      sandbox: name,
      gateway: desired.gateway,
      backup,
      dependsOn: [outlook.step],
      onlyIfMissing: onboard(settings),
      detail: `restore ${name} only if it did not survive the gateway restart (was on ${observedGateway})`,
    }),
  );
}

/** Everything an upgrade needs must be known and safe; otherwise say why and keep the installed version. */
function upgradeIsSafe(ctx: HostContext, installed: string, pin: string, retire: boolean, live: LiveSandbox[]): boolean {
  const refusals: string[] = [];
  for (const gateway of ctx.observedGateways()) {
    if (gateway.sandboxes.state === "unknown") {
      ctx.unknown(factKey.gatewaySandboxes(gateway.name), gateway.sandboxes, "its sandboxes cannot be backed up, so the OpenShell upgrade is not planned", gatewayTarget(gateway.name));
      refusals.push(`the sandboxes of gateway ${gateway.name} are unknown`);
    }
    const running = known(gateway.runningVersion) !== null;
    if (running && !ctx.desiredGateway(gateway.name)) refusals.push(`gateway ${gateway.name} is running but not in the fleet file, so it could not be restarted`);
    if (running && !retire && gateway.pid === null) refusals.push(`the pid of running gateway ${gateway.name} is unknown`);
  }
  for (const { gateway, sandbox } of live) {
    if (sandbox.phase !== "Ready") refusals.push(`sandbox ${sandbox.name} on ${gateway.name} is ${sandbox.phase} and cannot be backed up`);
    if (!ctx.desiredSandbox(sandbox.name)) refusals.push(`sandbox ${sandbox.name} is not in the fleet file, so it could not be recreated`);
    else if (retire && ctx.isProtected(sandbox.name)) refusals.push(`sandbox ${sandbox.name} is protected and retiring its gateway would destroy it`);
    if (!ctx.coveringPolicies(sandbox.name)[0] && !ctx.registryEntry(sandbox.name)) {
      refusals.push(`sandbox ${sandbox.name} is covered by no backup policy and not registered with NemoClaw, so it cannot be backed up`);
    }
  }
  if (!ctx.nemoclawInstalled && driverOfVersion(pin) === "host-process") refusals.push("NemoClaw is not installed, so no gateway could be started afterwards");
  if (refusals.length === 0) return true;
  ctx.note("warning", `OpenShell stays at ${installed} (the fleet file pins ${pin}): ${refusals.join("; ")}`, { fact: "openshell", target: hostTarget(ctx) });
  return false;
}
