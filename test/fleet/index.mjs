// @ts-check
/**
 * A real SSH test fleet on this machine: N OpenSSH sshd hosts (each its own process, host key,
 * authorized key, user and home), an optional bastion, an Ansible YAML inventory and a
 * known_hosts file for them. Everything started is recorded (pids with start times, users,
 * network namespace) and stopped by exactly that record; a crashed run's leftovers are swept at
 * the next start.
 *
 * As root (CI): one OS user per host, sshd as root, hosts behind the bastion in a network
 * namespace only the bastion can reach. Not root: sshd runs as the current user, each host gets
 * its own HOME through sshd's SetEnv, and everything listens on loopback.
 */
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { createPrivateNetwork, deletePrivateNetwork, fleetNamespaces, namespacePids, NETNS_PATTERN } from "./netns.mjs";
import { descendantsOf, execFileAsync, isRunning, listProcesses, processId, terminate, waitFor } from "./proc.mjs";
import { CONNECTION_LINE, countLog, EXEC_LINE, FORWARD_LINE, generateKey, startSshd } from "./sshd.mjs";
import { createUsers, deleteUsers, fleetUsers, userName } from "./users.mjs";

/**
 * @typedef {object} HostSpec
 * @property {string} name
 * @property {unknown} [scenario]        simulator scenario (test/sim/README.md)
 * @property {boolean} [behindBastion]
 * @property {string[]} [groups]
 * @property {Record<string, string>} [labels]
 * @property {boolean} [loginAsRoot]  as root: log in as root instead of a per-host user (sshd refuses signal requests then)
 * @property {string} [loginShell]    as root: the per-host user's login shell (default bash, else sh); without root every host logs in as you, with your shell
 */

/**
 * @typedef {object} FleetOptions
 * @property {HostSpec[]} hosts
 * @property {boolean} [bastion]
 * @property {string[]} [closedPortHosts]  extra hosts whose port nothing listens on
 * @property {string} [dir]                 where to keep keys, logs, homes (default: a new temp dir)
 * @property {boolean} [agent]              start an ssh-agent holding the fleet key
 * @property {string[]} [authorizedKeys]    more public keys every host accepts
 * @property {boolean} [detached]           outlive this process (stopped later with stopFleetInDir)
 */

/**
 * @typedef {object} TestHost
 * @property {string} name
 * @property {string} address   as the host is reached (through the bastion when behind it)
 * @property {number} port
 * @property {string} user
 * @property {string} home
 * @property {number} uid
 * @property {number} gid
 * @property {string} [binDir]  the simulator's bin dir, first on PATH
 * @property {boolean} behindBastion
 * @property {string} hostKeyFile  public host key file
 * @property {string[]} groups
 * @property {Record<string, string>} labels
 */

/**
 * @typedef {object} FleetState
 * @property {string} runId
 * @property {string} dir
 * @property {boolean} ownsDir
 * @property {import("./proc.mjs").ProcessId | null} owner  null once a detached fleet is up: live while its sshds are
 * @property {boolean} root
 * @property {string[]} users
 * @property {import("./netns.mjs").PrivateNetwork | null} network
 * @property {Record<string, import("./proc.mjs").ProcessId>} sshd
 * @property {Record<string, string | null>} namespaces  per host: namespace it runs in
 * @property {import("./proc.mjs").ProcessId | null} agent
 * @property {string[]} simHomes
 * @property {TestHost[]} hosts
 * @property {TestHost | null} bastion
 * @property {string} identityFile
 * @property {string} knownHostsFile
 * @property {string} inventoryPath
 * @property {string | null} agentSocket
 */

const REGISTRY = join(tmpdir(), `nemoclaw-test-fleets-${process.getuid?.() ?? 0}`);
const STANDARD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
export const BASTION_NAME = "bastion";

