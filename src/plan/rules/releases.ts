/**
 * Which NemoClaw and OpenShell a host runs, and is to run (real-cli-2026-12 §0, §8). On a NemoClaw
 * host OpenShell belongs to NemoClaw: each NemoClaw release pins one OpenShell release and installs
 * it itself, so the fleet file chooses the NemoClaw release (`nemoclaw.version`) and OpenShell
 * follows. Moving a host to another release is a planned, risky change: verified backups of every
 * sandbox on every gateway first, then NemoClaw's own installer at the target release, then
 * verification by observation — never by the installer's exit code, which is wrong in both
 * directions in the field. There is no downgrade: gateway databases migrate forward only.
 * Hosts without NemoClaw keep an OpenShell pin, installed with OpenShell's own installer.
 */
import { DEFAULT_OPENSHELL_INSTALLER, versionAtLeast } from "../../config/openshell-version.js";
import { gatewayDestroy } from "../../host/openshell/commands.js";
import { installNemoClaw, onboard, type OnboardSettings } from "../../host/nemoclaw/commands.js";
import {
  describePin,
  nemoclawHas,
  nemoclawRelease,
  NEWEST_NEMOCLAW,
  pinAccepts,
  releaseProblem,
  usableRelease,
  type OpenShellPin,
} from "../../host/nemoclaw/releases.js";
import { OPENSHELL_SINCE } from "../../host/openshell/releases.js";
import { installOpenShell } from "../../host/system/commands.js";
import { type HostContext, type LiveSandbox, known } from "../context.js";
import { factKey } from "../fingerprint.js";
import type { RegistryEntry } from "../../observe/types.js";
import type { Step } from "../types.js";
import { compareVersions, driverOfVersion, sameVersion, versionCore } from "../versions.js";
import { planBackup, planRestore } from "./backups.js";
import { gatewayTarget, hostTarget, onboardSettingsFor } from "./common.js";
import { planGatewayStart } from "./gateways.js";

/** What the host's NemoClaw is, as far as planning goes. */
type InstalledNemoClaw =
  | { state: "absent" }
  | { state: "usable"; version: string; pin: OpenShellPin }
  /** Installed, but no release the tool can plan with (a note says why). */
  | { state: "unusable" };

/** Step 1: what is installed, and what a host without OpenShell or NemoClaw gets. False: plan nothing more. */
export function planReleases(ctx: HostContext): boolean {
  const openshell = ctx.observed.openshell;
  if (openshell.state === "unknown") {
    ctx.unknown("openshell", openshell, "nothing is planned for this host");
    return false;
  }
  const installed = installedNemoClaw(ctx);
  if (installed.state === "unusable") return false;
  const desired = desiredNemoClaw(ctx);
  if (desired === undefined) return false;

  if (!openshell.value.installed) {
    if (installed.state === "usable") {
      // NemoClaw without its OpenShell: its own installer puts the pinned one back.
      if (desired === null) {
        ctx.note("warning", `NemoClaw v${installed.version} is installed but OpenShell is not; set nemoclaw.version for this host to reinstall NemoClaw with the OpenShell it pins`);
        return false;
      }
      planNemoClawInstall(ctx, desired, { reason: `OpenShell is not installed beside NemoClaw v${installed.version}`, risk: "disruptive" });
      return true;
    }
    if (desired !== null) {
      planNemoClawInstall(ctx, desired, { reason: "NemoClaw is not installed", risk: "safe" });
      return true;
    }
    return planBareOpenShellInstall(ctx);
  }

  const core = openshell.value.version === null ? null : versionCore(openshell.value.version);
  if (core === null) {
    ctx.unknown("openshell", { reason: "installed, but its version could not be read", excerpt: openshell.value.version ?? openshell.value.path ?? "" }, "nothing is planned for this host");
    return false;
  }
  ctx.version = core;
  if (installed.state === "usable") {
    ctx.release = { nemoclaw: installed.version, openshell: core };
    if (!pinAccepts(installed.pin, core)) {
      ctx.note(
        "warning",
        `NemoClaw v${installed.version} runs ${describePin(installed.pin)}, but OpenShell ${core} is installed: its onboard refuses other versions; ${desired === null ? "set nemoclaw.version to reinstall NemoClaw with the OpenShell it pins" : "the NemoClaw installer reinstalls it"}`,
        { fact: "openshell" },
      );
    }
  } else if (desired !== null) {
    planNemoClawInstall(ctx, desired, { reason: `NemoClaw is not installed (OpenShell ${core} is)`, risk: "disruptive" });
  }
  return true;
}

