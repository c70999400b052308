/**
 * `nemoclaw backup` against real sshd hosts with the OpenShell/NemoClaw simulator: six hosts ×
 * three sandboxes (one host with a per-port gateway) backed up in one run, a schema-drift host
 * refused with NemoClaw's block and nothing written for it, a store on a fleet host over SSH,
 * verify finding a corrupted backup, prune deleting exactly what it previewed, restores bringing
 * content back byte-exact on the same and on another host, and `due` for timers.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { hostStateDigest, readSimState } from "../sim/index.mjs";
import type { StoreContents } from "../../src/backup/catalogue.js";
import type { PolicyDue } from "../../src/backup/catalogue.js";
import type { RunReport } from "../../src/backup/run.js";
import { cliEnv, runCli, sandboxYaml, writeFleetFile, type CliRun } from "./apply-support.js";

const HEALTHY = ["spark-01", "spark-02", "spark-03", "spark-04", "station-01", "station-02"];
const SANDBOXES = ["alice", "bob", "carol"];

let fleet: TestFleet;
let dir: string;
let fleetFile: string;
let env: NodeJS.ProcessEnv;
let driftDigestBefore: string;
let first: CliRun;
let report: RunReport;

const host = (name: string) => fleet.hosts.find((candidate) => candidate.name === name)!;
/** The real /sandbox of a simulated sandbox. */
const sandboxPath = (hostName: string, gateway: string, sandbox: string, path: string) =>
  join(host(hostName).home, ".fleet-sim/sandboxes", gateway, sandbox, "root/sandbox/.openclaw", path);
const notes = (hostName: string, sandbox: string) => `notes of ${sandbox} on ${hostName}\n${"x".repeat(3000)}\n`;
const gatewayOf = (hostName: string, sandbox: string) => (hostName === "spark-03" && sandbox === "carol" ? "nemoclaw-8081" : "nemoclaw");

function scenario(hostName: string) {
  const sandbox = (name: string) => ({ name, files: { "/sandbox/.openclaw/workspace/notes.md": notes(hostName, name) } });
  if (hostName === "spark-03") {
    // One host with a per-port gateway: NemoClaw's own backup-all would miss carol.
    return { gateways: [{ port: 8080, sandboxes: [sandbox("alice"), sandbox("bob")] }, { port: 8081, sandboxes: [sandbox("carol")] }] };
  }
  return { gateways: [{ port: 8080, sandboxes: SANDBOXES.map(sandbox) }] };
}

async function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { cwd: dir, env });
}

async function json<T>(args: string[], expectedCode = 0): Promise<T> {
  const run = await cli([...args, "--json"]);
  expect(run.code, `${args.join(" ")}\n${run.stderr}`).toBe(expectedCode);
  return JSON.parse(run.stdout) as T;
}