/** @param {FleetState} state */
async function saveState(state) {
  await mkdir(REGISTRY, { recursive: true, mode: 0o700 });
  const text = `${JSON.stringify(state, null, 2)}\n`;
  for (const file of [join(REGISTRY, `${state.runId}.json`), join(state.dir, "fleet.json")]) {
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
  }
}

/** @param {FleetState} state */
async function isLive(state) {
  if (state.owner) return isRunning(state.owner);
  const running = await Promise.all(Object.values(state.sshd).map(isRunning));
  return running.some(Boolean);
}

/** @returns {Promise<FleetState[]>} */
async function registeredFleets() {
  let names;
  try {
    names = await readdir(REGISTRY);
  } catch {
    return [];
  }
  const states = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    try {
      states.push(JSON.parse(await readFile(join(REGISTRY, name), "utf8")));
    } catch {
      // being written, or garbage: not ours to judge
    }
  }
  return states;
}

/**
 * Stop what crashed runs left behind: registered fleets whose owner is gone, and (as root)
 * fleet users and namespaces no live fleet claims. Users and namespaces are listed BEFORE the
 * registry is read: a fleet registers before it creates either, so a fleet starting meanwhile
 * is always seen as live.
 */
export async function sweepStaleFleets() {
  await whileSweepLocked(sweepUnlocked);
}

async function sweepUnlocked() {
  const root = process.getuid?.() === 0;
  const users = root ? await fleetUsers() : [];
  const namespaces = root ? await fleetNamespaces() : [];
  const live = new Set();
  for (const state of await registeredFleets()) {
    if (await isLive(state)) live.add(state.runId);
    else await stopFleet(state);
  }
  const orphanUsers = users.filter((u) => !live.has(u.runId));
  if (orphanUsers.length > 0) {
    await stopProcessesOf(orphanUsers.map((u) => u.uid));
    await deleteUsers(orphanUsers.map((u) => u.name));
  }
  for (const namespace of namespaces) {
    const runId = NETNS_PATTERN.exec(namespace)?.[1];
    if (runId && !live.has(runId)) {
      await stopNamespaceProcesses(namespace);
      await deletePrivateNetwork({ namespace, outsideLink: `${namespace}o` });
    }
  }
}

/**
 * Sweeps take turns: fleets starting at once would otherwise all stop the same crashed fleet.
 * The lock names its holder; one whose holder has died (or that stayed empty, its holder dying
 * between creating and writing it) is taken over.
 * @param {() => Promise<void>} work
 */
async function whileSweepLocked(work) {
  await mkdir(REGISTRY, { recursive: true, mode: 0o700 });
  const lock = join(REGISTRY, "sweep.lock");
  const me = await processId(process.pid);
  for (;;) {
    try {
      await writeFile(lock, JSON.stringify(me), { flag: "wx" });
      break;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== "EEXIST") throw error;
      if (await abandoned(lock)) await rm(lock, { force: true });
      else await sleep(50 + Math.random() * 100);
    }
  }
  try {
    await work();
  } finally {
    await rm(lock, { force: true });
  }
}

/** @param {string} lock */
async function abandoned(lock) {
  try {
    const text = await readFile(lock, "utf8");
    if (text === "") return Date.now() - (await stat(lock)).mtimeMs > 5000;
    return !(await isRunning(JSON.parse(text)));
  } catch {
    return false; // removed meanwhile: simply try again
  }
}

/** @param {number[]} uids */
async function stopProcessesOf(uids) {
  // Again until none is left: a shell ended by one round may have started a child (a watchdog's
  // `sleep`) after the list was read, and that child outlives it.
  for (let round = 0; round < 20; round++) {
    const owned = (await listProcesses()).filter((p) => uids.includes(p.uid));
    if (owned.length === 0) return;
    await terminate(owned.map((p) => ({ pid: p.pid, start: p.start })));
  }
}

/** @param {string} namespace */
async function stopNamespaceProcesses(namespace) {
  const ids = (await Promise.all((await namespacePids(namespace)).map(processId))).filter((id) => id !== null);
  await terminate(/** @type {import("./proc.mjs").ProcessId[]} */ (ids));
}