/** The NemoClaw the host runs: absent, a release to plan with, or one the tool cannot plan with (then a note says why). */
function installedNemoClaw(ctx: HostContext): InstalledNemoClaw {
  const fact = ctx.observed.nemoclaw;
  // A `nemoclaw` that was found but could not be read is not an absent one: taking it for absent
  // would put OpenShell's own installer on a NemoClaw host (real-cli-2026-12 §8.5.1), or run
  // NemoClaw's installer with no backups and no downgrade check (noteHostConditions says why).
  if (fact.state === "unknown") return { state: "unusable" };
  if (!fact.value.installed) return { state: "absent" };
  const version = fact.value.version;
  if (version === null) {
    ctx.unknown("nemoclaw", { reason: "installed, but `nemoclaw --version` printed no release", excerpt: fact.value.path ?? "" }, "nothing that depends on its release is planned");
    return { state: "unusable" };
  }
  const release = nemoclawRelease(version);
  const usable = usableRelease(release);
  if (usable === null) {
    ctx.unknown("nemoclaw", { reason: releaseProblem(release)!, excerpt: version }, "nothing that depends on its release is planned; move the host to a supported release with NemoClaw's installer by hand");
    return { state: "unusable" };
  }
  if (release.kind === "newer") {
    ctx.note("info", `NemoClaw v${release.version} is newer than the newest release this tool knows (v${NEWEST_NEMOCLAW}); it is planned for as v${NEWEST_NEMOCLAW}`, { fact: "nemoclaw" });
  }
  ctx.nemoclawInstalled = true;
  return { state: "usable", ...usable };
}

/** The release the fleet file chooses (null: none), or undefined (with a note) when it cannot be planned with. */
function desiredNemoClaw(ctx: HostContext): { version: string; pin: OpenShellPin } | null | undefined {
  const chosen = ctx.host.nemoclaw;
  if (chosen === undefined) return null;
  const release = nemoclawRelease(chosen.version);
  const usable = release.kind === "known" ? usableRelease(release) : null;
  if (usable === null) {
    ctx.note("warning", `nemoclaw.version ${chosen.version}: ${releaseProblem(release) ?? `newer than the newest release this tool knows (v${NEWEST_NEMOCLAW})`}; nothing is planned for this host`);
    return undefined;
  }
  return usable;
}

/** A host without NemoClaw: OpenShell's own installer, when the fleet file pins a version. */
function planBareOpenShellInstall(ctx: HostContext): boolean {
  const pin = pinnedOpenShell(ctx);
  if (pin === undefined) return false;
  if (pin === null) {
    ctx.note("warning", "Neither NemoClaw nor OpenShell is installed, and the fleet file names no nemoclaw.version (or openshell.version) for this host; nothing is planned for it");
    return false;
  }
  if (installerCannotInstall(ctx, pin)) return false;
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
    commands: [installOpenShell(pin, { acknowledgeBreaking: false, installer: ctx.host.openshell?.installer })],
    trustsSandboxState: false,
    hint: "OpenShell's installer needs root or passwordless sudo on the host; it registers and selects its own gateway `openshell` on port 17670.",
  });
  ctx.version = pin;
  return true;
}

/** The OpenShell version the fleet file pins (x.y.z), null when none, undefined (with a note) when unreadable. */
function pinnedOpenShell(ctx: HostContext): string | null | undefined {
  const pin = ctx.host.openshell?.version;
  if (pin === undefined) return null;
  const core = versionCore(pin);
  if (core === null) ctx.note("warning", `openshell.version ${JSON.stringify(pin)} is not an x.y.z version; nothing is planned for this host`);
  return core ?? undefined;
}