const records = (contents: { stores: StoreContents[] }) => contents.stores.flatMap((store) => store.records);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-backup-it-"));
  chmodSync(dir, 0o755);
  fleet = await startFleet({
    dir: join(dir, "fleet"),
    hosts: [
      ...HEALTHY.map((name) => ({ name, scenario: scenario(name), groups: [name.startsWith("spark") ? "spark" : "station"] })),
      // Schema drift: the CLI is 0.0.72, the gateway still runs a 0.0.43 binary.
      { name: "spark-09", scenario: { gateways: [{ port: 8080, version: "0.0.43", sandboxes: [{ name: "alice" }] }] } },
    ],
  });
  // A store on a fleet host, reached over SSH like everything else.
  const offsite = join(host("station-02").home, "offsite-backups");
  fleetFile = writeFleetFile(
    dir,
    "fleet.yaml",
    fleet.inventoryPath,
    [
      "sandboxes:",
      sandboxYaml("alice", 'hosts: "spark-01"'),
      "backupPolicies:",
      "  - name: nightly",
      '    schedule: "0 2 * * *"',
      "    retention: { keepLast: 2 }",
      "    destination: { path: ./backups }",
      "  - name: offsite",
      "    hosts: spark-01",
      '    sandboxes: ["alice"]',
      `    destination: { host: station-02, path: ${offsite} }`,
      "",
    ].join("\n"),
  );
  env = cliEnv(join(dir, "state"));
  driftDigestBefore = await hostStateDigest({ home: host("spark-09").home });
  first = await cli(["backup", "run", fleetFile, "--json"]);
  if (!first.stdout.startsWith("{")) throw new Error(`backup run printed no report (exit ${first.code}):\n${first.stderr}`);
  report = JSON.parse(first.stdout) as RunReport;
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("backup run", () => {
  it("backs up six hosts × three sandboxes in one run, per-port gateway included", () => {
    expect(first.code, first.stderr).toBe(8);
    const backedUp = report.hosts.flatMap((outcome) => outcome.sandboxes.filter((s) => s.status === "backed-up" && s.policy === "nightly"));
    expect(backedUp.map((s) => `${s.host}/${s.sandbox}@${s.gateway}`).sort()).toEqual(
      HEALTHY.flatMap((name) => SANDBOXES.map((sandbox) => `${name}/${sandbox}@${gatewayOf(name, sandbox)}`)).sort(),
    );
    expect(report.hosts.filter((outcome) => outcome.host !== "spark-09").every((outcome) => outcome.status === "ok")).toBe(true);
    const carol = backedUp.find((s) => s.host === "spark-03" && s.sandbox === "carol")!;
    expect(carol.record?.manifest).toMatchObject({ gateway: "nemoclaw-8081", openshell: { cliVersion: "0.0.72", gatewayVersion: "0.0.72" }, agent: { type: "openclaw" } });
    expect(backedUp.every((s) => s.record?.verified === true)).toBe(true);
  });

  it("stores each backup as NemoClaw's snapshot layout holding the sandbox's content", () => {
    for (const name of HEALTHY) {
      for (const sandbox of SANDBOXES) {
        const series = join(dir, "backups", name, sandbox);
        const [timestamp, ...more] = readdirSync(series);
        expect(more, `${name}/${sandbox}`).toEqual([]);
        expect(readdirSync(join(series, timestamp!)).sort()).toEqual(["backup.tar", "manifest.json"]);
        const content = execFileSync("tar", ["-xOf", join(series, timestamp!, "backup.tar"), `rebuild-backups/${sandbox}/${timestamp}/workspace/notes.md`], { encoding: "utf8" });
        expect(content).toBe(notes(name, sandbox));
        // The host's copy of the snapshot is removed once the store holds it.
        expect(readdirSync(join(host(name).home, ".nemoclaw/rebuild-backups", sandbox))).toEqual([]);
      }
    }
  });

  it("refuses the drift host with NemoClaw's block and writes nothing for it", async () => {
    const drifted = report.hosts.find((outcome) => outcome.host === "spark-09")!;
    expect(drifted.status).toBe("refused");
    expect(drifted.sandboxes).toEqual([]);
    expect(drifted.block?.lines).toEqual(
      expect.arrayContaining([
        "  OpenShell gateway schema preflight failed before backing up sandboxes.",
        "  Installed OpenShell: 0.0.72",
        "  Refusing to trust OpenShell sandbox state while the host CLI and gateway schema may be out of sync.",
        "  No sandbox data was changed.",
        "    2. Rerun `nemoclaw backup run` after `openshell status` reports a healthy NemoClaw gateway.",
      ]),
    );
    expect(drifted.block?.lines.some((line) => /^ {2}Running gateway binary: .*openshell-gateway \(0\.0\.43\)$/.test(line))).toBe(true);
    expect(existsSync(join(dir, "backups", "spark-09"))).toBe(false);
    expect(readSimState({ home: host("spark-09").home }).calls.some((call) => call.tool === "nemoclaw" && call.argv.includes("snapshot"))).toBe(false);
    expect(await hostStateDigest({ home: host("spark-09").home })).toBe(driftDigestBefore);
  });

  it("prints the block and a recap for people", async () => {
    const run = await cli(["backup", "run", fleetFile, "--limit", "spark-09"]);
    expect(run.code).toBe(8);
    expect(run.stdout).toContain("  OpenShell gateway schema preflight failed before backing up sandboxes.");
    expect(run.stderr).toContain("spark-09: refused by the schema preflight, nothing written for it");
  });

  it("writes a policy's backups to a store on a fleet host over SSH", async () => {
    const offsiteRun = report.hosts.flatMap((outcome) => outcome.sandboxes.filter((s) => s.policy === "offsite"));
    expect(offsiteRun.map((s) => [s.host, s.sandbox, s.status, s.reason ?? null])).toEqual([["spark-01", "alice", "backed-up", null]]);
    const offsite = records(await json<{ stores: StoreContents[] }>(["backup", "list", fleetFile, "--policy", "offsite"]));
    expect(offsite.map((record) => `${record.host}/${record.sandbox}`)).toEqual(["spark-01/alice"]);
    expect(offsite[0]?.location.startsWith(`station-02:${host("station-02").home}/offsite-backups/spark-01/alice/`)).toBe(true);
    expect(offsite[0]?.verified).toBe(true);
  });
});

