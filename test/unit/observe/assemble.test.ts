/**
 * From probe sections to ObservedHost: the driver, running version and health rules of both
 * OpenShell eras, and how cut-off or failed sections turn into unknown facts.
 */
import { describe, expect, it } from "vitest";
import { assembleHost } from "../../../src/observe/host.js";
import { parseProbeOutput } from "../../../src/host/probe/sections.js";
import type { ObservedGateway, ObservedHost } from "../../../src/observe/types.js";
import { fixture } from "./fixtures.js";
import { baseSections, type FakeSection, NONCE, probeStdout } from "./probe-output.js";

function assemble(sections: FakeSection[], options: { finished?: boolean } = {}): ObservedHost {
  return assembleHost("spark-01", parseProbeOutput(probeStdout(sections, options), NONCE), {
    observedAt: "2026-07-08T00:00:00.000Z",
    durationMs: 5,
    unreachable: null,
  });
}

function onlyGateway(host: ObservedHost): ObservedGateway {
  if (host.gateways.state !== "known") throw new Error(`gateways unknown: ${host.gateways.reason}`);
  expect(host.gateways.value).toHaveLength(1);
  return host.gateways.value[0]!;
}

const CLI_0036: FakeSection = { name: "openshell-version", key: "/usr/local/bin/openshell", body: "openshell 0.0.36" };
const NO_GATEWAY_BINARY: FakeSection = { name: "gateway-binary-version", body: "openshell-gateway not installed", rc: "absent" };

function clusterGateway(image: string, running: boolean, status: string, extra: FakeSection[] = []): FakeSection[] {
  return baseSections(
    [
      CLI_0036,
      NO_GATEWAY_BINARY,
      { name: "gateway-metadata", key: "user nemoclaw", body: fixture("files/metadata-era-a.json") },
      { name: "cluster-ps", body: "openshell-cluster-nemoclaw/" },
      { name: "cluster-inspect", key: "nemoclaw", body: `${image}\n${running}\n{"30051/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}\nnull` },
      { name: "cluster-health", key: "nemoclaw", body: running ? "healthy" : "unhealthy" },
      { name: "gateway-list", body: "gateway list needs OpenShell 0.0.37 or later", rc: "absent" },
      { name: "status", key: "nemoclaw", body: status, rc: /refused/.test(status) ? 1 : 0 },
      { name: "gateway-info", key: "nemoclaw", body: fixture("gateway-info/local.txt") },
      { name: "sandbox-list", key: "nemoclaw", body: fixture("sandbox-list/table-0.0.36-namespace.txt") },
      ...extra,
    ],
    ["openshell-version", "gateway-binary-version"],
  );
}

function hostProcessGateway(extra: FakeSection[], drop: string[] = []): FakeSection[] {
  return baseSections(
    [
      { name: "gateway-metadata", key: "user nemoclaw", body: '{"name":"nemoclaw","gateway_endpoint":"http://127.0.0.1:8080","is_remote":false,"gateway_port":8080}' },
      { name: "runtime-marker", key: "openshell-docker-gateway", body: fixture("files/runtime-marker.json") },
      { name: "gateway-pidfile", key: "openshell-docker-gateway", body: "4242" },
      { name: "gateway-log", key: "openshell-docker-gateway", body: fixture("files/gateway-log-clean.log") },
      { name: "process", key: "4242", body: "alive yes\nexe /home/dgx/.local/bin/openshell-gateway\narg /home/dgx/.local/bin/openshell-gateway" },
      { name: "running-version", key: "4242 exe", body: "openshell-gateway 0.0.72" },
      { name: "running-version", key: "4242 argv0", body: "openshell-gateway 0.0.72" },
      { name: "gateway-list", body: fixture("gateway-list/json-head.json") },
      { name: "status", key: "nemoclaw", body: fixture("status/text-nemoclaw-sample.txt") },
      { name: "gateway-info", key: "nemoclaw", body: fixture("gateway-info/local.txt") },
      { name: "sandbox-list", key: "nemoclaw", body: fixture("sandbox-list/json-0.0.44.json") },
      ...extra,
    ].filter((section) => !drop.includes(`${section.name} ${section.key ?? ""}`.trim())),
  );
}

