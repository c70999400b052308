// @ts-check
// What `curl -fsSL https://www.nvidia.com/nemoclaw.sh | bash` does on a host (reference §8.3;
// NC@d50338aa:install.sh and scripts/install.sh:1500-2884): the release comes from
// NEMOCLAW_INSTALL_TAG (default `lkg`); with sandboxes registered it backs them all up first
// (strictly), retires a cluster-era gateway when crossing 0.0.37 (only with the acknowledgement),
// installs the NemoClaw CLI and its pinned OpenShell into the directory of the active `openshell`,
// restarts NemoClaw's gateways on the new binary (their databases migrate forward), and brings
// the sandboxes up to the new release (`upgrade-sandboxes --auto`), or onboards a fresh host.
// Nested commands run as real processes of the installed CLIs, so calls.log shows them.
// Field failures are fault knobs: a fatal error that still exits 0 (NC#10369), exit 1 after a
// successful upgrade (NC#11153), restores that fail (NC#10546).

import { helperExit, spawnHelper } from "../lib/call.mjs";
import { binaryVersion, writeActiveGateway } from "../lib/gateways.mjs";
import { ensureGateway, resolveOpenshell } from "../lib/nemoclaw-core.mjs";
import { installOpenshellPin } from "../lib/openshell-install.mjs";
import { readRegistry } from "../lib/registry.mjs";
import { bundledOpenclaw, NC, openshellPin } from "../lib/releases.mjs";
import { linkInstalledTools, writeNemoClawSource, writeShim } from "../lib/shims.mjs";
import { loadState, updateState } from "../lib/state.mjs";
import { atLeast, compareVersions, isClusterEra } from "../lib/versions.mjs";

/** @typedef {import("../lib/runtime.mjs").ToolContext} ToolContext */

const REPO = "https://github.com/NVIDIA/NemoClaw.git";

/** @param {string | undefined} value */
function truthy(value) {
  return ["1", "true", "yes", "y"].includes((value ?? "").toLowerCase());
}

