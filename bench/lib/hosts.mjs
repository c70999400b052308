// @ts-check
/**
 * The fleets the bench measures on: N real OpenSSH sshd hosts from test/fleet, either
 *
 *  - "bare": nothing installed, so the probe is a few dozen cheap shell lookups and what is
 *    measured is the tool itself (connection setup, round trips, its own CPU), or
 *  - "sim":  the OpenShell/NemoClaw simulator (test/sim) on each host, one gateway with one
 *    sandbox, so the probe does what it does on a real DGX host: 17 CLI calls, one of them
 *    inside the sandbox. The simulator runs in its resident mode (test/sim/README.md, "Two
 *    modes"): a CLI call costs a native client and a few milliseconds of a resident process per
 *    host, as a native CLI would, all on this same machine.
 *
 * Beside the fleet it writes the fleet file, the probe script the product sends (built by the
 * product's own code, so the floor runs exactly the same script), and the helpers that put a
 * host back into the state a measurement starts from.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, closeSync, copyFileSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { startFleet } from "../../test/fleet/index.mjs";

export const SANDBOX = "assistant";
export const GATEWAY = "nemoclaw";
/** The guard files a sandbox loses in a pod recreate (design scenario 2); apply re-emits them. */
export const GUARD_FILES = ["nemoclaw-proxy-env.sh", "nemoclaw-sandbox-safety-net.js", "nemoclaw-ciao-network-guard.js"];
/** The passphrase of the fleet key's encrypted copy (passphrase.yaml reads it from this variable). */
export const KEY_PASSPHRASE_ENV = "BENCH_KEY_PASSPHRASE";
export const KEY_PASSPHRASE = "bench key passphrase";
/** A fixed nonce: the floor must send byte for byte what the product sends. */
const NONCE = "0123456789abcdef0123456789abcdef";

/**
 * @typedef {object} BenchFleet
 * @property {"bare" | "sim"} kind
 * @property {number} size
 * @property {string} dir              fleet.yaml, probe.sh and scratch files live here
 * @property {string} passphraseFleetFile  fleet.yaml, with the fleet key encrypted (its passphrase in $BENCH_KEY_PASSPHRASE)
 * @property {import("../../test/fleet/index.mjs").TestFleet} fleet
 * @property {string} probeFile
 * @property {string} lockedProbeFile  the probe taking the host lock before and giving it back after, as a no-op apply does
 * @property {string} backupProbeFile
 * @property {() => void} breakGuards  remove the guard files in every sandbox
 * @property {(mib: number) => void} fillWorkspaces  put mib MiB of random data in every sandbox's workspace
 * @property {(host: import("../../test/fleet/index.mjs").TestHost) => string} sandboxRoot
 * @property {() => Promise<SshCounts>} sshCounts  what the hosts' sshd processes logged so far, all hosts together
 * @property {() => Promise<void>} stop
 */

/**
 * @typedef {object} SshCounts
 * @property {number} connections  TCP connections accepted
 * @property {number} sessions     commands started (exec sessions)
 */

/** @param {number} index */
function hostName(index) {
  return `spark-${String(index + 1).padStart(2, "0")}`;
}

/**
 * @param {"bare" | "sim"} kind
 * @param {number} size
 * @param {{ inventory: string, passphrase?: string }} access  the inventory file, and the key's passphrase reference
 */