/**
 * Stop everything a fleet started, by its record.
 * @param {FleetState} state
 */
export async function stopFleet(state) {
  const listeners = Object.values(state.sshd);
  // Connection handlers are children of the listener; stop them with it.
  const handlers = await descendantsOf(listeners);
  await terminate([...handlers, ...listeners, ...(state.agent ? [state.agent] : [])]);
  if (state.simHomes.length > 0) {
    // Without the simulator its processes are still ended below, as processes of the host users.
    const sim = await loadSimulator().catch(() => null);
    for (const home of state.simHomes) await sim?.stopSimulator({ home }).catch(() => undefined);
  }
  if (state.root && state.users.length > 0) {
    const uids = (await fleetUsers()).filter((u) => state.users.includes(u.name)).map((u) => u.uid);
    await stopProcessesOf(uids);
    await deleteUsers(state.users);
  }
  if (state.network) {
    await stopNamespaceProcesses(state.network.namespace);
    await deletePrivateNetwork(state.network);
  }
  await rm(join(REGISTRY, `${state.runId}.json`), { force: true });
  if (state.ownsDir) await rm(state.dir, { recursive: true, force: true });
  else {
    await rm(join(state.dir, "homes"), { recursive: true, force: true });
    await rm(join(state.dir, "fleet.json"), { force: true });
  }
}

/** @param {string} dir */
export async function stopFleetInDir(dir) {
  const file = join(resolve(dir), "fleet.json");
  if (!existsSync(file)) throw new Error(`no running test fleet in ${dir} (no fleet.json)`);
  await stopFleet(JSON.parse(await readFile(file, "utf8")));
}

/** @returns {Promise<{ installSimulator: (o: { home: string, scenario: unknown, uid?: number, gid?: number }) => Promise<{ binDir: string }>, stopSimulator: (o: { home: string }) => Promise<void> }>} */
async function loadSimulator() {
  try {
    // Resolved at run time: the simulator is optional for fleets without scenarios.
    return await import(new URL("../sim/index.mjs", import.meta.url).href);
  } catch (error) {
    throw new Error(`hosts with a scenario need the simulator (test/sim/index.mjs): ${/** @type {Error} */ (error).message}`);
  }
}

/**
 * Ports nothing listens on right now: all held open at once so they are distinct, then released.
 * @param {number} count
 * @returns {Promise<number[]>}
 */
async function freePorts(count) {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        /** @type {Promise<import("node:net").Server>} */ (
          new Promise((resolveServer, reject) => {
            const server = createServer();
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolveServer(server));
          })
        ),
    ),
  );
  const ports = servers.map((server) => /** @type {import("node:net").AddressInfo} */ (server.address()).port);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

/**
 * `host` on port 22, `[host]:port` otherwise: the name OpenSSH looks up in known_hosts.
 * @param {string} address
 * @param {number} port
 */
function knownHostsName(address, port) {
  return port === 22 ? address : `[${address}]:${port}`;
}

/**
 * Two fleets in one directory would overwrite each other's keys, homes and logs.
 * @param {string} dir
 */
async function refuseRunningFleetIn(dir) {
  let state;
  try {
    state = JSON.parse(await readFile(join(dir, "fleet.json"), "utf8"));
  } catch {
    return;
  }
  if (await isLive(state)) throw new Error(`a test fleet is already running in ${dir}; stop it first (node scripts/test-fleet.mjs down --dir ${dir})`);
}

/**
 * @param {FleetOptions} options
 */
