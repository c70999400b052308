// @ts-check
// A simulated sandbox is a real directory tree. Commands "inside" it run for real in a user +
// mount + pid namespace chrooted into that tree (see sandbox-enter.sh), as the mapped root.
// A sandbox whose OpenClaw gateway runs keeps a long-lived namespace (the "holder", its pid 1)
// with a real `openclaw-gateway` process in it; commands then join that namespace with nsenter,
// so the pids they see (and the pid in the gateway lock file) are the sandbox's own.

import { spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { currentCall, exitCode, spawnHelper } from "./call.mjs";
import { sandboxDir } from "./paths.mjs";
import { recordPid } from "./processes.mjs";
import {
  childPids,
  isRecordedProcessAlive,
  namespacePid,
  processCmdline,
  sha256,
  sleep,
  writeFileAtomic,
} from "./util.mjs";

const ENTER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "sandbox-enter.sh");
const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const OPENCLAW_CONFIG = "/sandbox/.openclaw/openclaw.json";
/** The sandbox's pid 1: starts the OpenClaw gateway, then reaps children forever. */
const SANDBOX_INIT = "/usr/local/lib/nemoclaw/nemoclaw-start";
/** Uid foreign-owned guard files get when the simulator can chown (outside every mapping). */
export const FOREIGN_UID = 65534;

/** NemoClaw preloads shipped in the image (`/usr/local/lib/nemoclaw/preloads`, root, 0644). */
export const PRELOADS = [
  "sandbox-safety-net.js",
  "http-proxy-fix.js",
  "nemotron-inference-fix.js",
  "ciao-network-guard.js",
  "seccomp-guard.js",
];

/** Copied to `/tmp/nemoclaw-<name>.js` (root, 0444) by `nemoclaw-start` and appended to NODE_OPTIONS. */
const TMP_PRELOADS = ["sandbox-safety-net.js", "nemotron-inference-fix.js", "ciao-network-guard.js", "seccomp-guard.js"];

/** Guards without which the in-sandbox gateway must not be relaunched (GATEWAY_PRELOAD_GUARDS). */
export const CRITICAL_GUARDS = ["sandbox-safety-net.js", "ciao-network-guard.js"];

export const PROXY_ENV = "/tmp/nemoclaw-proxy-env.sh";

/** Every guard file path inside the sandbox, in the order NemoClaw writes them. */
export const GUARD_PATHS = [PROXY_ENV, ...TMP_PRELOADS.map((name) => `/tmp/nemoclaw-${name}`)];

/**
 * @typedef {import("./state.mjs").Sandbox} Sandbox
 * @typedef {import("./state.mjs").SandboxHolder} SandboxHolder
 * @typedef {import("./paths.mjs").SimPaths} SimPaths
 */

/** @param {SimPaths} paths @param {string} gateway @param {string} name */
export function sandboxRoot(paths, gateway, name) {
  return join(sandboxDir(paths, gateway, name), "root");
}

/**
 * Lay out a fresh sandbox root: the image's files plus empty /sandbox and /tmp.
 * @param {SimPaths} paths
 * @param {string} gateway
 * @param {string} name
 */
