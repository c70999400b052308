/**
 * Gateways from the probe's sections: which gateways exist, which driver runs each, the version
 * actually running, and health. The evidence per driver (reference §4):
 * - cluster container (≤0.0.36): `openshell-cluster-<gw>` — its image tag is the running version;
 * - host process (≥0.0.37): NemoClaw's runtime marker and pid file — the version is the running
 *   binary's own `--version` (never the marker's `openshellVersion`, the CLI version at launch),
 *   and the gateway log tells whether it died on a database migration.
 */
import { portForGatewayName } from "../config/names.js";
import { driverForVersion, parseOpenShellVersion } from "../config/openshell-version.js";
import type { GatewayDriver } from "../config/types.js";
import type { ClusterContainer } from "../host/docker/cluster.js";
import { type ClusterContainerEvidence, readClusterContainers } from "../host/docker/probe.js";
import { GUARDS_BEGIN, parseSandboxGuards } from "../host/nemoclaw/guards.js";
import { type GatewayStateDir, readGatewayStateDirs } from "../host/nemoclaw/probe.js";
import type { RuntimeMarker } from "../host/nemoclaw/runtime-marker.js";
import { protobufMismatchLine } from "../host/openshell/errors.js";
import { fatalMigrationLine } from "../host/openshell/gateway-log.js";
import { type GatewayInfoResult, parseGatewayInfo } from "../host/openshell/gateway-info.js";
import type { GatewayListEntry } from "../host/openshell/gateway-list.js";
import type { GatewayMetadata } from "../host/openshell/gateway-metadata.js";
import { type GatewayAnswers, gatewayAnswers, gatewaysAsked, readGatewayList, readGatewayMetadata } from "../host/openshell/probe.js";
import { parseSandboxList } from "../host/openshell/sandbox-list.js";
import { type GatewayStatusReport, parseOpenShellStatus } from "../host/openshell/status.js";
import { clusterImageVersion, gatewayVersionFromText } from "../host/binary-version.js";
import { known, portOfEndpoint, unknown } from "../host/output.js";
import { captured, type ProbeOutput, type ProbeSection } from "../host/probe/sections.js";
import { isGatewayProcess, type ProcessView } from "../host/system/process.js";
import type { BinaryFacts, Fact, GatewayHealth, ObservedGateway, ObservedSandbox } from "./types.js";
import { byCodeUnits } from "../config/order.js";

export interface GatewayContext {
  /** The installed OpenShell CLI; its version decides the era when nothing else does. */
  openshell: Fact<BinaryFacts>;
}

/** Everything the probe saw about one gateway name. */
interface Evidence {
  name: string;
  metadata: GatewayMetadata | null;
  listEntry: GatewayListEntry | null;
  /** Null: no such container. */
  cluster: ClusterContainerEvidence | null;
  /** Null: NemoClaw keeps no state directory for this gateway. */
  stateDir: GatewayStateDir | null;
  answers: GatewayAnswers | null;
  status: Fact<GatewayStatusReport> | null;
  info: Fact<GatewayInfoResult> | null;
  rawOutputs: string[];
}

export function assembleGateways(probe: ProbeOutput, context: GatewayContext): Fact<ObservedGateway[]> {
  const containers = readClusterContainers(probe);

  const evidence = new Map<string, Evidence>();
  const evidenceFor = (name: string): Evidence => {
    let found = evidence.get(name);
    if (found === undefined) {
      found = { name, metadata: null, listEntry: null, cluster: null, stateDir: null, answers: null, status: null, info: null, rawOutputs: [] };
      evidence.set(name, found);
    }
    return found;
  };

  for (const [name, metadata] of readGatewayMetadata(probe)) evidenceFor(name).metadata = metadata;
  for (const entry of readGatewayList(probe)) evidenceFor(entry.name).listEntry = entry;
  if (containers.state === "known") {
    for (const [name, cluster] of containers.value) evidenceFor(name).cluster = cluster;
  }
  for (const stateDir of readGatewayStateDirs(probe)) evidenceFor(stateDir.gateway).stateDir = stateDir;
  for (const name of gatewaysAsked(probe)) {
    const answers = gatewayAnswers(probe, name);
    const status = parseOpenShellStatus(captured(answers.status!));
    const found = evidence.get(name);
    // A name the fleet file expects but nothing on the host knows is not a gateway.
    if (found === undefined && !(status.state === "known" && answered(status.value))) continue;
    const gateway = found ?? evidenceFor(name);
    gateway.answers = answers;
    gateway.status = status;
    gateway.rawOutputs.push(answers.status!.body);
    if (answers.info !== undefined) {
      gateway.info = infoFor(name, parseGatewayInfo(captured(answers.info)));
      gateway.rawOutputs.push(answers.info.body);
    }
  }

  const gateways = [...evidence.values()]
    .sort((a, b) => byCodeUnits(a.name, b.name))
    .map((found) => observeGateway(found, context, containers));
  return known(gateways);
}

