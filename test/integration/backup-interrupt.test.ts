/**
 * Interrupting `nemoclaw backup run` mid-stream never leaves a backup that is not whole: after a
 * SIGKILL of the CLI the store lists nothing and only a dot-named partial entry remains, which the
 * next run removes before completing the backup; after Ctrl-C (SIGINT) the run cleans up itself
 * and exits 130.
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import type { StoreContents } from "../../src/backup/catalogue.js";
import type { RunReport } from "../../src/backup/run.js";
import { CLI, cliEnv, runCli, writeFleetFile } from "./apply-support.js";

const BIG_FILE_MIB = 256;

let fleet: TestFleet;
let dir: string;
let fleetFile: string;
let env: NodeJS.ProcessEnv;
let bigFileSha: string;

const series = () => join(dir, "backups", "spark-01", "alice");

/** Every entry under the store, dot names included. */
function storeEntries(): string[] {
  const walk = (path: string, prefix: string): string[] =>
    existsSync(path)
      ? readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
          entry.isDirectory() ? [`${prefix}${entry.name}/`, ...walk(join(path, entry.name), `${prefix}${entry.name}/`)] : [`${prefix}${entry.name}`],
        )
      : [];
  return walk(join(dir, "backups"), "");
}

/** The partial archive being written, once it holds at least `bytes`. */
function partialArchive(bytes: number): string | null {
  if (!existsSync(series())) return null;
  for (const name of readdirSync(series()).filter((entry) => entry.startsWith(".partial-"))) {
    const archive = join(series(), name, "backup.tar");
    if (existsSync(archive) && statSync(archive).size >= bytes) return archive;
  }
  return null;
}

/** Start a backup run and send `signal` once a partial archive has begun to fill. */
async function interruptMidStream(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, "backup", "run", fleetFile], { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, sig) => resolve({ code, signal: sig })));
  let done = false;
  void exited.then(() => (done = true));
  while (!done && partialArchive(1024 * 1024) === null) await new Promise((resolve) => setTimeout(resolve, 10));
  if (done) throw new Error(`the run ended before it could be interrupted:\n${stderr}`);
  child.kill(signal);
  return { ...(await exited), stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-backup-kill-"));
  chmodSync(dir, 0o755);
  fleet = await startFleet({ dir: join(dir, "fleet"), hosts: [{ name: "spark-01", scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "alice" }] }] } }] });
  // A sandbox big enough that its snapshot takes a while to stream.
  const big = join(fleet.hosts[0]!.home, ".fleet-sim/sandboxes/nemoclaw/alice/root/sandbox/.openclaw/workspace/big.bin");
  const hash = createHash("sha256");
  const fd = openSync(big, "w", 0o644);
  for (let mib = 0; mib < BIG_FILE_MIB; mib += 1) {
    const chunk = randomBytes(1024 * 1024);
    hash.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  bigFileSha = hash.digest("hex");
  fleetFile = writeFleetFile(dir, "fleet.yaml", fleet.inventoryPath, "backupPolicies:\n  - name: nightly\n    destination: { path: ./backups }\n");
  env = cliEnv(join(dir, "state"));
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("an interrupted backup run", () => {
  it("leaves no backup after SIGKILL, and the next run cleans up and completes", async () => {
    const killed = await interruptMidStream("SIGKILL");
    expect(killed.signal).toBe("SIGKILL");
    // Only the writer's partial entry is left, out of sight.
    const leftovers = storeEntries().filter((entry) => entry.includes("/.partial-") && entry.endsWith("/"));
    expect(leftovers).toHaveLength(1);
    const listed = await runCli(["backup", "list", fleetFile, "--json"], { cwd: dir, env });
    expect((JSON.parse(listed.stdout) as { stores: StoreContents[] }).stores.flatMap((store) => store.records)).toEqual([]);

    const rerun = await runCli(["backup", "run", fleetFile, "--json"], { cwd: dir, env });
    expect(rerun.code, rerun.stderr).toBe(0);
    const report = JSON.parse(rerun.stdout) as RunReport;
    expect(report.cleaned).toEqual([`${join(dir, "backups")}/${leftovers[0]!.replace(/\/$/, "")}`]);
    expect(storeEntries().filter((entry) => entry.includes(".partial-"))).toEqual([]);
    const [record] = report.hosts[0]!.sandboxes.map((sandbox) => sandbox.record!);
    expect(record?.verified).toBe(true);
    const archive = join(series(), record!.timestamp, "backup.tar");
    expect(createHash("sha256").update(readFileSync(archive)).digest("hex")).toBe(record!.sha256);
  });

  it("cleans up after itself on Ctrl-C and exits 130", async () => {
    const hostSnapshots = join(fleet.hosts[0]!.home, ".nemoclaw/rebuild-backups/alice");
    const before = { store: readdirSync(series()), host: readdirSync(hostSnapshots) };
    const interrupted = await interruptMidStream("SIGINT");
    expect(interrupted.code, interrupted.stderr).toBe(130);
    // Neither a partial entry in the store nor the run's snapshot on the host is left.
    expect({ store: readdirSync(series()), host: readdirSync(hostSnapshots) }).toEqual(before);
  });

  it("stored the big file byte-exact", () => {
    const [timestamp] = readdirSync(series());
    const archive = join(series(), timestamp!, "backup.tar");
    const content = execFileSync("tar", ["-xOf", archive, `rebuild-backups/alice/${timestamp}/workspace/big.bin`], { maxBuffer: (BIG_FILE_MIB + 16) * 1024 * 1024 });
    expect(createHash("sha256").update(content).digest("hex")).toBe(bigFileSha);
  });
});
