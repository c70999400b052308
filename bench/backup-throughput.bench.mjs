// @ts-check
/**
 * Backup throughput against the floor. One real sshd test host with a simulated sandbox holding
 * NCF_BENCH_BACKUP_MIB (default 256) MiB of random data; one NemoClaw snapshot of it is streamed:
 *
 *   floor       ssh host tar -cf - … | sha256sum          (OpenSSH client, nothing kept)
 *   fair floor  the same with AES-GCM and OpenSSL's SHA-256, as the product's stream uses
 *   stream      the product's SSH transport → in-flight sha256 + tar check → local store, committed
 *   + verify    the same, then the stored archive re-read, re-hashed and listed before committing
 *   end to end  BackupService.backupSandbox: observe, preflight, snapshot create, stream, verify, clean up
 *
 * Each is run three times; the median counts. Speed is measured here, never asserted in tests.
 *
 *   node bench/backup-throughput.bench.mjs [--json]   (NCF_BENCH_DIST picks the build)
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { shellQuote } from "./lib/floor.mjs";
import { startFleet } from "../test/fleet/index.mjs";

const DIST = process.env.NCF_BENCH_DIST ?? fileURLToPath(new URL("../dist", import.meta.url));
const JSON_OUTPUT = process.argv.includes("--json");
const { createBackupService } = await import(join(DIST, "backup", "service.js"));
const { BackupStores } = await import(join(DIST, "backup", "destinations.js"));
const { removeSnapshot, streamSnapshot } = await import(join(DIST, "host", "nemoclaw", "snapshots.js"));
const { createSnapshotKeepingGateway, readSnapshotSurroundings } = await import(join(DIST, "host", "snapshot-create.js"));
const { succeeded } = await import(join(DIST, "host", "run.js"));
const { ConnectionPool } = await import(join(DIST, "transport", "pool.js"));

const MIB = Number(process.env.NCF_BENCH_BACKUP_MIB ?? 256);
const ROUNDS = 3;

const dir = mkdtempSync(join(tmpdir(), "ncf-bench-backup-"));
chmodSync(dir, 0o755);
const fleet = await startFleet({ dir: join(dir, "fleet"), hosts: [{ name: "spark-01", scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "alice" }] }] } }] });
const testHost = fleet.hosts[0];
if (!testHost) throw new Error("the test fleet has no host");
const host = /** @type {import("../src/config/types.js").DesiredHost} */ (fleet.fleetHost("spark-01"));
const pool = new ConnectionPool([host]);
/** @type {Promise<void> | undefined} */
let stopping;
// One stop, however many ask for it: the measurement failing because an interrupt closed the
// pool must wait for the same cleanup, not cut it short.
const stop = () =>
  (stopping ??= (async () => {
    await pool.closeAll();
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  })());
// Interrupted (Ctrl-C, or bench/run.mjs stopping): the fleet goes with it.
for (const signal of /** @type {NodeJS.Signals[]} */ (["SIGINT", "SIGTERM", "SIGHUP"])) {
  process.on(signal, () => void stop().finally(() => process.exit(130)));
}

/** @param {string} label @param {() => Promise<void>} once */
async function measure(label, once) {
  const times = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    await once();
    times.push(performance.now() - started);
  }
  const median = /** @type {number} */ (times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]);
  return { label, ms: median, mibPerSecond: MIB / (median / 1000) };
}