describe("backup list and verify", () => {
  it("lists every backup with its size and verification", async () => {
    const listed = records(await json<{ stores: StoreContents[] }>(["backup", "list", fleetFile, "--policy", "nightly"]));
    expect(listed).toHaveLength(18);
    expect(listed.every((record) => record.verified === true && record.sizeBytes > 3000)).toBe(true);
    const human = await cli(["backup", "list", fleetFile, "--host", "spark-03"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/spark-03\s+carol\s+\S+Z\s+\d+s\s+[\d.]+ KiB\s+nightly\s+verified/);
  });

  it("finds a corrupted backup", async () => {
    const [record] = records(await json<{ stores: StoreContents[] }>(["backup", "list", fleetFile, "--host", "station-01", "--sandbox", "bob", "--policy", "nightly"]));
    const archive = join(dir, "backups", "station-01", "bob", record!.timestamp, "backup.tar");
    const bytes = readFileSync(archive);
    const at = bytes.indexOf("notes of bob");
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(archive, bytes);

    const result = await json<{ results: { id: string; ok: boolean; problems: string[] }[] }>(["backup", "verify", fleetFile, "--policy", "nightly"], 5);
    expect(result.results).toHaveLength(18);
    const failed = result.results.filter((entry) => !entry.ok);
    expect(failed.map((entry) => entry.id)).toEqual([record!.id]);
    expect(failed[0]?.problems.join("\n")).toMatch(/sha256 [0-9a-f]{64} does not match the manifest/);
    const relisted = records(await json<{ stores: StoreContents[] }>(["backup", "list", fleetFile, "--host", "station-01", "--sandbox", "bob", "--policy", "nightly"]));
    expect(relisted[0]?.verified).toBe(false);
  });
});

describe("backup prune", () => {
  it("deletes exactly what the dry run previewed", async () => {
    // Two more runs on spark-01: three nightly backups per sandbox there, keepLast 2.
    for (let round = 0; round < 2; round += 1) expect((await cli(["backup", "run", fleetFile, "--limit", "spark-01", "--policy", "nightly"])).code).toBe(0);
    type PruneJson = { dryRun: boolean; remove: string[]; removed: string[] | null };
    const preview = await json<PruneJson>(["backup", "prune", fleetFile, "--dry-run"]);
    expect(preview.dryRun).toBe(true);
    expect(preview.remove).toHaveLength(3);
    expect(preview.remove.every((id) => id.startsWith("spark-01/"))).toBe(true);
    for (const id of preview.remove) expect(existsSync(join(dir, "backups", id))).toBe(true);

    const pruned = await json<PruneJson>(["backup", "prune", fleetFile]);
    expect(pruned.remove).toEqual(preview.remove);
    expect(pruned.removed).toEqual(preview.remove);
    for (const id of preview.remove) expect(existsSync(join(dir, "backups", id))).toBe(false);
    for (const sandbox of SANDBOXES) expect(readdirSync(join(dir, "backups", "spark-01", sandbox))).toHaveLength(2);
    expect((await json<PruneJson>(["backup", "prune", fleetFile, "--dry-run"])).remove).toEqual([]);
  });
  it("removes from a store on a fleet host what killed runs left: a write check at its root, a manifest upload's temporary a day old", async () => {
    const offsite = join(host("station-02").home, "offsite-backups");
    const [record] = records(await json<{ stores: StoreContents[] }>(["backup", "list", fleetFile, "--policy", "offsite"]));
    const backupDir = join(offsite, record!.id);
    // Left by another controller two days ago: a run killed during its write check, and a
    // `backup verify` whose manifest upload the store host never finished (it lost power).
    const probe = ".partial-7-cccc@laptop";
    const stale = ".manifest.json.nemoclaw-tmp.Ab3dE6gH";
    // A verify writing its manifest right now.
    const fresh = ".manifest.json.nemoclaw-tmp.Zy9xW8vU";
    mkdirSync(join(offsite, probe));
    for (const name of [stale, fresh]) writeFileSync(join(backupDir, name), "{}");
    const twoDaysAgo = new Date(Date.now() - 48 * 3_600_000);
    for (const path of [join(offsite, probe), join(backupDir, stale)]) utimesSync(path, twoDaysAgo, twoDaysAgo);
    type LeftoverJson = { leftovers: { location: string }[]; leftoversRemoved: string[] | null };
    const label = `station-02:${offsite}`;
    const expected = [`${label}/${probe}`, `${label}/${record!.id}/${stale}`];
    const preview = await json<LeftoverJson>(["backup", "prune", fleetFile, "--policy", "offsite", "--dry-run"]);
    expect(preview.leftovers.map((leftover) => leftover.location).sort()).toEqual(expected);
    const pruned = await json<LeftoverJson>(["backup", "prune", fleetFile, "--policy", "offsite"]);
    expect(pruned.leftoversRemoved?.sort()).toEqual(expected);
    expect(readdirSync(offsite)).toEqual(["spark-01"]);
    expect(readdirSync(backupDir).sort()).toEqual([fresh, "backup.tar", "manifest.json"].sort());
    rmSync(join(backupDir, fresh));
  });
});

describe("backup restore", () => {
  it("brings sandbox content back byte-exact", async () => {
    const file = sandboxPath("spark-04", "nemoclaw", "bob", "workspace/notes.md");
    const before = readFileSync(file);
    writeFileSync(file, "damaged\n");
    writeFileSync(sandboxPath("spark-04", "nemoclaw", "bob", "workspace/stray.txt"), "not in the backup\n");
    const run = await cli(["backup", "restore", "spark-04/bob", fleetFile, "--policy", "nightly"]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(existsSync(sandboxPath("spark-04", "nemoclaw", "bob", "workspace/stray.txt"))).toBe(false);
  });

  it("restores onto another host and sandbox, per-port gateway included", async () => {
    const run = await cli(["backup", "restore", "spark-03/carol", fleetFile, "--to", "station-01/alice"]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(sandboxPath("station-01", "nemoclaw", "alice", "workspace/notes.md"), "utf8")).toBe(notes("spark-03", "carol"));
    const snapshots = join(host("station-01").home, ".nemoclaw/rebuild-backups/alice");
    const named = (timestamp: string) => (JSON.parse(readFileSync(join(snapshots, timestamp, "rebuild-manifest.json"), "utf8")) as { name?: string }).name ?? "";
    // Beside the placed backup, NemoClaw's snapshot of what alice held before.
    const [kept, ...others] = readdirSync(snapshots).filter((timestamp) => named(timestamp).startsWith("fleet-before-restore-"));
    expect(others).toEqual([]);
    expect(run.stdout).toContain(`kept on station-01 as NemoClaw snapshot ${kept}:`);
    const placed = readdirSync(snapshots).filter((timestamp) => timestamp !== kept);
    expect(placed).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(join(snapshots, placed[0]!, "rebuild-manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ sandboxName: "alice", timestamp: placed[0] });
    expect(readdirSync(join(host("station-01").home, ".nemoclaw-fleet/restore"))).toEqual([]);
  });

  it("restores from the store on another host over SSH", async () => {
    const file = sandboxPath("spark-01", "nemoclaw", "alice", "workspace/notes.md");
    writeFileSync(file, "damaged\n");
    const run = await cli(["backup", "restore", "spark-01/alice", fleetFile, "--policy", "offsite"]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(notes("spark-01", "alice"));
  });

  it("holds the host lock while it restores, and refuses a host another run holds (exit 7)", async () => {
    const lockDir = join(host("spark-04").home, ".nemoclaw-fleet");
    const lockFile = join(lockDir, "lock.json");
    const holder = { runId: "20261207T120000Z-abcdef", user: "ops", machine: "elsewhere", pid: 4242, startedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    mkdirSync(lockDir, { recursive: true, mode: 0o700 });
    writeFileSync(lockFile, `${JSON.stringify(holder)}\n`);
    const file = sandboxPath("spark-04", "nemoclaw", "bob", "workspace/notes.md");
    writeFileSync(file, "changed by the run that holds the lock\n");
    const refused = await cli(["backup", "restore", "spark-04/bob", fleetFile, "--policy", "nightly"]);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toContain("spark-04 is locked: run 20261207T120000Z-abcdef by ops@elsewhere (pid 4242)");
    expect(readFileSync(file, "utf8")).toBe("changed by the run that holds the lock\n");
    rmSync(lockFile);

    const run = await cli(["backup", "restore", "spark-04/bob", fleetFile, "--policy", "nightly"]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(notes("spark-04", "bob"));
    // Released at the end: the next run finds the host free.
    expect(existsSync(lockFile)).toBe(false);
  });

  it("refuses a corrupted backup, a missing target and a drifted target", async () => {
    const corrupted = await cli(["backup", "restore", "station-01/bob", fleetFile, "--policy", "nightly", "--to", "station-02/bob"]);
    expect(corrupted.code).toBe(5);
    expect(corrupted.stderr).toMatch(/sha256 [0-9a-f]{64} does not match/);
    expect(readFileSync(sandboxPath("station-02", "nemoclaw", "bob", "workspace/notes.md"), "utf8")).toBe(notes("station-02", "bob"));

    const missing = await cli(["backup", "restore", "spark-02/alice", fleetFile, "--to", "spark-02/zed"]);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain("sandbox zed does not exist on spark-02");

    const drifted = await cli(["backup", "restore", "spark-02/alice", fleetFile, "--to", "spark-09/alice"]);
    expect(drifted.code).toBe(8);
    expect(drifted.stderr).toContain("  OpenShell gateway schema preflight failed before restoring a sandbox backup.");
    expect(await hostStateDigest({ home: host("spark-09").home })).toBe(driftDigestBefore);
  });
});

describe("backup due", () => {
  it("is due (exit 2) for a series without a backup since the schedule fired, 0 otherwise", async () => {
    const due = await json<{ due: boolean; policies: PolicyDue[] }>(["backup", "due", fleetFile]);
    expect(due.due).toBe(false);
    expect(due.policies.find((policy) => policy.policy === "offsite")?.reason).toBe("no schedule (run it by hand)");

    // A store holding nothing yet: every series the file declares is due.
    const fresh = join(dir, "fresh");
    mkdirSync(fresh);
    const freshFleet = readFileSync(fleetFile, "utf8").replace("destination: { path: ./backups }", `destination: { path: ${fresh} }`);
    writeFileSync(join(dir, "fresh.yaml"), freshFleet);
    const dueNow = await cli(["backup", "due", join(dir, "fresh.yaml"), "--policy", "nightly"]);
    expect(dueNow.code, dueNow.stderr).toBe(2);
    expect(dueNow.stdout).toMatch(/due\s+nightly \(0 2 \* \* \*\): 1 of 1 sandbox\(es\) have no backup since/);
    const ranDue = await cli(["backup", "run", join(dir, "fresh.yaml"), "--due", "--limit", "spark-01"]);
    expect(ranDue.code, ranDue.stderr).toBe(0);
    expect(readdirSync(join(fresh, "spark-01")).sort()).toEqual(SANDBOXES);
    expect((await cli(["backup", "due", join(dir, "fresh.yaml"), "--policy", "nightly"])).code).toBe(0);
  });
});
