// @ts-check
/**
 * One real OpenSSH sshd per test host: its own config, host key, authorized keys and log. The
 * log (LogLevel VERBOSE) is how connections and commands are counted from the server's side.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { open, readFile, rm, stat, writeFile } from "node:fs/promises";
import { execFileAsync, processId, waitFor } from "./proc.mjs";

const SSHD_CANDIDATES = ["/usr/sbin/sshd", "/usr/local/sbin/sshd", "/usr/bin/sshd"];

/** sshd re-executes itself and so must be started by absolute path. */
export function sshdPath() {
  const found = SSHD_CANDIDATES.find((path) => existsSync(path));
  if (!found) throw new Error("sshd not found: install openssh-server (.ci/run does)");
  return found;
}

/**
 * @typedef {object} SshdSpec
 * @property {string} dir         per-host directory (config, keys, log)
 * @property {string} address     listen address
 * @property {number} port
 * @property {string} user        the only user allowed in
 * @property {Record<string, string>} setEnv  session environment (PATH, and HOME when not root)
 * @property {string | null} namespace  network namespace to run in
 * @property {boolean} [debugLog]  LogLevel DEBUG1 (the bastion: forwarded connections are logged only there)
 */

/** @param {SshdSpec} spec */
export function sshdConfig(spec) {
  const setEnv = Object.entries(spec.setEnv)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");
  return [
    `Port ${spec.port}`,
    `ListenAddress ${spec.address}`,
    `HostKey ${spec.dir}/ssh_host_ed25519_key`,
    "PidFile none",
    `AuthorizedKeysFile ${spec.dir}/authorized_keys`,
    // Test homes live under /tmp, whose sticky world-writable mode StrictModes would refuse.
    "StrictModes no",
    "UsePAM no",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    "PermitRootLogin prohibit-password",
    `AllowUsers ${spec.user}`,
    `LogLevel ${spec.debugLog ? "DEBUG1" : "VERBOSE"}`,
    "UseDNS no",
    "MaxStartups 200",
    "PrintMotd no",
    "PrintLastLog no",
    "AllowTcpForwarding yes",
    "Subsystem sftp internal-sftp",
    ...(setEnv ? [`SetEnv ${setEnv}`] : []),
    "",
  ].join("\n");
}

/**
 * @param {string} file
 * @param {string} comment
 */
export async function generateKey(file, comment, type = "ed25519", passphrase = "") {
  await rm(file, { force: true });
  await rm(`${file}.pub`, { force: true });
  const bits = type === "rsa" ? ["-b", "3072"] : type === "ecdsa" ? ["-b", "256"] : [];
  await execFileAsync("ssh-keygen", ["-q", "-t", type, ...bits, "-N", passphrase, "-C", comment, "-f", file]);
  return (await readFile(`${file}.pub`, "utf8")).trim();
}

/**
 * Start sshd in the foreground of its own process (so its pid is the one to stop) and wait until
 * it listens. Returns null when the port was taken meanwhile (the caller picks another).
 * @param {SshdSpec} spec
 * @returns {Promise<import("./proc.mjs").ProcessId | null>}
 */
export async function startSshd(spec) {
  const config = `${spec.dir}/sshd_config`;
  const log = `${spec.dir}/sshd.log`;
  await writeFile(config, sshdConfig(spec));
  const logStart = await logSize(log);
  const sshd = [sshdPath(), "-D", "-f", config, "-E", log];
  // `ip netns exec` switches namespace and execs, so the pid stays sshd's.
  const argv = spec.namespace ? ["ip", "netns", "exec", spec.namespace, ...sshd] : sshd;
  const child = spawn(/** @type {string} */ (argv[0]), argv.slice(1), { detached: true, stdio: "ignore" });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start sshd for ${spec.dir}`);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const outcome = await waitFor(
    async () => {
      const text = await readFrom(log, logStart);
      if (/Server listening on/.test(text)) return "listening";
      if (/Address already in use|Cannot bind any address/.test(text)) return "port-taken";
      if (exited) return "exited";
      return undefined;
    },
    15_000,
    `sshd in ${spec.dir} to listen`,
  );
  if (outcome === "exited") throw new Error(`sshd for ${spec.dir} exited: ${(await readFrom(log, logStart)).trim()}`);
  const id = await processId(pid);
  if (outcome === "port-taken") {
    if (id) process.kill(pid, "SIGTERM");
    return null;
  }
  if (!id) throw new Error(`sshd for ${spec.dir} is not running`);
  return id;
}

/** @param {string} file */
async function logSize(file) {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/**
 * @param {string} file
 * @param {number} offset
 */
async function readFrom(file, offset) {
  let handle;
  try {
    handle = await open(file, "r");
  } catch {
    return "";
  }
  try {
    const { size } = await handle.stat();
    if (size <= offset) return "";
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString("utf8");
  } finally {
    await handle.close();
  }
}

/**
 * Count log lines matching a pattern.
 * @param {string} dir
 * @param {RegExp} pattern
 */
export async function countLog(dir, pattern) {
  const text = await readFrom(`${dir}/sshd.log`, 0);
  return text.split("\n").filter((line) => pattern.test(line)).length;
}

/** A TCP connection accepted (before any authentication). */
export const CONNECTION_LINE = /^Connection from \S+ port \d+ on /;
/** A command started in a session (`exec` request). */
export const EXEC_LINE = /^Starting session: command for /;
/** A connection forwarded for a client (direct-tcpip, ProxyJump); logged at DEBUG1. */
export const FORWARD_LINE = /server_request_direct_tcpip: originator /;
