/** Desired fleets and observed hosts for backup unit tests. */
import type { DesiredBackupPolicy, DesiredFleet, DesiredHost, Retention } from "../../../src/config/types.js";
import type { ObservedGateway, ObservedHost, ObservedSandbox, RegistryEntry } from "../../../src/observe/types.js";

const source = { file: "/fleet/fleet.yaml", line: 1, column: 1, path: "x" };

export function desiredHost(name: string, sandboxes: { name: string; gateway?: string }[] = [], extra: Partial<DesiredHost> = {}): DesiredHost {
  return {
    name,
    connection: { kind: "local" },
    groups: [],
    labels: {},
    vars: {},
    environment: {},
    gateways: [],
    sandboxes: sandboxes.map((sandbox) => ({
      name: sandbox.name,
      host: name,
      gateway: sandbox.gateway ?? "nemoclaw",
      agent: "openclaw",
      policy: { presets: [] },
      gpu: "auto",
      protect: false,
      imageRefWorkaround: false,
      source,
    })),
    source,
    ...extra,
  };
}

export function policy(name: string, extra: Partial<DesiredBackupPolicy> = {}, retention: Retention = {}): DesiredBackupPolicy {
  return {
    name,
    hosts: { kind: "pattern", pattern: "all" },
    sandboxNames: ["*"],
    retention,
    destination: { kind: "local", path: "./backups" },
    verify: true,
    beforeDisruptive: true,
    strict: false,
    source,
    ...extra,
  };
}

export function fleet(hosts: DesiredHost[], policies: DesiredBackupPolicy[], sourceFile = "/fleet/fleet.yaml"): DesiredFleet {
  return {
    apiVersion: "nemoclaw.dev/v1",
    name: "lab",
    sourceFile,
    sourceDigest: "sha256:abc",
    hosts,
    backupPolicies: policies,
    apply: { concurrency: 4, waves: [], maxFailPercentage: 0, stepTimeoutMs: 60_000, pruneUnmanaged: false, lockTtlMs: 60_000, healthGate: null },
    notify: null,
  };
}

export function sandbox(name: string, phase = "Ready"): ObservedSandbox {
  return { name, phase, createdAt: null, guards: { state: "unknown", reason: "not probed", excerpt: "" } };
}

export function gateway(name: string, sandboxes: ObservedSandbox[] | null, runningVersion = "0.0.72", extra: Partial<ObservedGateway> = {}): ObservedGateway {
  return {
    name,
    port: name === "nemoclaw" ? 8080 : Number(name.split("-")[1]),
    endpoint: null,
    driver: "host-process",
    registered: true,
    runningVersion: { state: "known", value: runningVersion },
    image: null,
    binary: "/home/u/.local/bin/openshell-gateway",
    pid: 4242,
    health: { status: "healthy", reason: "Connected", fatalMigration: null, protobufMismatch: null },
    sandboxes: sandboxes === null ? { state: "unknown", reason: "sandbox list timed out", excerpt: "" } : { state: "known", value: sandboxes },
    ...extra,
  };
}

/** A registry row; `gatewayName` is where the fixture's sandbox is live (NemoClaw's default gateway when it is nowhere). */
function registryEntry(name: string, agent: string | null, gatewayName = "nemoclaw"): RegistryEntry {
  const port = /^nemoclaw-(\d+)$/.exec(gatewayName);
  return {
    name,
    gatewayName,
    gatewayPort: port ? Number(port[1]) : 8080,
    agent,
    agentVersion: null,
    provider: null,
    model: null,
    endpointUrl: null,
    credentialEnv: null,
    policyTier: null,
    policies: [],
    gpuMode: null,
    fromDockerfile: null,
    imageTag: null,
    openshellVersion: null,
    openshellDriver: null,
    nemoclawVersion: null,
    createdAt: null,
  };
}

export function observedHost(
  host: string,
  gateways: ObservedGateway[],
  options: { cliVersion?: string; nemoclawVersion?: string; agents?: Record<string, string | null>; registeredOn?: Record<string, string> } = {},
): ObservedHost {
  const unknownFact = { state: "unknown" as const, reason: "not needed", excerpt: "" };
  const names = gateways.flatMap((g) => (g.sandboxes.state === "known" ? g.sandboxes.value.map((s) => s.name) : []));
  const liveOn = new Map(gateways.flatMap((g) => (g.sandboxes.state === "known" ? g.sandboxes.value.map((s) => [s.name, g.name] as const) : [])).reverse());
  const gatewayOf = (name: string) => options.registeredOn?.[name] ?? liveOn.get(name);
  return {
    host,
    unreachable: null,
    observedAt: "2026-07-10T02:00:00.000Z",
    durationMs: 1,
    system: unknownFact,
    gpus: unknownFact,
    docker: unknownFact,
    openshell: { state: "known", value: { installed: true, version: options.cliVersion ?? "0.0.72", path: "/home/u/.local/bin/openshell" } },
    gatewayBinary: unknownFact,
    nemoclaw: { state: "known", value: { installed: true, version: options.nemoclawVersion ?? "0.0.80", path: "/home/u/.local/bin/nemoclaw" } },
    activeGateway: { state: "known", value: "nemoclaw" },
    gateways: { state: "known", value: gateways },
    registry: {
      state: "known",
      value: { defaultSandbox: null, locked: false, entries: Object.entries(options.agents ?? Object.fromEntries(names.map((n) => [n, null]))).map(([n, a]) => registryEntry(n, a, gatewayOf(n))) },
    },
    shields: unknownFact,
    hostBackups: unknownFact,
    fleetLock: { state: "known", value: null },
  };
}
