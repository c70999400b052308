// @ts-check
// The simulated executables: tiny `#!/bin/sh` scripts that exec the one shared entry with the
// tool's name and the version this particular binary prints. Replacing a binary (an upgrade)
// writes a new file under a temporary name and renames it, like a real installer.

import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "./util.mjs";

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), "entry.mjs");

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
  return `#!/bin/sh\n# fleet-sim shim: ${tool} ${version}\nexec ${shellQuote(process.execPath)} ${shellQuote(ENTRY)} ${shellQuote(home)} ${tool} ${version} "$@"\n`;
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
 * The OpenShell installer script the simulated `curl` serves; `sh` runs it and it hands over
 * to the simulated installer with the caller's environment (OPENSHELL_VERSION, …).
 * @param {string} home
 */
export function installerScript(home) {
  return `#!/bin/sh\n# Install OpenShell from a GitHub release.\nset -e\nexec ${shellQuote(process.execPath)} ${shellQuote(ENTRY)} ${shellQuote(home)} openshell-installer - "$@"\n`;
}

/**
 * Links in the host-tools bin dir (first on PATH) to the installed CLIs, so `command -v`
 * finds them; a link to an uninstalled binary dangles, which `command -v` treats as absent.
 * @param {import("./paths.mjs").SimPaths} paths
 */
export function linkInstalledTools(paths) {
  mkdirSync(paths.binDir, { recursive: true });
  for (const [name, target] of [
    ["openshell", paths.openshellBin],
    ["openshell-gateway", paths.gatewayBin],
    ["nemoclaw", paths.nemoclawBin],
  ]) {
    const link = join(paths.binDir, /** @type {string} */ (name));
    if (existsLink(link)) rmSync(link);
    symlinkSync(/** @type {string} */ (target), link);
  }
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