try {
  const big = join(testHost.home, ".fleet-sim/sandboxes/nemoclaw/alice/root/sandbox/.openclaw/workspace/big.bin");
  const fd = openSync(big, "w", 0o644);
  for (let mib = 0; mib < MIB; mib += 1) writeSync(fd, randomBytes(1024 * 1024));
  closeSync(fd);

  const connection = await pool.get("spark-01");
  const snapshot = await createSnapshotKeepingGateway(connection, "alice", "nemoclaw", "bench", await readSnapshotSurroundings(connection, "alice"));
  const relative = `rebuild-backups/${snapshot.sandbox}/${snapshot.timestamp}`;

  /**
   * `ssh … tar | <hash>` as one shell pipeline (the data never passes through this process).
   * @param {string[]} sshOptions
   * @param {string} hash
   */
  const floorOnce = (sshOptions, hash) => () => {
    const ssh = ["ssh", "-F", "/dev/null", "-i", fleet.identityFile, "-p", String(testHost.port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${fleet.knownHostsFile}`, ...sshOptions, `${testHost.user}@${testHost.address}`, "tar", "-cf", "-", "-C", `${snapshot.home}/.nemoclaw`, relative];
    const pipeline = spawn("sh", ["-c", `${ssh.map(shellQuote).join(" ")} | ${hash} > /dev/null`], { stdio: ["ignore", "ignore", "inherit"] });
    return new Promise((resolve, reject) => pipeline.on("close", (code) => (code === 0 ? resolve(undefined) : reject(new Error(`the floor pipeline exited ${code}`)))));
  };
  const floor = await measure("floor: ssh host tar c … | sha256sum", floorOnce([], "sha256sum"));
  // OpenSSH defaults to chacha20-poly1305 and coreutils hashes without the CPU's SHA instructions;
  // the product's stream uses AES-GCM and OpenSSL's SHA-256. The same cipher and hash, for a fair floor:
  const fairFloor = await measure("floor, AES-GCM + openssl sha256", floorOnce(["-c", "aes128-gcm@openssh.com"], "openssl dgst -sha256"));

  const storeRoot = join(dir, "store");
  const fleetForStores = { apiVersion: "nemoclaw.dev/v1", name: "bench", sourceFile: join(dir, "fleet.yaml"), sourceDigest: "", hosts: [host], backupPolicies: [], apply: { concurrency: 1, waves: [], maxFailPercentage: 0, stepTimeoutMs: 0, pruneUnmanaged: false, lockTtlMs: 0 } };
  const stores = new BackupStores(fleetForStores, pool);
  const store = await stores.open({ kind: "local", path: storeRoot });
  let run = 0;
  // A stored backup is named by its snapshot (host/sandbox/snapshot timestamp): each run stores
  // the one snapshot taken above and removes it again.
  const timestamp = snapshot.timestamp;
  /** @param {boolean} verify */
  const streamOnce = async (verify) => {
    const tar = await streamSnapshot(connection, snapshot);
    await store.write({
      host: "spark-01",
      sandbox: "alice",
      timestamp,
      source: tar.stdout,
      sourceDone: succeeded(connection, tar, "streaming"),
      verify,
      now: () => new Date(),
      manifestFor: (/** @type {{ sizeBytes: number; sha256: string }} */ archive) => ({
        formatVersion: 1,
        id: `spark-01/alice/${timestamp}`,
        host: "spark-01",
        sandbox: "alice",
        gateway: "nemoclaw",
        openshell: { cliVersion: null, gatewayVersion: null },
        agent: { type: "openclaw", version: null },
        // The archive holds the one snapshot taken above; record where its manifest lies.
        snapshot: { timestamp: snapshot.timestamp, label: "bench", path: relative },
        archive: { file: "backup.tar", format: "tar", ...archive },
        createdAt: new Date().toISOString(),
        policy: "bench",
        runId: "bench",
        toolVersion: "bench",
        verified: null,
      }),
    });
    rmSync(join(storeRoot, "spark-01/alice", timestamp), { recursive: true, force: true });
  };
  const stream = await measure("stream into the store", () => streamOnce(false));
  const verified = await measure("stream + verify", () => streamOnce(true));
  await removeSnapshot(connection, snapshot);

  const policy = { name: "bench", hosts: { kind: "pattern", pattern: "all" }, sandboxNames: ["*"], retention: {}, destination: { kind: "local", path: storeRoot }, verify: true, beforeDisruptive: false, strict: false, source: host.source };
  const service = createBackupService({ fleet: fleetForStores, pool, stores });
  const endToEnd = await measure("end to end (backupSandbox)", async () => {
    const record = await service.backupSandbox({ host, connection, sandbox: "alice", gateway: "nemoclaw", policy, runId: `bench-${(run += 1)}` });
    rmSync(join(storeRoot, record.id), { recursive: true, force: true });
  });

  if (JSON_OUTPUT) {
    const round = (/** @type {number} */ value) => Math.round(value * 10) / 10;
    const results = [floor, fairFloor, stream, verified, endToEnd].map((result) => ({ ...result, ms: round(result.ms), mibPerSecond: round(result.mibPerSecond) }));
    process.stdout.write(`${JSON.stringify({ mib: MIB, rounds: ROUNDS, results })}\n`);
  } else process.stdout.write(`${MIB} MiB sandbox, median of ${ROUNDS}, over loopback SSH:\n`);
  for (const result of JSON_OUTPUT ? [] : [floor, fairFloor, stream, verified, endToEnd]) {
    const ratio = result.mibPerSecond / floor.mibPerSecond;
    process.stdout.write(`  ${result.label.padEnd(40)} ${result.ms.toFixed(0).padStart(7)} ms  ${result.mibPerSecond.toFixed(1).padStart(7)} MiB/s  ${(ratio * 100).toFixed(0).padStart(4)}% of floor\n`);
  }
} finally {
  await stop();
}
