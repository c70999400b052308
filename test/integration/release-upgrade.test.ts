/**
 * Moving hosts to another NemoClaw release with the real CLI over real sshd and the strict
 * simulator: wave by wave, verified backups of every sandbox before NemoClaw's installer, the
 * result judged by what the host runs afterwards — so an installer that reports success without
 * upgrading fails its host and stops the later waves — and, across the cluster era, the old
 * gateway retired and every sandbox's content back on the new one.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostStateDigest, readSimState } from "../sim/index.mjs";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import type { EventOf } from "../../src/apply/events.js";
import { CliProcess, cliEnv, planOf, planSteps, writeFleetFile } from "./apply-support.js";

let fleet: TestFleet;
let dir: string;
let env: NodeJS.ProcessEnv;
let fleetFile: string;

const NOTES = "/sandbox/.openclaw/workspace/notes.md";
const notes = (host: string) => `notes kept on ${host}\n`;
const home = (host: string) => fleet.hosts.find((candidate) => candidate.name === host)!.home;
const notesOn = (host: string, gateway = "nemoclaw") => join(home(host), ".fleet-sim/sandboxes", gateway, "alpha", "root", NOTES);
const releasesOf = (host: string) => {
  const state = readSimState({ home: home(host) });
  return { nemoclaw: state.nemoclaw?.version, openshell: readFileSync(join(home(host), ".local/bin/openshell"), "utf8").match(/\b0\.0\.\d+\b/)?.[0] };
};

function host(name: string, nemoclaw: string, faults: Record<string, unknown> = {}) {
  return { name, scenario: { nemoclaw: { version: nemoclaw }, gateways: [{ port: 8080, sandboxes: [{ name: "alpha", files: { [NOTES]: notes(name) } }] }], faults } };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-release-upgrade-"));
  chmodSync(dir, 0o755);
  fleet = await startFleet({
    dir: join(dir, "fleet"),
    hosts: [
      // NemoClaw's installer upgrades but exits 1 (NC#11153): the host is upgraded all the same.
      host("u1", "0.0.80", { installer: { failsAfterSuccess: true } }),
      // NemoClaw's installer stops at a fatal error and exits 0 (NC#10369): the host is not upgraded.
      host("u2", "0.0.80", { installer: { nodeTooOld: true, fatalExitsZero: true } }),
      host("u3", "0.0.80"),
      // The cluster era: OpenShell 0.0.36 runs the gateway as a k3s container.
      host("x1", "0.0.38"),
    ],
  });
  env = cliEnv(join(dir, "state"));
  const sandbox = ["sandboxes:", "  - name: alpha", "    hosts: all", "    provider: build", "    credential: env:NV_KEY"].join("\n");
  const hosts = ["hosts:", ...["u1", "u2", "u3"].map((name) => `  - name: ${name}\n    nemoclaw: { version: "0.0.124" }`), '  - name: x1\n    nemoclaw: { version: "0.0.80" }'].join("\n");
  fleetFile = writeFleetFile(dir, "fleet.yaml", fleet.inventoryPath, `${hosts}\n${sandbox}\n`);
}, 180_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a NemoClaw upgrade in waves", () => {
  let run: CliProcess;
  let code: number | null;
  let stderr: string;
  let u3Before: string;

  beforeAll(async () => {
    u3Before = await hostStateDigest({ home: home("u3") });
    run = new CliProcess(["apply", fleetFile, "--limit", "u1,u2,u3", "--yes", "--json", "--waves", "1,1,1", "--max-fail-percentage", "0"], { cwd: dir, env });
    ({ code, stderr } = await run.finished());
  }, 600_000);

  const steps = (host: string) => run.ofType("step-finished").filter((event) => event.host === host);

  it("backs every sandbox up, verified, before NemoClaw's installer, then verifies the host by observation (its exit 1 notwithstanding)", () => {
    const order = steps("u1").map((event) => `${event.step} ${event.status}`);
    expect(order, stderr).toEqual(["preflight:u1 ok", "backup:alpha ok", "nemoclaw-install:u1 ok", "restore:alpha ok", "release-verify:u1 ok"]);
    expect(steps("u1").find((event) => event.step === "backup:alpha")?.notes.join("\n")).toMatch(/NemoClaw snapshot fleet-\S+ \(\S+\): \d+ files, manifest written, verified/);
    expect(steps("u1").find((event) => event.step === "nemoclaw-install:u1")?.exitCode).toBe(1);
    expect(releasesOf("u1")).toEqual({ nemoclaw: "0.0.124", openshell: "0.0.116" });
    expect(readFileSync(notesOn("u1"), "utf8")).toBe(notes("u1"));
  });

  it("fails a host whose installer exited 0 without upgrading, judged by the releases it runs", () => {
    const install = steps("u2").find((event) => event.step === "nemoclaw-install:u2");
    expect(install).toMatchObject({
      status: "failed",
      exitCode: 0,
      postcondition: { expected: "NemoClaw v0.0.124 with OpenShell 0.0.116", seen: "NemoClaw v0.0.80 with OpenShell 0.0.72" },
    });
    expect(steps("u2").find((event) => event.step === "backup:alpha")?.status).toBe("ok");
    expect(steps("u2").find((event) => event.step === "release-verify:u2")?.status).toBe("skipped");
    expect(readFileSync(notesOn("u2"), "utf8")).toBe(notes("u2"));
  });

  it("stops at that host: the later wave is not started and its host is left untouched (exit 5)", async () => {
    expect(code, stderr).toBe(5);
    expect(run.ofType("wave-started").map((event) => event.hosts)).toEqual([["u1"], ["u2"]]);
    expect(Object.fromEntries(run.ofType("host-finished").map((event) => [event.host, event.status]))).toEqual({ u1: "ok", u2: "failed", u3: "skipped" });
    expect(await hostStateDigest({ home: home("u3") })).toBe(u3Before);
    expect(existsSync(join(home("u3"), ".nemoclaw-fleet"))).toBe(false);
  });

  it("leaves nothing to do on the upgraded host, and still the upgrade on the others", async () => {
    const plan = planSteps(await planOf(fleetFile, { cwd: dir, env }, ["--limit", "u1,u2,u3"]));
    expect(plan.u1).toEqual({ status: "no-changes", steps: [] });
    expect(plan.u2?.steps).toContain("nemoclaw-install:u2");
    expect(plan.u3?.steps).toContain("nemoclaw-install:u3");
  });
});

describe("out of the cluster era (v0.0.38, OpenShell 0.0.36 → v0.0.80, OpenShell 0.0.72)", () => {
  let events: EventOf<"step-finished">[];
  let code: number | null;
  let stderr: string;

  beforeAll(async () => {
    const run = new CliProcess(["apply", fleetFile, "--limit", "x1", "--yes", "--json"], { cwd: dir, env });
    ({ code, stderr } = await run.finished());
    events = run.ofType("step-finished");
  }, 600_000);

  it("backs up, retires the cluster gateway with the old CLI, installs, recreates and restores the sandbox", () => {
    expect(code, stderr).toBe(0);
    expect(events.map((event) => `${event.step} ${event.status}`)).toEqual([
      "preflight:x1 ok",
      "backup:alpha ok",
      "gateway-retire:nemoclaw ok",
      "nemoclaw-install:x1 ok",
      "restore:alpha ok",
      "release-verify:x1 ok",
    ]);
    expect(releasesOf("x1")).toEqual({ nemoclaw: "0.0.80", openshell: "0.0.72" });
  });

  it("puts the sandbox's content back on the new gateway", () => {
    expect(readFileSync(notesOn("x1"), "utf8")).toBe(notes("x1"));
  });

  it("leaves nothing to do", async () => {
    expect(planSteps(await planOf(fleetFile, { cwd: dir, env }, ["--limit", "x1"]))).toEqual({ x1: { status: "no-changes", steps: [] } });
  });
});
