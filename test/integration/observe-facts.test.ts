/**
 * `nemoclaw facts --json` against real sshd hosts with the OpenShell/NemoClaw simulator on
 * their PATH: one host per fault knob, each fault reported as what it is, each host observed in
 * exactly ONE exec (counted by its sshd), and no host changed by observing it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FactsCommandDeps, runFactsCommand } from "../../src/cli/facts.js";
import { loadFleetFrom } from "../../src/cli/fleet-input.js";
import { selectHosts } from "../../src/config/selectors.js";
import { observeFleet } from "../../src/observe/fleet.js";
import type { ObservedFleet, ObservedGateway, ObservedHost } from "../../src/observe/types.js";
import { ConnectionPool } from "../../src/transport/pool.js";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { hostStateDigest } from "../sim/index.mjs";

const PROXY_ENV = "/tmp/nemoclaw-proxy-env.sh";
const SAFETY_NET = "/tmp/nemoclaw-sandbox-safety-net.js";
const CIAO = "/tmp/nemoclaw-ciao-network-guard.js";

/** One host per fault knob of the simulator (test/sim/lib/install.mjs Scenario). */
const SCENARIOS: Record<string, object> = {
  healthy: { gateways: [{ port: 8080, sandboxes: [{ name: "alpha" }] }], shields: { alpha: "down" }, backups: [{ sandbox: "alpha" }] },
  "drift-host-process": { openshell: { version: "0.0.72" }, gateways: [{ port: 8080, version: "0.0.69", sandboxes: [{ name: "alpha" }] }] },
  "drift-cluster": { arch: "x86_64", openshell: { version: "0.0.36" }, gateways: [{ port: 8080, driver: "cluster-container", version: "0.0.30", sandboxes: [{ name: "alpha" }] }] },
  "fatal-migration": { gateways: [{ port: 8080, version: "0.0.69", fatalMigration: 6 }] },
  protobuf: { gateways: [{ port: 8080, protobufMismatch: true, sandboxes: [{ name: "alpha" }] }] },
  guards: {
    gateways: [
      {
        port: 8080,
        sandboxes: [{ name: "alpha", staleLock: true, guards: { missing: [PROXY_ENV], wrongMode: [SAFETY_NET], wrongOwner: [CIAO] } }],
      },
    ],
  },
  "stale-registry": { gateways: [{ port: 8080, sandboxes: [{ name: "alpha" }, { name: "ghost", live: false }] }] },
  "per-port": {
    activeGateway: "nemoclaw-8081",
    gateways: [
      { port: 8080, sandboxes: [{ name: "alpha" }] },
      { port: 8081, sandboxes: [{ name: "beta" }] },
    ],
  },
  "gateway-unreachable": { gateways: [{ port: 8080, unreachable: true, sandboxes: [{ name: "alpha" }] }] },
  "gateway-stopped": { gateways: [{ port: 8080, state: "stopped" }] },
  "docker-down": { docker: { daemon: "down" }, gateways: [{ port: 8080 }] },
  bare: { openshell: null, nemoclaw: null, nvidiaSmi: "absent" },
  "registry-locked": { gateways: [{ port: 8080, sandboxes: [{ name: "alpha" }] }], registryLock: { owner: "alive" } },
  slow: { gateways: [{ port: 8080, sandboxes: [{ name: "alpha" }] }], faults: { slow: [{ match: "sandbox list", delayMs: 20_000 }] } },
};

let fleet: TestFleet;
let observed: ObservedFleet;
let exitCode: number;
const execsBefore = new Map<string, number>();
const digestsBefore = new Map<string, string>();

function host(name: string): ObservedHost {
  const found = observed.hosts.find((candidate) => candidate.host === name);
  if (found === undefined) throw new Error(`host ${name} was not observed`);
  return found;
}

function gateways(name: string): ObservedGateway[] {
  const facts = host(name).gateways;
  if (facts.state !== "known") throw new Error(`${name}: gateways unknown: ${facts.reason}`);
  return facts.value;
}

function gateway(hostName: string, name = "nemoclaw"): ObservedGateway {
  const found = gateways(hostName).find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`${hostName}: no gateway ${name}`);
  return found;
}

beforeAll(async () => {
  fleet = await startFleet({ hosts: Object.entries(SCENARIOS).map(([name, scenario]) => ({ name, scenario })), closedPortHosts: ["gone"] });
  for (const testHost of fleet.hosts) {
    execsBefore.set(testHost.name, await fleet.execCount(testHost.name));
    if (testHost.binDir !== undefined) digestsBefore.set(testHost.name, await hostStateDigest({ home: testHost.home }));
  }
  const out: string[] = [];
  const deps: FactsCommandDeps = {
    load: loadFleetFrom,
    select: selectHosts,
    async observe(desired, hosts) {
      const pool = new ConnectionPool(desired.hosts);
      try {
        // Short command bounds so the slow host's hung list is cut off quickly.
        return await observeFleet(desired, hosts, { pool, concurrency: 8, observe: { commandTimeoutSec: 4 } });
      } finally {
        await pool.closeAll();
      }
    },
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: () => true },
    env: {},
    now: () => new Date(),
  };
  exitCode = await runFactsCommand(undefined, { inventory: [fleet.inventoryPath], json: true, color: false }, deps);
  observed = JSON.parse(out.join("")) as ObservedFleet;
});

