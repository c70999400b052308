/** Builders for apply unit tests: plans, steps, observed hosts and a desired fleet. */
import type { DesiredFleet, DesiredHost } from "../../../src/config/types.js";
import type { ObservedGateway, ObservedHost, ObservedSandbox, RegistryEntry } from "../../../src/observe/types.js";
import type { HostPlan, Plan, PlannedCommand, Step, StepKind } from "../../../src/plan/types.js";

export function command(argv: string[], extra: Partial<PlannedCommand> = {}): PlannedCommand {
  return { argv, display: argv.join(" "), ...extra };
}

/** A step whose kind is the part of the id before ':' (or policy-add when the id has none). */
export function step(id: string, dependsOn: string[] = [], extra: Partial<Step> = {}): Step {
  const [kindPart, qualified = id] = id.includes(":") ? (id.split(":") as [string, string]) : ["policy-add", id];
  const name = qualified.split("@")[0] as string;
  return {
    id,
    kind: kindPart as StepKind,
    target: { kind: "sandbox", name, gateway: "nemoclaw" },
    reason: { summary: `because of ${id}` },
    risk: "safe",
    fidelity: "exact",
    dependsOn,
    facts: [],
    commands: [command(["echo", id])],
    ...extra,
  };
}

export function hostPlan(host: string, steps: Step[], extra: Partial<HostPlan> = {}): HostPlan {
  return { host, status: steps.length > 0 ? "changes" : "no-changes", steps, notes: [], fingerprints: {}, ...extra };
}

export function plan(hosts: HostPlan[]): Plan {
  return {
    formatVersion: 1,
    kind: "nemoclaw-fleet-plan",
    createdAt: "2026-11-22T10:00:00.000Z",
    toolVersion: "0.1.0",
    fleet: { name: "lab", file: "/fleet/fleet.yaml", digest: "sha256:abc" },
    selection: { limit: null, hosts: hosts.map((host) => host.host) },
    options: { pruneUnmanaged: false },
    hosts,
    summary: {
      hosts: hosts.length,
      hostsWithChanges: hosts.filter((host) => host.steps.length > 0).length,
      blocked: 0,
      unreachable: 0,
      unknown: 0,
      steps: hosts.reduce((sum, host) => sum + host.steps.length, 0),
      byRisk: { safe: 0, disruptive: 0, destructive: 0 },
      byFidelity: { exact: 0, predicted: 0 },
    },
  };
}

export function desiredHost(name: string): DesiredHost {
  return {
    name,
    connection: { kind: "local" },
    groups: [],
    labels: {},
    vars: {},
    environment: {},
    gateways: [],
    sandboxes: [],
    source: { file: "/fleet/fleet.yaml", line: 1, column: 1, path: `hosts.${name}` },
  };
}

export function fleet(hostNames: string[]): DesiredFleet {
  return {
    apiVersion: "nemoclaw.nvidia.com/v1alpha1",
    name: "lab",
    sourceFile: "/fleet/fleet.yaml",
    sourceDigest: "sha256:abc",
    hosts: hostNames.map(desiredHost),
    backupPolicies: [],
    apply: { concurrency: 4, waves: [], maxFailPercentage: 0, stepTimeoutMs: 60_000, pruneUnmanaged: false, lockTtlMs: 60_000, healthGate: null },
    notify: null,
  };
}

export function sandbox(name: string, extra: Partial<ObservedSandbox> = {}): ObservedSandbox {
  return {
    name,
    phase: "Ready",
    createdAt: null,
    guards: {
      state: "known",
      value: {
        files: ["/tmp/nemoclaw-proxy-env.sh", "/tmp/nemoclaw-sandbox-safety-net.js", "/tmp/nemoclaw-ciao-network-guard.js"].map((path) => ({
          path,
          present: true,
          owner: "root",
          group: "root",
          mode: "444",
          type: "regular file",
        })),
        locks: [],
        agentGatewayPids: [321],
      },
    },
    ...extra,
  };
}

export function gateway(name: string, sandboxes: ObservedSandbox[], extra: Partial<ObservedGateway> = {}): ObservedGateway {
  return {
    name,
    port: 8080,
    endpoint: "https://127.0.0.1:8080/",
    driver: "host-process",
    registered: true,
    runningVersion: { state: "known", value: "0.0.72" },
    image: null,
    binary: "/home/u/.local/bin/openshell-gateway",
    pid: 999,
    health: { status: "healthy", reason: "Connected", fatalMigration: null, protobufMismatch: null },
    sandboxes: { state: "known", value: sandboxes },
    ...extra,
  };
}

export function registryEntry(name: string, extra: Partial<RegistryEntry> = {}): RegistryEntry {
  return {
    name,
    gatewayName: "nemoclaw",
    gatewayPort: 8080,
    agent: "openclaw",
    agentVersion: null,
    provider: "nvidia-prod",
    model: "m",
    endpointUrl: null,
    credentialEnv: null,
    policyTier: null,
    policies: [],
    gpuMode: null,
    fromDockerfile: null,
    imageTag: null,
    openshellVersion: "0.0.72",
    openshellDriver: "docker",
    nemoclawVersion: null,
    createdAt: null,
    ...extra,
  };
}

export function observed(host: string, extra: Partial<ObservedHost> = {}): ObservedHost {
  const binary = (version: string) => ({ state: "known" as const, value: { installed: true, version, path: `/usr/local/bin/x` } });
  return {
    host,
    unreachable: null,
    observedAt: "2026-11-22T10:00:00.000Z",
    durationMs: 12,
    system: { state: "known", value: { hostname: host, os: null, arch: "aarch64", kernel: "6.8", dgxModel: "DGX Spark" } },
    gpus: { state: "known", value: [] },
    docker: { state: "known", value: { reachable: true, serverVersion: "27.0", error: null } },
    openshell: binary("0.0.72"),
    gatewayBinary: binary("0.0.72"),
    nemoclaw: binary("0.0.76"),
    activeGateway: { state: "known", value: "nemoclaw" },
    gateways: { state: "known", value: [gateway("nemoclaw", [sandbox("alice")])] },
    registry: { state: "known", value: { defaultSandbox: "alice", entries: [registryEntry("alice")], locked: false } },
    shields: { state: "known", value: [] },
    hostBackups: { state: "known", value: [] },
    fleetLock: { state: "known", value: null },
    ...extra,
  };
}
