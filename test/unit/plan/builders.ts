/**
 * Fixture builders for planner tests. `converged()` is one DGX host where everything matches the
 * fleet file (OpenShell 0.0.72 host-process gateway `nemoclaw`, one healthy guarded sandbox); each
 * test case changes only what its scenario is about.
 */
import type {
  DesiredBackupPolicy,
  DesiredFleet,
  DesiredGateway,
  DesiredHost,
  DesiredSandbox,
} from "../../../src/config/types.js";
import type {
  Fact,
  GuardFile,
  ObservedGateway,
  ObservedHost,
  ObservedSandbox,
  RegistryEntry,
  SandboxGuards,
} from "../../../src/observe/types.js";
import { planFleet } from "../../../src/plan/planner.js";
import type { HostPlan, Plan, PlanOptions } from "../../../src/plan/types.js";

export const NOW = new Date("2026-11-22T09:30:00.000Z");
export const FLEET_FILE = "/srv/fleet/fleet.yaml";

export function known<T>(value: T): Fact<T> {
  return { state: "known", value };
}

export function unknown<T>(reason: string, excerpt = ""): Fact<T> {
  return { state: "unknown", reason, excerpt };
}

function source(path: string) {
  return { file: FLEET_FILE, line: 10, column: 3, path };
}

export function desiredGateway(port = 8080, overrides: Partial<DesiredGateway> = {}): DesiredGateway {
  return { name: port === 8080 ? "nemoclaw" : `nemoclaw-${port}`, port, bind: "127.0.0.1", source: source("gateways[0]"), ...overrides };
}

export function desiredSandbox(name: string, overrides: Partial<DesiredSandbox> = {}): DesiredSandbox {
  return {
    name,
    host: "spark-01",
    gateway: "nemoclaw",
    agent: "openclaw",
    provider: "build",
    model: "nvidia/nemotron-3-super-120b-a12b",
    credential: { kind: "env", name: "NVIDIA_KEY" },
    policy: { presets: [] },
    gpu: "auto",
    protect: false,
    imageRefWorkaround: false,
    source: source(`sandboxes[${name}]`),
    ...overrides,
  };
}

export function desiredHost(name: string, overrides: Partial<DesiredHost> = {}): DesiredHost {
  return {
    name,
    connection: { kind: "local" },
    groups: ["sparks"],
    labels: { rack: "a" },
    vars: {},
    environment: {},
    gateways: [desiredGateway()],
    sandboxes: [desiredSandbox("assistant", { host: name })],
    source: source(`hosts[${name}]`),
    ...overrides,
  };
}

export function policy(name: string, overrides: Partial<DesiredBackupPolicy> = {}): DesiredBackupPolicy {
  return {
    name,
    hosts: { kind: "pattern", pattern: "all" },
    sandboxNames: ["*"],
    retention: { keepLast: 7 },
    destination: { kind: "local", path: "/backups" },
    verify: true,
    beforeDisruptive: true,
    strict: false,
    source: source(`backupPolicies[${name}]`),
    ...overrides,
  };
}

export function fleet(hosts: DesiredHost[], overrides: Partial<DesiredFleet> = {}): DesiredFleet {
  return {
    apiVersion: "nemoclaw.nvidia.com/v1",
    name: "lab",
    sourceFile: FLEET_FILE,
    sourceDigest: "sha256:0000",
    hosts,
    backupPolicies: [],
    apply: { concurrency: 10, waves: [], maxFailPercentage: 0, stepTimeoutMs: 600_000, pruneUnmanaged: false, lockTtlMs: 600_000, healthGate: null },
    notify: null,
    ...overrides,
  };
}

export function guardFile(path: string, overrides: Partial<GuardFile> = {}): GuardFile {
  return { path, present: true, owner: "root", group: "root", mode: "444", type: "regular file", ...overrides };
}

