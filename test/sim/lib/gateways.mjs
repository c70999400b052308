// @ts-check
// Gateway lifecycle shared by `openshell gateway start|stop|destroy` (cluster era), NemoClaw's
// onboard (both eras) and the scenario installer, plus the CLI registration files
// (`~/.config/openshell/active_gateway`, `gateways/<name>/metadata.json`).

import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gatewayMetadataPath, gatewayStateDir } from "./paths.mjs";
import { startDaemon } from "./processes.mjs";
import { stopHolder } from "./sandbox.mjs";
import { containerByName } from "./state.mjs";
import { bold, green } from "./ansi.mjs";
import { atLeast, maxMigration } from "./versions.mjs";
import { processStartTime, randomHex, sha256, writeFileAtomic } from "./util.mjs";

/**
 * @typedef {import("./state.mjs").SimState} SimState
 * @typedef {import("./state.mjs").Gateway} Gateway
 * @typedef {import("./paths.mjs").SimPaths} SimPaths
 * @typedef {{ name: string; gateway_endpoint: string; is_remote: boolean; gateway_port: number; auth_mode?: string; remote_host?: string; resolved_host?: string }} GatewayMetadata
 */

/** @param {SimPaths} paths */
export function readActiveGateway(paths) {
  try {
    const name = readFileSync(paths.activeGateway, "utf8").trim();
    return name === "" ? null : name;
  } catch {
    return null;
  }
}

/** @param {SimPaths} paths @param {string} name */
export function writeActiveGateway(paths, name) {
  writeFileAtomic(paths.activeGateway, name, 0o644);
}

/** @param {SimPaths} paths @param {string} name @returns {GatewayMetadata | null} */
export function readMetadata(paths, name) {
  try {
    return JSON.parse(readFileSync(gatewayMetadataPath(paths, name), "utf8"));
  } catch {
    return null;
  }
}

/** @param {SimPaths} paths @param {GatewayMetadata} metadata */
export function writeMetadata(paths, metadata) {
  writeFileAtomic(gatewayMetadataPath(paths, metadata.name), `${JSON.stringify(metadata, null, 2)}\n`, 0o644);
}

/** @param {SimPaths} paths @param {string} name */
export function removeRegistration(paths, name) {
  rmSync(join(paths.gatewaysDir, name), { recursive: true, force: true });
  if (readActiveGateway(paths) === name) rmSync(paths.activeGateway, { force: true });
}

/** Registered gateways, sorted by name (the order `gateway list` prints). @param {SimPaths} paths */
export function listMetadata(paths) {
  if (!existsSync(paths.gatewaysDir)) return [];
  return readdirSync(paths.gatewaysDir)
    .sort()
    .map((name) => readMetadata(paths, name))
    .filter((metadata) => metadata !== null);
}

