// @ts-check
// The simulated executables: tiny `#!/bin/sh` scripts that exec the host's launcher with the
// tool's name and the version this particular binary prints. Replacing a binary (an upgrade)
// writes a new file under a temporary name and renames it, like a real installer.

import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { simPaths } from "./paths.mjs";
import { policyYaml } from "./policy.mjs";
import { writeFileAtomic } from "./util.mjs";

const LIB_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * What starts a simulated command, before `<home> <tool> <version> args…` (README "Two modes"):
 * a Node process per command (`node entry.mjs`), or the native client of the host's resident
 * process (`fleet-sim-client node <lib dir>`).
 * @param {{ mode: "process" } | { mode: "resident"; client: string }} how
 * @returns {string[]}
 */
export function launcherFor(how) {
  return how.mode === "process" ? [process.execPath, join(LIB_DIR, "entry.mjs")] : [how.client, process.execPath, LIB_DIR];
}

/**
 * The host keeps its launcher, so binaries an installer writes later start the same way.
 * @param {import("./paths.mjs").SimPaths} paths
 * @param {string[]} launcher
 */
export function writeLauncher(paths, launcher) {
  writeFileAtomic(paths.launcher, `${JSON.stringify(launcher)}\n`, 0o644);
}

/**
 * `exec <launcher> <home> <tool> <version> "$@"`
 * @param {string} home
 * @param {string} tool
 * @param {string} version
 */
function launch(home, tool, version) {
  const launcher = /** @type {string[]} */ (JSON.parse(readFileSync(simPaths(home).launcher, "utf8")));
  return `exec ${[...launcher, home, tool, version].map(shellQuote).join(" ")} "$@"\n`;
}

/** @param {string} text */
function shellQuote(text) {
  return `'${text.replaceAll("'", `'"'"'`)}'`;
}

/**
 * @param {string} home
 * @param {string} tool
 * @param {string} version
 */
export function shimScript(home, tool, version) {
  return `#!/bin/sh\n# fleet-sim shim: ${tool} ${version}\n${launch(home, tool, version)}`;
}

/**
 * @param {string} path
 * @param {string} home
 * @param {string} tool
 * @param {string} version
 */
export function writeShim(path, home, tool, version) {
  writeFileAtomic(path, shimScript(home, tool, version), 0o755);
}

/**
 * What NemoClaw's installer lays down besides its CLI: the source tree in `~/.nemoclaw/source`
 * (NC@d50338aa:scripts/install.sh `NEMOCLAW_SOURCE_ROOT`), whose base sandbox policies
 * (`nemoclaw-blueprint/policies/openclaw-sandbox.yaml`, and an agent's `agents/<agent>/
 * policy-additions.yaml`) an `openshell sandbox create --policy` reads.
 * @param {import("./paths.mjs").SimPaths} paths
 */
export function writeNemoClawSource(paths) {
  const source = join(paths.nemoclawDir, "source");
  const policy = `${policyYaml([])}`;
  for (const file of [join(source, "nemoclaw-blueprint", "policies", "openclaw-sandbox.yaml"), join(source, "agents", "hermes", "policy-additions.yaml")]) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, policy, 0o644);
  }
}

/**
 * The OpenShell installer script the simulated `curl` serves; `sh` runs it and it hands over
 * to the simulated installer with the caller's environment (OPENSHELL_VERSION, …).
 * @param {string} home
 */
export function installerScript(home) {
  return `#!/bin/sh\n# Install OpenShell from a GitHub release.\nset -e\n${launch(home, "openshell-installer", "-")}`;
}

/**
 * Links in the host-tools bin dir (first on PATH) to the installed CLIs, so `command -v` finds
 * them. A user-local install (`~/.local/bin`, where NemoClaw installs) comes before the package
 * location (`~/.fleet-sim/system/usr/bin`, standing in for /usr/bin), as ~/.local/bin precedes
 * /usr/bin on a default PATH; a link to an uninstalled binary dangles, which `command -v` treats
 * as absent.
 * @param {import("./paths.mjs").SimPaths} paths
 */
export function linkInstalledTools(paths) {
  mkdirSync(paths.binDir, { recursive: true });
  for (const [name, local] of [
    ["openshell", paths.openshellBin],
    ["openshell-gateway", paths.gatewayBin],
    ["nemoclaw", paths.nemoclawBin],
  ]) {
    const link = join(paths.binDir, /** @type {string} */ (name));
    const system = join(paths.systemBin, /** @type {string} */ (name));
    const target = existsSync(/** @type {string} */ (local)) || !existsSync(system) ? /** @type {string} */ (local) : system;
    if (existsLink(link)) rmSync(link);
    symlinkSync(target, link);
  }
}

/**
 * The NemoClaw installer the simulated `curl` serves for https://www.nvidia.com/nemoclaw.sh;
 * `bash` runs it with the caller's environment (NEMOCLAW_INSTALL_TAG, …).
 * @param {string} home
 */
export function nemoclawInstallerScript(home) {
  return `#!/bin/sh\n# NemoClaw installer bootstrap.\nset -e\n${launch(home, "nemoclaw-installer", "-")}`;
}

/** @param {string} path */
function existsLink(path) {
  try {
    lstatSync(path);
    return true;
  } catch {
    return existsSync(path);
  }
}
