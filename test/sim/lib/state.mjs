// @ts-check
// The simulator's own state (`~/.fleet-sim/state.json`): what lives "inside" the gateways and
// the Docker daemon. Files the real tools keep in the home (registry, metadata, markers) are
// NOT mirrored here; the simulated tools read and write those real files.

import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { currentCall } from "./call.mjs";
import { isPidAlive, isRecordedProcessAlive, sleep, writeFileAtomic } from "./util.mjs";

/**
 * @typedef {{ pid: number; startTime: number }} ProcessRecord
 *
 * @typedef {object} Container
 * @property {string} id 64 hex
 * @property {string} name
 * @property {string} image
 * @property {Record<string, string>} labels
 * @property {"cluster" | "sandbox" | "registry" | "other"} role
 * @property {boolean} running
 * @property {number} createdAtMs
 * @property {number} startedAtMs
 * @property {number} finishedAtMs
 * @property {number} exitCode
 * @property {string} command
 * @property {Record<string, {HostIp: string; HostPort: string}[]>} ports
 * @property {"healthy" | "unhealthy" | "starting" | null} health
 * @property {string} restartPolicy
 * @property {boolean} [gpu] a cluster container created by `gateway start --gpu`: its HostConfig.DeviceRequests asks for every NVIDIA GPU
 * @property {string} [gateway]
 * @property {string} [sandbox]
 *
 * @typedef {object} Image
 * @property {string} id sha256:…
 * @property {string} repository
 * @property {string} tag
 * @property {number} createdAtMs
 * @property {string} size
 *
 * @typedef {object} SandboxHolder
 * @property {number} unsharePid
 * @property {number} unshareStartTime
 * @property {number} initPid
 * @property {number} initStartTime
 * @property {number | null} agentPid host pid of the in-sandbox OpenClaw gateway
 * @property {number | null} agentStartTime
 * @property {number | null} agentNsPid the same process's pid inside the sandbox
 *
 * @typedef {object} Sandbox
 * @property {string} id
 * @property {string} name
 * @property {number} createdAtMs
 * @property {string} phase
 * @property {Record<string, string>} labels
 * @property {Record<string, string>} annotations
 * @property {number} resourceVersion
 * @property {number} policyVersion
 * @property {string[]} presets
 * @property {string} image
 * @property {string[]} command
 * @property {boolean} managed started by `nemoclaw-start` (guards, agent gateway)
 * @property {string | null} container era B Docker container name
 * @property {SandboxHolder | null} holder
 * @property {string[]} foreignOwned guard paths shown with a foreign owner (non-root fallback)
 * @property {{ cpu: string | null; memory: string | null; gpu: boolean }} [resources] what `sandbox create` was given
 * @property {string[]} [providers]
 *
 * @typedef {object} Gateway
 * @property {string} name
 * @property {number} port
 * @property {"host-process" | "cluster-container"} driver
 * @property {string} endpoint
 * @property {string} version version of what actually runs (process or cluster image tag)
 * @property {(ProcessRecord & { binary: string }) | null} process host-process era
 * @property {string | null} stateDir host-process era
 * @property {number} dbMigration highest applied `_sqlx_migrations` version in its database
 * @property {string | null} container cluster era
 * @property {boolean} unreachable running but nothing answers on the port
 * @property {string | null} protobufMismatch error text state-reading commands print
 * @property {string} sandboxNamespace
 * @property {Record<string, Sandbox>} sandboxes
 * @property {Record<string, {type: string; credentialEnv: string | null; credentialSha256: string | null}>} providers
 * @property {{ provider: string; model: string } | null} inference the user route, as NemoClaw reads it
 * @property {Record<string, InferenceRoute>} [routes] `openshell inference` routes by name
 *
 * @typedef {{ provider: string; model: string; version: number; timeoutSecs: number }} InferenceRoute
 *
 * @typedef {object} SimState
 * @property {1} version
 * @property {string} home
 * @property {number} uid owner of the simulated home
 * @property {number} gid
 * @property {{ hostname: string; arch: string; kernel: string; gpus: {name: string; memoryMiB: number | null; driverVersion: string; uuid: string}[] | null; nvidiaSmiFails: boolean; sudo: "nopasswd" | "password" | "absent"; systemdUser: boolean }} host
 * @property {{ installed: boolean; daemon: "running" | "down"; version: string; containers: Container[]; images: Image[]; registry: Record<string, string> }} docker
 * @property {{ version: string; openshellMin: string | null; openshellMax: string | null; usageNoticeAccepted: boolean } | null} nemoclaw
 * @property {SimOptions} options
 * @property {Record<string, Gateway>} gateways
 *
 * @typedef {object} SimOptions
 * @property {number} agentUid
 * @property {"stdout" | "stderr"} statusStream
 * @property {boolean} arm64UploadFailure
 * @property {{match: string; delayMs: number}[]} slow
 * @property {string} openclawVersion the OpenClaw release the installed NemoClaw bundles
 * @property {string} latestOpenshell
 * @property {string} latestNemoclaw what `NEMOCLAW_INSTALL_TAG` defaults to (`lkg`)
 * @property {string[]} backupFails sandboxes whose state backups fail (backup-all, snapshot, pre-recreate)
 * @property {string[]} partialBackup sandboxes whose pre-recreate backup is partial
 * @property {string[]} restoreFails sandboxes whose restore after a recreate is partial
 * @property {string[]} supervisorBusy sandboxes whose gateway supervisor another lifecycle request holds: each entry makes one `gateway restart` report SUPERVISOR_BUSY
 * @property {string[]} inferenceBreaksOnChange sandboxes whose in-sandbox inference route stops answering once NemoClaw changes them
 * @property {string[]} inferenceBroken sandboxes whose in-sandbox inference route does not answer (`https://inference.local/v1/models`)
 * @property {{ fatalExitsZero: boolean; failsAfterSuccess: boolean; nodeTooOld: boolean }} installer field failures of the NemoClaw installer
 */

