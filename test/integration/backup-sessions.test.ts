/**
 * What `nemoclaw backup run` costs a host in SSH sessions (docs/performance.md), as its journal's
 * host-finished records count them: the host lock is taken in the round trip of the host's look
 * and given back with the last command there, so a host with one Ready sandbox needs no second
 * look and no lock round trip of its own, and a host with nothing to snapshot is looked at once
 * and left unlocked.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import type { EventOf } from "../../src/apply/events.js";
import { cliEnv, journalEvents, journalFiles, runCli, writeFleetFile, type CliRun } from "./apply-support.js";

let fleet: TestFleet;
let dir: string;
let run: CliRun;

const host = (name: string) => fleet.hosts.find((candidate) => candidate.name === name)!;

function hostFinished(name: string): EventOf<"host-finished"> {
  const [journal] = journalFiles(join(dir, "state"));
  const event = journalEvents(journal!).find((candidate) => candidate.type === "host-finished" && candidate.host === name);
  if (event === undefined) throw new Error(`no host-finished record for ${name}`);
  return event as EventOf<"host-finished">;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-backup-sessions-"));
  chmodSync(dir, 0o755);
  fleet = await startFleet({
    dir: join(dir, "fleet"),
    hosts: [
      { name: "spark-01", scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "alice", files: { "/sandbox/.openclaw/workspace/notes.md": "notes\n" } }] }] } },
      // A gateway with no sandbox: nothing to snapshot.
      { name: "spark-02", scenario: { gateways: [{ port: 8080, sandboxes: [] }] } },
    ],
  });
  const fleetFile = writeFleetFile(
    dir,
    "fleet.yaml",
    fleet.inventoryPath,
    ["backupPolicies:", "  - name: nightly", '    schedule: "0 2 * * *"', "    retention: { keepLast: 2 }", "    destination: { path: ./backups }", ""].join("\n"),
  );
  run = await runCli(["backup", "run", fleetFile, "--json"], { cwd: dir, env: cliEnv(join(dir, "state")) });
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("backup run's SSH sessions per host", () => {
  it("backs up one Ready sandbox in 6 sessions: its look and lock in one, 5 for the snapshot, the last of which gives the lock back", () => {
    expect(run.code, run.stderr).toBe(0);
    // The snapshot's 5: the active gateway and the snapshot list read together before NemoClaw's
    // `snapshot create` and together after it, the create, the tar stream, the removal of the host's copy.
    expect(hostFinished("spark-01")).toMatchObject({ status: "ok", sessions: 6 });
    expect(existsSync(join(host("spark-01").home, ".nemoclaw-fleet", "lock.json"))).toBe(false);
  });

  it("looks at a host with nothing to snapshot once, and leaves it unlocked", () => {
    expect(hostFinished("spark-02")).toMatchObject({ status: "ok", sessions: 1 });
    expect(existsSync(join(host("spark-02").home, ".nemoclaw-fleet", "lock.json"))).toBe(false);
  });

  it("gives each host's sessions in --json, as its journal counts them", () => {
    const report = JSON.parse(run.stdout) as { hosts: { host: string; status: string; sessions: number | null }[] };
    expect(report.hosts.map(({ host, status, sessions }) => ({ host, status, sessions }))).toEqual(
      ["spark-01", "spark-02"].map((name) => ({ host: name, status: "ok", sessions: hostFinished(name).sessions })),
    );
  });
});