/** @param {string} endpoint */
export function endpointPort(endpoint) {
  const url = new URL(endpoint);
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/**
 * The version a shim binary prints (each simulated binary carries its own version).
 * @param {string} binary
 */
export function binaryVersion(binary) {
  try {
    return /^# fleet-sim shim: \S+ (\S+)$/m.exec(readFileSync(binary, "utf8"))?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * The cluster image tag NemoClaw and the fleet parse (`openshell/cluster:X` or the patched
 * `nemoclaw-cluster:X-…`).
 * @param {string} image
 */
export function clusterImageVersion(image) {
  return (
    /openshell\/cluster:([0-9]+\.[0-9]+\.[0-9]+)/.exec(image)?.[1] ??
    /(?:^|\/)nemoclaw-cluster:([0-9]+\.[0-9]+\.[0-9]+)(?:[-@]|$)/.exec(image)?.[1] ??
    null
  );
}

/**
 * A gateway record with no runtime yet.
 * @param {{ name: string; port: number; driver: Gateway["driver"]; endpoint: string; version: string }} base
 * @returns {Gateway}
 */
export function newGateway(base) {
  return {
    ...base,
    process: null,
    stateDir: null,
    dbMigration: 0,
    container: null,
    unreachable: false,
    protobufMismatch: null,
    sandboxNamespace: "openshell",
    sandboxes: {},
    providers: {},
    inference: null,
  };
}

/** @param {string} arch `uname -m` */
export function nodeArch(arch) {
  return arch === "aarch64" || arch === "arm64" ? "arm64" : arch === "x86_64" ? "x64" : arch;
}

/**
 * Start (or fail to start) NemoClaw's host-process Docker-driver gateway for a port, the way
 * NemoClaw launches it: a detached `openshell-gateway` with its env, a pid file, a log and the
 * `runtime.json` marker in `~/.local/state/nemoclaw/openshell-docker-gateway[-<port>]/`.
 * A binary that knows fewer migrations than the database has dies at startup with sqlx's
 * `VersionMissing` error, leaving the pid file and marker pointing at a dead pid.
 * @param {SimPaths} paths
 * @param {SimState} state
 * @param {{ name: string; port: number; binary: string; cliVersion: string; packagedUnit?: boolean }} options
 * @returns {Promise<{ started: boolean; gateway: Gateway; logPath: string; error: string | null }>}
 */
export async function startHostProcessGateway(paths, state, options) {
  const version = binaryVersion(options.binary);
  if (!version) throw new Error(`fleet-sim: ${options.binary} is not an openshell-gateway binary`);
  const packaged = options.packagedUnit === true;
  // The packaged user unit keeps its state in ~/.local/state/openshell and speaks mTLS.
  const stateDir = packaged ? join(paths.home, ".local", "state", "openshell") : gatewayStateDir(paths, options.port);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const endpoint = `${packaged ? "https" : "http"}://127.0.0.1:${options.port}`;
  const gateway =
    state.gateways[options.name] ??
    newGateway({ name: options.name, port: options.port, driver: "host-process", endpoint, version });
  gateway.driver = "host-process";
  gateway.stateDir = stateDir;
  gateway.sandboxNamespace = `nemoclaw-openshell-docker-gateway-${sha256(stateDir).slice(0, 12)}`;
  state.gateways[options.name] = gateway;

  const dbPath = join(stateDir, "openshell.db");
  if (!existsSync(dbPath)) writeFileSync(dbPath, "", { mode: 0o600 });
  writeFileAtomic(
    join(stateDir, "openshell-gateway.toml"),
    `[openshell]\nversion = 1\n\n[openshell.gateway]\nbind_address = "127.0.0.1"\nsandbox_namespace = "${gateway.sandboxNamespace}"\n`,
    0o600,
  );
  const env = {
    OPENSHELL_BIND_ADDRESS: "127.0.0.1",
    OPENSHELL_DB_URL: `sqlite:${dbPath}`,
    OPENSHELL_DISABLE_TLS: "true",
    OPENSHELL_DOCKER_NETWORK_NAME: "openshell-docker",
    OPENSHELL_DRIVERS: "docker",
    OPENSHELL_GATEWAY_CONFIG: join(stateDir, "openshell-gateway.toml"),
    OPENSHELL_SERVER_PORT: String(options.port),
  };
  const logPath = join(stateDir, "openshell-gateway.log");
  const known = maxMigration(version);
  const error = gateway.dbMigration > known ? migrationError(known + 1) : null;
  appendGatewayStart(logPath, { port: options.port, version, dbPath, error });

  /** @type {{ pid: number; startTime: number }} */
  let processRecord;
  if (error) {
    processRecord = await exitedProcess(options.binary);
    gateway.process = null;
  } else {
    gateway.dbMigration = Math.max(gateway.dbMigration, known);
    processRecord = startDaemon(paths, "/bin/sleep", ["infinity"], {
      argv0: options.binary,
      kind: "openshell-gateway",
      label: options.name,
      env,
    });
    gateway.process = { ...processRecord, binary: options.binary };
    gateway.version = version;
    // "Unreachable" describes the process that hung; a freshly started one answers.
    gateway.unreachable = false;
  }
  writeFileAtomic(join(stateDir, "openshell-gateway.pid"), `${processRecord.pid}\n`, 0o644);
  const marker = {
    version: 1,
    pid: processRecord.pid,
    driver: "docker",
    platform: "linux",
    arch: nodeArch(state.host.arch),
    endpoint,
    desiredEnvHash: sha256(Object.entries(env).map(([k, v]) => `${k}=${v}`).sort().join("\n")),
    gatewayBin: options.binary,
    openshellVersion: options.cliVersion,
    dockerHost: "unix:///var/run/docker.sock",
    createdAt: new Date().toISOString(),
  };
  if (!packaged) writeFileAtomic(join(stateDir, "runtime.json"), `${JSON.stringify(marker, null, 2)}\n`, 0o600);
  return { started: error === null, gateway, logPath, error };
}

/** sqlx `VersionMissing` as OpenShell wraps it. @param {number} migration */
export function migrationError(migration) {
  return `execution error: migration error: migration ${migration} was previously applied but is missing in the resolved migrations`;
}

/**
 * The gateway's startup lines in its log (tracing's format), ending in the fatal error of a
 * start that failed.
 * @param {string} logPath
 * @param {{ port: number; version: string; dbPath: string; error: string | null }} start
 */
export function appendGatewayStart(logPath, start) {
  const stamp = () => new Date().toISOString().replace(/Z$/, "000Z");
  const lines = [
    `${stamp()}  INFO openshell_server: Starting OpenShell server bind=127.0.0.1:${start.port} version=${start.version}`,
    `${stamp()}  INFO openshell_server::compute: Using compute driver driver="docker"`,
    `${stamp()}  INFO openshell_server::persistence: Running database migrations db=sqlite:${start.dbPath}`,
    start.error ? `Error:   × ${start.error}` : `${stamp()}  INFO openshell_server: Gateway listening addr=127.0.0.1:${start.port}`,
  ];
  appendFileSync(logPath, `${lines.join("\n")}\n`);
}

/**
 * A real process that ran the gateway binary and already exited (a crashed gateway's pid).
 * @param {string} binary
 */
async function exitedProcess(binary) {
  const child = spawn("/bin/sh", ["-c", "exit 1"], { argv0: binary, stdio: "ignore" });
  const pid = /** @type {number} */ (child.pid);
  const startTime = processStartTime(pid) ?? 0;
  await new Promise((resolve) => child.on("close", resolve));
  return { pid, startTime };
}

/** Stop a host-process gateway (SIGTERM, as `kill <pid>` would). @param {Gateway} gateway */
export function stopHostProcessGateway(gateway) {
  if (gateway.process && processStartTime(gateway.process.pid) === gateway.process.startTime) {
    try {
      process.kill(gateway.process.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
}

/**
 * @typedef {{ kind: "already-running" | "fresh" | "resume" | "recreate"; containerExists: boolean; endpoint: string }} ClusterDeploy
 */

/**
 * Cluster era `gateway start` (and the auto-bootstrap of `sandbox create`): create, resume or
 * report the `openshell-cluster-<name>` container (OS@v0.0.36:crates/openshell-bootstrap/src/lib.rs:294-548).
 * @param {SimPaths} paths
 * @param {SimState} state
 * @param {{ name: string; port: number; image: string; recreate: boolean; plaintext?: boolean; gpu?: boolean }} options
 * @returns {ClusterDeploy}
 */
export function deployClusterGateway(paths, state, options) {
  const containerName = `openshell-cluster-${options.name}`;
  const existing = containerByName(state, containerName);
  const current = state.gateways[options.name];
  const stored = readMetadata(paths, options.name);
  if (existing?.running && !options.recreate && current) {
    return { kind: "already-running", containerExists: true, endpoint: current.endpoint };
  }
  const resuming = Boolean(current && (existing || current.container)) && !options.recreate;
  if (options.recreate && current) destroyClusterGateway(paths, state, options.name);
  const now = Date.now();
  // Resuming prefers the port recorded for the gateway over the CLI default.
  const port = resuming ? (current?.port ?? options.port) : stored && stored.gateway_port > 0 && !options.recreate ? stored.gateway_port : options.port;
  const scheme = options.plaintext ? "http" : "https";
  let endpoint = `${scheme}://127.0.0.1:${port}`;
  if (resuming && current) {
    // On resume the existing container is reused as is: no image upgrade, no GPU change (`--gpu`
    // only reaches a container created now, OS@v0.0.36:crates/openshell-bootstrap/src/docker.rs:507-567).
    const container = existing ?? createClusterContainer(state, options.name, current.port, options.image, now, options.gpu ?? false);
    container.running = true;
    container.startedAtMs = now;
    container.health = "healthy";
    const version = clusterImageVersion(container.image) ?? current.version;
    // Before v0.0.22 node names were random: a restarted cluster deleted the PVCs of the old node.
    if (!atLeast(version, "0.0.22")) wipeSandboxes(paths, current);
    current.version = version;
    current.container = container.name;
    endpoint = current.endpoint;
  } else {
    const container = createClusterContainer(state, options.name, port, options.image, now, options.gpu ?? false);
    const record = newGateway({
      name: options.name,
      port,
      driver: "cluster-container",
      endpoint,
      version: clusterImageVersion(options.image) ?? "0.0.0",
    });
    record.container = container.name;
    record.dbMigration = 3;
    state.gateways[options.name] = record;
  }
  writeMetadata(paths, { name: options.name, gateway_endpoint: endpoint, is_remote: false, gateway_port: port });
  writeActiveGateway(paths, options.name);
  return { kind: options.recreate ? "recreate" : resuming ? "resume" : "fresh", containerExists: Boolean(existing), endpoint };
}

/**
 * @param {SimState} state
 * @param {string} name
 * @param {number} port
 * @param {string} image
 * @param {number} now
 * @param {boolean} gpu
 */
function createClusterContainer(state, name, port, image, now, gpu) {
  /** @type {import("./state.mjs").Container} */
  const container = {
    id: randomHex(32),
    name: `openshell-cluster-${name}`,
    image,
    labels: {},
    role: "cluster",
    running: true,
    createdAtMs: now,
    startedAtMs: now,
    finishedAtMs: 0,
    exitCode: 0,
    command: "/usr/local/bin/cluster-entrypoint.sh",
    ports: { "30051/tcp": [{ HostIp: "0.0.0.0", HostPort: String(port) }] },
    health: "healthy",
    restartPolicy: "unless-stopped",
    gpu,
    gateway: name,
  };
  state.docker.containers.push(container);
  return container;
}

/**
 * Era A `gateway destroy`: container, volume (and with it every sandbox), metadata, and the
 * active selection when it pointed here.
 * @param {SimPaths} paths
 * @param {SimState} state
 * @param {string} name
 */
export function destroyClusterGateway(paths, state, name) {
  state.docker.containers = state.docker.containers.filter((c) => c.name !== `openshell-cluster-${name}`);
  const gateway = state.gateways[name];
  if (gateway) wipeSandboxes(paths, gateway);
  delete state.gateways[name];
  removeRegistration(paths, name);
}

/** @param {SimPaths} paths @param {Gateway} gateway */
function wipeSandboxes(paths, gateway) {
  for (const sandbox of Object.values(gateway.sandboxes)) stopHolder(sandbox);
  gateway.sandboxes = {};
  rmSync(join(paths.sandboxesDir, gateway.name), { recursive: true, force: true });
}

/**
 * What a non-TTY cluster deploy prints on stderr (`deploy_gateway_with_panel`, `print_deploy_summary`;
 * OS@v0.0.36:crates/openshell-cli/src/run.rs:1296-1401, crates/openshell-bootstrap/src/lib.rs:294-548).
 * @param {string} name
 * @param {ClusterDeploy} result
 */
export function clusterDeployText(name, result) {
  if (result.kind === "already-running") return `${bold(green("✓"))} Gateway '${name}' is already running.\n`;
  const steps = {
    fresh: ["Checking Docker", "Downloading gateway", "Initializing environment", "Starting gateway"],
    resume: ["Checking Docker", "Resuming gateway from existing state", ...(result.containerExists ? [] : ["Downloading gateway"]), "Initializing environment", "Starting gateway"],
    recreate: ["Checking Docker", "Removing existing gateway", "Downloading gateway", "Initializing environment", "Starting gateway"],
  }[result.kind];
  return [
    `Deploying local gateway ${name}...`,
    ...steps.map((step) => `  ${step}`),
    `Gateway ${name} ready.`,
    "",
    `${bold(green("✓"))} Gateway ready`,
    "",
    `  ${bold("Name:")} ${name}`,
    `  ${bold("Endpoint:")} ${result.endpoint}`,
    "",
    `${bold(green("✓"))} Active gateway set to '${name}'`,
    "",
  ].join("\n");
}