/** @param {ToolContext} ctx */
export async function run(ctx) {
  const info = (/** @type {string} */ line) => ctx.out(`[INFO]  ${line}\n`);
  const warn = (/** @type {string} */ line) => ctx.out(`[WARN]  ${line}\n`);
  const state = loadState(ctx.paths);
  const faults = state.options.installer;
  /** @param {string} line @returns {number} */
  const error = (line) => {
    ctx.err(`[ERROR] ${line}\n`);
    return faults.fatalExitsZero ? 0 : 1;
  };
  let nonInteractive = truthy(ctx.env.NEMOCLAW_NON_INTERACTIVE);
  let accepted = ctx.env.NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE === "1";
  for (const arg of ctx.args) {
    if (arg === "--non-interactive") nonInteractive = true;
    else if (arg === "--yes-i-accept-third-party-software") accepted = true;
    else if (arg === "--version" || arg === "-v") {
      ctx.out("nemoclaw-installer\n");
      return 0;
    } else if (arg !== "--fresh") {
      ctx.out("Usage: curl -fsSL https://www.nvidia.com/nemoclaw.sh | bash -s -- [--non-interactive] [--yes-i-accept-third-party-software] [--fresh]\n");
      ctx.err(`[ERROR] Unknown option: ${arg}\n`);
      return 1;
    }
  }
  // Acceptance implies a non-interactive run.
  if (accepted) nonInteractive = true;
  const ref = ctx.env.NEMOCLAW_INSTALL_REF || ctx.env.NEMOCLAW_INSTALL_TAG || "lkg";
  const target = ref === "lkg" ? state.options.latestNemoclaw : ref.replace(/^v/, "");
  const known = /^\d+\.\d+\.\d+$/.test(target) && atLeast(target, "0.0.16") && compareVersions(target, state.options.latestNemoclaw) <= 0;
  if (!known) {
    ctx.err(`[ERROR] Requested install ref '${ref}' is not available from ${REPO}.\n        Check NEMOCLAW_INSTALL_TAG/NEMOCLAW_INSTALL_REF and try again.\n`);
    return 1;
  }
  const pin = openshellPin(target);
  if (!pin) {
    ctx.err(`fleet-sim: the OpenShell pin of NemoClaw v${target} is not established; installing it is not simulated\n`);
    return 64;
  }
  if (!nonInteractive) {
    ctx.err("fleet-sim: the interactive NemoClaw installer is not simulated; set NEMOCLAW_NON_INTERACTIVE=1\n");
    return 64;
  }
  ctx.out(`\n  NemoClaw installer\n  Launch OpenClaw in an OpenShell sandbox.  v${target}\n\n`);
  if (!accepted) {
    ctx.err("  Non-interactive onboarding requires --yes-i-accept-third-party-software or NEMOCLAW_ACCEPT_THIRD_PARTY_SOFTWARE=1.\n");
    return 1;
  }
  if (!state.docker.installed || state.docker.daemon !== "running") return error("Docker is not running. Start Docker and rerun the installer.");

  ctx.out("\n[1/3] Node.js\n  ──────────────────────────────────────────────────\n");
  // NC@d50338aa:scripts/install.sh RUNTIME_REQUIREMENT_MSG; the installer stops before touching NemoClaw.
  if (faults.nodeTooOld) return error("NemoClaw requires Node.js >=22.16.0 and npm >=10.");
  info(`Node.js found: ${process.version}`);
  ctx.out("\n[2/3] NemoClaw CLI\n  ──────────────────────────────────────────────────\n");

  const registered = Object.keys(readRegistry(ctx.paths).sandboxes);
  const before = resolveOpenshell(ctx);
  const legacy = before !== null && isClusterEra(before.version);
  const strict = atLeast(target, NC.installerRetiresLegacyGateway);
  const existingCli = state.nemoclaw ? ctx.paths.nemoclawBin : null;
  if (registered.length > 0 && before && strict) {
    if (truthy(ctx.env.NEMOCLAW_SINGLE_SESSION)) return error("NEMOCLAW_SINGLE_SESSION is set and sandboxes already exist; aborting.");
    let backup = true;
    if (legacy) {
      if (truthy(ctx.env.NEMOCLAW_OPENSHELL_UPGRADE_PREPARED)) {
        info("Using manually prepared OpenShell gateway upgrade state.");
        backup = false;
      } else if (truthy(ctx.env.NEMOCLAW_ACCEPT_EXPERIMENTAL_OPENSHELL_UPGRADE)) {
        info(`Accepted experimental OpenShell gateway upgrade for ${registered.length} existing sandbox(es).`);
      } else {
        printManualPath(ctx);
        return error("OpenShell gateway upgrade requires explicit opt-in. Set NEMOCLAW_ACCEPT_EXPERIMENTAL_OPENSHELL_UPGRADE=1 to continue automatically, or run the manual commands above.");
      }
    }
    if (backup) {
      info(`Backing up ${registered.length} sandbox(es) before upgrading OpenShell…`);
      // From ≈v0.0.76 the backup runs with the new CLI (OpenShell deferred); before, with the installed one.
      const runner = atLeast(target, NC.strictBackupAll) ? await installNemoclaw(ctx, target, info) : existingCli;
      if (!runner) return error("Pre-upgrade backup failed. Resolve every reported sandbox backup failure and rerun the installer.");
      if (atLeast(target, NC.strictBackupAll)) info("Deferring OpenShell CLI installation until after pre-upgrade backup.");
      const code = await runNested(ctx, runner, ["backup-all"], { NEMOCLAW_REQUIRE_ALL_SANDBOX_BACKUPS: "1" });
      if (code !== 0) {
        return error(legacy ? "Pre-upgrade backup failed. Aborting before retiring the legacy OpenShell gateway." : "Pre-upgrade backup failed. Resolve every reported sandbox backup failure and rerun the installer.");
      }
    }
    if (legacy && compareVersions(pin.pin, "0.0.37") >= 0) {
      info(`Retiring OpenShell ${before.version} gateway before installing current OpenShell…`);
      const destroyed = (await runNested(ctx, before.path, ["gateway", "destroy", "-g", "nemoclaw"], {})) === 0 || (await runNested(ctx, before.path, ["gateway", "destroy"], {})) === 0;
      if (!destroyed) warn("Could not destroy the legacy OpenShell gateway before upgrade; onboarding will clean up stale runtime state.");
    }
  }

  await installNemoclaw(ctx, target, info);
  // install-openshell.sh keeps an installed OpenShell inside the release's range, else installs the pin.
  const current = resolveOpenshell(ctx);
  const keep = current && compareVersions(current.version, pin.min) >= 0 && compareVersions(current.version, pin.max) <= 0;
  if (keep && current) info(`openshell already installed: ${current.version} (>= ${pin.min}, <= ${pin.max})`);
  else {
    if (current && compareVersions(current.version, pin.max) > 0) warn(`openshell ${current.version} is above the maximum (${pin.max}) supported by this NemoClaw release — reinstalling pinned OpenShell ${pin.pin}...`);
    await installOpenshellPin(ctx, pin.pin);
    info(`openshell ${pin.pin} installed`);
  }
  const installed = /** @type {{ path: string; version: string }} */ (resolveOpenshell(ctx));
  const version = (await captureStdout(ctx.paths.nemoclawBin, ["--version"])).trim();
  if (!/^nemoclaw\s+v\d+\.\d+\.\d+(-\S+)?(\+\S+)?$/.test(version)) return error("NemoClaw CLI verification failed.");

  ctx.out("\n[3/3] Onboarding\n  ──────────────────────────────────────────────────\n");
  let failed = false;
  if (registered.length > 0 && !atLeast(target, NC.installerRecoversFirst)) {
    // Before #6132: onboard first (reusing or creating the sandbox its environment names), then
    // the stale sandboxes are rebuilt in the same environment (NC@3337cb20:scripts/install.sh:2728-2745).
    if (!isClusterEra(installed.version)) await restartGateways(ctx, installed);
    info("Running nemoclaw onboard…");
    const onboarded = await runNested(ctx, ctx.paths.nemoclawBin, ["onboard", "--non-interactive", "--yes-i-accept-third-party-software", ...(atLeast(target, NC.onboardYes) ? ["--yes"] : [])], {});
    if (onboarded !== 0) return error("Onboarding did not complete successfully.");
    info("Checking for sandboxes that need upgrading…");
    if ((await runNested(ctx, ctx.paths.nemoclawBin, ["upgrade-sandboxes", "--auto"], {})) !== 0) {
      warn("One or more existing sandboxes could not be upgraded automatically.");
      warn("Review the messages above — affected sandboxes may need 'nemoclaw onboard --resume' or 'nemoclaw <name> rebuild', and any backup path shown above can restore workspace state.");
      failed = true;
    }
  } else if (registered.length > 0) {
    // Onboard's gateway step, as the recreate's inner onboard runs it: NemoClaw's gateways come
    // back on the new binary and migrate their databases forward.
    if (!isClusterEra(installed.version)) await restartGateways(ctx, installed);
    info("Recovering and upgrading pre-existing sandboxes before onboarding…");
    const code = await runNested(ctx, ctx.paths.nemoclawBin, ["upgrade-sandboxes", "--auto"], { NEMOCLAW_RESTORE_LATEST_BACKUP_ON_RECREATE: "1" });
    if (code === 0) info("Existing sandboxes recovered; skipping generic onboarding.");
    else {
      warn("One or more existing sandboxes could not be recovered automatically.");
      warn("Generic onboarding will not run; review the affected sandbox and preserved backup diagnostics above.");
      failed = true;
    }
  } else {
    info("Running nemoclaw onboard…");
    const code = await runNested(ctx, ctx.paths.nemoclawBin, ["onboard", "--non-interactive", "--yes-i-accept-third-party-software", ...(atLeast(target, NC.onboardYes) ? ["--yes"] : [])], {});
    if (code !== 0) return error("Onboarding did not complete successfully.");
  }
  if (failed) return error("Installation incomplete: one or more existing sandboxes failed to upgrade. See the recovery guidance above.");
  info("=== Installation complete ===");
  ctx.out(`\n  NemoClaw  (${Math.max(1, Math.round((Date.now() - ctx.call.startedAtMs) / 1000))}s)\n`);
  ctx.out(registered.length > 0 ? "  Existing sandboxes were recovered and upgraded.\n  No new sandbox onboarding was needed.\n" : "  Your OpenClaw Sandbox is live.\n");
  return faults.failsAfterSuccess ? 1 : 0;
}

