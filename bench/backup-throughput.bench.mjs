// @ts-check
/**
 * Backup throughput against the floor. One real sshd test host with a simulated sandbox holding
 * NCF_BENCH_BACKUP_MIB (default 256) MiB of random data; one NemoClaw snapshot of it is streamed:
 *
 *   floor       ssh host tar -cf - … | sha256sum          (OpenSSH client, nothing kept)
 *   stream      the product's SSH transport → in-flight sha256 + tar check → local store, committed
 *   + verify    the same, then the stored archive re-read, re-hashed and listed before committing
 *   end to end  BackupService.backupSandbox: observe, preflight, snapshot create, stream, verify, clean up
 *
 * Each is run three times; the best time counts. Speed is measured here, never asserted in tests.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createBackupService } from "../dist/backup/service.js";
import { BackupStores } from "../dist/backup/destinations.js";
import { createSnapshot, removeSnapshot, streamSnapshot, succeeded } from "../dist/backup/host-commands.js";
import { ConnectionPool } from "../dist/transport/pool.js";
import { startFleet } from "../test/fleet/index.mjs";

const MIB = Number(process.env.NCF_BENCH_BACKUP_MIB ?? 256);
const ROUNDS = 3;

const dir = mkdtempSync(join(tmpdir(), "ncf-bench-backup-"));
chmodSync(dir, 0o755);
const fleet = await startFleet({ dir: join(dir, "fleet"), hosts: [{ name: "spark-01", scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "alice" }] }] } }] });
const testHost = fleet.hosts[0];
if (!testHost) throw new Error("the test fleet has no host");
const host = /** @type {import("../src/config/types.js").DesiredHost} */ (fleet.fleetHost("spark-01"));
const pool = new ConnectionPool([host]);

/** @param {string} label @param {() => Promise<void>} once */
async function measure(label, once) {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    await once();
    best = Math.min(best, performance.now() - started);
  }
  return { label, ms: best, mibPerSecond: MIB / (best / 1000) };
}

try {
  const big = join(testHost.home, ".fleet-sim/sandboxes/nemoclaw/alice/root/sandbox/.openclaw/workspace/big.bin");
  const fd = openSync(big, "w", 0o644);
  for (let mib = 0; mib < MIB; mib += 1) writeSync(fd, randomBytes(1024 * 1024));
  closeSync(fd);

  const connection = await pool.get("spark-01");
  const snapshot = await createSnapshot(connection, "alice", "bench");
  const relative = `rebuild-backups/${snapshot.sandbox}/${snapshot.timestamp}`;

  const floor = await measure("floor: ssh host tar c … | sha256sum", () => {
    const ssh = spawn(
      "ssh",
      ["-i", fleet.identityFile, "-p", String(testHost.port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${fleet.knownHostsFile}`, `${testHost.user}@${testHost.address}`, "tar", "-cf", "-", "-C", `${snapshot.home}/.nemoclaw`, relative],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const sum = spawn("sha256sum", [], { stdio: ["pipe", "ignore", "inherit"] });
    ssh.stdout.pipe(sum.stdin);
    return new Promise((resolve, reject) => sum.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`sha256sum exited ${code}`)))));
  });

  const storeRoot = join(dir, "store");
  const fleetForStores = { apiVersion: "nemoclaw.dev/v1", name: "bench", sourceFile: join(dir, "fleet.yaml"), sourceDigest: "", hosts: [host], backupPolicies: [], apply: { concurrency: 1, waves: [], maxFailPercentage: 0, stepTimeoutMs: 0, pruneUnmanaged: false, lockTtlMs: 0 } };
  const stores = new BackupStores(fleetForStores, pool);
  const store = await stores.open({ kind: "local", path: storeRoot });
  let run = 0;
  /** @param {boolean} verify */
  const streamOnce = async (verify) => {
    run += 1;
    const tar = await streamSnapshot(connection, snapshot);
    const timestamp = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, run)).toISOString().replace(/[:.]/g, "-");
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

  process.stdout.write(`${MIB} MiB sandbox, best of ${ROUNDS}, over loopback SSH:\n`);
  for (const result of [floor, stream, verified, endToEnd]) {
    const ratio = result.mibPerSecond / floor.mibPerSecond;
    process.stdout.write(`  ${result.label.padEnd(40)} ${result.ms.toFixed(0).padStart(7)} ms  ${result.mibPerSecond.toFixed(1).padStart(7)} MiB/s  ${(ratio * 100).toFixed(0).padStart(4)}% of floor\n`);
  }
} finally {
  await pool.closeAll();
  await fleet.stop();
  rmSync(dir, { recursive: true, force: true });
}
