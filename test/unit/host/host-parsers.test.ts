import { describe, expect, it } from "vitest";
import { parseBackupManifest } from "../../../src/host/nemoclaw/snapshots.js";
import { parseDgxModel } from "../../../src/host/system/dgx.js";
import { parseClusterContainerNames, parseClusterHealth, parseClusterInspect } from "../../../src/host/docker/cluster.js";
import { parseDockerInfo } from "../../../src/host/docker/info.js";
import { parseFleetLock } from "../../../src/host/system/fleet-lock.js";
import { fatalMigrationLine } from "../../../src/host/openshell/gateway-log.js";
import { parseGatewayMetadata } from "../../../src/host/openshell/gateway-metadata.js";
import { parseNvidiaSmi } from "../../../src/host/system/nvidia-smi.js";
import { parseOsRelease } from "../../../src/host/system/os-release.js";
import { isGatewayProcess, parseProcessView } from "../../../src/host/system/process.js";
import { parseRegistry } from "../../../src/host/nemoclaw/registry.js";
import { parsePidFile, parseRuntimeMarker } from "../../../src/host/nemoclaw/runtime-marker.js";
import { parseShieldsFile, sandboxOfShieldsFile } from "../../../src/host/nemoclaw/shields.js";
import { clusterImageVersion, gatewayVersionFromText, parseBinaryVersion, versionFromText } from "../../../src/host/binary-version.js";
import { fixture, ran } from "../observe/fixtures.js";

describe("--version", () => {
  it.each([
    ["version/openshell-0.0.72.txt", "openshell", "0.0.72"],
    ["version/openshell-0.0.85.txt", "openshell", "0.0.85"],
    ["version/openshell-0.0.36.txt", "openshell", "0.0.36"],
    ["version/openshell-dev.txt", "openshell", "0.0.86-dev.3+g2bf9969"],
    ["version/openshell-gateway-0.0.43.txt", "openshell-gateway", "0.0.43"],
    ["version/openshell-gateway-0.0.101.txt", "openshell-gateway", "0.0.101"],
    ["version/nemoclaw-oclif.txt", "nemoclaw", "0.1.0"],
    // NemoClaw prints `nemoclaw v<git describe>`: a release tag, or a tag with commits on top.
    ["version/nemoclaw-0.0.124.txt", "nemoclaw", "0.0.124"],
    ["version/nemoclaw-describe.txt", "nemoclaw", "0.0.76-3-g1a2b3c4"],
  ])("%s", (path, tool, version) => {
    expect(versionFromText(fixture(path), tool)).toBe(version);
    expect(parseBinaryVersion(ran(path), tool, `/usr/bin/${tool}`)).toEqual({ state: "known", value: { installed: true, version, path: `/usr/bin/${tool}` } });
  });

  it("the `openshell` regex does not read the gateway binary's line as the CLI's", () => {
    expect(versionFromText("openshell-gateway 0.0.43\n", "openshell")).toBe("0.0.43");
    expect(gatewayVersionFromText(fixture("version/openshell-gateway-0.0.43.txt"))).toBe("0.0.43");
    expect(gatewayVersionFromText("openshell-server 0.0.31\n")).toBe("0.0.31");
    expect(gatewayVersionFromText(fixture("version/openshell-0.0.72.txt"))).toBeNull();
  });

  it("a binary that is not a gateway reports no gateway version", () => {
    expect(gatewayVersionFromText(fixture("version/sleep-coreutils.txt"))).toBeNull();
  });

  it("a failing or garbled --version is unknown with the excerpt", () => {
    expect(parseBinaryVersion({ output: "Illegal instruction", exitCode: 132 }, "openshell", "/x/openshell")).toEqual({
      state: "unknown",
      reason: "openshell at /x/openshell: `--version` exited 132",
      excerpt: "Illegal instruction",
    });
    expect(parseBinaryVersion({ output: "usage: openshell …", exitCode: 0 }, "openshell", "/x/openshell").state).toBe("unknown");
    // OpenShell 0.0.28–0.0.30 print a tag name instead of their version (NemoClaw #2207).
    expect(parseBinaryVersion(ran("version/openshell-m-dev.txt"), "openshell", "/x/openshell")).toMatchObject({ state: "unknown", reason: "openshell at /x/openshell: `--version` printed no version" });
  });

  it.each([
    ["ghcr.io/nvidia/openshell/cluster:0.0.36", "0.0.36"],
    ["nemoclaw-cluster:0.0.36-fuse-overlayfs-aa8b8487", "0.0.36"],
    ["registry.local/nemoclaw-cluster:0.0.30@sha256:abc", "0.0.30"],
    ["ghcr.io/nvidia/openshell/cluster:dev", null],
    ["rancher/k3s:v1.35.2-k3s1", null],
  ])("cluster image %s", (image, version) => {
    expect(clusterImageVersion(image)).toBe(version);
  });
});