export function createSandboxTree(paths, gateway, name) {
  const dir = sandboxDir(paths, gateway, name);
  rmSync(dir, { recursive: true, force: true });
  const root = join(dir, "root");
  for (const sub of ["sandbox", "proc", "dev", "etc", "usr/local/lib/nemoclaw/preloads", "opt/openclaw/bin"]) {
    mkdirSync(join(root, sub), { recursive: true });
  }
  mkdirSync(join(root, "tmp"), { recursive: true });
  chmodSync(join(root, "tmp"), 0o1777);
  mkdirSync(join(dir, "mnt-usr-local-lib"), { recursive: true });
  // Merged-/usr hosts: the same top-level symlinks inside the sandbox.
  for (const top of ["bin", "sbin", "lib", "lib32", "lib64", "libx32"]) {
    const hostPath = `/${top}`;
    if (!existsSync(hostPath)) continue;
    if (lstatSync(hostPath).isSymbolicLink()) symlinkSync(readlinkSync(hostPath), join(root, top));
    else mkdirSync(join(root, top), { recursive: true });
  }
  // `openclaw-gateway` is `sleep` under that name, so both its argv0 and its comm say what it is.
  const sleepBinary = existsSync("/usr/bin/sleep") ? "/usr/bin/sleep" : "/bin/sleep";
  symlinkSync(sleepBinary, join(root, "opt/openclaw/bin/openclaw-gateway"));
  writeFileSync(
    join(root, SANDBOX_INIT.slice(1)),
    "#!/bin/sh\n# Launch the OpenClaw gateway and stay up as the sandbox's init.\nopenclaw-gateway infinity </dev/null >>/tmp/gateway.log 2>&1 &\nsleep infinity </dev/null >/dev/null 2>&1 &\nwait\n",
    { mode: 0o755 },
  );
  for (const preload of PRELOADS) {
    writeFileSync(join(root, "usr/local/lib/nemoclaw/preloads", preload), preloadSource(preload), { mode: 0o644 });
    chmodSync(join(root, "usr/local/lib/nemoclaw/preloads", preload), 0o644);
  }
  return root;
}

/** @param {string} preload */
function preloadSource(preload) {
  return `// NemoClaw runtime preload: ${preload}\n"use strict";\nmodule.exports = {};\n`;
}

/**
 * The OpenClaw state NemoClaw's image seeds under /sandbox/.openclaw, plus scenario files.
 * @param {string} root
 * @param {{ model: string; openclawVersion: string; files?: Record<string, string> }} options
 */
export function seedOpenclawState(root, options) {
  const config = {
    agents: { defaults: { model: { primary: `inference/${options.model}` }, workspace: "/sandbox/.openclaw/workspace" } },
    gateway: { bind: "loopback", mode: "local", port: 18789 },
    meta: { lastTouchedVersion: options.openclawVersion },
  };
  const files = {
    [OPENCLAW_CONFIG]: `${JSON.stringify(config, null, 2)}\n`,
    "/sandbox/.openclaw/workspace/AGENTS.md": "# AGENTS.md\n\nThis workspace belongs to the OpenClaw agent.\n",
    "/sandbox/.openclaw/workspace/MEMORY.md": "# Memory\n",
    "/sandbox/.openclaw/agents/main/sessions/sessions.json": "{}\n",
    "/sandbox/.openclaw/identity/device.json": `${JSON.stringify({ deviceId: sha256(root).slice(0, 32) }, null, 2)}\n`,
    ...(options.files ?? {}),
  };
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  chmodSync(join(root, "sandbox/.openclaw"), 0o2770);
  chmodSync(join(root, OPENCLAW_CONFIG.slice(1)), 0o660);
}

/**
 * What `nemoclaw-start` (or NemoClaw's guard recovery) writes into /tmp: the preload copies
 * and the proxy environment, each root:root 0444.
 * @param {string} root
 * @param {{ generatedByRecovery?: boolean; only?: string[] }} [options]
 */
export function emitGuards(root, options = {}) {
  for (const preload of TMP_PRELOADS) {
    const path = `/tmp/nemoclaw-${preload}`;
    if (options.only && !options.only.includes(path)) continue;
    const source = readFileSync(join(root, "usr/local/lib/nemoclaw/preloads", preload));
    writeFileAtomic(join(root, path), source, 0o444);
  }
  if (!options.only || options.only.includes(PROXY_ENV)) {
    writeFileAtomic(join(root, PROXY_ENV), proxyEnvScript(Boolean(options.generatedByRecovery)), 0o444);
  }
}

