/**
 * What a restore puts back, against real sshd hosts with the simulator: the workspace of the
 * backup, into the sandbox named, while the target keeps its own network policy (NemoClaw's own
 * restore would make the target's presets the snapshot's, docs/backups.md#restore).
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { readSimState } from "../sim/index.mjs";
import { cliEnv, runCli, sandboxYaml, writeFleetFile, type CliRun } from "./apply-support.js";

let fleet: TestFleet;
let dir: string;
let fleetFile: string;
let env: NodeJS.ProcessEnv;

const host = (name: string) => fleet.hosts.find((candidate) => candidate.name === name)!;
const workspaceFile = (hostName: string, sandbox: string) => join(host(hostName).home, ".fleet-sim/sandboxes/nemoclaw", sandbox, "root/sandbox/.openclaw/workspace/notes.md");
const registered = (hostName: string, sandbox: string): string[] =>
  (JSON.parse(readFileSync(join(host(hostName).home, ".nemoclaw/sandboxes.json"), "utf8")) as { sandboxes: Record<string, { policies?: string[] }> }).sandboxes[sandbox]?.policies ?? [];
const livePresets = (hostName: string, sandbox: string): string[] => readSimState({ home: host(hostName).home }).gateways.nemoclaw?.sandboxes[sandbox]?.presets ?? [];

async function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { cwd: dir, env });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-backup-restore-"));
  chmodSync(dir, 0o755);
  const sandbox = (name: string, hostName: string, presets: string[]) => ({ name, presets, files: { "/sandbox/.openclaw/workspace/notes.md": `${name} on ${hostName}\n` } });
  fleet = await startFleet({
    dir: join(dir, "fleet"),
    hosts: [
      { name: "spark-01", scenario: { gateways: [{ port: 8080, sandboxes: [sandbox("alice", "spark-01", ["pypi", "npm"])] }] } },
      // alice on spark-02 too: the same sandbox name on another host.
      { name: "spark-02", scenario: { gateways: [{ port: 8080, sandboxes: [sandbox("bob", "spark-02", ["github"]), sandbox("alice", "spark-02", [])] }] } },
      // NemoClaw v0.0.31: its snapshots name writableDir, and it reads no other kind.
      { name: "spark-03", scenario: { nemoclaw: { version: "0.0.31" }, gateways: [{ port: 8080, sandboxes: [sandbox("carol", "spark-03", [])] }] } },
      // NemoClaw v0.0.52 bundles OpenClaw 2026.5.22, older than v0.0.76's 2026.6.10.
      { name: "spark-04", scenario: { nemoclaw: { version: "0.0.52" }, gateways: [{ port: 8080, sandboxes: [sandbox("dave", "spark-04", [])] }] } },
    ],
  });
  fleetFile = writeFleetFile(
    dir,
    "fleet.yaml",
    fleet.inventoryPath,
    [
      "sandboxes:",
      sandboxYaml("alice", 'hosts: "spark-01"', '    policy: { presets: ["pypi", "npm"] }\n'),
      sandboxYaml("bob", 'hosts: "spark-02"', '    policy: { presets: ["github"] }\n'),
      sandboxYaml("carol", 'hosts: "spark-03"'),
      sandboxYaml("dave", 'hosts: "spark-04"'),
      "backupPolicies:",
      "  - name: nightly",
      '    destination: { path: "./local store ü" }',
      // A second policy into the same destination, for alice only.
      "  - name: hourly",
      '    sandboxes: ["alice"]',
      "    retention: { keepLast: 1 }",
      '    destination: { path: "./local store ü" }',
      "  - name: offsite",
      `    destination: { host: spark-02, path: ${JSON.stringify(join(host("spark-02").home, "off site ü/ß"))} }`,
      "",
    ].join("\n"),
  );
  env = cliEnv(join(dir, "state"));
  const run = await cli(["backup", "run", fleetFile]);
  if (run.code !== 0) throw new Error(`backup run failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Listed = { stores: { store: string; records: { id: string; host: string; sandbox: string; policy: string; verified: boolean | null }[] }[] };

describe("stores", () => {
  it("keeps the same sandbox name of two hosts, and two policies in one destination, apart", async () => {
    const run = await cli(["backup", "list", fleetFile, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const listed = JSON.parse(run.stdout) as Listed;
    const local = listed.stores.find((store) => store.store.endsWith("local store ü"))!;
    expect(local.records.map((record) => `${record.policy}:${record.host}/${record.sandbox}`).sort()).toEqual(
      ["hourly:spark-01/alice", "hourly:spark-02/alice", "nightly:spark-01/alice", "nightly:spark-02/alice", "nightly:spark-02/bob", "nightly:spark-03/carol", "nightly:spark-04/dave"],
    );
    const offsite = listed.stores.find((store) => store.store.startsWith("spark-02:"))!;
    expect(offsite.store).toBe(`spark-02:${join(host("spark-02").home, "off site ü/ß")}`);
    expect(offsite.records.map((record) => `${record.host}/${record.sandbox}`).sort()).toEqual(["spark-01/alice", "spark-02/alice", "spark-02/bob", "spark-03/carol", "spark-04/dave"]);
    expect([...local.records, ...offsite.records].every((record) => record.verified === true)).toBe(true);
  });

  it("re-reads every archive on verify, local and over SSH, and finds one changed on the SSH store", async () => {
    const ok = await cli(["backup", "verify", fleetFile, "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { results: unknown[] }).results).toHaveLength(12);
    const series = join(host("spark-02").home, "off site ü/ß", "spark-02", "bob");
    const [timestamp] = readdirSync(series);
    const archive = join(series, timestamp!, "backup.tar");
    const bytes = readFileSync(archive);
    const at = bytes.indexOf("bob on spark-02");
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(archive, bytes);
    const bad = await cli(["backup", "verify", fleetFile, "--policy", "offsite", "--json"]);
    expect(bad.code).toBe(5);
    const failed = (JSON.parse(bad.stdout) as { results: { id: string; ok: boolean }[] }).results.filter((result) => !result.ok);
    expect(failed.map((result) => result.id)).toEqual([`spark-02/bob/${timestamp}`]);
  });

  it("prunes each policy's own backups in a shared destination, as the dry run said", async () => {
    expect((await cli(["backup", "run", fleetFile, "--policy", "hourly", "--limit", "spark-01"])).code).toBe(0);
    type PruneJson = { remove: string[]; removed: string[] | null };
    const preview = JSON.parse((await cli(["backup", "prune", fleetFile, "--dry-run", "--json"])).stdout) as PruneJson;
    expect(preview.remove).toHaveLength(1);
    expect(preview.remove[0]).toMatch(/^spark-01\/alice\//);
    const pruned = await cli(["backup", "prune", fleetFile, "--json"]);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect((JSON.parse(pruned.stdout) as PruneJson).removed).toEqual(preview.remove);
    const listed = JSON.parse((await cli(["backup", "list", fleetFile, "--json", "--host", "spark-01"])).stdout) as Listed;
    const local = listed.stores.find((store) => store.store.endsWith("local store ü"))!;
    expect(local.records.map((record) => record.policy).sort()).toEqual(["hourly", "nightly"]);
  });
});

describe("backup verify --latest", () => {
  it("verifies the newest backup of each policy's series, also when two policies share a destination", async () => {
    const run = await cli(["backup", "verify", fleetFile, "--latest", "--host", "spark-01", "--policy", "nightly", "--policy", "hourly", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const results = (JSON.parse(run.stdout) as { results: { record: { policy: string; host: string; sandbox: string } }[] }).results;
    expect(results.map(({ record }) => `${record.policy}:${record.host}/${record.sandbox}`).sort()).toEqual(["hourly:spark-01/alice", "nightly:spark-01/alice"]);
  });
});

describe("backup restore --to another sandbox", () => {
  it("brings the workspace and leaves the target's network policy as it is", async () => {
    expect(livePresets("spark-02", "bob")).toEqual(["github"]);
    const run = await cli(["backup", "restore", "spark-01/alice", fleetFile, "--policy", "offsite", "--to", "spark-02/bob"]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(workspaceFile("spark-02", "bob"), "utf8")).toBe("alice on spark-01\n");
    // bob's own workspace is not lost: NemoClaw's snapshot of it stays on spark-02, and the run says where.
    const kept = /^Its state before the restore is kept on spark-02 as NemoClaw snapshot (\S+): `nemoclaw bob snapshot restore \1` there puts it back\.$/m.exec(run.stdout);
    expect(kept, run.stdout).not.toBeNull();
    expect(readFileSync(join(host("spark-02").home, ".nemoclaw/rebuild-backups/bob", kept![1]!, "workspace/notes.md"), "utf8")).toBe("bob on spark-02\n");
    // Without this, bob would gain alice's egress (pypi, npm) and lose its own (github).
    expect(livePresets("spark-02", "bob")).toEqual(["github"]);
    expect(registered("spark-02", "bob")).toEqual(["github"]);
    const plan = await cli(["plan", fleetFile, "--limit", "spark-02", "--json"]);
    expect(plan.stdout).not.toMatch(/policy-(add|remove)/);
  });
});

describe("backup restore across NemoClaw releases", () => {
  it("refuses a newer snapshot an older NemoClaw cannot read, before anything is placed", async () => {
    const run = await cli(["backup", "restore", "spark-01/alice", fleetFile, "--policy", "nightly", "--to", "spark-03/carol"]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain("cannot be restored there: it was taken by NemoClaw v0.0.32 or later (its rebuild-manifest.json names `dir`, not `writableDir`), which NemoClaw v0.0.31 cannot read; upgrade NemoClaw on spark-03 first");
    expect(readFileSync(workspaceFile("spark-03", "carol"), "utf8")).toBe("carol on spark-03\n");
    const snapshots = join(host("spark-03").home, ".nemoclaw/rebuild-backups/carol");
    expect(readdirSync(snapshots)).toEqual([]);
    expect(readdirSync(join(host("spark-03").home, ".nemoclaw-fleet/restore"))).toEqual([]);
  });

  it("warns, before NemoClaw restores it, that a newer agent's state goes into an older agent", async () => {
    const newer = "backup spark-01/alice/";
    const said = "holds the state of openclaw 2026.6.10, newer than the openclaw 2026.5.22 that dave runs; NemoClaw restores it without a version check and an older agent may not read it: upgrade NemoClaw on spark-04 first, or check dave after the restore (`nemoclaw dave status`)";
    const pattern = new RegExp(`^! spark-04: ${newer}\\S+ ${said.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m");
    // --dry-run says it first, and changes nothing.
    const snapshots = join(host("spark-04").home, ".nemoclaw/rebuild-backups/dave");
    const before = readdirSync(snapshots);
    const dry = await cli(["backup", "restore", "spark-01/alice", fleetFile, "--policy", "nightly", "--to", "spark-04/dave", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(pattern);
    expect(dry.stdout).toMatch(/^Would restore spark-04\/dave \(gateway nemoclaw, NemoClaw v0\.0\.52\) from spark-01\/alice\/\S+, keeping its state as a NemoClaw snapshot first; the archive is checked as it is copied\. Nothing was changed\.$/m);
    expect(readFileSync(workspaceFile("spark-04", "dave"), "utf8")).toBe("dave on spark-04\n");
    expect(readdirSync(snapshots)).toEqual(before);

    const run = await cli(["backup", "restore", "spark-01/alice", fleetFile, "--policy", "nightly", "--to", "spark-04/dave"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(pattern);
    expect(readFileSync(workspaceFile("spark-04", "dave"), "utf8")).toBe("alice on spark-01\n");

    const json = await cli(["backup", "restore", "spark-01/alice", fleetFile, "--policy", "nightly", "--to", "spark-04/dave", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const outcome = JSON.parse(json.stdout) as { ok: boolean; warnings: string[]; previousSnapshot: string };
    expect(outcome.ok).toBe(true);
    expect(readdirSync(join(host("spark-04").home, ".nemoclaw/rebuild-backups/dave"))).toContain(outcome.previousSnapshot);
    expect(outcome.warnings).toHaveLength(1);
    expect(outcome.warnings[0]).toContain(said);

    // An older agent's state into a newer one is what NemoClaw's own rebuild does: nothing to say.
    const older = await cli(["backup", "restore", "spark-04/dave", fleetFile, "--policy", "nightly", "--to", "spark-02/alice", "--json"]);
    expect(older.code, older.stderr).toBe(0);
    expect((JSON.parse(older.stdout) as { warnings: string[] }).warnings).toEqual([]);
    expect(readFileSync(workspaceFile("spark-02", "alice"), "utf8")).toBe("dave on spark-04\n");
  });

  it("restores an older release's snapshot (writableDir) onto a newer release, which still reads it", async () => {
    const run = await cli(["backup", "restore", "spark-03/carol", fleetFile, "--policy", "nightly", "--to", "spark-04/dave", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { warnings: string[] }).warnings).toEqual([]);
    expect(readFileSync(workspaceFile("spark-04", "dave"), "utf8")).toBe("carol on spark-03\n");
  });

  it("restores that release's own snapshot", async () => {
    writeFileSync(workspaceFile("spark-03", "carol"), "damaged\n");
    const run = await cli(["backup", "restore", "spark-03/carol", fleetFile, "--policy", "nightly"]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(workspaceFile("spark-03", "carol"), "utf8")).toBe("carol on spark-03\n");
  });
});