function fleetYaml(kind, size, { inventory, passphrase }) {
  const lines = ["apiVersion: nemoclaw.dev/v1", "kind: Fleet", `metadata: { name: bench-${kind}-${size} }`, `inventory: [${inventory}]`, `apply: { concurrency: ${size} }`];
  const defaults = [...(passphrase ? [`  passphrase: "${passphrase}"`] : []), ...(kind === "sim" ? ['  openshell: { version: "0.0.72" }'] : [])];
  if (defaults.length > 0) lines.push(`defaults:\n${defaults.join("\n")}`);
  if (kind === "sim") {
    lines.push(
      "gateways:\n  - port: 8080",
      `sandboxes:\n  - name: ${SANDBOX}\n    hosts: all\n    provider: build\n    model: nvidia/nemotron-3-super-120b-a12b\n    credential: env:NVIDIA_API_KEY`,
      "backupPolicies:\n  - name: bench\n    destination: { path: ./store }\n    verify: true",
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The fleet's inventory with the fleet key encrypted as ssh-keygen encrypts it (bcrypt-pbkdf,
 * 16 rounds): what a passphrase costs a run. Returns its path relative to the bench directory.
 * @param {import("../../test/fleet/index.mjs").TestFleet} fleet
 */
function encryptedKeyInventory(fleet) {
  const key = `${fleet.identityFile}_passphrase`;
  copyFileSync(fleet.identityFile, key);
  chmodSync(key, 0o600);
  execFileSync("ssh-keygen", ["-q", "-p", "-f", key, "-P", "", "-N", KEY_PASSPHRASE]);
  writeFileSync(join(dirname(fleet.inventoryPath), "inventory-passphrase.yml"), readFileSync(fleet.inventoryPath, "utf8").replaceAll(fleet.identityFile, key));
  return "fleet/inventory-passphrase.yml";
}

/**
 * @param {{ kind: "bare" | "sim", size: number, dir: string, dist: string }} options
 * @returns {Promise<BenchFleet>}
 */
export async function startBenchFleet({ kind, size, dir, dist }) {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755); // per-host users reach their homes inside
  const hosts = Array.from({ length: size }, (_, index) => ({
    name: hostName(index),
    ...(kind === "sim" ? { scenario: { hostname: hostName(index), gateways: [{ port: 8080, sandboxes: [{ name: SANDBOX }] }] } } : {}),
  }));
  const fleet = await startFleet({ dir: join(dir, "fleet"), hosts });
  try {
    writeFileSync(join(dir, "fleet.yaml"), fleetYaml(kind, size, { inventory: "fleet/inventory.yml" }));
    const passphraseFleetFile = join(dir, "passphrase.yaml");
    writeFileSync(passphraseFleetFile, fleetYaml(kind, size, { inventory: encryptedKeyInventory(fleet), passphrase: `env:${KEY_PASSPHRASE_ENV}` }));
    const { buildProbeScript } = await import(join(dist, "observe", "probe.js"));
    const probeFile = join(dir, "probe.sh");
    writeFileSync(probeFile, buildProbeScript({ nonce: NONCE, gatewayNames: kind === "sim" ? [GATEWAY] : [] }));
    // A no-op apply's work on a host: the lock created before the probe and released after it (the
    // product releases it in the same session once its plan shows nothing to do, docs/apply.md).
    const { createLockFragment, releaseLockFragment } = await import(join(dist, "host", "system", "fleet-lock.js"));
    const lockedProbeFile = join(dir, "locked-probe.sh");
    const lock = JSON.stringify({ runId: "bench-floor", user: "bench", machine: "bench", pid: 1, startedAt: "2026-01-01T00:00:00.000Z", expiresAt: "2099-01-01T00:00:00.000Z" });
    writeFileSync(lockedProbeFile, buildProbeScript({ nonce: NONCE, gatewayNames: kind === "sim" ? [GATEWAY] : [], before: createLockFragment(lock), after: releaseLockFragment(lock) }));
    // What `backup run` sends first: the same probe without entering the sandboxes.
    const backupProbeFile = join(dir, "backup-probe.sh");
    writeFileSync(backupProbeFile, buildProbeScript({ nonce: NONCE, gatewayNames: kind === "sim" ? [GATEWAY] : [], sandboxGuards: false }));
    mkdirSync(join(dir, "store"), { recursive: true });
    mkdirSync(join(dir, "out"), { recursive: true });
    /** @type {Promise<void> | undefined} */
    let stopping;
    const sandboxRoot = (/** @type {import("../../test/fleet/index.mjs").TestHost} */ host) => join(host.home, ".fleet-sim", "sandboxes", GATEWAY, SANDBOX, "root");
    return {
      kind,
      size,
      dir,
      passphraseFleetFile,
      fleet,
      probeFile,
      lockedProbeFile,
      backupProbeFile,
      sandboxRoot,
      breakGuards() {
        for (const host of fleet.hosts) for (const file of GUARD_FILES) rmSync(join(sandboxRoot(host), "tmp", file), { force: true });
      },
      fillWorkspaces(mib) {
        for (const host of fleet.hosts) {
          const file = join(sandboxRoot(host), "sandbox", ".openclaw", "workspace", "bench.bin");
          const fd = openSync(file, "w", 0o644);
          for (let written = 0; written < mib; written += 1) writeSync(fd, randomBytes(1024 * 1024));
          closeSync(fd);
          chownSync(file, host.uid, host.gid);
        }
      },
      async sshCounts() {
        const counts = await Promise.all(fleet.hosts.map(async (host) => [await fleet.connectionCount(host.name), await fleet.execCount(host.name)]));
        return { connections: counts.reduce((sum, [c = 0]) => sum + c, 0), sessions: counts.reduce((sum, [, e = 0]) => sum + e, 0) };
      },
      // Once, however many ask (an interrupt and the suite's own end can race).
      stop: () => (stopping ??= fleet.stop()),
    };
  } catch (error) {
    await fleet.stop();
    throw error;
  }
}
