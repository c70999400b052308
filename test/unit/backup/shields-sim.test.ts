/**
 * `backup run` (runBackups with the real backup service and the real observation) against
 * simulated hosts whose sandbox has its shields up. NemoClaw up to v0.0.116 refuses a snapshot
 * while they are (real-cli-2026-12 §6; the simulator enforces it): they are lowered for the
 * snapshot and put back up after it, whether the snapshot succeeded or not. v0.0.124 has no
 * shields command at all, so nothing about shields is sent there.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackupStores } from "../../../src/backup/destinations.js";
import { runBackups } from "../../../src/backup/run.js";
import { createBackupService, observeForBackup } from "../../../src/backup/service.js";
import { LocalConnection } from "../../../src/transport/local.js";
import { mapHosts } from "../../../src/transport/pool.js";
import { readSimState } from "../../sim/index.mjs";
import { hostsPerTest, type Scenario, type SimHost } from "../sim/harness.js";
import { desiredHost, fleet, policy } from "./fixtures.js";

const use = hostsPerTest();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "shields-backup-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const source = { file: "/fleet/fleet.yaml", line: 1, column: 1, path: "x" };

function scenario(nemoclaw: string, extra: Partial<Scenario> = {}): Scenario {
  return {
    nemoclaw: { version: nemoclaw },
    gateways: [{ sandboxes: [{ name: "alpha", files: { "/sandbox/.openclaw/workspace/notes.md": "alpha's notes\n" } }] }],
    shields: { alpha: "up" },
    ...extra,
  };
}

async function backupRun(sim: SimHost) {
  const host = desiredHost("sim-01", [{ name: "alpha" }], { gateways: [{ name: "nemoclaw", port: 8080, bind: "127.0.0.1", source }] });
  const nightly = policy("nightly", { destination: { kind: "local", path: join(dir, "store") } });
  const desired = fleet([host], [nightly]);
  const connection = new LocalConnection("sim-01", { environment: { HOME: sim.home, PATH: `${sim.binDir}:/usr/local/bin:/usr/bin:/bin` } });
  const pool = { get: async () => connection };
  const stores = new BackupStores(desired, pool);
  const service = createBackupService({ fleet: desired, pool, stores, observeHost: observeForBackup });
  return runBackups(
    { policies: [nightly], hosts: ["sim-01"], strict: false, concurrency: 1, runId: "run-1" },
    { fleet: desired, pool, observeHost: observeForBackup, service, stores, mapHosts, now: () => new Date(), isAlive: () => false, lookAtHost: async (host, connection) => ({ observed: await observeForBackup(host, connection), lock: { hold: (work, signal) => work(signal), content: "", released: () => undefined } }), waitForHost: async () => ({ reason: "not used" }) },
  );
}

/** The nemoclaw command lines the run sent, in order, and the sandbox's shields state file. */
const nemoclawCalls = (sim: SimHost) => readSimState({ home: sim.home }).calls.filter((call) => call.tool === "nemoclaw").map((call) => call.argv.join(" "));
const shieldsFile = (sim: SimHost) => JSON.parse(readFileSync(join(sim.home, ".nemoclaw/state/shields-alpha.json"), "utf8")) as { shieldsDown?: boolean };

describe("backup run, shields up", { timeout: 120_000 }, () => {
  it("v0.0.90: lowers them for NemoClaw's snapshot, backs up, and puts them back up", async () => {
    const sim = await use(scenario("0.0.90"));
    const report = await backupRun(sim);
    const outcome = report.hosts[0]!;
    expect(outcome.sandboxes.map((sandbox) => [sandbox.sandbox, sandbox.status, sandbox.reason ?? ""])).toEqual([["alpha", "backed-up", ""]]);
    expect(outcome.status).toBe("ok");
    expect(nemoclawCalls(sim).filter((call) => / (shields|snapshot) /.test(call))).toEqual(["alpha shields down", "alpha snapshot create --name fleet-run-1", "alpha shields up"]);
    expect(shieldsFile(sim).shieldsDown).toBe(false);
  });

  it("v0.0.90: a failed snapshot still leaves the shields up, and the failure names the host and sandbox", async () => {
    const sim = await use(scenario("0.0.90", { faults: { backupFails: ["alpha"] } }));
    const report = await backupRun(sim);
    const [alpha] = report.hosts[0]!.sandboxes;
    expect(alpha).toMatchObject({ host: "sim-01", sandbox: "alpha", status: "failed" });
    expect(alpha!.reason).toMatch(/^sim-01: nemoclaw alpha snapshot create: exit 1: .*Snapshot failed\./);
    expect(nemoclawCalls(sim).filter((call) => / (shields|snapshot) /.test(call))).toEqual(["alpha shields down", "alpha snapshot create --name fleet-run-1", "alpha shields up"]);
    expect(shieldsFile(sim).shieldsDown).toBe(false);
  });

  it("v0.0.124 has no shields: nothing is lowered, the legacy state file is left as it is", async () => {
    const sim = await use(scenario("0.0.124"));
    const report = await backupRun(sim);
    expect(report.hosts[0]!.sandboxes.map((sandbox) => [sandbox.sandbox, sandbox.status, sandbox.reason ?? ""])).toEqual([["alpha", "backed-up", ""]]);
    expect(nemoclawCalls(sim).filter((call) => call.includes("shields"))).toEqual([]);
    expect(shieldsFile(sim).shieldsDown).toBe(false);
  });
});
