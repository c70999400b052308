// @ts-check
// The simulator's API for tests (docs/interfaces: installSimulator, stopSimulator,
// readSimState, hostStateDigest). The scenario format is documented in README.md.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chownSync, existsSync, lchownSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { simPaths } from "./lib/paths.mjs";
import { nativeClient } from "./lib/native-client.mjs";
import { killRecorded, recordedPids, stopResidentProcesses } from "./lib/processes.mjs";
import { agentRunning } from "./lib/sandbox.mjs";
import { launcherFor } from "./lib/shims.mjs";
import { gatewayRunning, loadState } from "./lib/state.mjs";
import { isRecordedProcessAlive } from "./lib/util.mjs";
import { FOREIGN_UID } from "./lib/sandbox.mjs";

const INSTALL_MAIN = join(dirname(fileURLToPath(import.meta.url)), "lib", "install-main.mjs");

/** Everything the simulated tools manage inside a home (and a reinstall wipes). */
const MANAGED = [".fleet-sim", ".nemoclaw", ".config/openshell", ".local/state/nemoclaw", ".local/bin/openshell", ".local/bin/openshell-gateway", ".local/bin/nemoclaw"];

/** Parts of the simulator's own directory that change on every call, not with host state. */
const VOLATILE = new Set([".fleet-sim/calls.log", ".fleet-sim/pids", ".fleet-sim/state.lock", ".fleet-sim/server"]);

/** @typedef {"resident" | "process"} SimMode */

/**
 * Build a simulated host in `home` from a scenario. When running as root with `uid`/`gid`, the
 * host is built (and its processes started) as that user. `mode` is how each simulated command
 * runs (README "Two modes"); default FLEET_SIM_MODE, else resident.
 * @param {{ home: string; scenario?: import("./lib/install.mjs").Scenario; uid?: number; gid?: number; mode?: SimMode }} options
 * @returns {Promise<{ binDir: string }>}
 */
export async function installSimulator({ home, scenario = {}, uid, gid, mode = defaultMode() }) {
  const launcher = launcherFor(mode === "resident" ? { mode, client: await nativeClient() } : { mode });
  const root = process.getuid?.() === 0;
  const owner = root && uid !== undefined ? { uid, gid: gid ?? uid } : null;
  mkdirSync(home, { recursive: true });
  if (owner) chownSync(home, owner.uid, owner.gid);
  await stopSimulator({ home });
  for (const path of MANAGED) rmSync(join(home, path), { recursive: true, force: true });
  if (owner) {
    for (const dir of [".local", ".local/bin", ".local/state", ".config"]) {
      mkdirSync(join(home, dir), { recursive: true });
      chownSync(join(home, dir), owner.uid, owner.gid);
    }
  }
  const result = await runInstaller(home, scenario, launcher, owner, root);
  for (const path of result.foreignOwned) lchownSync(path, FOREIGN_UID, FOREIGN_UID);
  return { binDir: result.binDir };
}

/** @returns {SimMode} */
function defaultMode() {
  const mode = process.env.FLEET_SIM_MODE ?? "resident";
  if (mode !== "resident" && mode !== "process") throw new Error(`fleet-sim: FLEET_SIM_MODE is "${mode}"; use "resident" (the default) or "process"`);
  return mode;
}

/**
 * @param {string} home
 * @param {object} scenario
 * @param {string[]} launcher
 * @param {{ uid: number; gid: number } | null} owner
 * @param {boolean} canChown
 * @returns {Promise<{ binDir: string; foreignOwned: string[] }>}
 */
function runInstaller(home, scenario, launcher, owner, canChown) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [INSTALL_MAIN, home, String(canChown), JSON.stringify(launcher)], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      ...(owner ?? {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(JSON.parse(stdout));
      else reject(new Error(`fleet-sim: installing the scenario in ${home} failed (exit ${code}):\n${stderr}`));
    });
    child.stdin.end(JSON.stringify(scenario));
  });
}

/**
 * Kill exactly the processes the simulator recorded for this home (its resident process, gateways,
 * sandbox namespaces, in-sandbox OpenClaw gateways, lock holders).
 * @param {{ home: string }} options
 */
export async function stopSimulator({ home }) {
  const paths = simPaths(home);
  await stopResidentProcesses(paths);
  await killRecorded(paths);
}

/**
 * The simulator's state for assertions, plus the recorded calls and processes.
 * @param {{ home: string }} options
 */
export function readSimState({ home }) {
  const paths = simPaths(home);
  const state = loadState(paths);
  const calls = existsSync(paths.callsLog)
    ? readFileSync(paths.callsLog, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => /** @type {{ ts: string; pid: number; tool: string; argv: string[]; env: string[]; delayMs?: number }} */ (JSON.parse(line)))
    : [];
  const processes = recordedPids(paths).map((record) => ({ ...record, alive: isRecordedProcessAlive(record) }));
  return { ...state, calls, processes };
}

/**
 * sha256 over the simulator's state and every file under the home the simulated tools manage
 * (content, mode, owner, link targets), plus which gateways and in-sandbox gateways are alive —
 * so "left the host untouched" can be asserted byte for byte.
 * @param {{ home: string }} options
 */
export async function hostStateDigest({ home }) {
  const hash = createHash("sha256");
  for (const path of [".fleet-sim", ".nemoclaw", ".config/openshell", ".local"]) digestTree(hash, home, path);
  const state = loadState(simPaths(home));
  for (const gateway of Object.values(state.gateways).sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`gateway ${gateway.name} running=${gatewayRunning(state, gateway)}\n`);
    for (const sandbox of Object.values(gateway.sandboxes).sort((a, b) => a.name.localeCompare(b.name))) {
      hash.update(`sandbox ${gateway.name}/${sandbox.name} agent=${agentRunning(sandbox)}\n`);
    }
  }
  return hash.digest("hex");
}

/**
 * @param {import("node:crypto").Hash} hash
 * @param {string} home
 * @param {string} relative
 */
function digestTree(hash, home, relative) {
  if (VOLATILE.has(relative)) return;
  const path = join(home, relative);
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  const meta = `${relative} ${stat.mode.toString(8)} ${stat.uid}:${stat.gid}`;
  if (stat.isSymbolicLink()) hash.update(`${meta} -> ${readlinkSync(path)}\n`);
  else if (stat.isDirectory()) {
    hash.update(`${meta} dir\n`);
    for (const entry of readdirSync(path).sort()) digestTree(hash, home, join(relative, entry));
  } else if (stat.isFile()) {
    hash.update(`${meta} ${createHash("sha256").update(readFileSync(path)).digest("hex")}\n`);
  } else hash.update(`${meta} special\n`);
}
