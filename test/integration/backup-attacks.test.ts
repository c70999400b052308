/**
 * Crafted and damaged backups against real sshd hosts with the simulator: a writable store (or a
 * compromised host whose snapshot was stored) must not get anything onto another host. Each crafted
 * archive — a pax size record ahead of a GNU long-name header, `workspace/hostroot -> /`, a hard
 * link to /etc/passwd, a name with a NUL byte, a NemoClaw manifest naming `../` — is refused by
 * `backup verify` and by `backup restore`, and nothing outside the target sandbox changes. A
 * truncated archive is a clean refusal; a restore run again completes; staging left by a killed
 * restore is swept.
 */
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentOwner, ownedName } from "../../src/backup/owner.js";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { hostStateDigest } from "../sim/index.mjs";
import { ATTACKS, craftedSnapshot, sha256, type Attack } from "../unit/backup/crafted-tar.js";
import { manifestFor } from "../unit/backup/helpers.js";
import { cliEnv, runCli, writeFleetFile, type CliRun } from "./apply-support.js";

let fleet: TestFleet;
let dir: string;
let fleetFile: string;
let env: NodeJS.ProcessEnv;

const host = (name: string) => fleet.hosts.find((candidate) => candidate.name === name)!;
const stagingRoot = () => join(host("spark-02").home, ".nemoclaw-fleet/restore");
const attackTimestamp = (index: number) => `2026-07-0${index + 1}T02-00-00-000Z`;
const bobNotes = () => join(host("spark-02").home, ".fleet-sim/sandboxes/nemoclaw/bob/root/sandbox/.openclaw/workspace/notes.md");

async function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { cwd: dir, env });
}

/**
 * What a restore onto spark-02 must leave alone: its simulated host's state, its ~/.ssh, and
 * the links to /etc/passwd (its content and inode change as other test fleets add users).
 */
async function untouched(): Promise<string> {
  const home = host("spark-02").home;
  const ssh = readdirSync(join(home, ".ssh")).map((name) => `${name}:${readFileSync(join(home, ".ssh", name), "utf8")}`);
  const found = spawnSync("find", [home, "-name", "hostroot", "-o", "-name", "passwd"], { encoding: "utf8" }).stdout;
  return JSON.stringify({ sim: await hostStateDigest({ home }), ssh, found, passwd: statSync("/etc/passwd").nlink });
}

/** A crafted archive stored as a backup of spark-01/alice, with a manifest that matches its bytes. */
function plant(attack: Attack, index: number): void {
  const timestamp = attackTimestamp(index);
  const data = craftedSnapshot(attack, "alice", timestamp);
  const series = join(dir, "backups/spark-01/alice", timestamp);
  mkdirSync(series, { recursive: true });
  writeFileSync(join(series, "backup.tar"), data);
  writeFileSync(join(series, "manifest.json"), JSON.stringify(manifestFor("spark-01", "alice", { sizeBytes: data.length, sha256: sha256(data) }, { verified: { at: "2026-07-10T02:00:01.000Z", ok: true } }, timestamp)));
}