export const GUARD_PATHS = {
  proxyEnv: "/tmp/nemoclaw-proxy-env.sh",
  safetyNet: "/tmp/nemoclaw-sandbox-safety-net.js",
  ciao: "/tmp/nemoclaw-ciao-network-guard.js",
};

export function safeGuards(overrides: Partial<SandboxGuards> = {}): SandboxGuards {
  return {
    files: Object.values(GUARD_PATHS).map((path) => guardFile(path)),
    locks: [],
    agentGatewayPids: [311],
    ...overrides,
  };
}

export function observedSandbox(name: string, overrides: Partial<ObservedSandbox> = {}): ObservedSandbox {
  return { name, phase: "Ready", createdAt: "2026-11-01 08:00:00", guards: known(safeGuards()), ...overrides };
}

export function hostProcessGateway(name = "nemoclaw", overrides: Partial<ObservedGateway> = {}): ObservedGateway {
  const port = name === "nemoclaw" ? 8080 : Number(name.slice("nemoclaw-".length));
  return {
    name,
    port,
    endpoint: `http://127.0.0.1:${port}`,
    driver: "host-process",
    registered: true,
    runningVersion: known("0.0.72"),
    image: null,
    binary: "/home/op/.local/bin/openshell-gateway",
    pid: 4242,
    health: { status: "healthy", reason: "Status: Connected", fatalMigration: null, protobufMismatch: null },
    sandboxes: known([observedSandbox("assistant")]),
    ...overrides,
  };
}

export function clusterGateway(name = "nemoclaw", version = "0.0.36", overrides: Partial<ObservedGateway> = {}): ObservedGateway {
  return hostProcessGateway(name, {
    driver: "cluster-container",
    runningVersion: known(version),
    image: `ghcr.io/nvidia/openshell/cluster:${version}`,
    binary: null,
    pid: null,
    endpoint: "https://127.0.0.1:8080",
    ...overrides,
  });
}

export function registryEntry(name: string, overrides: Partial<RegistryEntry> = {}): RegistryEntry {
  return {
    name,
    gatewayName: "nemoclaw",
    gatewayPort: 8080,
    agent: "openclaw",
    agentVersion: "2026.6.10",
    provider: "nvidia-prod",
    model: "nvidia/nemotron-3-super-120b-a12b",
    endpointUrl: "https://integrate.api.nvidia.com/v1",
    credentialEnv: "NVIDIA_INFERENCE_API_KEY",
    policyTier: "balanced",
    policies: [],
    gpuMode: "auto",
    fromDockerfile: null,
    imageTag: "nemoclaw-sandbox-local:abc",
    openshellVersion: "0.0.72",
    openshellDriver: "docker",
    nemoclawVersion: "0.0.80",
    createdAt: "2026-11-01T08:00:00.000Z",
    ...overrides,
  };
}

export function observedHost(name: string, overrides: Partial<ObservedHost> = {}): ObservedHost {
  return {
    host: name,
    unreachable: null,
    observedAt: "2026-11-22T09:29:58.000Z",
    durationMs: 840,
    system: known({ hostname: name, os: null, arch: "aarch64", kernel: "6.11.0", dgxModel: "DGX Spark" }),
    gpus: known([{ name: "NVIDIA GB10", memoryMiB: null, driverVersion: "580.95", uuid: null }]),
    docker: known({ reachable: true, serverVersion: "28.3.2", error: null }),
    openshell: known({ installed: true, version: "0.0.72", path: "/home/op/.local/bin/openshell" }),
    gatewayBinary: known({ installed: true, version: "0.0.72", path: "/home/op/.local/bin/openshell-gateway" }),
    nemoclaw: known({ installed: true, version: "0.0.80", path: "/home/op/.local/bin/nemoclaw" }),
    activeGateway: known("nemoclaw"),
    gateways: known([hostProcessGateway()]),
    registry: known({ defaultSandbox: "assistant", entries: [registryEntry("assistant")], locked: false }),
    shields: known([]),
    hostBackups: known([]),
    fleetLock: known(null),
    ...overrides,
  };
}