export async function startFleet(options) {
  const root = process.getuid?.() === 0;
  if (root) await mkdir("/run/sshd", { recursive: true, mode: 0o755 }); // sshd's privilege separation dir
  await sweepStaleFleets();

  const runId = randomBytes(8).readBigUInt64BE().toString(36).slice(-5).padStart(5, "0");
  if (options.dir) await refuseRunningFleetIn(resolve(options.dir));
  const dir = options.dir ? resolve(options.dir) : await mkdtemp(join(tmpdir(), "nemoclaw-fleet-"));
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755); // per-host users must reach their homes inside
  /** @type {FleetState} */
  const state = {
    runId,
    dir,
    ownsDir: !options.dir,
    // Even a detached fleet belongs to this process until it is up: a sweep running meanwhile
    // must not take it for a crashed one before its sshd processes are recorded.
    owner: await processId(process.pid),
    root,
    users: [],
    network: null,
    sshd: {},
    namespaces: {},
    agent: null,
    simHomes: [],
    hosts: [],
    bastion: null,
    identityFile: join(dir, "id_ed25519"),
    knownHostsFile: join(dir, "known_hosts"),
    inventoryPath: join(dir, "inventory.yml"),
    agentSocket: null,
  };
  await saveState(state); // registered before any user or namespace exists (see sweepStaleFleets)
  try {
    await buildFleet(state, options);
    if (options.detached) state.owner = null; // from now on it lives as long as its sshd processes
    await saveState(state);
  } catch (error) {
    await stopFleet(state).catch(() => undefined);
    throw error;
  }
  return fleetHandle(state);
}

/**
 * @param {FleetState} state
 * @param {FleetOptions} options
 */