const noStackTrace = (run: CliRun) => expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-backup-attacks-"));
  chmodSync(dir, 0o755);
  fleet = await startFleet({
    dir: join(dir, "fleet"),
    hosts: [
      { name: "spark-01", scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "alice", files: { "/sandbox/.openclaw/workspace/notes.md": "alice's notes\n" } }] }] } },
      { name: "spark-02", scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "bob", files: { "/sandbox/.openclaw/workspace/notes.md": "bob's notes\n" } }] }] } },
    ],
  });
  const ssh = join(host("spark-02").home, ".ssh");
  mkdirSync(ssh, { recursive: true });
  writeFileSync(join(ssh, "canary"), "must not change\n");
  fleetFile = writeFleetFile(dir, "fleet.yaml", fleet.inventoryPath, "backupPolicies:\n  - name: nightly\n    destination: { path: ./backups }\n");
  env = cliEnv(join(dir, "state"));
  const first = await cli(["backup", "run", fleetFile, "--limit", "spark-01"]);
  if (first.code !== 0) throw new Error(`backup run failed (exit ${first.code}):\n${first.stderr}`);
  ATTACKS.forEach(plant);
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("crafted backups", () => {
  const problems: Record<Attack, RegExp> = {
    "pax-size-before-long-name": /symbolic link ".*\/workspace\/hostroot" points outside the snapshot \(\/\)/,
    "absolute-symlink": /symbolic link ".*\/workspace\/hostroot" points outside the snapshot \(\/\)/,
    "hardlink-out": /hard link ".*\/workspace\/passwd" points outside the snapshot \(\/etc\/passwd\)/,
    "nul-in-name": /archive unreadable: long entry name ".*\/workspace\/a" contains a NUL byte/,
    "manifest-climbs-out": /backedUpDirs\[1\] "\.\.\/\.\.\/\.\.\/\.ssh" is not a path inside the snapshot/,
  };

  it("are each refused by backup verify, and the result is kept", async () => {
    const run = await cli(["backup", "verify", fleetFile, "--json"]);
    expect(run.code, run.stderr).toBe(5);
    const results = (JSON.parse(run.stdout) as { results: { id: string; ok: boolean; problems: string[] }[] }).results;
    ATTACKS.forEach((attack, index) => {
      const result = results.find((entry) => entry.id === `spark-01/alice/${attackTimestamp(index)}`);
      expect(result?.ok, attack).toBe(false);
      expect(result?.problems.join("\n"), attack).toMatch(problems[attack]);
    });
    expect(results.filter((entry) => entry.ok)).toHaveLength(1);
  });

  it.each(ATTACKS.map((attack, index) => [attack, index] as const))("are each refused by backup restore onto another host: %s", async (attack, index) => {
    const before = await untouched();
    const run = await cli(["backup", "restore", `spark-01/alice@${attackTimestamp(index)}`, fleetFile, "--to", "spark-02/bob"]);
    expect(run.code, run.stderr).toBe(5);
    expect(run.stderr).toMatch(problems[attack]);
    noStackTrace(run);
    expect(readFileSync(bobNotes(), "utf8")).toBe("bob's notes\n");
    expect(await untouched()).toBe(before);
    expect(readdirSync(stagingRoot())).toEqual([]);
  });
});

describe("restore", () => {
  const latest = async () => {
    const listed = await cli(["backup", "list", fleetFile, "--json"]);
    const records = (JSON.parse(listed.stdout) as { stores: { records: { id: string; timestamp: string; verified: boolean | null }[] }[] }).stores.flatMap((store) => store.records);
    return records.find((record) => !record.timestamp.startsWith("2026-07-0"))!;
  };

  it("completes when run again, and sweeps staging a killed restore left", async () => {
    const good = await latest();
    // A staging directory of a restore from this machine whose process is gone, and a live one from elsewhere.
    const dead = spawnSync("true").pid!;
    const { uid, gid } = host("spark-02");
    for (const name of [ownedName({ ...currentOwner(), pid: dead }), "4242-0a0b0c0d@other-controller"]) {
      mkdirSync(join(stagingRoot(), name), { recursive: true });
      writeFileSync(join(stagingRoot(), name, "backup.tar"), "x".repeat(4096));
      chownSync(join(stagingRoot(), name), uid, gid);
      chownSync(join(stagingRoot(), name, "backup.tar"), uid, gid);
    }
    for (let round = 0; round < 2; round += 1) {
      writeFileSync(bobNotes(), "damaged\n");
      const run = await cli(["backup", "restore", `spark-01/alice@${good.timestamp}`, fleetFile, "--to", "spark-02/bob"]);
      expect(run.code, run.stderr).toBe(0);
      expect(readFileSync(bobNotes(), "utf8")).toBe("alice's notes\n");
    }
    expect(readdirSync(stagingRoot())).toEqual(["4242-0a0b0c0d@other-controller"]);
  });

  it("refuses a truncated archive cleanly, with its staging removed", async () => {
    const good = await latest();
    const archive = join(dir, "backups/spark-01/alice", good.timestamp, "backup.tar");
    writeFileSync(archive, readFileSync(archive).subarray(0, 2000));
    writeFileSync(bobNotes(), "bob's notes\n");
    const run = await cli(["backup", "restore", `spark-01/alice@${good.timestamp}`, fleetFile, "--to", "spark-02/bob"]);
    expect(run.code, run.stderr).toBe(5);
    expect(run.stderr).toMatch(/archive unreadable: archive is truncated/);
    noStackTrace(run);
    expect(readFileSync(bobNotes(), "utf8")).toBe("bob's notes\n");
    expect(readdirSync(stagingRoot())).toEqual(["4242-0a0b0c0d@other-controller"]);
    expect(existsSync(join(dir, "backups/spark-01/alice", good.timestamp))).toBe(true);
  });
});
