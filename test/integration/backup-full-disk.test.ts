/**
 * `nemoclaw backup run` into a local store on a full disk never commits a truncated archive, even
 * under a policy with `verify: false` (no re-read would catch it). A full disk is stood in for by
 * RLIMIT_FSIZE (`ulimit -f`, no root or mount needed): like ENOSPC, write(2) first stops short
 * without an error, and only the next write fails. The archive here is small enough to be written
 * in one chunk, so the short write is its last.
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import type { StoreContents } from "../../src/backup/catalogue.js";
import type { RunReport } from "../../src/backup/run.js";
import { CLI, cliEnv, runCli, writeFleetFile, type CliRun } from "./apply-support.js";

/** Files up to 16 KiB (dash counts `ulimit -f` in 512-byte blocks): the journal and manifest fit, the archive does not. */
const LIMIT_BLOCKS = 32;

let fleet: TestFleet;
let dir: string;
let fleetFile: string;
let env: NodeJS.ProcessEnv;

function onFullDisk(args: string[], blocks = LIMIT_BLOCKS): Promise<Pick<CliRun, "code" | "stdout" | "stderr">> {
  return new Promise((done) => {
    execFile("/bin/sh", ["-c", `ulimit -f ${blocks} && exec "$0" "$@"`, process.execPath, CLI, ...args], { cwd: dir, env }, (error, stdout, stderr) => {
      done({ stdout, stderr, code: error ? (typeof error.code === "number" ? error.code : -1) : 0 });
    });
  });
}

async function listed(): Promise<StoreContents[]> {
  const list = await runCli(["backup", "list", fleetFile, "--json"], { cwd: dir, env });
  expect(list.code, list.stderr).toBe(0);
  return (JSON.parse(list.stdout) as { stores: StoreContents[] }).stores;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-backup-full-"));
  chmodSync(dir, 0o755); // the test hosts' users reach their homes below it
  fleet = await startFleet({ dir: join(dir, "fleet"), hosts: [{ name: "spark-01", scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "alice" }] }] } }] });
  fleetFile = writeFleetFile(dir, "fleet.yaml", fleet.inventoryPath, "backupPolicies:\n  - name: nightly\n    verify: false\n    destination: { path: ./backups }\n");
  env = { ...cliEnv(join(dir, "state")), NODE_DISABLE_COMPILE_CACHE: "1" };
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a backup run on a full disk", () => {
  it("fails naming the store and the file, lists nothing and leaves nothing; with room, the next run completes", async () => {
    const full = await onFullDisk(["backup", "run", fleetFile, "--json"]);
    expect(full.code, full.stderr).toBe(5);
    const failed = (JSON.parse(full.stdout) as RunReport).hosts[0]!.sandboxes[0]!;
    expect(failed).toMatchObject({ status: "failed" });
    expect(failed.record ?? null).toBeNull();
    expect(failed.reason).toMatch(new RegExp(`${join(dir, "backups")}: cannot write spark-01/alice/\\.partial-[^/]+/backup\\.tar \\(EFBIG: file too large, write\\)`));
    expect((await listed()).flatMap((store) => [...store.records, ...store.invalid])).toEqual([]);
    expect(readdirSync(join(dir, "backups", "spark-01", "alice"))).toEqual([]);

    const rerun = await runCli(["backup", "run", fleetFile, "--json"], { cwd: dir, env });
    expect(rerun.code, rerun.stderr).toBe(0);
    const record = (JSON.parse(rerun.stdout) as RunReport).hosts[0]!.sandboxes[0]!.record!;
    // The premise: the archive is larger than the limit the failed run had.
    expect(record.sizeBytes).toBeGreaterThan(LIMIT_BLOCKS * 512);
    expect(statSync(join(dir, "backups", record.id, "backup.tar")).size).toBe(record.sizeBytes);
  });

  it("with no room for the journal's first record: backs up nothing, exit 1 naming the journal", async () => {
    const before = await listed();
    const full = await onFullDisk(["backup", "run", fleetFile], 1);
    expect(full.code, full.stderr).toBe(1);
    expect(full.stderr).toMatch(new RegExp(`nemoclaw backup run: the run journal ${join(dir, "state")}/nemoclaw-fleet/runs/\\S+\\.jsonl cannot be written \\(EFBIG: file too large, write\\)`));
    expect(full.stderr).toContain("the run was stopped for it (exit 1)");
    expect(full.stderr).not.toMatch(/\n\s+at /);
    expect(await listed()).toEqual(before);
    expect(readdirSync(join(dir, "backups", "spark-01", "alice")).filter((name) => name.startsWith("."))).toEqual([]);
  });
});