/** @param {{ state: string }} paths @returns {SimState} */
export function loadState(paths) {
  return JSON.parse(readFileSync(paths.state, "utf8"));
}

/** @param {{ state: string }} paths @param {SimState} state */
export function saveState(paths, state) {
  writeFileAtomic(paths.state, `${JSON.stringify(state, null, 2)}\n`, 0o644);
}

/**
 * Read-modify-write the state under a lock directory, so concurrent simulated commands on
 * one host (parallel probes, apply steps) never lose each other's changes.
 * @template T
 * @param {{ state: string; stateLock: string }} paths
 * @param {(state: SimState) => T | Promise<T>} change
 * @returns {Promise<T>}
 */
export async function updateState(paths, change) {
  await acquireLock(paths.stateLock);
  try {
    const state = loadState(paths);
    const result = await change(state);
    saveState(paths, state);
    return result;
  } finally {
    rmSync(paths.stateLock, { recursive: true, force: true });
  }
}

/** @param {string} lockDir */
async function acquireLock(lockDir) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "owner"), `${currentCall().pid}\n`);
      return;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== "EEXIST") throw error;
    }
    if (lockIsAbandoned(lockDir)) rmSync(lockDir, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`fleet-sim: state lock ${lockDir} is held`);
    await sleep(5);
  }
}

/** @param {string} lockDir */
function lockIsAbandoned(lockDir) {
  try {
    const owner = Number(readFileSync(join(lockDir, "owner"), "utf8").trim());
    return !isPidAlive(owner);
  } catch {
    // Owner file not written yet: abandoned only if the directory is old.
    try {
      return Date.now() - statSync(lockDir).mtimeMs > 2000;
    } catch {
      return false;
    }
  }
}

/** @param {SimState} state @param {number} port */
export function gatewayByPort(state, port) {
  return Object.values(state.gateways).find((gateway) => gateway.port === port) ?? null;
}

/** @param {SimState} state @param {string} name */
export function containerByName(state, name) {
  return state.docker.containers.find((c) => c.name === name || c.id.startsWith(name)) ?? null;
}

/**
 * Whether the gateway's process (host-process) or container (cluster) is running.
 * @param {SimState} state
 * @param {Gateway} gateway
 */
export function gatewayRunning(state, gateway) {
  if (gateway.driver === "host-process") return isRecordedProcessAlive(gateway.process);
  if (state.docker.daemon !== "running") return false;
  const container = gateway.container ? containerByName(state, gateway.container) : null;
  return Boolean(container?.running);
}

/** Running and answering on its port. @param {SimState} state @param {Gateway} gateway */
export function gatewayAnswers(state, gateway) {
  return gatewayRunning(state, gateway) && !gateway.unreachable;
}

/**
 * The phase the gateway reports: a sandbox whose Docker container is stopped has lost its
 * supervisor connection and shows Provisioning until it is back.
 * @param {SimState} state
 * @param {Sandbox} sandbox
 */
export function reportedPhase(state, sandbox) {
  if (sandbox.phase === "Stopped") return "Stopped";
  if (sandbox.container) {
    const container = containerByName(state, sandbox.container);
    if (!container?.running || state.docker.daemon !== "running") return "Provisioning";
  }
  return sandbox.phase;
}
