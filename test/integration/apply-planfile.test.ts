/**
 * `nemoclaw apply plan.json` with the real CLI over real sshd: --limit only narrows a saved
 * plan; a host changed since the plan was saved is refused as stale (exit 6) with the facts that
 * changed and how a fresh plan would differ, and is left alone; a saved plan that already ran on a
 * host (its NemoClaw snapshot taken, a later step failed) is refused there as stale too, instead
 * of failing on NemoClaw's "Snapshot name … already exists".
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { hostStateDigest, readSimState } from "../sim/index.mjs";
import { CliProcess, cliEnv, runCli, sandboxYaml, writeFleetFile } from "./apply-support.js";

let fleet: TestFleet;
let dir: string;
let env: NodeJS.ProcessEnv;
let planFile: string;
let fleetFile: string;

const host = (name: string) => fleet.hosts.find((candidate) => candidate.name === name)!;

/** Run NemoClaw on a simulated host directly, as its user: a change made behind the plan's back. */
function nemoclawOn(name: string, args: string[]): void {
  const { home, uid, gid, binDir } = host(name);
  execFileSync("nemoclaw", args, {
    env: { HOME: home, PATH: `${binDir}:${home}/.local/bin:/usr/bin:/bin`, NEMOCLAW_NON_INTERACTIVE: "1" },
    ...(process.getuid?.() === 0 ? { uid, gid } : {}),
    stdio: "pipe",
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-apply-plan-"));
  chmodSync(dir, 0o755);
  const scenario = { gateways: [{ port: 8080, sandboxes: [{ name: "alice" }] }] };
  // p4: NemoClaw v0.0.80 whose installer stops at its Node.js check (nothing installed, exit 1).
  const stuck = { nemoclaw: { version: "0.0.80" }, gateways: [{ port: 8080, sandboxes: [{ name: "alice" }] }], faults: { installer: { nodeTooOld: true } } };
  fleet = await startFleet({ dir: join(dir, "fleet"), hosts: [...["p1", "p2", "p3"].map((name) => ({ name, scenario })), { name: "p4", scenario: stuck }] });
  env = cliEnv(join(dir, "state"));
  fleetFile = writeFleetFile(dir, "fleet.yaml", fleet.inventoryPath, `sandboxes:\n${sandboxYaml("alice", 'hosts: "p1,p2,p3"', "    policy: { presets: [npm] }\n")}`);
  planFile = join(dir, "plan.json");
  const saved = await runCli(["plan", fleetFile, "--limit", "p1,p2", "-o", planFile], { cwd: dir, env });
  expect(saved.code, saved.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("applying a saved plan", () => {
  it("--limit can only narrow it: hosts outside the plan are named and left out", async () => {
    const untouched = await hostStateDigest({ home: host("p3").home });
    const run = new CliProcess(["apply", planFile, "--limit", "p2,p3", "--json"], { cwd: dir, env });
    const ended = await run.finished();
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stderr).toContain("--limit can only narrow a saved plan; not in it: p3");
    expect(run.ofType("run-started")[0]).toMatchObject({ source: "plan-file", selection: { hosts: ["p2"] } });
    expect(run.ofType("host-finished").map((event) => [event.host, event.status])).toEqual([["p2", "ok"]]);
    expect(await hostStateDigest({ home: host("p3").home })).toBe(untouched);
  });

  it("refuses a host whose facts changed since the plan (exit 6), showing what changed and how a new plan differs", async () => {
    nemoclawOn("p1", ["alice", "policy-add", "pypi", "--yes"]);
    const before = await hostStateDigest({ home: host("p1").home });
    const run = new CliProcess(["apply", planFile, "--limit", "p1", "--json"], { cwd: dir, env });
    const ended = await run.finished();
    expect(ended.code, ended.stderr).toBe(6);
    const stale = run.ofType("host-finished").find((event) => event.host === "p1");
    expect(stale?.status).toBe("stale");
    expect(stale?.message).toContain("registry:alice");
    expect(stale?.changedFacts).toEqual([{ key: "registry:alice", fields: [{ field: "policies", before: "[]", after: '["pypi"]' }] }]);
    expect(stale?.stepDrift?.added).toEqual([{ id: "policy-remove:alice", summary: expect.stringContaining("pypi") }]);
    expect(stale?.stepDrift?.removed).toEqual([]);
    expect(run.ofType("step-started")).toEqual([]);
    expect(await hostStateDigest({ home: host("p1").home })).toBe(before);
  });

  it("refuses to run a saved plan a second time on a host where it already took its snapshot (exit 6), naming the snapshot", async () => {
    const upgradeFile = writeFleetFile(dir, "upgrade.yaml", fleet.inventoryPath, `hosts:\n  - name: p4\n    nemoclaw: { version: "0.0.124" }\nsandboxes:\n${sandboxYaml("alice", "hosts: p4")}`);
    const upgradePlan = join(dir, "upgrade-plan.json");
    const saved = await runCli(["plan", upgradeFile, "--limit", "p4", "-o", upgradePlan], { cwd: dir, env });
    expect(saved.code, saved.stderr).toBe(0);
    const label = /snapshot create --name (fleet-\S+)/.exec(saved.stdout)?.[1];
    expect(label, saved.stdout).toBeDefined();

    const first = new CliProcess(["apply", upgradePlan, "--json"], { cwd: dir, env });
    const firstEnd = await first.finished();
    expect(firstEnd.code, firstEnd.stderr).toBe(5);
    expect(first.ofType("step-finished").map((event) => `${event.step} ${event.status}`)).toEqual(
      expect.arrayContaining(["backup:alice ok", "nemoclaw-install:p4 failed"]),
    );

    const calls = readSimState({ home: host("p4").home }).calls.length;
    const before = await hostStateDigest({ home: host("p4").home });
    const again = new CliProcess(["apply", upgradePlan, "--json"], { cwd: dir, env });
    const againEnd = await again.finished();
    expect(againEnd.code, againEnd.stderr).toBe(6);
    const stale = again.ofType("host-finished").find((event) => event.host === "p4");
    expect(stale?.status).toBe("stale");
    expect(stale?.message).toContain(`this plan was already applied here (its snapshot ${label} of alice exists)`);
    expect(stale?.message).toContain("re-run `nemoclaw plan`");
    expect(again.ofType("step-started")).toEqual([]);
    expect(readSimState({ home: host("p4").home }).calls.slice(calls).some((call: { argv: string[] }) => call.argv.includes("snapshot"))).toBe(false);
    expect(await hostStateDigest({ home: host("p4").home })).toBe(before);
  });

  it("--replace: the replacement done is not asked for again when its step is checked (exit 0, and nothing left to do)", async () => {
    const run = new CliProcess(["apply", fleetFile, "--limit", "p3", "--replace", "alice@p3", "--yes", "--json"], { cwd: dir, env });
    const ended = await run.finished();
    expect(ended.code, ended.stderr).toBe(0);
    expect(run.ofType("step-finished").find((event) => event.step === "sandbox-recreate:alice")).toMatchObject({ host: "p3", status: "ok" });
    const onboards = readSimState({ home: host("p3").home }).calls.filter((call: { argv: string[] }) => call.argv.includes("--recreate-sandbox"));
    expect(onboards).toHaveLength(1);
    const again = await runCli(["plan", fleetFile, "--limit", "p3"], { cwd: dir, env });
    expect(again.stdout).toContain("No changes");
  });
});