/** A desired fleet and its observation, mutable by each test. */
export interface Scenario {
  fleet: DesiredFleet;
  /** The first (usually only) host. */
  host: DesiredHost;
  observed: ObservedHost;
  observedHosts: ObservedHost[];
}

export function converged(name = "spark-01"): Scenario {
  const host = desiredHost(name);
  const observed = observedHost(name);
  return { fleet: fleet([host]), host, observed, observedHosts: [observed] };
}

/** Known gateways of the scenario's first observed host (throws when unknown). */
export function gatewaysOf(observed: ObservedHost): ObservedGateway[] {
  if (observed.gateways.state !== "known") throw new Error("gateways are unknown in this scenario");
  return observed.gateways.value;
}

export function gateway(observed: ObservedHost, name = "nemoclaw"): ObservedGateway {
  const found = gatewaysOf(observed).find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no gateway ${name}`);
  return found;
}

export function liveSandbox(observed: ObservedHost, name = "assistant", gatewayName = "nemoclaw"): ObservedSandbox {
  const list = gateway(observed, gatewayName).sandboxes;
  if (list.state !== "known") throw new Error("sandboxes unknown");
  const found = list.value.find((sandbox) => sandbox.name === name);
  if (!found) throw new Error(`no live sandbox ${name}`);
  return found;
}

export function registryEntries(observed: ObservedHost): RegistryEntry[] {
  if (observed.registry.state !== "known") throw new Error("registry unknown");
  return observed.registry.value.entries;
}

export function planOf(scenario: Scenario, options: Partial<PlanOptions> = {}): Plan {
  return planFleet(
    scenario.fleet,
    { hosts: scenario.observedHosts },
    {
      limit: null,
      hosts: scenario.fleet.hosts.map((host) => host.name),
      pruneUnmanaged: false,
      now: NOW,
      toolVersion: "0.1.0",
      ...options,
    },
  );
}

export function hostPlanOf(scenario: Scenario, options: Partial<PlanOptions> = {}): HostPlan {
  return planOf(scenario, options).hosts[0]!;
}

/** The fleet file chooses this NemoClaw release for the scenario's host. */
export function choose(s: Scenario, version: string): void {
  s.host.nemoclaw = { version, source: source(`hosts[${s.host.name}].nemoclaw.version`) };
}

/**
 * The observed host runs this NemoClaw and OpenShell: the CLIs, the installed gateway binary (host
 * process era), every running gateway and the registry's records agree.
 */
export function runs(s: Scenario, nemoclaw: string, openshell: string): void {
  const hostProcess = Number(openshell.split(".")[2]) >= 37;
  s.observed.nemoclaw = known({ installed: true, version: nemoclaw, path: "/home/op/.local/bin/nemoclaw" });
  s.observed.openshell = known({ installed: true, version: openshell, path: "/home/op/.local/bin/openshell" });
  s.observed.gatewayBinary = hostProcess
    ? known({ installed: true, version: openshell, path: "/home/op/.local/bin/openshell-gateway" })
    : known({ installed: false, version: null, path: null });
  if (s.observed.gateways.state === "known") {
    for (const gw of s.observed.gateways.value) if (gw.runningVersion.state === "known" && gw.runningVersion.value !== null) gw.runningVersion = known(openshell);
  }
  if (s.observed.registry.state === "known") {
    for (const entry of s.observed.registry.value.entries) Object.assign(entry, { nemoclawVersion: nemoclaw, openshellVersion: openshell });
  }
}

/** The host is in the cluster era: NemoClaw v0.0.38 with OpenShell `version` (≤ 0.0.36) and a cluster gateway. */
export function asCluster(s: Scenario, version = "0.0.36", nemoclaw = "0.0.38"): void {
  s.observed.gateways = known([clusterGateway("nemoclaw", version)]);
  runs(s, nemoclaw, version);
  s.observed.openshell = known({ installed: true, version, path: "/usr/local/bin/openshell" });
}