/**
 * OpenShell's current installer installs release packages, and releases up to 0.0.36 published
 * tarballs only (their release workflow builds no .deb: OS@v0.0.36:.github/workflows/release-tag.yml;
 * packages start with 0.0.37), so it fails on them with `no Debian package found for
 * architecture` (OS@2f7fb655:install.sh:559-570,885-901). Such a pin needs that release's own
 * installer in openshell.installer. True (with a note) when the install cannot work.
 */
function installerCannotInstall(ctx: HostContext, pin: string): boolean {
  const installer = ctx.host.openshell?.installer ?? DEFAULT_OPENSHELL_INSTALLER;
  if (installer !== DEFAULT_OPENSHELL_INSTALLER || driverOfVersion(pin) !== "cluster-container") return false;
  ctx.note(
    "warning",
    `openshell.version ${pin} is not installed: OpenShell's current installer installs release packages, and releases up to 0.0.36 have none ("no Debian package found for architecture"); set openshell.installer to that release's own installer (https://raw.githubusercontent.com/NVIDIA/OpenShell/v${pin}/install.sh) or pin 0.0.37 or later`,
    { fact: "openshell" },
  );
  return true;
}

/** The sandbox NemoClaw's installer onboards (its `onboard` runs with this sandbox's settings), and the gateway it lands on. */
function installerOnboard(ctx: HostContext): { settings: OnboardSettings; gateway: string } | null {
  for (const gateway of ctx.host.gateways) {
    const first = ctx.desiredSandboxesOn(gateway.name)[0];
    if (first === undefined) continue;
    const settings = onboardSettingsFor(ctx, first);
    return settings === null ? null : { settings, gateway: gateway.name };
  }
  return null;
}

/**
 * NemoClaw's installer onto a host without a usable NemoClaw (or without its OpenShell). Its
 * onboard creates the first sandbox of the first gateway in the fleet file, starting that gateway.
 */
function planNemoClawInstall(ctx: HostContext, target: { version: string; pin: OpenShellPin }, why: { reason: string; risk: "safe" | "disruptive" }): void {
  const { step, first } = addInstallStep(ctx, target, {
    summary: (first) => `${why.reason}; install NemoClaw v${target.version} (${describePin(target.pin)})${first ? `, onboarding sandbox ${first}` : ""}`,
    observed: known(ctx.observed.nemoclaw)?.version ?? null,
    risk: why.risk,
    facts: [],
    dependsOn: [],
    legacy: { retired: false, managed: [] },
    // The installer's onboard makes the first sandbox; the step holds only once it is Ready.
    onboardedParam: "onboarded",
    fresh: true,
    hint: "Its log is in the step output.",
  });
  ctx.nemoclawInstalled = true;
  if (first) {
    ctx.gateways.set(first.gateway, { state: "starting", driver: driverOfVersion(target.pin.max), step });
    ctx.handledSandboxes.set(first.settings.sandbox, step);
  }
}

/**
 * The `nemoclaw-install` step: NemoClaw's installer at the release, onboarding the host's first
 * sandbox of the fleet file with the settings that release takes (the host's release is the
 * target from here on). Judged by what the host runs afterwards (src/apply/postconditions.ts).
 */
