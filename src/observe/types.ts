/**
 * What was observed on a host, typed. Produced by the observe stage from ONE probe round trip;
 * consumed by the pure planner, `nemoclaw facts` and backups.
 *
 * Every fact that comes from an external command is a `Fact<T>`: either known, or unknown with the
 * reason and an excerpt of the raw output. An unknown fact never turns into a wrong "healthy".
 */

import type { GatewayDriver } from "../config/types.js";
import type { BinaryFacts } from "../host/binary-version.js";
import type { DockerFacts } from "../host/docker/info.js";
import type { GatewayLockFile, GuardFile, SandboxGuards } from "../host/nemoclaw/guards.js";
import type { Registry, RegistryEntry } from "../host/nemoclaw/registry.js";
import type { ShieldsState } from "../host/nemoclaw/shields.js";
import type { HostBackup } from "../host/nemoclaw/snapshots.js";
import type { SandboxPhase } from "../host/openshell/sandbox-list.js";
import type { Fact } from "../host/output.js";
import type { SystemFacts } from "../host/system/facts.js";
import type { HostLockInfo } from "../host/system/fleet-lock.js";
import type { GpuFacts } from "../host/system/nvidia-smi.js";

// The facts each host adapter reads, under the names the later stages use.
export type { BinaryFacts, DockerFacts, Fact, GatewayLockFile, GpuFacts, GuardFile, HostBackup, HostLockInfo, Registry, RegistryEntry, SandboxGuards, SandboxPhase, ShieldsState, SystemFacts };

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
  /** Cluster era: whether the container was created with GPU passthrough (`gateway start --gpu`); absent without a container, null when docker did not say. */
  gpuPassthrough?: boolean | null;
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

export interface ObservedSandbox {
  name: string;
  phase: SandboxPhase;
  createdAt: string | null;
  /** Guard files, locks and the in-sandbox agent gateway; unknown when the sandbox could not be entered. */
  guards: Fact<SandboxGuards>;
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