function answered(status: GatewayStatusReport): boolean {
  return status.state === "connected" || status.state === "connected_http" || status.state === "error";
}

function markerOf(found: Evidence): RuntimeMarker | null {
  return found.stateDir?.marker?.state === "known" ? found.stateDir.marker.value : null;
}

/** NemoClaw wrote a runtime marker for this gateway (readable or not). */
function hasMarker(found: Evidence): boolean {
  return (found.stateDir?.marker ?? null) !== null;
}

/** An answer about another gateway (an exported OPENSHELL_GATEWAY can redirect the call) says nothing about this one. */
function infoFor(gateway: string, info: Fact<GatewayInfoResult>): Fact<GatewayInfoResult> {
  if (info.state !== "known" || info.value.kind !== "info" || info.value.report.gateway === null || info.value.report.gateway === gateway) return info;
  return unknown(`openshell gateway info answered for gateway "${info.value.report.gateway}", not "${gateway}"`);
}

function containerOf(found: Evidence): ClusterContainer | null {
  return found.cluster?.container.state === "known" ? found.cluster.container.value : null;
}

function observeGateway(found: Evidence, context: GatewayContext, containers: Fact<Map<string, ClusterContainerEvidence>>): ObservedGateway {
  const processes = found.stateDir?.processes ?? [];
  const liveProcess = processes.find((view) => view.alive && isGatewayProcess(view)) ?? null;
  const driver = driverOf(found, liveProcess, context, containers);
  const marker = markerOf(found);
  const status = found.status?.state === "known" ? found.status.value : null;
  const info = found.info?.state === "known" && found.info.value.kind === "info" ? found.info.value.report : null;
  const container = containerOf(found);
  const endpoint = found.metadata?.endpoint ?? found.listEntry?.endpoint ?? marker?.endpoint ?? status?.server ?? info?.endpoint ?? null;
  const port =
    found.metadata?.port ??
    portOfEndpoint(endpoint) ??
    portForGatewayName(found.name) ??
    (container !== null && container.hostPorts.length === 1 ? container.hostPorts[0]! : null);

  const runningVersion = runningVersionOf(found, driver, liveProcess, containers);
  const list = found.answers?.sandboxList;
  if (list !== undefined) found.rawOutputs.push(list.body);
  // Only the CLI's own words count: what the in-sandbox script printed is the sandbox's to control.
  for (const section of found.answers?.guards.values() ?? []) found.rawOutputs.push(section.body.split(GUARDS_BEGIN)[0] ?? "");

  return {
    name: found.name,
    port,
    endpoint,
    driver,
    registered: found.metadata !== null || found.listEntry !== null,
    runningVersion,
    image: container?.image ?? null,
    ...(container !== null ? { gpuPassthrough: container.gpuPassthrough } : {}),
    binary: driver === "host-process" ? (liveProcess?.argv[0] ?? marker?.gatewayBin ?? null) : null,
    binaryVersion: binaryVersionOf(found, driver, liveProcess, runningVersion),
    pid: liveProcess?.pid ?? null,
    health: healthOf(found, driver, liveProcess),
    sandboxes: sandboxesOf(found, list),
  };
}