describe("docker", () => {
  it.each([
    ["docker/info-version.txt", 0, { reachable: true, serverVersion: "24.0.0", error: null }],
    ["docker/info-full.txt", 0, { reachable: true, serverVersion: "24.0.7", error: null }],
    [
      "docker/info-daemon-down.txt",
      1,
      { reachable: false, serverVersion: null, error: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" },
    ],
    [
      "docker/info-full-daemon-down.txt",
      1,
      { reachable: false, serverVersion: null, error: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" },
    ],
  ])("docker info %s", (path, exitCode, value) => {
    expect(parseDockerInfo(ran(path, exitCode))).toEqual({ state: "known", value });
  });

  it("docker info garbage is unknown", () => {
    expect(parseDockerInfo({ output: "panic: runtime error", exitCode: 2 }).state).toBe("unknown");
  });

  it("cluster containers, inspect and health", () => {
    expect(parseClusterContainerNames(ran("docker/ps-cluster.txt"))).toEqual({ state: "known", value: ["nemoclaw", "nemoclaw-8081"] });
    expect(parseClusterContainerNames({ output: "", exitCode: 0 })).toEqual({ state: "known", value: [] });
    // Rows are <name>/<OpenShell's label>; a row without the separator is not ours to guess at.
    expect(parseClusterContainerNames({ output: "openshell-cluster-nemoclaw\n", exitCode: 0 }).state).toBe("unknown");
    expect(parseClusterContainerNames(ran("errors/docker-down.txt", 1)).state).toBe("unknown");
    expect(parseClusterInspect(ran("docker/inspect-cluster-0.0.36.txt"))).toEqual({
      state: "known",
      value: { image: "ghcr.io/nvidia/openshell/cluster:0.0.36", running: true, hostPorts: [8080], gpuPassthrough: true },
    });
    expect(parseClusterInspect(ran("docker/inspect-cluster-patched.txt"))).toEqual({
      state: "known",
      value: { image: "nemoclaw-cluster:0.0.36-fuse-overlayfs-aa8b8487", running: false, hostPorts: [], gpuPassthrough: false },
    });
    expect(parseClusterInspect(ran("docker/inspect-no-such-container.txt", 1)).state).toBe("unknown");
    // NemoClaw's own test: any device request but `null` or `[]` is GPU passthrough; a missing line says nothing.
    expect(parseClusterInspect({ output: "img:1\ntrue\n{}\n[]\n", exitCode: 0 })).toMatchObject({ value: { gpuPassthrough: false } });
    expect(parseClusterInspect({ output: "img:1\ntrue\n{}\n", exitCode: 0 })).toMatchObject({ value: { image: "img:1", gpuPassthrough: null } });
    expect(parseClusterHealth({ output: "healthy\n", exitCode: 0 })).toBe("healthy");
    expect(parseClusterHealth({ output: 'template: :1:14: executing "" at <.State.Health.Status>: nil pointer evaluating *types.Health.Status\n', exitCode: 1 })).toBeNull();
  });
});

describe("host files", () => {
  it("gateway metadata (Era A example)", () => {
    expect(parseGatewayMetadata(fixture("files/metadata-era-a.json"), "nemoclaw")).toEqual({
      state: "known",
      value: { name: "nemoclaw", endpoint: "https://127.0.0.1:8080", port: 8080, isRemote: false },
    });
    expect(parseGatewayMetadata('{"name":"nemoclaw-8081","gateway_endpoint":"http://127.0.0.1:8081","is_remote":false,"gateway_port":0,"auth_mode":"plaintext"}', "nemoclaw-8081")).toMatchObject({
      value: { port: 8081 },
    });
    expect(parseGatewayMetadata("{not json", "x").state).toBe("unknown");
  });

  it("runtime marker and pid file", () => {
    expect(parseRuntimeMarker(fixture("files/runtime-marker.json"))).toEqual({
      state: "known",
      value: {
        pid: 4242,
        driver: "docker",
        endpoint: "http://127.0.0.1:8080",
        gatewayBin: "/home/dgx/.local/bin/openshell-gateway",
        openshellVersion: "0.0.72",
        createdAt: "2026-07-01T10:00:00.000Z",
      },
    });
    expect(parsePidFile("4242\n")).toBe(4242);
    expect(parsePidFile("")).toBeNull();
  });

  it("registry example from NemoClaw's tests", () => {
    expect(parseRegistry(fixture("files/registry-example.json"), false)).toEqual({
      state: "known",
      value: {
        defaultSandbox: "my-assistant",
        locked: false,
        entries: [
          expect.objectContaining({
            name: "my-assistant",
            gatewayName: "nemoclaw",
            gatewayPort: 8080,
            provider: "nvidia-prod",
            model: "meta/llama-3.3-70b-instruct",
            gpuMode: "0",
            policies: [],
            agent: null,
            fromDockerfile: null,
          }),
        ],
      },
    });
  });

  it("older entries without a binding belong to `nemoclaw`; gpuEnabled stands in for the GPU mode", () => {
    expect(parseRegistry(fixture("files/registry-minimal.json"), true)).toMatchObject({
      state: "known",
      value: { locked: true, entries: [{ name: "alpha", gatewayName: "nemoclaw", gatewayPort: 8080, gpuMode: "0", model: "test-model" }] },
    });
  });

  it.each([
    [{ gatewayPort: 8081 }, { gatewayName: "nemoclaw-8081", gatewayPort: 8081 }],
    [{ gatewayPort: 8080, gatewayName: "nemoclaw-9000" }, { gatewayName: "nemoclaw", gatewayPort: 8080 }],
    [{ gatewayName: "nemoclaw-9000" }, { gatewayName: "nemoclaw-9000", gatewayPort: 9000 }],
    // An invalid port beside a valid name: NemoClaw takes the name (NC@d50338aa:src/lib/onboard/gateway-binding.ts:117-129).
    [{ gatewayPort: "8081", gatewayName: "nemoclaw-8081" }, { gatewayName: "nemoclaw-8081", gatewayPort: 8081 }],
    [{ gatewayPort: 0, gatewayName: "nemoclaw" }, { gatewayName: "nemoclaw", gatewayPort: 8080 }],
  ])("gateway binding %j", (binding, expected) => {
    const text = JSON.stringify({ sandboxes: { a: { name: "a", ...binding } } });
    expect(parseRegistry(text, false)).toMatchObject({ state: "known", value: { entries: [expected] } });
  });

  it.each([{ gatewayName: "nemoclaw-8080" }, { gatewayName: "prod" }, { gatewayPort: "8080" }, { gatewayPort: 70000 }, { gatewayPort: 70000, gatewayName: "prod" }, { gatewayName: "" }])(
    "an invalid binding %j fails closed",
    (binding) => {
      const text = JSON.stringify({ sandboxes: { a: { name: "a", ...binding } } });
      expect(parseRegistry(text, false)).toMatchObject({ state: "unknown", reason: expect.stringMatching(/Invalid persisted sandbox gateway binding/) });
    },
  );

  it("a route reservation placeholder is not a sandbox; a corrupt registry is unknown", () => {
    const text = JSON.stringify({ sandboxes: { a: { name: "a", pendingRouteReservation: true } } });
    expect(parseRegistry(text, false)).toMatchObject({ state: "known", value: { entries: [] } });
    expect(parseRegistry('{"sandboxes": ', false)).toMatchObject({ state: "unknown", excerpt: '{"sandboxes":' });
  });

  it("gateway log: fatal migration lines", () => {
    expect(fatalMigrationLine(fixture("files/gateway-log-migration.log"))).toBe(
      "Error:   × execution error: migration error: migration 6 was previously applied but is missing in the resolved migrations",
    );
    expect(fatalMigrationLine(fixture("errors/migration-modified.txt"))).toMatch(/has been modified/);
    expect(fatalMigrationLine(fixture("files/gateway-log-clean.log"))).toBeNull();
  });

  it("gateway log: a crash before the latest start is history (NemoClaw appends to the log on every start)", () => {
    const crashed = fixture("files/gateway-log-migration.log");
    const restarted = `${crashed.trimEnd()}\n2026-07-08T09:20:00.000Z  INFO openshell_server::cli: Starting OpenShell server bind=127.0.0.1:8080\n2026-07-08T09:20:00.100Z  INFO openshell_server: Server listening address=127.0.0.1:8080\n`;
    expect(fatalMigrationLine(restarted)).toBeNull();
    // Restarted and crashed again: the new crash counts.
    expect(fatalMigrationLine(`${restarted}${crashed}`)).toMatch(/migration 6 was previously applied/);
  });

  it("shields state files", () => {
    expect(parseShieldsFile("a", '{"shieldsDown":true,"shieldsDownAt":"2026-07-01T00:00:00Z"}')).toEqual({ sandbox: "a", mode: "temporarily_unlocked" });
    expect(parseShieldsFile("a", '{"shieldsDown":false}')).toEqual({ sandbox: "a", mode: "locked" });
    expect(parseShieldsFile("a", "garbage")).toEqual({ sandbox: "a", mode: "error" });
    // A JSON object of the wrong shape is as corrupt to NemoClaw as garbage (isShieldsState,
    // NC@d50338aa:src/lib/shields/index.ts:869-882): it says "ERROR (state file is corrupt)".
    expect(parseShieldsFile("a", '{"shieldsDown":true,"shieldsDownAt":"2026-07-01T00:00:00Z","shieldsDownTimeout":"5m"}')).toEqual({ sandbox: "a", mode: "error" });
    expect(parseShieldsFile("a", '{"shieldsDown":"false"}')).toEqual({ sandbox: "a", mode: "error" });
    // What `shields down --timeout 300` writes (:2659-2666) and `shields up` after it (:2422-2433).
    expect(parseShieldsFile("a", '{"shieldsDown":true,"shieldsDownAt":"2026-07-01T00:00:00Z","shieldsDownTimeout":300,"shieldsDownReason":null,"shieldsDownPolicy":"permissive","shieldsPolicySnapshotPath":"/x/policy.yaml","updatedAt":"2026-07-01T00:00:00Z"}')).toEqual({ sandbox: "a", mode: "temporarily_unlocked" });
    expect(parseShieldsFile("a", '{"shieldsDown":false,"shieldsDownAt":null,"shieldsDownTimeout":null,"shieldsDownReason":null,"shieldsDownPolicy":null,"chattrApplied":true,"fileHashes":{},"updatedAt":"2026-07-01T00:00:00Z"}')).toEqual({ sandbox: "a", mode: "locked" });
    // NemoClaw reads a state file without shieldsDown as the mutable default, not as locked.
    expect(parseShieldsFile("a", '{"updatedAt":"2026-07-01T00:00:00Z"}')).toEqual({ sandbox: "a", mode: "mutable_default" });
    expect(sandboxOfShieldsFile("shields-my-assistant.json")).toBe("my-assistant");
    expect(sandboxOfShieldsFile("shields-timer-my-assistant.json")).toBeNull();
    expect(sandboxOfShieldsFile("shields-transition-lock-a.json")).toBeNull();
  });

  it("backup manifests", () => {
    const manifest = JSON.stringify({ version: 1, sandboxName: "alpha", name: "fleet-20260421T073555Z", timestamp: "2026-04-21T07:35:55.987Z", agentType: "openclaw", agentVersion: "2026.6.10" });
    expect(parseBackupManifest(manifest, "/home/u/.nemoclaw/rebuild-backups/alpha/2026-04-21T07-35-55-987Z")).toEqual({
      state: "known",
      value: {
        sandbox: "alpha",
        timestamp: "2026-04-21T07:35:55.987Z",
        name: "fleet-20260421T073555Z",
        path: "/home/u/.nemoclaw/rebuild-backups/alpha/2026-04-21T07-35-55-987Z",
        agentType: "openclaw",
        agentVersion: "2026.6.10",
      },
    });
    expect(parseBackupManifest("{}", "/x").state).toBe("unknown");
  });

  it("fleet lock", () => {
    const lock = { runId: "r1", user: "ops", machine: "ctl", pid: 12, startedAt: "2026-07-01T00:00:00Z", expiresAt: "2026-07-01T01:00:00Z" };
    expect(parseFleetLock(JSON.stringify(lock))).toEqual({ state: "known", value: lock });
    expect(parseFleetLock('{"runId":"r1"}').state).toBe("unknown");
  });
});

describe("system", () => {
  it("os-release and DGX identity", () => {
    expect(parseOsRelease(fixture("files/os-release-dgx.txt"))).toEqual({ id: "ubuntu", versionId: "24.04", prettyName: "Ubuntu 24.04.3 LTS" });
    expect(parseOsRelease("garbage")).toBeNull();
    expect(parseDgxModel(fixture("files/dgx-release.txt"), null)).toBe("DGX Spark");
    expect(parseDgxModel(null, "NVIDIA DGX Station GB300\n")).toBe("DGX Station GB300");
    expect(parseDgxModel(null, "DGX_Spark")).toBe("DGX Spark");
    expect(parseDgxModel(null, "PowerEdge R760")).toBeNull();
  });

  it("nvidia-smi", () => {
    expect(parseNvidiaSmi(ran("nvidia-smi/gb10.csv"))).toEqual({
      state: "known",
      value: [{ name: "NVIDIA GB10", memoryMiB: null, driverVersion: "580.95.05", uuid: "GPU-1e3f5a7b-9c2d-4e6f-8a0b-2c4d6e8f0a1b" }],
    });
    expect(parseNvidiaSmi(ran("nvidia-smi/two-gpus.csv"))).toMatchObject({ state: "known", value: [{ memoryMiB: 97887 }, { name: "NVIDIA GB300" }] });
    expect(parseNvidiaSmi(ran("nvidia-smi/driver-down.txt", 9))).toMatchObject({ state: "unknown", excerpt: expect.stringContaining("NVIDIA driver") });
    expect(parseNvidiaSmi({ output: "a, b\n", exitCode: 0 }).state).toBe("unknown");
  });

  it("process views", () => {
    const view = parseProcessView(4242, "alive yes\nexe /usr/bin/openshell-gateway (deleted)\narg /usr/bin/openshell-gateway\narg --port\narg 8080");
    expect(view).toEqual({ pid: 4242, alive: true, argv: ["/usr/bin/openshell-gateway", "--port", "8080"], exe: "/usr/bin/openshell-gateway", exeDeleted: true });
    expect(isGatewayProcess(view)).toBe(true);
    expect(isGatewayProcess(parseProcessView(7, "alive yes\nexe /usr/bin/sleep\narg sleep\narg 600"))).toBe(false);
    expect(parseProcessView(8, "alive no")).toMatchObject({ alive: false, argv: [] });
  });
});