function addInstallStep(
  ctx: HostContext,
  target: { version: string; pin: OpenShellPin },
  options: {
    summary: (firstSandbox: string | undefined) => string;
    observed: string | null;
    risk: Step["risk"];
    facts: string[];
    dependsOn: Step[];
    legacy: { retired: boolean; managed: string[] };
    /** `onboarded`: the step holds only once that sandbox is Ready (a fresh host); `sandbox`: for the record. */
    onboardedParam: "onboarded" | "sandbox";
    /** Nothing on the host is trusted or touched before it (no preflight needed for it). */
    fresh?: boolean;
    hint: string;
  },
): { step: Step; first: { settings: OnboardSettings; gateway: string } | null } {
  const release = { nemoclaw: target.version, openshell: target.pin.max };
  // The installer's onboard runs the new release: its settings are checked and built for it.
  ctx.release = release;
  const first = installerOnboard(ctx);
  // With sandboxes registered, an installer of v0.0.72 or later runs `upgrade-sandboxes --auto`
  // instead of onboard, in its own environment (NC@d50338aa:scripts/install.sh:2254-2275,
  // 2855-2864): one sandbox's onboard selection there would be taken up by every rebuild it makes
  // (CPU and RAM in every release, real-cli-2026-12 §4.1), so it goes only to an installer that
  // onboards. An older one onboards first, and needs it to reuse that sandbox rather than make
  // NemoClaw's default one.
  const installerOnboards = (ctx.registry?.entries ?? []).length === 0 || !nemoclawHas(target.version, "installerRecoversFirst");
  noteDroppedResources(ctx, target.version, first && installerOnboards ? first.settings : null);
  const step = ctx.steps.add({
    kind: "nemoclaw-install",
    target: hostTarget(ctx),
    reason: {
      summary: options.summary(first?.settings.sandbox),
      desired: { field: "nemoclaw.version", value: target.version, source: sourceOfRelease(ctx) },
      observed: { fact: "nemoclaw", value: options.observed },
    },
    risk: options.risk,
    dependsOn: options.dependsOn,
    facts: ["nemoclaw", "openshell", ...options.facts],
    commands: [
      installNemoClaw(target.version, {
        legacyRetired: options.legacy.retired,
        legacyManaged: options.legacy.managed,
        onboard: first && installerOnboards ? { settings: first.settings, release } : null,
      }),
    ],
    params: { nemoclaw: target.version, openshell: target.pin, ...(first ? { [options.onboardedParam]: first.settings.sandbox, gateway: first.gateway } : {}) },
    trustsSandboxState: options.fresh !== true,
    hint: `The installer's exit code is not trusted either way: the step is judged by the releases the host runs afterwards. ${options.hint}`,
  });
  ctx.installStep = step;
  ctx.version = target.pin.max;
  return { step, first };
}

function sourceOfRelease(ctx: HostContext): string {
  const source = ctx.host.nemoclaw?.source ?? ctx.host.source;
  return `${source.file}:${source.line}`;
}

/**
 * Step 4 (after the schema check): the release the fleet file chooses against the one installed.
 * A NemoClaw host moves only by NemoClaw's installer; a bare OpenShell host by OpenShell's.
 */
export function planReleaseChange(ctx: HostContext): void {
  if (ctx.installStep || ctx.version === null) return;
  const desired = desiredNemoClaw(ctx);
  if (desired === undefined) return;
  const running = ctx.release;
  if (running === null) {
    planBareOpenShellPin(ctx, ctx.version);
    return;
  }
  if (desired === null) {
    const pin = pinnedOpenShell(ctx);
    if (pin && !sameVersion(pin, ctx.version)) {
      ctx.note(
        "warning",
        `openshell.version pins ${pin}, but on a NemoClaw host OpenShell follows the NemoClaw release (the host runs NemoClaw v${running.nemoclaw}, which pins ${describePin(usableRelease(nemoclawRelease(running.nemoclaw))!.pin)}, with OpenShell ${ctx.version}); choose the NemoClaw release with nemoclaw.version instead (docs/releases.md). Nothing is changed`,
        { fact: "openshell" },
      );
    }
    return;
  }
  const order = compareVersions(desired.version, running.nemoclaw);
  if (order < 0) {
    ctx.blocked = true;
    ctx.note(
      "warning",
      `nemoclaw.version ${desired.version} is older than the installed v${running.nemoclaw}: refused — there is no downgrade path (a gateway database migrated by a newer OpenShell never opens with an older one)`,
      { fact: "nemoclaw" },
    );
    return;
  }
  if (order === 0 && pinAccepts(desired.pin, ctx.version)) return;
  planUpgrade(ctx, running, desired);
}

