// @ts-check
// Where the simulator keeps its own state and where the real tools keep theirs.

import { join } from "node:path";

/** @param {string} home */
export function simPaths(home) {
  const sim = join(home, ".fleet-sim");
  const localBin = join(home, ".local", "bin");
  const nemoclawDir = join(home, ".nemoclaw");
  const openshellConfig = join(home, ".config", "openshell");
  return {
    home,
    sim,
    state: join(sim, "state.json"),
    stateLock: join(sim, "state.lock"),
    callsLog: join(sim, "calls.log"),
    pidsDir: join(sim, "pids"),
    /** How the shims start a simulated command (lib/shims.mjs): the argv before `<home> <tool> <version>`. */
    launcher: join(sim, "launcher.json"),
    /** The resident mode's socket, pid files and log (lib/server.mjs). */
    serverDir: join(sim, "server"),
    /** Host tools (docker, nvidia-smi, uname, curl) and links to the installed CLIs. */
    binDir: join(sim, "bin"),
    sandboxesDir: join(sim, "sandboxes"),
    /** Where OS packages put binaries (a stand-in for /usr/bin). */
    systemBin: join(sim, "system", "usr", "bin"),
    /** Older OpenShell gateway binaries a drifted gateway may still be running from. */
    optDir: join(sim, "opt"),
    localBin,
    openshellBin: join(localBin, "openshell"),
    gatewayBin: join(localBin, "openshell-gateway"),
    nemoclawBin: join(localBin, "nemoclaw"),
    nemoclawDir,
    registry: join(nemoclawDir, "sandboxes.json"),
    registryLock: join(nemoclawDir, "sandboxes.json.lock"),
    session: join(nemoclawDir, "onboard-session.json"),
    nemoclawStateDir: join(nemoclawDir, "state"),
    backupsDir: join(nemoclawDir, "rebuild-backups"),
    openshellConfig,
    activeGateway: join(openshellConfig, "active_gateway"),
    gatewaysDir: join(openshellConfig, "gateways"),
    nemoclawRuntimeDir: join(home, ".local", "state", "nemoclaw"),
  };
}

/** @typedef {ReturnType<typeof simPaths>} SimPaths */

/**
 * NemoClaw's per-port naming: port 8080 is `nemoclaw` / `openshell-docker-gateway`,
 * any other port P is `nemoclaw-P` / `openshell-docker-gateway-P`.
 * @param {number} port
 */
export function nemoclawGatewayName(port) {
  return port === 8080 ? "nemoclaw" : `nemoclaw-${port}`;
}

/**
 * @param {SimPaths} paths
 * @param {number} port
 */
export function gatewayStateDir(paths, port) {
  return join(paths.nemoclawRuntimeDir, port === 8080 ? "openshell-docker-gateway" : `openshell-docker-gateway-${port}`);
}

/**
 * @param {SimPaths} paths
 * @param {string} gateway
 * @param {string} sandbox
 */
export function sandboxDir(paths, gateway, sandbox) {
  return join(paths.sandboxesDir, gateway, sandbox);
}

/** @param {SimPaths} paths @param {string} name */
export function gatewayMetadataPath(paths, name) {
  return join(paths.gatewaysDir, name, "metadata.json");
}

/**
 * A resident process's pid record (lib/server.mjs), which stopSimulator kills by pid and start time.
 * @param {SimPaths} paths
 * @param {number} pid
 */
export function serverPidFile(paths, pid) {
  return join(paths.serverDir, `pid-${pid}.json`);
}