/**
 * The NemoClaw CLI of the target release: `~/.nemoclaw/source` + `npm link` + the user-local
 * shim `~/.local/bin/nemoclaw`; the release's OpenShell range and bundled OpenClaw come with it.
 * @param {ToolContext} ctx
 * @param {string} target
 * @param {(line: string) => void} info
 */
async function installNemoclaw(ctx, target, info) {
  if (binaryVersion(ctx.paths.nemoclawBin) === target) return ctx.paths.nemoclawBin;
  info("Installing NemoClaw from GitHub…");
  info(`Resolved install ref: v${target}`);
  writeShim(ctx.paths.nemoclawBin, ctx.paths.home, "nemoclaw", target);
  writeNemoClawSource(ctx.paths);
  linkInstalledTools(ctx.paths);
  info("Created user-local shim at ~/.local/bin/nemoclaw");
  const pin = /** @type {{ min: string; max: string }} */ (openshellPin(target));
  await updateState(ctx.paths, (state) => {
    state.nemoclaw = { version: target, openshellMin: pin.min, openshellMax: pin.max, usageNoticeAccepted: state.nemoclaw?.usageNoticeAccepted ?? false };
    state.options.openclawVersion = bundledOpenclaw(target);
  });
  return ctx.paths.nemoclawBin;
}