async function buildFleet(state, options) {
  const { dir, runId, root } = state;
  const closed = new Set(options.closedPortHosts ?? []);
  const specs = options.hosts.filter((h) => !closed.has(h.name));
  const extraClosed = [...closed].filter((name) => !options.hosts.some((h) => h.name === name));
  /** @type {HostSpec[]} */
  const closedSpecs = [...options.hosts.filter((h) => closed.has(h.name)), ...extraClosed.map((name) => ({ name }))];
  const names = [...specs.map((h) => h.name), ...(options.bastion ? [BASTION_NAME] : [])];
  if (new Set(names).size !== names.length) throw new Error("test fleet host names must be unique (and not 'bastion' when a bastion is requested)");

  const clientKey = await generateKey(state.identityFile, "nemoclaw-test-fleet");
  await chmod(state.identityFile, 0o600);
  const authorizedKeys = [clientKey, ...(options.authorizedKeys ?? [])].join("\n") + "\n";

  // Who each host's sshd lets in, and where that user's home is.
  const me = userInfo();
  const homes = Object.fromEntries(names.map((name) => [name, join(dir, "homes", name)]));
  await mkdir(join(dir, "homes"), { recursive: true });
  await chmod(join(dir, "homes"), 0o755);
  /** @type {Record<string, { user: string, uid: number, gid: number }>} */
  const accounts = {};
  const rootLogins = new Set(root ? specs.filter((h) => h.loginAsRoot).map((h) => h.name) : []);
  const ownUsers = root ? names.filter((name) => !rootLogins.has(name)) : [];
  const defaultShell = existsSync("/bin/bash") ? "/bin/bash" : "/bin/sh";
  const wanted = ownUsers.map((name, index) => ({
    name: userName(runId, index),
    home: homes[name] ?? "",
    shell: specs.find((h) => h.name === name)?.loginShell ?? defaultShell,
  }));
  state.users = wanted.map((u) => u.name);
  await saveState(state);
  const ids = await createUsers(wanted);
  for (const name of names) {
    const own = wanted[ownUsers.indexOf(name)];
    accounts[name] = own ? { user: own.name, ...(ids.get(own.name) ?? { uid: -1, gid: -1 }) } : { user: me.username, uid: me.uid, gid: me.gid };
  }
  /** Hosts whose login user's passwd home is not theirs get HOME through sshd's SetEnv. */
  const homeViaSetEnv = new Set(names.filter((name) => !ownUsers.includes(name)));
  await Promise.all(
    names.map(async (name) => {
      const home = homes[name] ?? "";
      await mkdir(home, { recursive: true });
      const account = accounts[name];
      if (root && account && !homeViaSetEnv.has(name)) await chown(home, account.uid, account.gid);
      await chmod(home, 0o755);
    }),
  );

  // Where each host listens.
  const hidden = specs.filter((h) => h.behindBastion && options.bastion);
  const useNamespace = root && hidden.length > 0;
  if (useNamespace) {
    state.network = await createPrivateNetwork(runId, hidden.length);
    await saveState(state);
  }
  /** @type {Record<string, { address: string, port: number, namespace: string | null }>} */
  const placement = {};
  const loopbackNames = names.filter((name) => !(useNamespace && (name === BASTION_NAME || hidden.some((h) => h.name === name))));
  const ports = await freePorts(loopbackNames.length + closedSpecs.length);
  loopbackNames.forEach((name, index) => {
    placement[name] = { address: "127.0.0.1", port: ports[index] ?? 0, namespace: null };
  });
  if (state.network) {
    const network = state.network;
    placement[BASTION_NAME] = { address: network.bastionAddress, port: 22, namespace: network.namespace };
    hidden.forEach((h, index) => {
      placement[h.name] = { address: network.hostAddresses[index] ?? "", port: 22, namespace: network.namespace };
    });
  }

  // Simulated OpenShell/NemoClaw first on PATH for hosts with a scenario.
  /** @type {Record<string, string>} */
  const binDirs = {};
  const withScenario = specs.filter((h) => h.scenario !== undefined);
  if (withScenario.length > 0) {
    const sim = await loadSimulator();
    for (const h of withScenario) {
      const home = homes[h.name] ?? "";
      const account = accounts[h.name];
      state.simHomes.push(home);
      await saveState(state);
      const { binDir } = await sim.installSimulator({ home, scenario: h.scenario, ...(root && account && account.uid !== 0 ? { uid: account.uid, gid: account.gid } : {}) });
      binDirs[h.name] = binDir;
    }
  }

  // Keys, configs, and the sshd processes, all in parallel.
  /** @type {Record<string, string>} */
  const hostKeys = {};
  await Promise.all(
    names.map(async (name) => {
      const hostDir = join(dir, "hosts", name);
      await rm(hostDir, { recursive: true, force: true }); // a reused --dir must not count old log lines
      await mkdir(hostDir, { recursive: true });
      hostKeys[name] = await generateKey(join(hostDir, "ssh_host_ed25519_key"), `${name}-host-key`);
      await writeFile(join(hostDir, "authorized_keys"), authorizedKeys, { mode: 0o644 });
      await launch(state, name, hostDir, placement, accounts, homes, binDirs, homeViaSetEnv.has(name));
    }),
  );

  const describe = (/** @type {string} */ name, /** @type {HostSpec | undefined} */ spec) => {
    const place = placement[name] ?? { address: "", port: 0 };
    const account = accounts[name] ?? { user: "", uid: -1, gid: -1 };
    /** @type {TestHost} */
    const host = {
      name,
      address: place.address,
      port: place.port,
      user: account.user,
      home: homes[name] ?? "",
      uid: account.uid,
      gid: account.gid,
      behindBastion: Boolean(spec?.behindBastion && options.bastion),
      hostKeyFile: join(dir, "hosts", name, "ssh_host_ed25519_key.pub"),
      groups: spec?.groups ?? [],
      labels: spec?.labels ?? {},
    };
    const binDir = binDirs[name];
    if (binDir) host.binDir = binDir;
    return host;
  };
  state.hosts = specs.map((spec) => describe(spec.name, spec));
  if (options.bastion) state.bastion = describe(BASTION_NAME, undefined);
  closedSpecs.forEach((spec, index) => {
    const port = ports[loopbackNames.length + index] ?? 0;
    state.hosts.push({
      name: spec.name,
      address: "127.0.0.1",
      port,
      user: me.username,
      home: "",
      uid: me.uid,
      gid: me.gid,
      behindBastion: false,
      hostKeyFile: "",
      groups: spec.groups ?? [],
      labels: spec.labels ?? {},
    });
  });

  const knownHosts = names.map((name) => {
    const place = placement[name] ?? { address: "", port: 0 };
    const [type, base64] = (hostKeys[name] ?? "").split(" ");
    return `${knownHostsName(place.address, place.port)} ${type} ${base64}\n`;
  });
  await writeFile(state.knownHostsFile, knownHosts.join(""), { mode: 0o600 });

  if (options.agent) await startAgent(state);
  await writeFile(state.inventoryPath, inventoryYaml(state));
}