describe("host facts", () => {
  it("a DGX Spark with nothing of OpenShell running", () => {
    const host = assemble(baseSections());
    expect(host.system).toEqual({
      state: "known",
      value: { hostname: "spark-01", os: { id: "ubuntu", versionId: "24.04", prettyName: "Ubuntu 24.04.3 LTS" }, arch: "aarch64", kernel: "6.8.0-1014-nvidia", dgxModel: "DGX Spark" },
    });
    expect(host.gpus).toMatchObject({ state: "known", value: [{ name: "NVIDIA GB10", memoryMiB: null }] });
    expect(host.docker).toEqual({ state: "known", value: { reachable: true, serverVersion: "28.3.2", error: null } });
    expect(host.gateways).toEqual({ state: "known", value: [] });
    expect(host.activeGateway).toEqual({ state: "known", value: "nemoclaw" });
  });

  it("OPENSHELL_GATEWAY in the host environment wins over active_gateway", () => {
    const host = assemble(baseSections([{ name: "meta", body: "probe=1\nhome=/home/dgx\nopenshell_gateway_env=nemoclaw-8081" }]));
    expect(host.activeGateway).toEqual({ state: "known", value: "nemoclaw-8081" });
  });

  it("a corrupt registry is unknown; shields still come from their files", () => {
    const host = assemble(baseSections([
      { name: "registry", body: '{"sandboxes": {' },
      { name: "shields", key: "shields-alpha.json", body: '{"shieldsDown":false}' },
      { name: "shields", key: "shields-beta.json", body: "\u0000garbage", rc: 0 },
    ]));
    expect(host.registry).toMatchObject({ state: "unknown", excerpt: '{"sandboxes": {' });
    expect(host.shields).toEqual({ state: "known", value: [{ sandbox: "alpha", mode: "locked" }, { sandbox: "beta", mode: "error" }] });
  });

  it("a held fleet lock and an unreadable one", () => {
    const lock = '{"runId":"r-1","user":"ops","machine":"ctl","pid":77,"startedAt":"2026-07-08T00:00:00Z","expiresAt":"2026-07-08T01:00:00Z"}';
    expect(assemble(baseSections([{ name: "fleet-lock", body: lock }])).fleetLock).toMatchObject({ state: "known", value: { runId: "r-1", pid: 77 } });
    expect(assemble(baseSections([{ name: "fleet-lock", body: "cat: lock.json: Permission denied", rc: 1 }])).fleetLock.state).toBe("unknown");
  });

  it("a probe cut off part-way leaves what it did not reach unknown", () => {
    const sections = baseSections().slice(0, 12);
    const host = assemble(sections, { finished: false });
    expect(host.system.state).toBe("known");
    expect(host.openshell.state).toBe("known");
    expect(host.registry).toMatchObject({ state: "unknown", reason: expect.stringMatching(/ended before/) });
    expect(host.hostBackups.state).toBe("unknown");
    expect(host.gateways).toMatchObject({ state: "unknown", reason: expect.stringMatching(/did not finish/) });
  });

  it("a section cut off mid-output is unknown with what it printed", () => {
    const stdout = `${probeStdout(baseSections().slice(0, 9), { finished: false })}@@NCF ${NONCE} BEGIN openshell-version /usr/bin/openshell\nopensh`;
    const host = assembleHost("h", parseProbeOutput(stdout, NONCE), { observedAt: "", durationMs: 0, unreachable: null });
    expect(host.openshell).toMatchObject({ state: "unknown", reason: expect.stringMatching(/cut off/), excerpt: "opensh" });
  });
});

