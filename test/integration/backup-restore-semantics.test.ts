/**
 * What a restore puts back, against real sshd hosts with the simulator: the workspace of the
 * backup, into the sandbox named, while the target keeps its own network policy (NemoClaw's own
 * restore would make the target's presets the snapshot's, docs/backups.md#restore).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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
      { name: "spark-02", scenario: { gateways: [{ port: 8080, sandboxes: [sandbox("bob", "spark-02", ["github"])] }] } },
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
      "backupPolicies:",
      "  - name: nightly",
      "    destination: { path: ./backups }",
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

describe("backup restore --to another sandbox", () => {
  it("brings the workspace and leaves the target's network policy as it is", async () => {
    expect(livePresets("spark-02", "bob")).toEqual(["github"]);
    const run = await cli(["backup", "restore", "spark-01/alice", fleetFile, "--to", "spark-02/bob"]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(workspaceFile("spark-02", "bob"), "utf8")).toBe("alice on spark-01\n");
    // Without this, bob would gain alice's egress (pypi, npm) and lose its own (github).
    expect(livePresets("spark-02", "bob")).toEqual(["github"]);
    expect(registered("spark-02", "bob")).toEqual(["github"]);
    const plan = await cli(["plan", fleetFile, "--limit", "spark-02", "--json"]);
    expect(plan.stdout).not.toMatch(/policy-(add|remove)/);
  });
});