/** A bare OpenShell host: a higher pin is installed with OpenShell's installer; a lower one is refused. */
function planBareOpenShellPin(ctx: HostContext, installed: string): void {
  const pin = pinnedOpenShell(ctx);
  if (!pin || sameVersion(pin, installed)) return;
  if (compareVersions(pin, installed) < 0) {
    ctx.blocked = true;
    ctx.note("warning", `openshell.version pins ${pin}, lower than the installed ${installed}: refused — an older gateway must never start on a database a newer one migrated`, { fact: "openshell" });
    return;
  }
  if (installerCannotInstall(ctx, pin)) return;
  const gateways = ctx.observedGateways().filter((gateway) => known(gateway.runningVersion) !== null);
  if (gateways.length > 0) {
    ctx.note(
      "warning",
      `OpenShell stays at ${installed} (the fleet file pins ${pin}): gateways ${gateways.map((gateway) => gateway.name).join(", ")} run on this host without NemoClaw, and OpenShell's installer would restart or replace them; upgrade them by hand`,
      { fact: "openshell", target: hostTarget(ctx) },
    );
    return;
  }
  ctx.installStep = ctx.steps.add({
    kind: "openshell-install",
    target: hostTarget(ctx),
    reason: {
      summary: `upgrade OpenShell ${installed} → ${pin}`,
      desired: { field: "openshell.version", value: pin, source: `${ctx.host.source.file}:${ctx.host.source.line}` },
      observed: { fact: "openshell", value: installed },
    },
    risk: "disruptive",
    facts: ["openshell", "gateways"],
    commands: [installOpenShell(pin, { acknowledgeBreaking: driverOfVersion(installed) !== driverOfVersion(pin), installer: ctx.host.openshell?.installer })],
    hint: "OpenShell's installer needs root or passwordless sudo on the host; afterwards its own gateway `openshell` is the active one.",
  });
  ctx.version = pin;
}

/**
 * Moving a NemoClaw host to another release (design scenario 3, real-cli-2026-12 §8.5): every
 * live sandbox on every gateway gets a verified backup first (shields lowered for it where the
 * release has them, and put back up at the end where the new release still has them: planBackup,
 * planShieldsAfterBackups); crossing from the cluster era, the old cluster gateways are retired with the
 * old CLI after those backups; then NemoClaw's installer at the target release; then every desired
 * gateway is brought up on the new OpenShell, any sandbox that did not survive is recreated and
 * restored from this run's backup, and the result is verified by observation.
 */
