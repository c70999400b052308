/**
 * `nemoclaw apply plan.json` with the real CLI over real sshd: --limit only narrows a saved
 * plan; a host changed since the plan was saved is refused as stale (exit 6) with the facts that
 * changed and how a fresh plan would differ, and is left alone.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { hostStateDigest } from "../sim/index.mjs";
import { CliProcess, cliEnv, runCli, sandboxYaml, writeFleetFile } from "./apply-support.js";

let fleet: TestFleet;
let dir: string;
let env: NodeJS.ProcessEnv;
let planFile: string;

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
  fleet = await startFleet({ dir: join(dir, "fleet"), hosts: ["p1", "p2", "p3"].map((name) => ({ name, scenario })) });
  env = cliEnv(join(dir, "state"));
  const fleetFile = writeFleetFile(dir, "fleet.yaml", fleet.inventoryPath, `sandboxes:\n${sandboxYaml("alice", 'hosts: "p1,p2,p3"', "    policy: { presets: [npm] }\n")}`);
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
});