describe("cluster-container gateways (≤0.0.36)", () => {
  it("the image tag is the running version; drift against the CLI is visible", () => {
    const gateway = onlyGateway(assemble(clusterGateway("ghcr.io/nvidia/openshell/cluster:0.0.30", true, fixture("status/text-0.0.36.txt"))));
    expect(gateway).toMatchObject({
      name: "nemoclaw",
      driver: "cluster-container",
      port: 8080,
      endpoint: "https://127.0.0.1:8080",
      registered: true,
      image: "ghcr.io/nvidia/openshell/cluster:0.0.30",
      runningVersion: { state: "known", value: "0.0.30" },
      binary: null,
      pid: null,
      health: { status: "healthy" },
    });
    expect(gateway.sandboxes).toMatchObject({ state: "known", value: [{ name: "my-assistant", phase: "Ready" }, { name: "broken-one", phase: "Error" }] });
  });

  it("NemoClaw's patched cluster image", () => {
    const gateway = onlyGateway(assemble(clusterGateway("nemoclaw-cluster:0.0.36-fuse-overlayfs-aa8b8487", true, fixture("status/text-0.0.36.txt"))));
    expect(gateway.runningVersion).toEqual({ state: "known", value: "0.0.36" });
  });

  it("a stopped container is stopped, whatever else answers", () => {
    const gateway = onlyGateway(assemble(clusterGateway("ghcr.io/nvidia/openshell/cluster:0.0.36", false, fixture("status/connection-refused.txt"))));
    expect(gateway.health).toMatchObject({ status: "stopped", reason: "container openshell-cluster-nemoclaw is not running" });
    expect(gateway.runningVersion).toEqual({ state: "known", value: "0.0.36" });
  });

  it("an unhealthy container health check makes a connected gateway unhealthy", () => {
    const sections = clusterGateway("ghcr.io/nvidia/openshell/cluster:0.0.36", true, fixture("status/text-0.0.36.txt"), [
      { name: "cluster-health", key: "nemoclaw", body: "starting" },
    ]);
    expect(onlyGateway(assemble(sections)).health).toMatchObject({ status: "unhealthy", reason: "container health check reports starting" });
  });

  it("an image tag that is not a version is unknown, not a guess", () => {
    const gateway = onlyGateway(assemble(clusterGateway("ghcr.io/nvidia/openshell/cluster:dev", true, fixture("status/text-0.0.36.txt"))));
    expect(gateway.runningVersion).toMatchObject({ state: "unknown", excerpt: "ghcr.io/nvidia/openshell/cluster:dev" });
  });

  it("with the Docker daemon down, the driver and version are unknown and nothing is healthy", () => {
    const sections = baseSections(
      [
        CLI_0036,
        NO_GATEWAY_BINARY,
        { name: "docker-info", body: fixture("errors/docker-down.txt"), rc: 1 },
        { name: "cluster-ps", body: "docker not reachable", rc: "absent" },
        { name: "gateway-metadata", key: "user nemoclaw", body: fixture("files/metadata-era-a.json") },
        { name: "status", key: "nemoclaw", body: fixture("status/connection-refused.txt"), rc: 1 },
        { name: "gateway-info", key: "nemoclaw", body: fixture("gateway-info/local.txt") },
        { name: "sandbox-list", key: "nemoclaw", body: fixture("status/connection-refused.txt"), rc: 1 },
      ],
      ["openshell-version", "gateway-binary-version"],
    );
    const host = assemble(sections);
    expect(host.docker).toMatchObject({ state: "known", value: { reachable: false } });
    const gateway = onlyGateway(host);
    expect(gateway.driver).toBe("unknown");
    expect(gateway.runningVersion).toMatchObject({ state: "unknown", excerpt: expect.stringContaining("Cannot connect to the Docker daemon") });
    expect(gateway.health.status).toBe("unreachable");
    expect(gateway.sandboxes.state).toBe("unknown");
  });
});