function planUpgrade(ctx: HostContext, running: { nemoclaw: string; openshell: string }, target: { version: string; pin: OpenShellPin }): void {
  const from = running.openshell;
  const to = target.pin.max;
  // Only leaving the cluster era retires its gateways (docs/releases.md, step 4): the new
  // host-process OpenShell cannot take them over. Within the era the gateway — and the volume that
  // holds every sandbox — is kept; NemoClaw's own installer retires nothing there either.
  const crossesClusterEra = driverOfVersion(from) === "cluster-container" && driverOfVersion(to) === "host-process";
  const retire = crossesClusterEra;
  const live = ctx.liveSandboxes();
  if (!upgradeIsSafe(ctx, running, target, retire, live)) return;
  const move = sameVersion(running.nemoclaw, target.version)
    ? `reinstall NemoClaw v${target.version} (it runs OpenShell ${to}, the host has ${from})`
    : `NemoClaw v${running.nemoclaw} → v${target.version} (OpenShell ${from} → ${to})`;

  const backups = new Map<string, Step>();
  for (const { gateway, sandbox } of live) {
    const policy = ctx.coveringPolicies(sandbox.name)[0] ?? null;
    // Still on the running release here: its shields are lowered for the backup where it has them.
    backups.set(sandbox.name, planBackup(ctx, { sandbox: sandbox.name, gateway: gateway.name, purpose: "release-upgrade", policy, verify: true, detail: move }));
  }
  const allBackups = [...backups.values()];
  const retired: Step[] = [];
  if (retire) {
    for (const gateway of ctx.observedGateways()) {
      retired.push(
        ctx.steps.add({
          kind: "gateway-retire",
          target: gatewayTarget(gateway.name),
          reason: {
            summary: `OpenShell ${to} cannot take over the ${from} cluster gateway: retire it with the installed CLI after its sandboxes are backed up`,
            observed: { fact: factKey.gateway(gateway.name), value: gateway.image ?? gateway.driver },
          },
          risk: "destructive",
          dependsOn: allBackups,
          facts: [factKey.gateway(gateway.name), factKey.gatewaySandboxes(gateway.name)],
          commands: [gatewayDestroy(gateway.name)],
          params: { gateway: gateway.name, requiresVerifiedBackups: allBackups.map((step) => step.id) },
          hint: "Only run after every backup of this run verified; the sandboxes are recreated and restored from them.",
        }),
      );
    }
  }
  const { step: install, first } = addInstallStep(ctx, target, {
    summary: () => `${move}${crossesClusterEra ? ", out of the cluster era (old gateway state is incompatible)" : ""}`,
    observed: running.nemoclaw,
    risk: "disruptive",
    facts: ["gateways"],
    dependsOn: [...allBackups, ...retired],
    legacy: { retired: retired.length > 0, managed: legacyManaged(ctx) },
    onboardedParam: "sandbox",
    hint: releaseBackupsHint(allBackups),
  });

  const driver = driverOfVersion(to);
  const brought: Step[] = [install];
  for (const gateway of ctx.host.gateways) {
    if (first?.gateway === gateway.name) {
      ctx.gateways.set(gateway.name, { state: "starting", driver, step: install });
      continue;
    }
    const start = planGatewayStart(ctx, gateway, {
      kind: "gateway-start",
      driver,
      reason: { summary: `bring gateway ${gateway.name} up on OpenShell ${to}`, observed: { fact: factKey.gateway(gateway.name), value: ctx.observedGateway(gateway.name)?.health.status ?? null } },
      risk: "safe",
    });
    if (start) brought.push(start);
    else ctx.gateways.set(gateway.name, { state: "unavailable" });
  }
  const restores = live.flatMap(({ gateway, sandbox }) => restoreAfterUpgrade(ctx, sandbox.name, gateway.name, backups.get(sandbox.name)!, retire) ?? []);
  ctx.steps.add({
    kind: "release-verify",
    target: hostTarget(ctx),
    reason: {
      summary: `verify by observation that the host runs NemoClaw v${target.version} and ${describePin(target.pin)}, every gateway of the fleet file is healthy on it, and every sandbox that was live is Ready with its guards`,
      desired: { field: "nemoclaw.version", value: target.version, source: sourceOfRelease(ctx) },
    },
    risk: "safe",
    dependsOn: [...brought, ...restores],
    facts: ["nemoclaw"],
    commands: [],
    params: {
      nemoclaw: target.version,
      openshell: to,
      // NemoClaw's installer keeps an installed OpenShell its pin accepts (a range up to v0.0.38);
      // the host is on the release then as well, as nemoclaw-install's own check says.
      openshellPin: target.pin,
      gateways: ctx.host.gateways.map((gateway) => gateway.name),
      sandboxes: live.map(({ sandbox }) => sandbox.name),
    },
    hint: "The host is not on the planned release or lost a sandbox: later waves are not started. This run's verified backups are kept for `nemoclaw backup restore`.",
  });
}

/**
 * Registry rows from before NemoClaw recorded provenance (no `nemoclawVersion`, no Dockerfile):
 * its installer recreates them from its managed image only once their names are confirmed. The
 * fleet file confirms it for its sandboxes without `from` (upgradeIsSafe refuses the others).
 */
function legacyManaged(ctx: HostContext): string[] {
  return (ctx.registry?.entries ?? []).filter((entry) => isLegacyEntry(entry) && ctx.desiredSandbox(entry.name)?.from === undefined).map((entry) => entry.name);
}

function isLegacyEntry(entry: RegistryEntry): boolean {
  return (entry.nemoclawVersion === null || entry.nemoclawVersion.trim() === "") && entry.fromDockerfile === null;
}

function restoreAfterUpgrade(ctx: HostContext, name: string, observedGateway: string, backup: Step, recreated: boolean): Step | undefined {
  const desired = ctx.desiredSandbox(name)!;
  const outlook = ctx.gateways.get(desired.gateway);
  if (outlook?.state !== "starting" || ctx.release === null) return undefined;
  const settings = onboardSettingsFor(ctx, desired);
  if (!settings) return undefined;
  const restore = planRestore(ctx, {
    sandbox: name,
    gateway: desired.gateway,
    backup,
    dependsOn: [outlook.step],
    recreateIfMissing: onboard(settings, ctx.release, "recreate"),
    // Past a retired gateway any sandbox is a new one (NemoClaw's installer or its own recovery may have made it), so its content is always put back.
    restore: recreated ? "always" : "if-recreated",
    detail: recreated
      ? `recreate ${name} on OpenShell ${ctx.release.openshell} unless NemoClaw already did, and restore its content from this run's backup`
      : `restore ${name} only if it did not survive the upgrade (was on ${observedGateway})`,
  });
  ctx.handledSandboxes.set(name, restore);
  return restore;
}

