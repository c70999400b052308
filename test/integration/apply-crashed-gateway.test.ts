/**
 * A gateway that still answers while its log shows a fatal migration error (design §2, scenario 1:
 * "a naive health check still says healthy") over real sshd:
 * - running an older binary: the plan restarts it with the installed OpenShell, apply's preflight
 *   lets that step run, and once the restarted gateway has logged a clean start the host converges
 *   (NemoClaw appends to the gateway log, so the old crash stays in the tail);
 * - running the installed binary: plan, apply and `backup run` all refuse the host with the block
 *   (exit 8) and the backup store gets nothing for it.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { cliEnv, planOf, planSteps, runCli, sandboxYaml, writeFleetFile } from "./apply-support.js";

let fleet: TestFleet;
let dir: string;
let env: NodeJS.ProcessEnv;
let fleetFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-crashed-gw-"));
  chmodSync(dir, 0o755);
  const crashed = (version: string) => ({
    openshell: { version: "0.0.85" },
    gateways: [{ version, state: "running", fatalMigration: 6, dbMigration: 5, sandboxes: [{ name: "alpha" }] }],
  });
  fleet = await startFleet({
    dir: join(dir, "fleet"),
    hosts: [
      { name: "older", scenario: crashed("0.0.72") },
      { name: "same", scenario: crashed("0.0.85") },
    ],
  });
  env = cliEnv(join(dir, "state"));
  fleetFile = writeFleetFile(
    dir,
    "fleet.yaml",
    fleet.inventoryPath,
    `backupPolicies:\n  - name: nightly\n    schedule: "0 2 * * *"\n    destination: { path: ./backups }\n    verify: true\nsandboxes:\n${sandboxYaml("alpha", 'hosts: "older,same"')}`,
  );
}, 180_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a gateway still answering after a fatal migration", () => {
  it("older binary: apply runs the planned restart past its preflight and the host converges", async () => {
    expect(planSteps(await planOf(fleetFile, { cwd: dir, env }, ["--limit", "older"]))).toEqual({
      // The policy's backup is due as well; it runs once the gateway answers again.
      older: { status: "changes", steps: ["preflight:older", "gateway-recover:nemoclaw", "backup:alpha@nightly"] },
    });
    const applied = await runCli(["apply", fleetFile, "--limit", "older", "--yes"], { cwd: dir, env });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(planSteps(await planOf(fleetFile, { cwd: dir, env }, ["--limit", "older"]))).toEqual({ older: { status: "no-changes", steps: [] } });
  });

  it("installed binary: backup run refuses the host with the block (exit 8) and writes nothing for it", async () => {
    expect(planSteps(await planOf(fleetFile, { cwd: dir, env }, ["--limit", "same"]))).toEqual({ same: { status: "blocked", steps: [] } });
    const backup = await runCli(["backup", "run", fleetFile, "--limit", "same"], { cwd: dir, env });
    expect(backup.code, backup.stdout + backup.stderr).toBe(8);
    expect(backup.stdout).toContain("OpenShell gateway schema preflight failed before backing up sandboxes.");
    expect(backup.stdout).toContain("No sandbox data was changed.");
    expect(existsSync(join(dir, "backups", "same"))).toBe(false);
  });
});
