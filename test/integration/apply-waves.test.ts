/**
 * Rolling waves and the failure threshold with the real CLI over real sshd: a canary that fails
 * stops the later waves (their hosts are not touched at all); a threshold that is not exceeded
 * lets every wave run.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { hostStateDigest } from "../sim/index.mjs";
import { CliProcess, cliEnv, runCli, sandboxYaml, writeFleetFile } from "./apply-support.js";

let fleet: TestFleet;
let dir: string;
let env: NodeJS.ProcessEnv;
let fleetFile: string;

const home = (name: string) => fleet.hosts.find((host) => host.name === name)!.home;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-apply-waves-"));
  chmodSync(dir, 0o755);
  const healthy = { gateways: [{ port: 8080, sandboxes: [] }] };
  fleet = await startFleet({
    dir: join(dir, "fleet"),
    hosts: [
      // The canary: an arm64 cluster-era host whose image-tar upload fails (the fleet file does not allow the workaround).
      { name: "w1", scenario: { openshell: { version: "0.0.36" }, gateways: [{ port: 8080, sandboxes: [] }], faults: { arm64UploadFailure: true } } },
      { name: "w2", scenario: healthy },
      { name: "w3", scenario: healthy },
    ],
  });
  env = cliEnv(join(dir, "state"));
  // The canary runs NemoClaw v0.0.38, which has no sandbox GPU setting: alpha leaves it to NemoClaw.
  fleetFile = writeFleetFile(dir, "fleet.yaml", fleet.inventoryPath, `sandboxes:\n${sandboxYaml("alpha", 'hosts: "w1,w2,w3"').replace('    gpu: "off"\n', "")}`);
}, 180_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("confirmation", () => {
  it("without a terminal and without --yes, apply shows the plan and refuses clearly, changing nothing", async () => {
    const before = await hostStateDigest({ home: home("w2") });
    const run = await runCli(["apply", fleetFile], { cwd: dir, env });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("sandbox-create");
    expect(run.stderr).toContain("refusing to apply");
    expect(run.stderr).toContain("pass --yes to apply unattended");
    expect(await hostStateDigest({ home: home("w2") })).toBe(before);
  });
});

describe("waves and the maximum failure percentage", () => {
  it("a failed canary stops the later waves; their hosts are left untouched (exit 5)", async () => {
    const before = { w2: await hostStateDigest({ home: home("w2") }), w3: await hostStateDigest({ home: home("w3") }) };
    const run = new CliProcess(["apply", fleetFile, "--yes", "--json", "--waves", "1,1", "--max-fail-percentage", "0"], { cwd: dir, env });
    const ended = await run.finished();
    expect(ended.code, ended.stderr).toBe(5);
    expect(run.ofType("wave-started").map((event) => event.hosts)).toEqual([["w1"]]);
    expect(run.ofType("threshold-exceeded")).toMatchObject([{ wave: 1, failPercentage: 100, maxFailPercentage: 0, skipped: ["w2", "w3"] }]);
    expect(Object.fromEntries(run.ofType("host-finished").map((event) => [event.host, event.status]))).toEqual({ w1: "failed", w2: "skipped", w3: "skipped" });
    expect(run.ofType("step-finished").find((event) => event.host === "w1" && event.step === "sandbox-create:alpha")).toMatchObject({
      status: "failed",
      failureKind: "image_upload_container_missing",
    });
    expect(run.events.some((event) => "host" in event && (event.host === "w2" || event.host === "w3") && event.type !== "host-finished")).toBe(false);
    expect(await hostStateDigest({ home: home("w2") })).toBe(before.w2);
    expect(await hostStateDigest({ home: home("w3") })).toBe(before.w3);
    for (const host of ["w2", "w3"]) expect(existsSync(join(home(host), ".nemoclaw-fleet"))).toBe(false);
  });

  it("a threshold that is not exceeded lets every wave run", async () => {
    const run = new CliProcess(["apply", fleetFile, "--yes", "--json", "--waves", "1,1", "--max-fail-percentage", "100"], { cwd: dir, env });
    const ended = await run.finished();
    expect(ended.code, ended.stderr).toBe(5);
    expect(run.ofType("wave-started").map((event) => event.hosts)).toEqual([["w1"], ["w2"], ["w3"]]);
    expect(run.ofType("threshold-exceeded")).toEqual([]);
    expect(Object.fromEntries(run.ofType("host-finished").map((event) => [event.host, event.status]))).toEqual({ w1: "failed", w2: "ok", w3: "ok" });
  });
});