/** Everything an upgrade needs must be known and safe; otherwise say why and keep the installed release. */
function upgradeIsSafe(ctx: HostContext, running: { nemoclaw: string; openshell: string }, target: { version: string; pin: OpenShellPin }, retire: boolean, live: LiveSandbox[]): boolean {
  const refusals: string[] = [];
  for (const gateway of ctx.observedGateways()) {
    if (gateway.sandboxes.state === "unknown") {
      ctx.unknown(factKey.gatewaySandboxes(gateway.name), gateway.sandboxes, "its sandboxes cannot be backed up, so the upgrade is not planned", gatewayTarget(gateway.name));
      refusals.push(`the sandboxes of gateway ${gateway.name} are unknown`);
    }
    const isRunning = known(gateway.runningVersion) !== null;
    if (isRunning && !ctx.desiredGateway(gateway.name)) refusals.push(`gateway ${gateway.name} is running but not in the fleet file, so it could not be brought up again`);
  }
  const routableNames = versionAtLeast(target.pin.max, OPENSHELL_SINCE.workspaces) && !versionAtLeast(running.openshell, OPENSHELL_SINCE.workspaces);
  for (const { gateway, sandbox } of live) {
    if (sandbox.phase !== "Ready") refusals.push(`sandbox ${sandbox.name} on ${gateway.name} is ${sandbox.phase} and cannot be backed up`);
    if (!ctx.desiredSandbox(sandbox.name)) refusals.push(`sandbox ${sandbox.name} is not in the fleet file, so it could not be recreated`);
    else if (retire && ctx.isProtected(sandbox.name)) refusals.push(`sandbox ${sandbox.name} is protected and retiring its gateway would destroy it`);
    if (!ctx.coveringPolicies(sandbox.name)[0] && !ctx.registryEntry(sandbox.name)) {
      refusals.push(`sandbox ${sandbox.name} is covered by no backup policy and not registered with NemoClaw, so it cannot be backed up`);
    }
    const entry = ctx.registryEntry(sandbox.name);
    if (entry && isLegacyEntry(entry) && ctx.desiredSandbox(sandbox.name)?.from !== undefined) {
      refusals.push(`sandbox ${sandbox.name} predates NemoClaw's image provenance and the fleet file builds it from a Dockerfile, but NemoClaw's installer would recreate it from its managed image; upgrade this host by hand`);
    }
    if (routableNames && (sandbox.name.length > 19 || sandbox.name.includes("--"))) {
      refusals.push(`sandbox ${sandbox.name} has a name OpenShell ${target.pin.max} refuses (at most 19 characters, no "--"); rename it first`);
    }
  }
  refusals.push(...installerBackupRefusals(ctx, target, retire));
  if (refusals.length === 0) return true;
  ctx.note("warning", `NemoClaw stays at v${running.nemoclaw} (the fleet file chooses v${target.version}): ${refusals.join("; ")}`, { fact: "nemoclaw", target: hostTarget(ctx) });
  return false;
}

/**
 * From v0.0.76 NemoClaw's installer backs up with the target's `backup-all` before anything else,
 * strictly: a registered sandbox that is not Ready on the gateway `backup-all` sees (the active
 * one) is skipped, the backup fails and the installer stops — after it has put the target's
 * NemoClaw CLI beside the old OpenShell, a mix whose onboard refuses that OpenShell. Sandboxes on
 * a per-port gateway are always skipped there (real-cli-2026-12 §7.2, §14.4). Leaving the cluster
 * era the installer is told the backup is done (NEMOCLAW_OPENSHELL_UPGRADE_PREPARED) and skips it.
 */