/**
 * @param {FleetState} state
 * @param {string} name
 * @param {string} hostDir
 * @param {Record<string, { address: string, port: number, namespace: string | null }>} placement
 * @param {Record<string, { user: string, uid: number, gid: number }>} accounts
 * @param {Record<string, string>} homes
 * @param {Record<string, string>} binDirs
 * @param {boolean} homeViaSetEnv
 */
async function launch(state, name, hostDir, placement, accounts, homes, binDirs, homeViaSetEnv) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const place = placement[name];
    const account = accounts[name];
    if (!place || !account) throw new Error(`no placement for ${name}`);
    const binDir = binDirs[name];
    /** @type {Record<string, string>} */
    const setEnv = { PATH: binDir ? `${binDir}:${STANDARD_PATH}` : STANDARD_PATH };
    if (homeViaSetEnv) setEnv.HOME = homes[name] ?? "";
    const id = await startSshd({
      dir: hostDir,
      address: place.address,
      port: place.port,
      user: account.user,
      setEnv,
      namespace: place.namespace,
      debugLog: name === BASTION_NAME,
    });
    if (id) {
      state.sshd[name] = id;
      state.namespaces[name] = place.namespace;
      return;
    }
    if (place.namespace) throw new Error(`port ${place.port} on ${place.address} is taken`);
    place.port = (await freePorts(1))[0] ?? 0; // someone took the port meanwhile: pick another
  }
  throw new Error(`could not find a free port for ${name}`);
}

