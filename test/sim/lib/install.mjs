// @ts-check
// Turns a scenario (README.md) into a simulated host: binaries, the simulator's state, the
// real files the real tools keep in the home, running gateway and sandbox processes, faults.
// Runs as the host's user (installSimulator starts it with that uid), so everything it
// creates has the owner the real tools would give it.

import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { backupSandboxState } from "./backups.mjs";
import {
  appendGatewayStart,
  deployClusterGateway,
  migrationError,
  newGateway,
  removeRegistration,
  startHostProcessGateway,
  stopHostProcessGateway,
  writeActiveGateway,
  writeMetadata,
} from "./gateways.mjs";
import { nemoclawGatewayName, simPaths } from "./paths.mjs";
import { startDaemon } from "./processes.mjs";
import { saveUsageNoticeAcceptance, writeRegistry } from "./registry.mjs";
import { agentLockPath, GUARD_PATHS, PRELOADS, sandboxRoot, startHolder, stopHolder } from "./sandbox.mjs";
import { createSandbox } from "./sandboxes.mjs";
import { linkInstalledTools, writeLauncher, writeNemoClawSource, writeShim } from "./shims.mjs";
import { containerByName, saveState } from "./state.mjs";
import { deadPid, isRecordedProcessAlive, sleep, uuid } from "./util.mjs";
import { atLeast, isClusterEra, maxMigration } from "./versions.mjs";
import { bundledOpenclaw, DEFAULT_NEMOCLAW, NC, nemoclawFor, onboardGivesGatewayGpu, openshellPin } from "./releases.mjs";

/**
 * @typedef {import("./state.mjs").SimState} SimState
 * @typedef {import("./state.mjs").Gateway} Gateway
 * @typedef {import("./paths.mjs").SimPaths} SimPaths
 *
 * @typedef {object} ScenarioSandbox
 * @property {string} name
 * @property {string} [phase]
 * @property {boolean} [managed]
 * @property {"running" | "stopped"} [agentGateway]
 * @property {{ missing?: string[] | "all"; wrongOwner?: string[]; wrongMode?: string[] }} [guards]
 * @property {boolean} [staleLock]
 * @property {string[]} [preloadsMissing]
 * @property {Record<string, string>} [files]
 * @property {string[]} [presets]
 * @property {Record<string, string>} [labels]
 * @property {boolean} [registered]
 * @property {boolean} [live]
 * @property {"running" | "stopped"} [container]
 * @property {Record<string, unknown>} [registryEntry]
 * @property {string} [createdAt]
 *
 * @typedef {object} ScenarioGateway
 * @property {string} [name]
 * @property {number} [port]
 * @property {"host-process" | "cluster-container"} [driver]
 * @property {string} [version]
 * @property {"running" | "stopped" | "crashed"} [state]
 * @property {number} [fatalMigration]
 * @property {number} [dbMigration]
 * @property {boolean} [unreachable]
 * @property {boolean | string} [protobufMismatch]
 * @property {boolean} [registered]
 * @property {string} [binary]
 * @property {string} [image]
 * @property {boolean} [gpu] cluster era: the container has GPU passthrough (`gateway start --gpu`); by default as the host's NemoClaw would have started it
 * @property {ScenarioSandbox[]} [sandboxes]
 *
 * @typedef {object} Scenario
 * @property {string} [hostname]
 * @property {string} [arch]
 * @property {string} [kernel]
 * @property {{ name: string; memoryMiB?: number | null; driverVersion?: string; uuid?: string }[]} [gpus]
 * @property {"ok" | "fails" | "absent"} [nvidiaSmi]
 * @property {false | { daemon?: "running" | "down"; version?: string }} [docker]
 * @property {null | { version: string; location?: "local" | "system" }} [openshell]
 * @property {null | { version?: string; openshellMin?: string; openshellMax?: string; usageNoticeAccepted?: boolean }} [nemoclaw]
 * @property {string | null} [activeGateway]
 * @property {ScenarioGateway[]} [gateways]
 * @property {{ defaultSandbox?: string | null; entries?: Record<string, Record<string, unknown>> }} [registry]
 * @property {{ owner?: "alive" | "dead"; ageSeconds?: number }} [registryLock]
 * @property {Record<string, "up" | "down">} [shields]
 * @property {{ sandbox: string }[]} [backups]
 * @property {{ arm64UploadFailure?: boolean; slow?: { match: string; delayMs: number }[]; backupFails?: string[]; partialBackup?: string[]; restoreFails?: string[]; supervisorBusy?: string[]; inferenceBreaksOnChange?: string[]; installer?: { fatalExitsZero?: boolean; failsAfterSuccess?: boolean; nodeTooOld?: boolean } }} [faults]
 * @property {"stdout" | "stderr"} [statusOutput]
 * @property {number} [agentUid]
 * @property {string} [openclawVersion]
 * @property {string} [latestOpenshell]
 * @property {string} [latestNemoclaw]
 * @property {"nopasswd" | "password" | "absent"} [sudo]
 * @property {boolean} [systemdUser]
 */