function installerBackupRefusals(ctx: HostContext, target: { version: string }, retire: boolean): string[] {
  if (!nemoclawHas(target.version, "installerStrictBackup")) return [];
  if (retire && ctx.observedGateways().length > 0) return [];
  const entries = ctx.registry?.entries ?? [];
  if (entries.length === 0) return [];
  const activeFact = ctx.observed.activeGateway;
  if (activeFact.state === "unknown") {
    return [`the active OpenShell gateway is unknown (${activeFact.reason}), and NemoClaw v${target.version}'s installer backs up only the sandboxes Ready on it`];
  }
  const active = activeFact.value;
  const skipped = entries.flatMap((entry) => {
    const live = ctx.liveSandbox(entry.name);
    if (live === undefined) return [`${entry.name} (not running)`];
    if (live.gateway.name !== active) return [`${entry.name} (on gateway ${live.gateway.name})`];
    return live.sandbox.phase === "Ready" ? [] : [`${entry.name} (${live.sandbox.phase})`];
  });
  if (skipped.length === 0) return [];
  return [
    `NemoClaw v${target.version}'s installer first runs a strict \`backup-all\`, which sees only the active gateway (${active ?? "none"}) and stops the upgrade when a registered sandbox is not Ready there — it would skip ${skipped.join(", ")}, leaving the new NemoClaw CLI beside OpenShell ${ctx.version ?? "as installed"}; move those sandboxes off first (docs/releases.md#how-a-release-upgrade-runs)`,
  ];
}

/**
 * NemoClaw's installer brings the registered sandboxes up with `upgrade-sandboxes --auto`, a
 * `rebuild` of each stale one in the installer's own environment. CPU and memory are not recorded
 * (NEMOCLAW_CPU / NEMOCLAW_RAM are read on every rebuild, real-cli-2026-12 §4.1), so a sandbox
 * whose limits differ from what that environment carries comes back with other limits — none, or
 * those of the sandbox the installer onboards — and the tool does not observe limits to notice.
 */
function noteDroppedResources(ctx: HostContext, target: string, onboarded: OnboardSettings | null): void {
  if (!nemoclawHas(target, "resources")) return;
  const carried = `${onboarded?.cpu ?? ""}/${onboarded?.memory ?? ""}`;
  const affected = (ctx.registry?.entries ?? []).flatMap((entry) => {
    const resources = ctx.desiredSandbox(entry.name)?.resources;
    if (resources === undefined || entry.name === onboarded?.sandbox) return [];
    return `${resources.cpu ?? ""}/${resources.memory ?? ""}` === carried ? [] : [entry.name];
  });
  if (affected.length === 0) return;
  ctx.note(
    "warning",
    `NemoClaw's installer rebuilds the sandboxes it finds stale without their CPU/memory limits (NEMOCLAW_CPU/NEMOCLAW_RAM are not recorded), so ${affected.join(", ")} may come back ${onboarded ? `with the limits of ${onboarded.sandbox}` : "without limits"}; nemoclaw does not observe the limits: after the upgrade, run \`NEMOCLAW_CPU=… NEMOCLAW_RAM=… nemoclaw <sandbox> rebuild --yes\` for each`,
    { fact: "nemoclaw", target: hostTarget(ctx) },
  );
}

/**
 * Where the verified backups of a release change are, and how each goes back: a policy backup is
 * in its store (`nemoclaw backup restore`, docs/backups.md); a sandbox no policy covers has only
 * NemoClaw's snapshot on the host, which `nemoclaw backup restore` does not know — NemoClaw's own
 * `snapshot restore <label>` puts it back.
 */
function releaseBackupsHint(backups: readonly Step[]): string {
  if (backups.length === 0) return "No sandbox was live, so there was nothing to back up.";
  const snapshots = backups.filter((step) => typeof step.params?.snapshot === "string");
  const parts = ["The verified backups of this run are kept"];
  if (snapshots.length < backups.length) parts.push("`nemoclaw backup restore <host>/<sandbox>` puts a policy backup back");
  for (const step of snapshots) parts.push(`\`nemoclaw ${step.target.name} snapshot restore ${String(step.params?.snapshot)} --yes\` on the host puts ${step.target.name} back`);
  return `${parts.join("; ")}.`;
}