/**
 * Bring NemoClaw's gateways back on the installed binary (onboard's step 2): every Docker-driver
 * gateway NemoClaw runs, and every gateway the registry binds a sandbox to (a cluster gateway
 * retired on the way to 0.0.37 comes back as a host process).
 * @param {ToolContext} ctx
 * @param {{ path: string; version: string }} cli
 */
async function restartGateways(ctx, cli) {
  const state = loadState(ctx.paths);
  /** @type {Map<string, number>} */
  const wanted = new Map();
  for (const gateway of Object.values(state.gateways)) {
    if (gateway.driver === "host-process" && gateway.name.startsWith("nemoclaw")) wanted.set(gateway.name, gateway.port);
  }
  for (const entry of Object.values(readRegistry(ctx.paths).sandboxes)) {
    const port = typeof entry.gatewayPort === "number" ? entry.gatewayPort : 8080;
    wanted.set(port === 8080 ? "nemoclaw" : `nemoclaw-${port}`, port);
  }
  for (const [name, port] of wanted) await updateState(ctx.paths, (live) => ensureGateway(ctx, live, { name, port, cli }));
  if (wanted.has("nemoclaw")) writeActiveGateway(ctx.paths, "nemoclaw");
}

/**
 * A nested command of the installer, as a real process of the installed CLI on the installer's
 * stdout and stderr. Exit status 1 when a signal ended it.
 * @param {ToolContext} ctx
 * @param {string} program
 * @param {string[]} args
 * @param {Record<string, string>} env
 */
async function runNested(ctx, program, args, env) {
  const result = await ctx.call.run([program, ...args], { env: { ...ctx.env, ...env }, stdin: "ignore" });
  return result.code ?? 1;
}

/**
 * What a nested command prints on stdout (its stderr is dropped).
 * @param {string} program
 * @param {string[]} args
 */
async function captureStdout(program, args) {
  const child = spawnHelper(program, args, { stdout: "pipe", stderr: "ignore" });
  /** @type {Buffer[]} */
  const chunks = [];
  child.stdout?.on("data", (chunk) => chunks.push(chunk));
  await helperExit(child);
  return Buffer.concat(chunks).toString("utf8");
}

/** The manual upgrade path the installer prints (scripts/install.sh:1904-1921). @param {ToolContext} ctx */
function printManualPath(ctx) {
  ctx.out(
    [
      "",
      "  To upgrade OpenShell manually:",
      "    NEMOCLAW_REQUIRE_ALL_SANDBOX_BACKUPS=1 nemoclaw backup-all",
      "    openshell gateway remove nemoclaw || openshell gateway destroy -g nemoclaw || openshell gateway destroy",
      "    sudo pkill -f openshell-gateway  # if a privileged host gateway process remains",
      "    curl -fsSL https://www.nvidia.com/nemoclaw.sh | NEMOCLAW_OPENSHELL_UPGRADE_PREPARED=1 bash",
      "    nemoclaw upgrade-sandboxes --check",
      "",
    ].join("\n") + "\n",
  );
}