afterAll(async () => {
  await fleet?.stop();
});

describe("nemoclaw facts --json on a simulated fleet", () => {
  it("observes every host in exactly one exec and changes nothing", async () => {
    expect(observed.hosts.map((found) => found.host).sort()).toEqual([...Object.keys(SCENARIOS), "gone"].sort());
    for (const testHost of fleet.hosts) {
      if (!(testHost.name in SCENARIOS)) continue;
      expect({ host: testHost.name, execs: (await fleet.execCount(testHost.name)) - (execsBefore.get(testHost.name) ?? 0) }).toEqual({ host: testHost.name, execs: 1 });
      expect({ host: testHost.name, digest: await hostStateDigest({ home: testHost.home }) }).toEqual({ host: testHost.name, digest: digestsBefore.get(testHost.name) });
    }
  });

  it("exit 4 because one host is unreachable, which says why", () => {
    expect(exitCode).toBe(4);
    expect(host("gone").unreachable).toMatchObject({ kind: "unreachable" });
    for (const name of Object.keys(SCENARIOS)) expect({ name, unreachable: host(name).unreachable }).toEqual({ name, unreachable: null });
  });

  it("a healthy host-process gateway with a guarded sandbox", () => {
    const healthy = host("healthy");
    expect(healthy.system).toMatchObject({ state: "known", value: { arch: "aarch64" } });
    expect(healthy.gpus).toMatchObject({ state: "known", value: [{ name: "NVIDIA GB10", memoryMiB: null }] });
    expect(healthy.openshell).toMatchObject({ state: "known", value: { installed: true, version: "0.0.72" } });
    expect(healthy.gatewayBinary).toMatchObject({ state: "known", value: { installed: true, version: "0.0.72" } });
    expect(healthy.nemoclaw).toMatchObject({ state: "known", value: { installed: true } });
    expect(healthy.activeGateway).toEqual({ state: "known", value: "nemoclaw" });
    expect(gateway("healthy")).toMatchObject({
      driver: "host-process",
      port: 8080,
      registered: true,
      runningVersion: { state: "known", value: "0.0.72" },
      pid: expect.any(Number),
      health: { status: "healthy", fatalMigration: null, protobufMismatch: null },
    });
    const sandboxes = gateway("healthy").sandboxes;
    if (sandboxes.state !== "known") throw new Error(sandboxes.reason);
    expect(sandboxes.value).toHaveLength(1);
    const [alpha] = sandboxes.value;
    expect(alpha).toMatchObject({ name: "alpha", phase: "Ready" });
    if (alpha?.guards.state !== "known") throw new Error(`guards unknown: ${JSON.stringify(alpha?.guards)}`);
    for (const file of alpha.guards.value.files) expect(file).toMatchObject({ present: true, owner: "root", group: "root", mode: "444", type: "regular file" });
    expect(alpha.guards.value.locks.every((lock) => !lock.stale)).toBe(true);
    expect(alpha.guards.value.agentGatewayPids.length).toBeGreaterThan(0);
    expect(healthy.registry).toMatchObject({ state: "known", value: { defaultSandbox: "alpha", locked: false, entries: [{ name: "alpha", gatewayName: "nemoclaw", gatewayPort: 8080 }] } });
    expect(healthy.shields).toEqual({ state: "known", value: [{ sandbox: "alpha", mode: "temporarily_unlocked" }] });
    expect(healthy.hostBackups).toMatchObject({ state: "known", value: [{ sandbox: "alpha", agentType: "openclaw" }] });
    expect(healthy.fleetLock).toEqual({ state: "known", value: null });
  });

  it("schema drift, host-process: the running binary's version, not the CLI's", () => {
    expect(host("drift-host-process").openshell).toMatchObject({ value: { version: "0.0.72" } });
    expect(gateway("drift-host-process")).toMatchObject({
      driver: "host-process",
      runningVersion: { state: "known", value: "0.0.69" },
      binary: expect.stringMatching(/openshell-gateway$/),
    });
  });

  it("schema drift, cluster container: the image tag", () => {
    expect(host("drift-cluster").openshell).toMatchObject({ value: { version: "0.0.36" } });
    expect(host("drift-cluster").gatewayBinary).toEqual({ state: "known", value: { installed: false, version: null, path: null } });
    expect(gateway("drift-cluster")).toMatchObject({
      driver: "cluster-container",
      image: "ghcr.io/nvidia/openshell/cluster:0.0.30",
      runningVersion: { state: "known", value: "0.0.30" },
      health: { status: "healthy" },
      sandboxes: { state: "known", value: [{ name: "alpha", phase: "Ready", guards: { state: "known" } }] },
    });
  });

  it("a gateway that crashed on a migration is unhealthy whatever a naive check says", () => {
    expect(gateway("fatal-migration")).toMatchObject({ pid: null, binaryVersion: { state: "known", value: "0.0.69" } });
    expect(gateway("fatal-migration").health).toMatchObject({
      status: "unhealthy",
      fatalMigration: expect.stringMatching(/migration 6 was previously applied but is missing in the resolved migrations/),
    });
  });

  it("protobuf mismatch output makes the gateway unhealthy", () => {
    expect(gateway("protobuf").health).toMatchObject({ status: "unhealthy", protobufMismatch: expect.stringMatching(/invalid wire type/) });
  });

  it("missing, wrong-mode and foreign-owned guards, a stale lock, no agent gateway", () => {
    const sandboxes = gateway("guards").sandboxes;
    if (sandboxes.state !== "known") throw new Error(sandboxes.reason);
    const guards = sandboxes.value[0]?.guards;
    if (guards?.state !== "known") throw new Error(`guards unknown: ${JSON.stringify(guards)}`);
    const byPath = new Map(guards.value.files.map((file) => [file.path, file]));
    expect(byPath.get(PROXY_ENV)).toMatchObject({ present: false });
    expect(byPath.get(SAFETY_NET)).toMatchObject({ present: true, mode: "644" });
    expect(byPath.get(CIAO)).toMatchObject({ present: true });
    expect(byPath.get(CIAO)?.owner).not.toBe("root");
    expect(guards.value.locks).toEqual([expect.objectContaining({ path: expect.stringMatching(/^\/tmp\/openclaw-\d+\/gateway\..+\.lock$/), stale: true })]);
    expect(guards.value.agentGatewayPids).toEqual([]);
  });

  it("a registered sandbox absent from its healthy gateway", () => {
    const stale = host("stale-registry");
    expect(stale.registry).toMatchObject({ state: "known", value: { entries: expect.arrayContaining([expect.objectContaining({ name: "ghost", gatewayName: "nemoclaw" })]) } });
    const live = gateway("stale-registry");
    expect(live.health.status).toBe("healthy");
    expect(live.sandboxes).toMatchObject({ state: "known" });
    if (live.sandboxes.state === "known") expect(live.sandboxes.value.map((sandbox) => sandbox.name)).toEqual(["alpha"]);
  });

  it("per-port gateways, another one active", () => {
    expect(host("per-port").activeGateway).toEqual({ state: "known", value: "nemoclaw-8081" });
    expect(gateways("per-port").map((found) => [found.name, found.port, found.health.status])).toEqual([
      ["nemoclaw", 8080, "healthy"],
      ["nemoclaw-8081", 8081, "healthy"],
    ]);
    const perPort = gateway("per-port", "nemoclaw-8081").sandboxes;
    expect(perPort).toMatchObject({ state: "known", value: [{ name: "beta" }] });
  });

  it("an unreachable gateway and a stopped one", () => {
    expect(gateway("gateway-unreachable").health.status).toBe("unreachable");
    expect(gateway("gateway-unreachable").sandboxes.state).toBe("unknown");
    expect(gateway("gateway-stopped")).toMatchObject({ pid: null, health: { status: "stopped" } });
  });

  it("the Docker daemon down", () => {
    expect(host("docker-down").docker).toMatchObject({ state: "known", value: { reachable: false, error: expect.stringMatching(/Cannot connect to the Docker daemon/) } });
  });

  it("a host with neither OpenShell nor NemoClaw", () => {
    const bare = host("bare");
    expect(bare.openshell).toEqual({ state: "known", value: { installed: false, version: null, path: null } });
    expect(bare.nemoclaw).toEqual({ state: "known", value: { installed: false, version: null, path: null } });
    expect(bare.gpus).toEqual({ state: "known", value: [] });
    expect(bare.gateways).toEqual({ state: "known", value: [] });
  });

  it("the registry lock held by a live NemoClaw command", () => {
    expect(host("registry-locked").registry).toMatchObject({ state: "known", value: { locked: true } });
  });

  it("a hung command is bounded: its fact is unknown, the rest observed", () => {
    const slow = gateway("slow");
    expect(slow.health.status).toBe("healthy");
    expect(slow.sandboxes).toMatchObject({ state: "unknown", reason: "openshell sandbox list timed out" });
  });
});