/** @param {boolean} generatedByRecovery */
function proxyEnvScript(generatedByRecovery) {
  const requires = TMP_PRELOADS.map((name) => `--require /tmp/nemoclaw-${name}`).join(" ");
  return [
    ...(generatedByRecovery ? ["# Generated by NemoClaw gateway recovery; do not edit."] : []),
    "export HTTP_PROXY=http://10.200.0.1:3128",
    "export HTTPS_PROXY=http://10.200.0.1:3128",
    "export NO_PROXY=localhost,127.0.0.1,::1,inference.local,host.openshell.internal",
    "export http_proxy=http://10.200.0.1:3128",
    "export https_proxy=http://10.200.0.1:3128",
    "export no_proxy=localhost,127.0.0.1,::1,inference.local,host.openshell.internal",
    "export AWS_EC2_METADATA_DISABLED=true",
    "export OPENCLAW_GATEWAY_PORT=18789",
    "export NEMOCLAW_OPENCLAW_GATEWAY_URL=http://127.0.0.1:18789",
    `export NODE_OPTIONS="${requires}"`,
    "nemoclaw-configure-guard() { chmod 2770 /sandbox/.openclaw 2>/dev/null; chmod 660 /sandbox/.openclaw/openclaw.json 2>/dev/null; }",
    "",
  ].join("\n");
}

/**
 * Whether a guard file is what NemoClaw trusts: a regular file, mode 0444, owned by the root
 * the sandbox sees (the tree owner outside), not shadowed by a foreign-owner mount.
 * @param {string} root
 * @param {string} path
 * @param {Sandbox} sandbox
 */
export function guardIsSafe(root, path, sandbox) {
  if (sandbox.foreignOwned.includes(path)) return false;
  try {
    const stat = lstatSync(join(root, path));
    return stat.isFile() && (stat.mode & 0o7777) === 0o444 && stat.uid === statSync(root).uid;
  } catch {
    return false;
  }
}

/** @param {string} root */
export function packagedPreloadIsSafe(root, /** @type {string} */ preload) {
  try {
    const path = join(root, "usr/local/lib/nemoclaw/preloads", preload);
    const stat = lstatSync(path);
    return stat.isFile() && (stat.mode & 0o022) === 0 && stat.uid === statSync(root).uid;
  } catch {
    return false;
  }
}

/**
 * OpenClaw's gateway lock: `/tmp/openclaw-<uid>/gateway.<hash8>.lock`.
 * @param {number} agentUid
 */
export function agentLockPath(agentUid) {
  return `/tmp/openclaw-${agentUid}/gateway.${sha256(OPENCLAW_CONFIG).slice(0, 8)}.lock`;
}

/**
 * @param {string} root
 * @param {number} agentUid
 * @param {number} pid
 */
export function writeAgentLock(root, agentUid, pid) {
  const lock = { pid, createdAt: new Date().toISOString(), configPath: OPENCLAW_CONFIG };
  writeFileAtomic(join(root, agentLockPath(agentUid)), `${JSON.stringify(lock, null, 2)}\n`, 0o644);
}

/**
 * Gateway lock files whose pid is not the running agent (NemoClaw removes them before a relaunch).
 * @param {string} root
 * @param {Sandbox} sandbox
 */
export function staleAgentLocks(root, sandbox) {
  const livePid = agentRunning(sandbox) ? sandbox.holder?.agentNsPid : null;
  /** @type {string[]} */
  const stale = [];
  const tmp = join(root, "tmp");
  for (const dir of readdirSync(tmp)) {
    if (!dir.startsWith("openclaw-")) continue;
    for (const file of readdirSync(join(tmp, dir))) {
      if (!/^gateway\..+\.lock$/.test(file)) continue;
      const path = join(tmp, dir, file);
      let pid = null;
      try {
        pid = JSON.parse(readFileSync(path, "utf8")).pid;
      } catch {
        // An unreadable lock is as stale as a dead one.
      }
      if (pid !== livePid) stale.push(path);
    }
  }
  return stale;
}