/** @param {FleetState} state */
async function startAgent(state) {
  const socket = join(state.dir, "agent.sock");
  const child = spawn("ssh-agent", ["-D", "-a", socket], { detached: true, stdio: "ignore" });
  child.unref();
  const id = child.pid === undefined ? null : await processId(child.pid);
  if (!id) throw new Error("ssh-agent did not start");
  state.agent = id;
  state.agentSocket = socket;
  await saveState(state);
  await waitFor(async () => (existsSync(socket) ? true : undefined), 5000, "the ssh-agent socket");
  await execFileAsync("ssh-add", ["-q", state.identityFile], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
}

/**
 * The Ansible inventory (YAML): connection variables per host, groups as children, labels as
 * `nemoclaw_labels`, the jump through the bastion as a ProxyCommand that gives the bastion its own
 * key and known_hosts file (as with Ansible: a `-J` jump host gets none of the target's options).
 * @param {FleetState} state
 */
function inventoryYaml(state) {
  const common = `-o UserKnownHostsFile=${state.knownHostsFile} -o StrictHostKeyChecking=yes`;
  /** @type {Record<string, Record<string, unknown>>} */
  const hosts = {};
  /** @type {Record<string, { hosts: Record<string, null> }>} */
  const children = {};
  for (const host of state.hosts) {
    /** @type {Record<string, unknown>} */
    const vars = { ansible_host: host.address, ansible_port: host.port, ansible_user: host.user };
    if (Object.keys(host.labels).length > 0) vars.nemoclaw_labels = host.labels;
    if (host.behindBastion && state.bastion) {
      const b = state.bastion;
      vars.ansible_ssh_common_args = `${common} -o ProxyCommand="ssh -W %h:%p -i ${state.identityFile} ${common} -p ${b.port} ${b.user}@${b.address}"`;
    }
    hosts[host.name] = vars;
    for (const group of host.groups) {
      children[group] ??= { hosts: {} };
      /** @type {{ hosts: Record<string, null> }} */ (children[group]).hosts[host.name] = null;
    }
  }
  const all = {
    vars: { ansible_ssh_private_key_file: state.identityFile, ansible_ssh_common_args: common },
    hosts,
    ...(Object.keys(children).length > 0 ? { children } : {}),
  };
  return `# Test fleet ${state.runId}: generated by test/fleet, removed when it stops.\n${stringify({ all }, { lineWidth: 0 })}`;
}

/**
 * @param {FleetState} state
 */
function fleetHandle(state) {
  const byName = (/** @type {string} */ name) => {
    const host = name === BASTION_NAME && state.bastion ? state.bastion : state.hosts.find((h) => h.name === name);
    if (!host) throw new Error(`no test host named ${name}`);
    return host;
  };
  const logDir = (/** @type {string} */ name) => join(state.dir, "hosts", byName(name).name);
  return {
    dir: state.dir,
    hosts: state.hosts,
    bastion: state.bastion ?? undefined,
    inventoryPath: state.inventoryPath,
    identityFile: state.identityFile,
    knownHostsFile: state.knownHostsFile,
    agentSocket: state.agentSocket ?? undefined,
    /**
     * Settings for the product's transport (a DesiredHost).
     * @param {string} name
     */
    fleetHost(name) {
      const host = byName(name);
      const bastion = state.bastion;
      return {
        name: host.name,
        connection: {
          kind: /** @type {const} */ ("ssh"),
          address: host.address,
          port: host.port,
          user: host.user,
          identityFiles: [state.identityFile],
          agent: false,
          proxyJump:
            host.behindBastion && bastion
              ? [{ host: BASTION_NAME, address: bastion.address, port: bastion.port, user: bastion.user, identityFiles: [state.identityFile], knownHostsFiles: [state.knownHostsFile] }]
              : [],
          hostKeyChecking: /** @type {const} */ ("strict"),
          knownHostsFiles: [state.knownHostsFile],
          connectTimeoutMs: 5000,
          keepaliveIntervalMs: 15000,
          identitiesOnly: false,
          useSshConfig: false,
        },
        groups: host.groups,
        labels: host.labels,
        vars: {},
        environment: {},
        gateways: [],
        sandboxes: [],
        source: { file: state.inventoryPath, line: 1, column: 1, path: `all.hosts.${host.name}` },
      };
    },
    /** TCP connections the host's sshd accepted. @param {string} name */
    connectionCount: (name) => countLog(logDir(name), CONNECTION_LINE),
    /** Commands (exec requests) the host's sshd started. @param {string} name */
    execCount: (name) => countLog(logDir(name), EXEC_LINE),
    /** Connections the bastion forwarded (direct-tcpip channels). */
    forwardCount: () => countLog(logDir(BASTION_NAME), FORWARD_LINE),
    /**
     * Restart the host's sshd with a new host key (known_hosts keeps the old one).
     * @param {string} name
     */
    async rotateHostKey(name) {
      const host = byName(name);
      const hostDir = join(state.dir, "hosts", host.name);
      const running = state.sshd[host.name];
      if (running) await terminate([running]);
      await generateKey(join(hostDir, "ssh_host_ed25519_key"), `${host.name}-host-key-rotated`);
      /** @type {Record<string, string>} */
      const setEnv = { PATH: host.binDir ? `${host.binDir}:${STANDARD_PATH}` : STANDARD_PATH };
      if (!state.users.includes(host.user)) setEnv.HOME = host.home;
      const id = await startSshd({
        dir: hostDir,
        address: host.address,
        port: host.port,
        user: host.user,
        setEnv,
        namespace: state.namespaces[host.name] ?? null,
        debugLog: host.name === BASTION_NAME,
      });
      if (!id) throw new Error(`port ${host.port} was taken while ${name}'s sshd restarted`);
      state.sshd[host.name] = id;
      await saveState(state);
    },
    stop: () => stopFleet(state),
  };
}

/** @typedef {ReturnType<typeof fleetHandle>} TestFleet */