describe("host-process gateways (≥0.0.37)", () => {
  it("a healthy NemoClaw gateway", () => {
    const gateway = onlyGateway(assemble(hostProcessGateway([])));
    expect(gateway).toMatchObject({
      name: "nemoclaw",
      driver: "host-process",
      port: 8080,
      registered: true,
      image: null,
      binary: "/home/dgx/.local/bin/openshell-gateway",
      pid: 4242,
      runningVersion: { state: "known", value: "0.0.72" },
      binaryVersion: { state: "known", value: "0.0.72" },
      health: { status: "healthy", reason: "connected", fatalMigration: null, protobufMismatch: null },
      sandboxes: { state: "known", value: [{ name: "alpha", phase: "Ready", guards: { state: "unknown" } }] },
    });
  });

  it("the running image's version wins over the file on disk", () => {
    const gateway = onlyGateway(assemble(hostProcessGateway([
      { name: "process", key: "4242", body: "alive yes\nexe /home/dgx/.local/bin/openshell-gateway (deleted)\narg /home/dgx/.local/bin/openshell-gateway" },
      { name: "running-version", key: "4242 exe", body: "openshell-gateway 0.0.69" },
    ])));
    expect(gateway.runningVersion).toEqual({ state: "known", value: "0.0.69" });
  });

  it("a replaced binary whose running image cannot be asked is unknown, not the new file's version", () => {
    const gateway = onlyGateway(assemble(hostProcessGateway(
      [{ name: "process", key: "4242", body: "alive yes\nexe /home/dgx/.local/bin/openshell-gateway (deleted)\narg /home/dgx/.local/bin/openshell-gateway" }],
      ["running-version 4242 exe"],
    )));
    expect(gateway.runningVersion).toMatchObject({ state: "unknown", reason: expect.stringMatching(/replaced/) });
  });

  it("the marker's openshellVersion is never taken for the running version", () => {
    const gateway = onlyGateway(assemble(hostProcessGateway([], ["running-version 4242 exe", "running-version 4242 argv0"])));
    expect(gateway.runningVersion).toMatchObject({ state: "unknown", reason: expect.stringMatching(/could not read the version/) });
  });

  it("a recycled pid (not a gateway binary) is not the gateway: stopped", () => {
    const gateway = onlyGateway(assemble(hostProcessGateway([
      { name: "process", key: "4242", body: "alive yes\nexe /usr/bin/vim\narg vim" },
      { name: "status", key: "nemoclaw", body: fixture("status/connection-refused.txt"), rc: 1 },
    ])));
    expect(gateway).toMatchObject({ pid: null, runningVersion: { state: "known", value: null }, health: { status: "stopped" } });
  });

  it("a crashed gateway: the version of the binary NemoClaw started it from", () => {
    const crashed = (extra: FakeSection[]) =>
      onlyGateway(assemble(hostProcessGateway([{ name: "process", key: "4242", body: "alive no" }, ...extra], ["running-version 4242 exe", "running-version 4242 argv0"])));
    expect(crashed([{ name: "recorded-binary-version", key: "openshell-docker-gateway", body: "openshell-gateway 0.0.69" }])).toMatchObject({
      pid: null,
      binary: "/home/dgx/.local/bin/openshell-gateway",
      runningVersion: { state: "known", value: null },
      binaryVersion: { state: "known", value: "0.0.69" },
    });
    expect(crashed([]).binaryVersion).toMatchObject({ state: "unknown", reason: expect.stringMatching(/was not asked/) });
    expect(crashed([{ name: "recorded-binary-version", key: "openshell-docker-gateway", body: "Segmentation fault", rc: 139 }]).binaryVersion).toMatchObject({
      state: "unknown",
      excerpt: "Segmentation fault",
    });
  });

  it("a fatal migration in the log is unhealthy even when status says Connected", () => {
    const gateway = onlyGateway(assemble(hostProcessGateway([
      { name: "gateway-log", key: "openshell-docker-gateway", body: fixture("files/gateway-log-migration.log") },
      { name: "process", key: "4242", body: "alive no" },
    ])));
    expect(gateway.health).toEqual({
      status: "unhealthy",
      reason: expect.stringMatching(/fatal migration/),
      fatalMigration: "Error:   × execution error: migration error: migration 6 was previously applied but is missing in the resolved migrations",
      protobufMismatch: null,
    });
  });

  it("protobuf mismatch output from any state read makes the gateway unhealthy", () => {
    const gateway = onlyGateway(assemble(hostProcessGateway([{ name: "sandbox-list", key: "nemoclaw", body: fixture("errors/protobuf.txt"), rc: 1 }])));
    expect(gateway.health).toMatchObject({ status: "unhealthy", protobufMismatch: expect.stringMatching(/invalid wire type/) });
    expect(gateway.sandboxes.state).toBe("unknown");
  });

  it("text a sandbox controls (its lock files) cannot make the gateway look mismatched", () => {
    const guards = ["NCF-GUARDS-BEGIN", "lock|/tmp/openclaw-1/gateway.x.lock|invalid wire type value: 6", "NCF-GUARDS-END"].join("\n");
    const gateway = onlyGateway(assemble(hostProcessGateway([{ name: "sandbox-guards", key: "nemoclaw alpha", body: guards }])));
    expect(gateway.health).toMatchObject({ status: "healthy", protobufMismatch: null });
  });

  it.each([
    ["status/text-connected-http.txt", 0, "unhealthy", /HTTP health check/],
    ["status/text-error.txt", 0, "unhealthy", /Status: Error/],
    ["status/text-disconnected.txt", 0, "unreachable", /Disconnected/],
    ["status/connection-refused.txt", 1, "unreachable", /Connection refused/],
    ["status/garbled.txt", 139, "unknown", /exited 139/],
  ])("status %s → %s", (path, rc, status, reason) => {
    const gateway = onlyGateway(assemble(hostProcessGateway([{ name: "status", key: "nemoclaw", body: fixture(path), rc }])));
    expect(gateway.health).toMatchObject({ status, reason: expect.stringMatching(reason) });
  });

  it("a live gateway that reports itself degraded is unhealthy", () => {
    const gateway = onlyGateway(assemble(hostProcessGateway([
      { name: "gateway-info", key: "nemoclaw", body: fixture("gateway-info/live.txt").replace("Gateway: openshell", "Gateway: nemoclaw").replace("healthy", "degraded") },
    ])));
    expect(gateway.health).toMatchObject({ status: "unhealthy", reason: "the gateway reports itself degraded" });
  });

  it.each(["status/text-auth-failed.txt", "status/json-auth-failed.json"])(
    "a gateway that answers but refuses the CLI's credentials (%s, OS@v0.0.111:commands/gateway.rs:164-170,282-286) is unknown, not healthy",
    (path) => {
      const gateway = onlyGateway(assemble(hostProcessGateway([{ name: "status", key: "nemoclaw", body: fixture(path) }])));
      expect(gateway.health).toMatchObject({ status: "unknown", reason: "the gateway answers, but authentication failed: invalid token" });
    },
  );

  it("a live gateway whose status is unknown (ServiceStatus::Unspecified) is unknown, not restarted as unhealthy", () => {
    const gateway = onlyGateway(assemble(hostProcessGateway([
      { name: "gateway-info", key: "nemoclaw", body: fixture("gateway-info/live.txt").replace("Gateway: openshell", "Gateway: nemoclaw").replace("healthy", "unknown") },
    ])));
    expect(gateway.health).toMatchObject({ status: "unknown", reason: "the gateway reports its own status as unknown" });
  });

  it("status answering for another gateway is not this gateway's health", () => {
    const gateway = onlyGateway(assemble(hostProcessGateway([{ name: "status", key: "nemoclaw", body: fixture("status/text-head.txt").replace("Gateway: nemoclaw", "Gateway: nemoclaw-8081") }])));
    expect(gateway.health).toMatchObject({ status: "unknown", reason: expect.stringMatching(/nemoclaw-8081/) });
  });

  it("running but no longer registered with the CLI", () => {
    const gateway = onlyGateway(assemble(hostProcessGateway(
      [{ name: "status", key: "nemoclaw", body: fixture("gateway-info/no-metadata.txt"), rc: 1 }],
      ["gateway-metadata user nemoclaw", "gateway-list"],
    )));
    expect(gateway).toMatchObject({ registered: false, health: { status: "unhealthy", reason: expect.stringMatching(/not registered/) } });
  });

  it("an upstream gateway without a NemoClaw marker: version from the live status", () => {
    const sections = baseSections([
      { name: "gateway-metadata", key: "user openshell", body: '{"name":"openshell","gateway_endpoint":"https://127.0.0.1:17670","is_remote":false,"gateway_port":17670}' },
      { name: "status", key: "openshell", body: fixture("status/json-connected.json") },
      { name: "gateway-info", key: "openshell", body: fixture("gateway-info/live.json") },
      { name: "sandbox-list", key: "openshell", body: fixture("sandbox-list/empty.json") },
    ]);
    expect(onlyGateway(assemble(sections))).toMatchObject({
      name: "openshell",
      driver: "host-process",
      port: 17670,
      pid: null,
      runningVersion: { state: "known", value: "0.0.111" },
      health: { status: "healthy", reason: "connected (gateway 0.0.111)" },
      sandboxes: { state: "known", value: [] },
    });
  });

  it("per-port gateways are named by their state directory", () => {
    const sections = baseSections([
      { name: "runtime-marker", key: "openshell-docker-gateway-8081", body: '{"version":1,"pid":99,"endpoint":"http://127.0.0.1:8081"}' },
      { name: "gateway-log", key: "openshell-docker-gateway-8081", body: "no gateway log", rc: "absent" },
      { name: "process", key: "99", body: "alive no" },
      { name: "status", key: "nemoclaw-8081", body: fixture("status/connection-refused.txt"), rc: 1 },
    ]);
    expect(onlyGateway(assemble(sections))).toMatchObject({
      name: "nemoclaw-8081",
      port: 8081,
      driver: "host-process",
      health: { status: "stopped", reason: "gateway process 99 is not running" },
    });
  });
});