/** @param {Sandbox} sandbox */
export function agentRunning(sandbox) {
  const holder = sandbox.holder;
  if (!holder || holder.agentPid === null || holder.agentStartTime === null) return false;
  return isRecordedProcessAlive({ pid: holder.agentPid, startTime: holder.agentStartTime });
}

/** @param {Sandbox} sandbox */
export function holderAlive(sandbox) {
  const holder = sandbox.holder;
  return Boolean(holder && isRecordedProcessAlive({ pid: holder.initPid, startTime: holder.initStartTime }));
}

/**
 * Who may enter the tree: its owner (mapped to root inside). Root enters as the owner too,
 * so files keep one consistent owner whoever runs the simulated command.
 * @param {string} root
 * @returns {{ uid: number; gid: number } | undefined} undefined: as ourselves
 */
function enterCredentials(root) {
  const { uid, gid } = statSync(root);
  const self = process.getuid?.() ?? 0;
  if (self === uid) return undefined;
  if (self === 0) return { uid, gid };
  throw new Error(`fleet-sim: the sandbox at ${root} belongs to uid ${uid}; uid ${self} cannot enter it`);
}

/**
 * @param {SimPaths} paths
 * @param {string} gateway
 * @param {Sandbox} sandbox
 * @param {string[]} command command run by chroot (absolute program path)
 * @param {{ pidNamespace: boolean }} options
 */
function unshareArgs(paths, gateway, sandbox, command, options) {
  const dir = sandboxDir(paths, gateway, sandbox.name);
  return [
    "--user",
    "--map-root-user",
    "--mount",
    ...(options.pidNamespace ? ["--pid", "--fork", "--kill-child"] : []),
    "/bin/sh",
    ENTER_SCRIPT,
    join(dir, "root"),
    join(dir, "mnt-usr-local-lib"),
    sandbox.foreignOwned.join(":"),
    ...command,
  ];
}

/**
 * The environment a command inside the sandbox starts with (a clean one, like a container exec).
 * @param {Record<string, string>} extra
 * @param {string} workdir
 * @param {string[]} argv
 */
function insideCommand(extra, workdir, argv) {
  const env = { HOME: "/sandbox", PATH: SANDBOX_PATH, LANG: "C.UTF-8", ...extra };
  return [
    "/usr/bin/env",
    "-i",
    ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
    "/bin/sh",
    "-c",
    'cd -- "$0" 2>/dev/null || cd /; exec "$@"',
    workdir,
    ...argv,
  ];
}

/**
 * The command line that runs `argv` inside the sandbox (joining its namespace when it has one),
 * and who runs it.
 * @param {SimPaths} paths
 * @param {string} gateway
 * @param {Sandbox} sandbox
 * @param {string[]} argv
 * @param {{ env?: Record<string, string>; workdir?: string }} options
 */
function sandboxCommand(paths, gateway, sandbox, argv, options) {
  const root = sandboxRoot(paths, gateway, sandbox.name);
  const inside = insideCommand(options.env ?? {}, options.workdir ?? "/sandbox", argv);
  const credentials = enterCredentials(root);
  if (holderAlive(sandbox) && sandbox.holder) {
    // nsenter does not take its child down with it; the death signal does.
    return { argv: ["nsenter", "--target", String(sandbox.holder.initPid), "--user", "--mount", "--pid", "--root", "--wd", "--preserve-credentials", "setpriv", "--pdeathsig", "KILL", "--", ...inside], credentials };
  }
  return { argv: ["unshare", ...unshareArgs(paths, gateway, sandbox, inside, { pidNamespace: true })], credentials };
}

/**
 * Start a command inside the sandbox as a helper of the call (lib/call.mjs: its stderr goes to
 * the caller's) and hand back the child process.
 * @param {SimPaths} paths
 * @param {string} gateway
 * @param {Sandbox} sandbox
 * @param {string[]} argv
 * @param {Omit<import("./call.mjs").HelperOptions, "credentials">} stdio
 */
