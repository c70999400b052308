/**
 * What was observed on a host, typed. Produced by the observe stage from ONE probe round trip;
 * consumed by the pure planner, `nemoclaw facts` and backups.
 *
 * Every fact that comes from an external command is a `Fact<T>`: either known, or unknown with the
 * reason and an excerpt of the raw output. An unknown fact never turns into a wrong "healthy".
 */

import type { GatewayDriver } from "../config/types.js";

export type Fact<T> =
  | { state: "known"; value: T }
  | { state: "unknown"; reason: string; excerpt: string };

export interface SystemFacts {
  hostname: string;
  os: { id: string; versionId: string; prettyName: string } | null;
  /** `uname -m`: aarch64, x86_64, … */
  arch: string;
  kernel: string;
  /** DGX model when the host identifies as one (`DGX Spark`, `DGX Station`, …), else null. */
  dgxModel: string | null;
}

export interface GpuFacts {
  name: string;
  memoryMiB: number | null;
  driverVersion: string | null;
  uuid: string | null;
}

export interface DockerFacts {
  reachable: boolean;
  serverVersion: string | null;
  /** The daemon's error when unreachable (e.g. `Cannot connect to the Docker daemon`). */
  error: string | null;
}

export interface BinaryFacts {
  installed: boolean;
  /** Parsed version (`0.0.72`, `0.0.86-dev.3+g2bf9969`), null when installed but unparseable. */
  version: string | null;
  path: string | null;
}

export type GatewayHealthStatus =
  /** Status Connected and, where visible, the gateway process/container is up and its log is clean. */
  | "healthy"
  /** Reachable but reports a problem, or its log shows a fatal error (e.g. a migration failure). */
  | "unhealthy"
  /** Registered, but its process or container is not running. */
  | "stopped"
  /** Registered and supposedly running, but the CLI cannot connect. */
  | "unreachable"
  | "unknown";

export interface GatewayHealth {
  status: GatewayHealthStatus;
  /** One line a human can act on. */
  reason: string;
  /** The fatal migration error line from the gateway's log, when present. */
  fatalMigration: string | null;
  /** Protobuf/schema mismatch output seen from the CLI, when present. */
  protobufMismatch: string | null;
}

export interface ObservedGateway {
  name: string;
  port: number | null;
  endpoint: string | null;
  driver: GatewayDriver | "unknown";
  /** Registered with the OpenShell CLI (`~/.config/openshell/gateways/<name>`). */
  registered: boolean;
  /** Version of the gateway actually running: cluster image tag or running binary's `--version`. */
  runningVersion: Fact<string | null>;
  /** Cluster era: the container image, e.g. `ghcr.io/nvidia/openshell/cluster:0.0.36`. */
  image: string | null;
  /** Host-process era: the path of the binary actually running (or, when none runs, the one NemoClaw's marker recorded). */
  binary: string | null;
  /**
   * Host-process era: `--version` of `binary` — the running image's when a gateway runs, else
   * the recorded file's now (e.g. the binary a crashed gateway was started from). Null when
   * there is no such binary.
   */
  binaryVersion?: Fact<string | null>;
  /** Host-process era: pid of the running gateway, when one is alive. */
  pid: number | null;
  health: GatewayHealth;
  sandboxes: Fact<ObservedSandbox[]>;
}

export type SandboxPhase =
  | "Ready"
  | "Provisioning"
  | "Error"
  | "Deleting"
  | "Stopping"
  | "Stopped"
  | "Starting"
  | "Unknown"
  | (string & {});

export interface GuardFile {
  path: string;
  present: boolean;
  owner: string | null;
  group: string | null;
  /** Octal permission bits, e.g. `444`. */
  mode: string | null;
  /** `regular file`, `symbolic link`, … as `stat` reports it. */
  type: string | null;
}

export interface GatewayLockFile {
  path: string;
  pid: number | null;
  /** True when no live OpenClaw gateway process in the sandbox owns the lock. */
  stale: boolean;
}

export interface SandboxGuards {
  files: GuardFile[];
  locks: GatewayLockFile[];
  /** Pids of OpenClaw gateway processes running in the sandbox. */
  agentGatewayPids: number[];
  /**
   * `/tmp/openclaw-*` directories the probe could not list as the sandbox user: their locks are
   * missing from `locks`, so "no stale lock" is not proven for them.
   */
  unreadableLockDirs?: string[];
}

export interface ObservedSandbox {
  name: string;
  phase: SandboxPhase;
  createdAt: string | null;
  /** Guard files, locks and the in-sandbox agent gateway; unknown when the sandbox could not be entered. */
  guards: Fact<SandboxGuards>;
}

/** One row of `~/.nemoclaw/sandboxes.json`, the fields the planner and backups use. */
export interface RegistryEntry {
  name: string;
  gatewayName: string;
  gatewayPort: number | null;
  agent: string | null;
  agentVersion: string | null;
  provider: string | null;
  model: string | null;
  endpointUrl: string | null;
  credentialEnv: string | null;
  policyTier: string | null;
  policies: string[];
  gpuMode: string | null;
  fromDockerfile: string | null;
  imageTag: string | null;
  openshellVersion: string | null;
  openshellDriver: string | null;
  nemoclawVersion: string | null;
  createdAt: string | null;
}

export interface Registry {
  defaultSandbox: string | null;
  entries: RegistryEntry[];
  /** The registry lock directory exists (another NemoClaw command may be writing). */
  locked: boolean;
}

export interface ShieldsState {
  sandbox: string;
  mode: "mutable_default" | "locked" | "temporarily_unlocked" | "error";
}

export interface HostBackup {
  sandbox: string;
  timestamp: string;
  path: string;
  agentType: string | null;
  agentVersion: string | null;
}

export interface HostLockInfo {
  runId: string;
  user: string;
  machine: string;
  pid: number;
  startedAt: string;
  expiresAt: string;
}

export interface ObservedHost {
  host: string;
  /** Null when the host answered the probe; otherwise why it could not be observed. */
  unreachable: { kind: string; message: string } | null;
  observedAt: string;
  durationMs: number;
  system: Fact<SystemFacts>;
  gpus: Fact<GpuFacts[]>;
  docker: Fact<DockerFacts>;
  openshell: Fact<BinaryFacts>;
  /** The `openshell-gateway` binary installed beside the CLI (host-process era). */
  gatewayBinary: Fact<BinaryFacts>;
  nemoclaw: Fact<BinaryFacts>;
  activeGateway: Fact<string | null>;
  gateways: Fact<ObservedGateway[]>;
  registry: Fact<Registry>;
  shields: Fact<ShieldsState[]>;
  hostBackups: Fact<HostBackup[]>;
  /** A fleet lock currently held on the host, if any. */
  fleetLock: Fact<HostLockInfo | null>;
}

export interface ObservedFleet {
  hosts: ObservedHost[];
}