const PROTOBUF_DEFAULT = "failed to decode Protobuf message: Sandbox.metadata: SandboxResponse.sandbox: invalid wire type value: 6";

/**
 * @param {string} home
 * @param {Scenario} scenario
 * @param {{ canChown: boolean; launcher: string[] }} options
 * @returns {Promise<{ binDir: string; foreignOwned: string[] }>}
 */
export async function install(home, scenario, options) {
  const paths = simPaths(home);
  for (const dir of [paths.sim, paths.binDir, paths.sandboxesDir, paths.localBin]) mkdirSync(dir, { recursive: true });
  writeFileSync(paths.callsLog, "");
  writeLauncher(paths, options.launcher);
  const arch = scenario.arch ?? "aarch64";
  const release = selectReleases(scenario);
  const cliVersion = release.openshell;
  const nemoclawVersion = release.nemoclaw;
  const docker = scenario.docker === false ? null : (scenario.docker ?? {});
  const nvidiaSmi = scenario.nvidiaSmi ?? "ok";
  /** @type {SimState} */
  const state = {
    version: 1,
    home,
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    host: {
      hostname: scenario.hostname ?? "sim-host",
      arch,
      kernel: scenario.kernel ?? (arch === "x86_64" ? "6.8.0-85-generic" : "6.11.0-1016-nvidia"),
      gpus: nvidiaSmi === "absent" ? null : defaultGpus(scenario, arch),
      nvidiaSmiFails: nvidiaSmi === "fails",
      sudo: scenario.sudo ?? "nopasswd",
      systemdUser: scenario.systemdUser ?? true,
    },
    docker: { installed: docker !== null, daemon: docker?.daemon ?? "running", version: docker?.version ?? "28.3.2", containers: [], images: [], registry: {} },
    nemoclaw: nemoclawVersion === null ? null : { version: nemoclawVersion, openshellMin: release.min, openshellMax: release.max, usageNoticeAccepted: false },
    options: {
      agentUid: scenario.agentUid ?? 1000,
      statusStream: scenario.statusOutput ?? "stdout",
      arm64UploadFailure: Boolean(scenario.faults?.arm64UploadFailure),
      slow: scenario.faults?.slow ?? [],
      openclawVersion: scenario.openclawVersion ?? bundledOpenclaw(nemoclawVersion ?? DEFAULT_NEMOCLAW),
      latestOpenshell: scenario.latestOpenshell ?? "0.0.111",
      latestNemoclaw: scenario.latestNemoclaw ?? "0.0.130",
      backupFails: scenario.faults?.backupFails ?? [],
      partialBackup: scenario.faults?.partialBackup ?? [],
      restoreFails: scenario.faults?.restoreFails ?? [],
      supervisorBusy: scenario.faults?.supervisorBusy ?? [],
      inferenceBreaksOnChange: scenario.faults?.inferenceBreaksOnChange ?? [],
      inferenceBroken: [],
      installer: {
        fatalExitsZero: Boolean(scenario.faults?.installer?.fatalExitsZero),
        failsAfterSuccess: Boolean(scenario.faults?.installer?.failsAfterSuccess),
        nodeTooOld: Boolean(scenario.faults?.installer?.nodeTooOld),
      },
    },
    gateways: {},
  };

  for (const tool of ["uname", "curl", ...(docker ? ["docker"] : []), ...(nvidiaSmi === "absent" ? [] : ["nvidia-smi"])]) {
    writeShim(join(paths.binDir, tool), home, tool, "-");
  }
  let dir = paths.localBin;
  if (cliVersion) {
    // NemoClaw installs OpenShell beside the active CLI (~/.local/bin here); a bare host has the packages.
    const location = scenario.openshell?.location ?? (nemoclawVersion ? "local" : "system");
    dir = location === "system" ? paths.systemBin : paths.localBin;
    writeShim(join(dir, "openshell"), home, "openshell", cliVersion);
    if (!isClusterEra(cliVersion)) writeShim(join(dir, "openshell-gateway"), home, "openshell-gateway", cliVersion);
  }
  if (nemoclawVersion) {
    writeShim(paths.nemoclawBin, home, "nemoclaw", nemoclawVersion);
    writeNemoClawSource(paths);
  }
  linkInstalledTools(paths);

  /** @type {string[]} */
  const foreignOwned = [];
  /** @type {Record<string, Record<string, unknown>>} */
  const registryEntries = {};
  for (const spec of scenario.gateways ?? []) {
    const gateway = await installGateway(paths, state, spec, cliVersion ?? "0.0.72", join(dir, "openshell-gateway"));
    for (const sandboxSpec of spec.sandboxes ?? []) {
      const entry = await installSandbox(paths, state, gateway, sandboxSpec, options, foreignOwned);
      if (entry) {
        // The NVIDIA key's variable of the release that onboarded it (#5366, v0.0.65).
        const credentialEnv = atLeast(nemoclawVersion ?? DEFAULT_NEMOCLAW, NC.nvidiaInferenceKey) ? "NVIDIA_INFERENCE_API_KEY" : "NVIDIA_API_KEY";
        registryEntries[sandboxSpec.name] = { ...entry, credentialEnv, openshellVersion: cliVersion, nemoclawVersion, ...(sandboxSpec.registryEntry ?? {}) };
      }
    }
  }

  const entries = { ...registryEntries, ...(scenario.registry?.entries ?? {}) };
  if (Object.keys(entries).length > 0 || scenario.registry) {
    writeRegistry(paths, { sandboxes: /** @type {any} */ (entries), defaultSandbox: scenario.registry?.defaultSandbox ?? Object.keys(entries)[0] ?? null });
  }
  if (scenario.registryLock) installRegistryLock(paths, scenario.registryLock);
  // A host that onboarded once accepted the third-party notice (`~/.nemoclaw/usage-notice.json`).
  if (state.nemoclaw && (scenario.nemoclaw?.usageNoticeAccepted ?? Object.keys(entries).length > 0)) {
    state.nemoclaw.usageNoticeAccepted = true;
    saveUsageNoticeAcceptance(paths);
  }
  for (const [sandbox, posture] of Object.entries(scenario.shields ?? {})) {
    mkdirSync(paths.nemoclawStateDir, { recursive: true, mode: 0o700 });
    const now = new Date().toISOString();
    // What `shields up` / `shields down` (300 s) write (NC@d50338aa:src/lib/shields/index.ts:2422-2433, 2659-2666).
    const content = posture === "up" ? { shieldsDown: false, updatedAt: now } : { shieldsDown: true, shieldsDownAt: now, shieldsDownTimeout: 300, shieldsDownReason: null, shieldsDownPolicy: "permissive", updatedAt: now };
    writeFileSync(join(paths.nemoclawStateDir, `shields-${sandbox}.json`), `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  }
  for (const backup of scenario.backups ?? []) {
    const gateway = Object.values(state.gateways).find((g) => g.sandboxes[backup.sandbox]);
    const root = gateway ? sandboxRoot(paths, gateway.name, backup.sandbox) : join(paths.sim, "empty");
    backupSandboxState(paths, root, { sandbox: backup.sandbox, agentVersion: state.options.openclawVersion, presets: [], ...(state.nemoclaw ? { version: state.nemoclaw.version } : {}) });
    await sleep(2);
  }
  const active = scenario.activeGateway === undefined ? (Object.keys(state.gateways)[0] ?? null) : scenario.activeGateway;
  if (active) writeActiveGateway(paths, active);
  else rmSync(paths.activeGateway, { force: true });
  saveState(paths, state);
  return { binDir: paths.binDir, foreignOwned };
}

/**
 * The NemoClaw release and the OpenShell it runs: `nemoclaw.version` selects the release and its
 * pin is installed; `openshell.version` overrides that (drift, or a bare OpenShell host); a
 * scenario naming only OpenShell gets the NemoClaw release that pins it (releases.mjs).
 * @param {Scenario} scenario
 */
function selectReleases(scenario) {
  const named = scenario.nemoclaw === null ? null : scenario.nemoclaw?.version;
  const nemoclaw = scenario.nemoclaw === null ? null : (named ?? (scenario.openshell ? nemoclawFor(scenario.openshell.version) : DEFAULT_NEMOCLAW));
  const pin = nemoclaw ? openshellPin(nemoclaw) : null;
  if (nemoclaw && !pin && !scenario.openshell) {
    throw new Error(`fleet-sim: the OpenShell pin of NemoClaw v${nemoclaw} is not established; set scenario.openshell.version`);
  }
  const openshell = scenario.openshell === null ? null : (scenario.openshell?.version ?? pin?.pin ?? null);
  return {
    nemoclaw,
    openshell,
    min: scenario.nemoclaw?.openshellMin ?? pin?.min ?? null,
    max: scenario.nemoclaw?.openshellMax ?? pin?.max ?? null,
  };
}

/** @param {Scenario} scenario @param {string} arch */
function defaultGpus(scenario, arch) {
  const gpus = scenario.gpus ?? (arch === "x86_64" ? [{ name: "NVIDIA RTX PRO 6000 Blackwell Workstation Edition", memoryMiB: 97887 }] : [{ name: "NVIDIA GB10", memoryMiB: null }]);
  return gpus.map((gpu, index) => ({
    name: gpu.name,
    memoryMiB: gpu.memoryMiB === undefined ? null : gpu.memoryMiB,
    driverVersion: gpu.driverVersion ?? "580.95.05",
    uuid: gpu.uuid ?? `GPU-${uuid().replace(/^.{8}/, `0000000${index}`)}`,
  }));
}

/**
 * @param {SimPaths} paths
 * @param {SimState} state
 * @param {ScenarioGateway} spec
 * @param {string} cliVersion
 * @param {string} cliGatewayBin the `openshell-gateway` installed beside the CLI
 * @returns {Promise<Gateway>}
 */
async function installGateway(paths, state, spec, cliVersion, cliGatewayBin) {
  const port = spec.port ?? 8080;
  const name = spec.name ?? nemoclawGatewayName(port);
  const version = spec.version ?? cliVersion;
  const driver = spec.driver ?? (isClusterEra(version) ? "cluster-container" : "host-process");
  const status = spec.state ?? (spec.fatalMigration !== undefined ? "crashed" : "running");
  if (driver === "cluster-container") {
    const image = spec.image ?? `ghcr.io/nvidia/openshell/cluster:${version}`;
    // As the host's NemoClaw would have started it, unless the scenario says otherwise.
    const gpu = spec.gpu ?? (state.nemoclaw !== null && onboardGivesGatewayGpu(state.nemoclaw.version, state.host));
    deployClusterGateway(paths, state, { name, port, image, recreate: false, gpu });
    const container = containerByName(state, `openshell-cluster-${name}`);
    if (container && status !== "running") {
      container.running = false;
      container.finishedAtMs = Date.now();
      container.exitCode = status === "crashed" ? 1 : 0;
    }
  } else {
    const binary = spec.binary ?? (version === cliVersion ? cliGatewayBin : join(paths.optDir, `openshell-${version}`, "openshell-gateway"));
    if (!existsSync(binary) || binary !== cliGatewayBin) writeShim(binary, paths.home, "openshell-gateway", version);
    const seeded = state.gateways[name] ?? newGateway({ name, port, driver, endpoint: `http://127.0.0.1:${port}`, version });
    seeded.dbMigration = spec.dbMigration ?? (status === "crashed" ? Math.max(spec.fatalMigration ?? 0, maxMigration(version) + 1) : 0);
    state.gateways[name] = seeded;
    const result = await startHostProcessGateway(paths, state, { name, port, binary, cliVersion });
    if (status === "stopped") {
      stopHostProcessGateway(result.gateway);
      while (isRecordedProcessAlive(result.gateway.process)) await sleep(5);
    }
    if (status === "running" && spec.fatalMigration !== undefined) {
      // A later start attempt died on the database while the earlier process kept answering.
      appendGatewayStart(result.logPath, { port, version, dbPath: join(result.gateway.stateDir ?? "", "openshell.db"), error: migrationError(spec.fatalMigration) });
    }
    writeMetadata(paths, { name, gateway_endpoint: `http://127.0.0.1:${port}`, is_remote: false, gateway_port: 0, auth_mode: "plaintext" });
  }
  const gateway = /** @type {Gateway} */ (state.gateways[name]);
  gateway.version = version;
  gateway.unreachable = Boolean(spec.unreachable);
  gateway.protobufMismatch = spec.protobufMismatch ? (typeof spec.protobufMismatch === "string" ? spec.protobufMismatch : PROTOBUF_DEFAULT) : null;
  if (spec.registered === false) removeRegistration(paths, name);
  return gateway;
}

/**
 * @param {SimPaths} paths
 * @param {SimState} state
 * @param {Gateway} gateway
 * @param {ScenarioSandbox} spec
 * @param {{ canChown: boolean }} options
 * @param {string[]} foreignOwned absolute host paths the caller (root) must chown away
 * @returns {Promise<Record<string, unknown> | null>} the registry entry, when registered
 */
async function installSandbox(paths, state, gateway, spec, options, foreignOwned) {
  const managed = spec.managed ?? true;
  const model = "nvidia/nemotron-3-super-120b-a12b";
  const createdAtMs = spec.createdAt ? Date.parse(spec.createdAt) : Date.now();
  if (spec.live !== false) {
    const command = managed ? ["env", "CHAT_UI_URL=http://127.0.0.1:18789", `NEMOCLAW_MODEL=${model}`, "nemoclaw-start"] : ["/bin/bash", "-l"];
    const agentWanted = managed && spec.agentGateway !== "stopped" && !spec.staleLock && spec.container !== "stopped";
    const sandbox = await createSandbox(paths, state, gateway, {
      name: spec.name,
      image: managed ? "openshell/sandbox-from:1778663150" : "ghcr.io/nvidia/openshell-community/sandboxes/base:latest",
      command,
      labels: spec.labels,
      files: spec.files,
      presets: spec.presets ?? [],
      agentRunning: agentWanted,
      createdAtMs,
    });
    sandbox.policyVersion += (spec.presets ?? []).length;
    if (spec.phase) sandbox.phase = spec.phase;
    const root = sandboxRoot(paths, gateway.name, spec.name);
    const guards = spec.guards ?? {};
    const missing = guards.missing === "all" ? GUARD_PATHS : (guards.missing ?? []);
    for (const path of missing) rmSync(join(root, path), { force: true });
    for (const path of guards.wrongMode ?? []) chmodSync(join(root, path), 0o644);
    for (const path of guards.wrongOwner ?? []) {
      if (options.canChown) foreignOwned.push(join(root, path));
      else sandbox.foreignOwned.push(path);
    }
    if (sandbox.foreignOwned.length > 0 && sandbox.holder) {
      // The foreign-owner mounts are made when a namespace starts: restart the running one.
      stopHolder(sandbox);
      sandbox.holder = await startHolder(paths, gateway.name, sandbox, { agentUid: state.options.agentUid });
    }
    for (const preload of spec.preloadsMissing ?? []) {
      if (PRELOADS.includes(preload)) rmSync(join(root, "usr/local/lib/nemoclaw/preloads", preload), { force: true });
    }
    if (spec.staleLock) {
      const lock = join(root, agentLockPath(state.options.agentUid));
      mkdirSync(join(lock, ".."), { recursive: true });
      writeFileSync(lock, `${JSON.stringify({ pid: 4242, createdAt: new Date(createdAtMs).toISOString(), configPath: "/sandbox/.openclaw/openclaw.json" }, null, 2)}\n`);
    }
    if (spec.container === "stopped" && sandbox.container) {
      const container = containerByName(state, sandbox.container);
      if (container) {
        container.running = false;
        container.finishedAtMs = Date.now();
        container.exitCode = 137;
      }
      stopHolder(sandbox);
    }
  }
  if (spec.registered === false || !managed) return null;
  return {
    name: spec.name,
    createdAt: new Date(createdAtMs).toISOString(),
    model,
    provider: "nvidia-prod",
    endpointUrl: null,
    credentialEnv: "NVIDIA_INFERENCE_API_KEY",
    gpuEnabled: false,
    sandboxGpuMode: "0",
    openshellDriver: gateway.driver === "cluster-container" ? "kubernetes" : "docker",
    policies: spec.presets ?? [],
    policyTier: "balanced",
    agent: null,
    agentVersion: state.options.openclawVersion,
    fromDockerfile: null,
    imageTag: "openshell/sandbox-from:1778663150",
    dashboardPort: 18789,
    // Recorded by the releases with per-port gateways, as their onboard does (NC.perPortGateways).
    ...(state.nemoclaw === null || atLeast(state.nemoclaw.version, NC.perPortGateways) ? { gatewayName: gateway.name, gatewayPort: gateway.port } : {}),
    ...(spec.registryEntry ?? {}),
  };
}

/**
 * `sandboxes.json.lock/owner`: a live owner (a recorded process) or a dead pid, aged as asked.
 * @param {SimPaths} paths
 * @param {{ owner?: "alive" | "dead"; ageSeconds?: number }} spec
 */
function installRegistryLock(paths, spec) {
  mkdirSync(paths.registryLock, { recursive: true, mode: 0o700 });
  const owner = join(paths.registryLock, "owner");
  const pid =
    spec.owner === "dead"
      ? deadPid()
      : startDaemon(paths, "/bin/sleep", ["infinity"], { argv0: "nemoclaw", kind: "registry-lock-owner", label: "sandboxes.json.lock" }).pid;
  writeFileSync(owner, `${pid}\n`, { mode: 0o600 });
  const when = new Date(Date.now() - (spec.ageSeconds ?? 0) * 1000);
  utimesSync(owner, when, when);
  utimesSync(paths.registryLock, when, when);
}

/** Run as a child process: scenario JSON on stdin, result JSON on stdout. */
export async function main() {
  const [home = "", canChown = "false", launcher = "[]"] = process.argv.slice(2);
  const scenario = JSON.parse(readFileSync(0, "utf8"));
  const result = await install(home, scenario, { canChown: canChown === "true", launcher: JSON.parse(launcher) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