function driverOf(found: Evidence, liveProcess: ProcessView | null, context: GatewayContext, containers: Fact<Map<string, ClusterContainerEvidence>>): GatewayDriver | "unknown" {
  const container = containerOf(found);
  if (container?.running) return "cluster-container";
  if (hasMarker(found) || liveProcess !== null) return "host-process";
  if (found.cluster !== null) return "cluster-container";
  const version = context.openshell.state === "known" && context.openshell.value.version !== null ? parseOpenShellVersion(context.openshell.value.version) : undefined;
  if (version === undefined) return "unknown";
  const era = driverForVersion(version);
  // A cluster-era host whose container list could not be read does not prove the driver.
  return era === "cluster-container" && containers.state !== "known" ? "unknown" : era;
}

function runningVersionOf(
  found: Evidence,
  driver: GatewayDriver | "unknown",
  liveProcess: ProcessView | null,
  containers: Fact<Map<string, ClusterContainerEvidence>>,
): Fact<string | null> {
  if (driver === "cluster-container") {
    if (found.cluster === null) {
      return containers.state === "known" ? known(null) : unknown(`cannot see openshell-cluster-${found.name}: ${containers.reason}`, containers.excerpt);
    }
    const container = found.cluster.container;
    if (container.state === "unknown") return container;
    const version = clusterImageVersion(container.value.image);
    return version === null ? unknown("the cluster container's image tag is not an OpenShell version", container.value.image) : known(version);
  }
  if (driver === "unknown") return unknown("cannot tell which driver runs this gateway, so not which version", containers.state === "unknown" ? containers.excerpt : "");
  if (liveProcess === null) return known(liveVersion(found));
  const versionRun = (how: "exe" | "argv0") => found.stateDir?.runningVersion(liveProcess.pid, how);
  const fromExe = versionOfRun(versionRun("exe"));
  if (fromExe !== null) return known(fromExe);
  const runs = (["exe", "argv0"] as const).flatMap((how) => versionRun(how)?.body ?? []).join("\n");
  if (liveProcess.exeDeleted) {
    return unknown(`the running gateway (pid ${liveProcess.pid}) was started from a binary that has since been replaced; its version cannot be read`, runs);
  }
  const fromArgv0 = versionOfRun(versionRun("argv0"));
  return fromArgv0 !== null ? known(fromArgv0) : unknown(`could not read the version of the running gateway binary (pid ${liveProcess.pid})`, runs);
}

function binaryVersionOf(
  found: Evidence,
  driver: GatewayDriver | "unknown",
  liveProcess: ProcessView | null,
  runningVersion: Fact<string | null>,
): Fact<string | null> {
  if (driver !== "host-process") return known(null);
  if (liveProcess !== null) return runningVersion;
  const recorded = markerOf(found)?.gatewayBin ?? null;
  if (recorded === null) return known(null);
  const run = found.stateDir?.recordedBinaryVersion;
  if (run === undefined) return unknown(`the recorded gateway binary ${recorded} was not asked for its version (it is missing, or not an openshell-gateway)`);
  const version = versionOfRun(run);
  return version !== null ? known(version) : unknown(`could not read the version of ${recorded}`, run.body);
}

function versionOfRun(section: ProbeSection | undefined): string | null {
  return section !== undefined && section.exitCode === 0 ? gatewayVersionFromText(section.body) : null;
}

/** The version the live gateway reports over RPC (`status` Version, or live `gateway info`). */
function liveVersion(found: Evidence): string | null {
  const status = found.status?.state === "known" ? found.status.value : null;
  if (status !== null && status.state === "connected" && status.version !== null) return status.version;
  const info = found.info?.state === "known" && found.info.value.kind === "info" ? found.info.value.report : null;
  return info?.form === "live" ? info.version : null;
}