export function spawnInSandbox(paths, gateway, sandbox, argv, stdio) {
  const command = sandboxCommand(paths, gateway, sandbox, argv, {});
  return spawnHelper(/** @type {string} */ (command.argv[0]), command.argv.slice(1), { ...stdio, credentials: command.credentials });
}

/**
 * Run a command inside the sandbox to completion on the caller's stdout and stderr; resolves
 * with its exit code (128+n for a signal).
 * @param {SimPaths} paths
 * @param {string} gateway
 * @param {Sandbox} sandbox
 * @param {string[]} argv
 * @param {{ env?: Record<string, string>; workdir?: string; stdin?: Buffer | "inherit" | "ignore" }} [options]
 */
export async function execInSandbox(paths, gateway, sandbox, argv, options = {}) {
  const command = sandboxCommand(paths, gateway, sandbox, argv, options);
  // A caller's timeout kills the CLI; take the command in the sandbox with it (unshare ignores
  // SIGTERM while it waits, so SIGKILL; its --kill-child and nsenter's death signal do the rest).
  const exit = await currentCall().run(command.argv, { stdin: options.stdin ?? "ignore", credentials: command.credentials, killOnSignal: true });
  return exitCode(exit);
}

/**
 * Start the sandbox's long-lived namespace with a running OpenClaw gateway (as `nemoclaw-start`
 * does at container start) and write its lock file. Returns the holder record.
 * @param {SimPaths} paths
 * @param {string} gateway
 * @param {Sandbox} sandbox
 * @param {{ agentUid: number }} options
 * @returns {Promise<SandboxHolder>}
 */
export async function startHolder(paths, gateway, sandbox, options) {
  stopHolder(sandbox);
  const root = sandboxRoot(paths, gateway, sandbox.name);
  const init = insideCommand({ PATH: `/opt/openclaw/bin:${SANDBOX_PATH}` }, "/", ["/bin/sh", SANDBOX_INIT]);
  const child = spawn("unshare", unshareArgs(paths, gateway, sandbox, init, { pidNamespace: true }), {
    detached: true,
    stdio: "ignore",
    ...enterCredentials(root),
  });
  child.unref();
  const unsharePid = /** @type {number} */ (child.pid);
  const unshareRecord = recordPid(paths, unsharePid, "sandbox-namespace", `${gateway}/${sandbox.name}`);
  const initPid = await waitFor(() => childPids(unsharePid)[0] ?? null, "sandbox init process");
  const initRecord = recordPid(paths, initPid, "sandbox-init", `${gateway}/${sandbox.name}`);
  const agentPid = await waitFor(
    () => childPids(initPid).find((pid) => (processCmdline(pid) ?? [])[0] === "openclaw-gateway") ?? null,
    "openclaw-gateway process",
  );
  const agentRecord = recordPid(paths, agentPid, "openclaw-gateway", `${gateway}/${sandbox.name}`);
  const agentNsPid = namespacePid(agentPid);
  writeAgentLock(root, options.agentUid, agentNsPid);
  return {
    unsharePid,
    unshareStartTime: unshareRecord.startTime,
    initPid,
    initStartTime: initRecord.startTime,
    agentPid,
    agentStartTime: agentRecord.startTime,
    agentNsPid,
  };
}

/**
 * Stop the sandbox's namespace and everything in it (pid 1 of a pid namespace ignores
 * signals it has no handler for, so it gets SIGKILL).
 * @param {Sandbox} sandbox
 */
export function stopHolder(sandbox) {
  if (holderAlive(sandbox) && sandbox.holder) {
    try {
      process.kill(sandbox.holder.initPid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  sandbox.holder = null;
}

/**
 * @template T
 * @param {() => T | null} probe
 * @param {string} what
 * @returns {Promise<T>}
 */
async function waitFor(probe, what) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`fleet-sim: ${what} did not start`);
    await sleep(5);
  }
}
