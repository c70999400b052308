/**
 * The cluster era's default gateway on a DGX, over real sshd: NemoClaw v0.0.36–v0.0.38 start it
 * with `openshell gateway start --gpu` when nvidia-smi shows an NVIDIA GPU, and their onboard
 * refuses to reuse one started without (NC@e0ab181d:src/lib/onboard.ts:4241-4246, 9851-9868). A
 * missing gateway is started as NemoClaw starts it, so the sandbox onboarded on it next is
 * accepted and gets the GPU, and the host converges. One that runs without GPU passthrough is
 * seen (docker inspect's device requests) and the plan says so, with NemoClaw's fix.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSimState } from "../sim/index.mjs";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { cliEnv, planOf, planSteps, runCli, writeFleetFile } from "./apply-support.js";

let fleet: TestFleet;
let dir: string;
let env: NodeJS.ProcessEnv;
let fleetFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-cluster-gpu-"));
  chmodSync(dir, 0o755);
  // A DGX Spark (GB10) on NemoClaw v0.0.38 / OpenShell 0.0.36 whose gateway is gone.
  // And one whose gateway was started without --gpu (by hand, or by an older release).
  fleet = await startFleet({
    dir: join(dir, "fleet"),
    hosts: [
      { name: "spark", scenario: { nemoclaw: { version: "0.0.38" }, gateways: [] } },
      { name: "nogpu", scenario: { nemoclaw: { version: "0.0.38" }, gateways: [{ port: 8080, gpu: false, sandboxes: [{ name: "alpha" }] }] } },
    ],
  });
  env = cliEnv(join(dir, "state"));
  fleetFile = writeFleetFile(
    dir,
    "fleet.yaml",
    fleet.inventoryPath,
    'defaults:\n  nemoclaw: { version: "0.0.38" }\nsandboxes:\n  - name: alpha\n    hosts: all\n    provider: build\n    credential: env:NV_KEY\n',
  );
}, 180_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const home = () => fleet.hosts.find((host) => host.name === "spark")!.home;

describe("a missing cluster-era gateway on a DGX", () => {
  it("is started with GPU passthrough, its sandbox is onboarded on it, and the host converges", async () => {
    const plan = await planOf(fleetFile, { cwd: dir, env }, ["--limit", "spark"]);
    const start = plan.hosts[0]!.steps.find((step) => step.id === "gateway-start:nemoclaw");
    const applied = await runCli(["apply", fleetFile, "--limit", "spark", "--yes"], { cwd: dir, env });
    // Started without --gpu, NemoClaw's onboard of alpha would refuse the gateway ("Existing gateway was started without GPU passthrough.").
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(start?.commands.map((command) => command.display)).toContain(
      "env OPENSHELL_CLUSTER_IMAGE=ghcr.io/nvidia/openshell/cluster:0.0.36 IMAGE_TAG=0.0.36 openshell gateway start --name nemoclaw --port 8080 --gpu",
    );
    const state = readSimState({ home: home() });
    expect(state.docker.containers.find((container: { name: string }) => container.name === "openshell-cluster-nemoclaw")).toMatchObject({ running: true, gpu: true });
    expect(Object.keys(state.gateways.nemoclaw!.sandboxes)).toEqual(["alpha"]);
    expect(planSteps(await planOf(fleetFile, { cwd: dir, env }, ["--limit", "spark"]))).toEqual({ spark: { status: "no-changes", steps: [] } });
  });
});

describe("a cluster-era gateway running without GPU passthrough on a DGX", () => {
  it("is observed, and the plan warns with NemoClaw's fix instead of touching it", async () => {
    const plan = await planOf(fleetFile, { cwd: dir, env }, ["--limit", "nogpu"]);
    expect(planSteps(plan)).toEqual({ nogpu: { status: "no-changes", steps: [] } });
    expect(plan.hosts[0]!.notes.map((note) => note.message)).toContainEqual(
      expect.stringMatching(/^gateway nemoclaw was started without GPU passthrough on a host with an NVIDIA GPU: .*"Existing gateway was started without GPU passthrough\."/),
    );
  });
});