function healthOf(found: Evidence, driver: GatewayDriver | "unknown", liveProcess: ProcessView | null): GatewayHealth {
  const logTail = found.stateDir?.logTail ?? null;
  const fatalMigration = driver === "host-process" && logTail !== null ? fatalMigrationLine(logTail) : null;
  const protobufMismatch = found.rawOutputs.map(protobufMismatchLine).find((line) => line !== null) ?? null;
  const health = (status: GatewayHealth["status"], reason: string): GatewayHealth => ({ status, reason, fatalMigration, protobufMismatch });

  if (fatalMigration !== null) return health("unhealthy", `the gateway log shows a fatal migration error: ${fatalMigration}`);
  if (protobufMismatch !== null) return health("unhealthy", `OpenShell CLI and gateway disagree on the schema: ${protobufMismatch}`);

  const status = found.status;
  const connected = status?.state === "known" && status.value.state === "connected";
  const container = containerOf(found);
  if (driver === "cluster-container" && container !== null && !container.running) {
    return health("stopped", `container openshell-cluster-${found.name} is not running`);
  }
  if (driver === "host-process" && hasMarker(found) && liveProcess === null && !connected) {
    const pids = (found.stateDir?.processes ?? []).map((view) => view.pid);
    return health("stopped", pids.length > 0 ? `gateway process ${pids.join(", ")} is not running` : "no gateway process is recorded as running");
  }

  if (status === null) return health("unknown", "the OpenShell CLI is not installed, so the gateway could not be asked");
  if (status.state === "unknown") return health("unknown", status.reason);
  const report = status.value;
  switch (report.state) {
    case "connected": {
      if (report.gateway !== null && report.gateway !== found.name) {
        return health("unknown", `openshell status answered for gateway "${report.gateway}", not "${found.name}"`);
      }
      const containerHealth = found.cluster?.health ?? null;
      if (driver === "cluster-container" && containerHealth !== null && containerHealth !== "healthy") {
        return health("unhealthy", `container health check reports ${containerHealth}`);
      }
      // Reachable, but the CLI's credentials are refused: nothing can be read or changed through it,
      // and restarting the gateway would not help.
      const authentication = report.authentication;
      if (authentication !== null && authentication.status !== "authenticated" && authentication.status !== "not_required" && authentication.status !== "unverified") {
        return health("unknown", `the gateway answers, but authentication ${authentication.status === "failed" ? "failed" : `is ${authentication.status}`}${authentication.detail ? `: ${authentication.detail}` : ""}`);
      }
      const info = found.info?.state === "known" && found.info.value.kind === "info" ? found.info.value.report : null;
      // `healthy`, `degraded`, `unhealthy`, or `unknown` for ServiceStatus::Unspecified and any status
      // the CLI does not know (OS@v0.0.111:crates/openshell-cli/src/commands/gateway.rs:350-356);
      // a status this tool does not know is not a reason to restart the gateway either.
      if (info?.form === "live" && info.status !== null && info.status !== "healthy" && info.status !== "degraded" && info.status !== "unhealthy") {
        return health("unknown", `the gateway reports its own status as ${info.status}`);
      }
      if (info?.form === "live" && info.status !== null && info.status !== "healthy") {
        return health("unhealthy", `the gateway reports itself ${info.status}`);
      }
      return health("healthy", `connected${report.version !== null ? ` (gateway ${report.version})` : ""}`);
    }
    case "connected_http":
      return health("unhealthy", "gRPC to the gateway failed; only its HTTP health check answered");
    case "error":
      return health("unhealthy", report.detail ?? "openshell status reports Error");
    case "disconnected":
    case "unreachable":
      return health("unreachable", report.detail ?? "the gateway does not answer");
    case "not_configured":
    case "not_registered": {
      const running = liveProcess !== null || container?.running === true;
      return running
        ? health("unhealthy", "running, but not registered with the OpenShell CLI (`openshell gateway add`)")
        : health("stopped", report.detail ?? "not registered with the OpenShell CLI and not running");
    }
  }
}

function sandboxesOf(found: Evidence, list: ProbeSection | undefined): Fact<ObservedSandbox[]> {
  if (list === undefined) {
    return found.status === null
      ? unknown("the OpenShell CLI is not installed, so sandboxes could not be listed")
      : unknown(`the probe ended before listing sandboxes on ${found.name}`);
  }
  return listedSandboxes(list, found.answers?.guards ?? new Map());
}

/** A gateway's `sandbox list` answer, each sandbox with what the probe saw inside it. */
export function listedSandboxes(list: ProbeSection, guards: ReadonlyMap<string, ProbeSection>): Fact<ObservedSandbox[]> {
  const rows = parseSandboxList(captured(list));
  if (rows.state === "unknown") return rows;
  return known(
    rows.value.map((row) => {
      const inside = guards.get(row.name);
      return {
        name: row.name,
        phase: row.phase,
        createdAt: row.createdAt,
        guards: inside === undefined ? unknown(`the probe did not enter sandbox ${row.name}`) : parseSandboxGuards(captured(inside)),
      };
    }),
  );
}
