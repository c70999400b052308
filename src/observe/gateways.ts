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
import { type ClusterContainer, parseClusterContainerNames, parseClusterHealth, parseClusterInspect } from "../host/docker/cluster.js";
import { fatalMigrationLine } from "../host/openshell/gateway-log.js";
import { type GatewayInfoResult, parseGatewayInfo } from "../host/openshell/gateway-info.js";
import { type GatewayListEntry, parseGatewayList } from "../host/openshell/gateway-list.js";
import { type GatewayMetadata, parseGatewayMetadata } from "../host/openshell/gateway-metadata.js";
import { type GatewayStatusReport, parseOpenShellStatus } from "../host/openshell/status.js";
import { protobufMismatchLine } from "../host/openshell/errors.js";
import { isGatewayProcess, parseProcessView, type ProcessView } from "../host/system/process.js";
import { parsePidFile, parseRuntimeMarker, type RuntimeMarker } from "../host/nemoclaw/runtime-marker.js";
import { GUARDS_BEGIN, parseSandboxGuards } from "../host/nemoclaw/guards.js";
import { parseSandboxList } from "../host/openshell/sandbox-list.js";
import { known, portOfEndpoint, unknown } from "../host/output.js";
import { clusterImageVersion, gatewayVersionFromText } from "../host/binary-version.js";
import { captured, type ProbeOutput, type ProbeSection } from "../host/probe/sections.js";
import type { BinaryFacts, Fact, GatewayHealth, ObservedGateway, ObservedSandbox } from "./types.js";

const MARKER_LEAF = "openshell-docker-gateway";

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
  container: Fact<ClusterContainer> | null;
  containerHealth: string | null;
  marker: Fact<RuntimeMarker> | null;
  markerLeaf: string | null;
  logTail: string | null;
  processes: ProcessView[];
  status: Fact<GatewayStatusReport> | null;
  info: Fact<GatewayInfoResult> | null;
  rawOutputs: string[];
}

export function assembleGateways(probe: ProbeOutput, context: GatewayContext): Fact<ObservedGateway[]> {
  const containers = clusterContainers(probe);
  const gatewayList = listEntries(probe);

  const evidence = new Map<string, Evidence>();
  const evidenceFor = (name: string): Evidence => {
    let found = evidence.get(name);
    if (found === undefined) {
      found = {
        name,
        metadata: null,
        listEntry: null,
        container: null,
        containerHealth: null,
        marker: null,
        markerLeaf: null,
        logTail: null,
        processes: [],
        status: null,
        info: null,
        rawOutputs: [],
      };
      evidence.set(name, found);
    }
    return found;
  };

  for (const section of probe.all("gateway-metadata")) {
    const name = section.key.split(" ")[1];
    if (name === undefined || section.exitCode !== 0) continue;
    const metadata = parseGatewayMetadata(section.body, name);
    // The user layer shadows the system layer, and the probe reports the user layer first.
    if (metadata.state === "known") evidenceFor(name).metadata ??= metadata.value;
  }
  for (const entry of gatewayList) evidenceFor(entry.name).listEntry = entry;
  if (containers.state === "known") {
    for (const name of containers.value) {
      const found = evidenceFor(name);
      const inspect = probe.get("cluster-inspect", name);
      found.container = inspect === undefined ? unknown("the probe did not inspect this container") : parseClusterInspect(captured(inspect));
      const health = probe.get("cluster-health", name);
      found.containerHealth = health === undefined ? null : parseClusterHealth(captured(health));
    }
  }
  for (const section of probe.all("runtime-marker")) {
    const name = gatewayNameOfStateDir(section.key);
    if (name === null) continue;
    const found = evidenceFor(name);
    found.markerLeaf = section.key;
    found.marker = section.absent ? null : section.exitCode === 0 ? parseRuntimeMarker(section.body) : unknown("runtime.json could not be read", section.body);
    const log = probe.get("gateway-log", section.key);
    found.logTail = log !== undefined && log.exitCode === 0 ? log.body : null;
    found.processes = pidsOfStateDir(probe, section.key, found.marker).flatMap((pid) => {
      const view = probe.get("process", String(pid));
      return view === undefined ? [] : [parseProcessView(pid, view.body)];
    });
  }
  for (const section of probe.all("status")) {
    const found = evidence.get(section.key);
    const status = parseOpenShellStatus(captured(section));
    // A name the fleet file expects but nothing on the host knows is not a gateway.
    if (found === undefined && !(status.state === "known" && answered(status.value))) continue;
    const gateway = found ?? evidenceFor(section.key);
    gateway.status = status;
    gateway.rawOutputs.push(section.body);
    const info = probe.get("gateway-info", section.key);
    if (info !== undefined) {
      gateway.info = parseGatewayInfo(captured(info));
      gateway.rawOutputs.push(info.body);
    }
  }

  const gateways = [...evidence.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((found) => observeGateway(found, probe, context, containers));
  return known(gateways);
}

/** Names of the `openshell-cluster-*` containers; none when Docker is not installed at all. */
function clusterContainers(probe: ProbeOutput): Fact<string[]> {
  const clusterPs = probe.get("cluster-ps");
  if (clusterPs === undefined) return unknown("the probe ended before it listed cluster containers");
  if (!clusterPs.absent) return parseClusterContainerNames(captured(clusterPs));
  const dockerInfo = probe.get("docker-info");
  if (dockerInfo?.absent) return known([]);
  return unknown("Docker is not reachable, so cluster-era gateway containers could not be listed", dockerInfo?.body ?? "");
}

function listEntries(probe: ProbeOutput): GatewayListEntry[] {
  const section = probe.get("gateway-list");
  if (section === undefined || section.absent) return [];
  const list = parseGatewayList(captured(section));
  return list.state === "known" ? list.value : [];
}

function answered(status: GatewayStatusReport): boolean {
  return status.state === "connected" || status.state === "connected_http" || status.state === "error";
}

/** `openshell-docker-gateway` → `nemoclaw`, `openshell-docker-gateway-8081` → `nemoclaw-8081`. */
function gatewayNameOfStateDir(leaf: string): string | null {
  if (leaf === MARKER_LEAF) return "nemoclaw";
  const port = new RegExp(`^${MARKER_LEAF}-(\\d+)$`).exec(leaf)?.[1];
  return port === undefined ? null : `nemoclaw-${port}`;
}

function pidsOfStateDir(probe: ProbeOutput, leaf: string, marker: Fact<RuntimeMarker> | null): number[] {
  const pidFile = probe.get("gateway-pidfile", leaf);
  const pids = [
    marker?.state === "known" ? marker.value.pid : null,
    pidFile !== undefined && pidFile.exitCode === 0 ? parsePidFile(pidFile.body) : null,
  ];
  return [...new Set(pids.filter((pid): pid is number => pid !== null))];
}

function observeGateway(found: Evidence, probe: ProbeOutput, context: GatewayContext, containers: Fact<string[]>): ObservedGateway {
  const liveProcess = found.processes.find((view) => view.alive && isGatewayProcess(view)) ?? null;
  const driver = driverOf(found, liveProcess, context, containers);
  const marker = found.marker?.state === "known" ? found.marker.value : null;
  const status = found.status?.state === "known" ? found.status.value : null;
  const info = found.info?.state === "known" && found.info.value.kind === "info" ? found.info.value.report : null;
  const container = found.container?.state === "known" ? found.container.value : null;
  const endpoint = found.metadata?.endpoint ?? found.listEntry?.endpoint ?? marker?.endpoint ?? status?.server ?? info?.endpoint ?? null;
  const port =
    found.metadata?.port ??
    portOfEndpoint(endpoint) ??
    portForGatewayName(found.name) ??
    (container !== null && container.hostPorts.length === 1 ? container.hostPorts[0]! : null);

  const runningVersion = runningVersionOf(found, driver, liveProcess, probe, containers);
  const list = probe.get("sandbox-list", found.name);
  if (list !== undefined) found.rawOutputs.push(list.body);
  const guardSections = probe.sections.filter((section) => section.name === "sandbox-guards" && section.key.startsWith(`${found.name} `));
  // Only the CLI's own words count: what the in-sandbox script printed is the sandbox's to control.
  for (const section of guardSections) found.rawOutputs.push(section.body.split(GUARDS_BEGIN)[0] ?? "");

  return {
    name: found.name,
    port,
    endpoint,
    driver,
    registered: found.metadata !== null || found.listEntry !== null,
    runningVersion,
    image: container?.image ?? null,
    binary: driver === "host-process" ? (liveProcess?.argv[0] ?? marker?.gatewayBin ?? null) : null,
    binaryVersion: binaryVersionOf(found, driver, liveProcess, probe, runningVersion),
    pid: liveProcess?.pid ?? null,
    health: healthOf(found, driver, liveProcess),
    sandboxes: sandboxesOf(found, list, probe),
  };
}

function driverOf(found: Evidence, liveProcess: ProcessView | null, context: GatewayContext, containers: Fact<string[]>): GatewayDriver | "unknown" {
  const container = found.container?.state === "known" ? found.container.value : null;
  if (container?.running) return "cluster-container";
  if (found.marker !== null || liveProcess !== null) return "host-process";
  if (found.container !== null) return "cluster-container";
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
  probe: ProbeOutput,
  containers: Fact<string[]>,
): Fact<string | null> {
  if (driver === "cluster-container") {
    if (found.container === null) {
      return containers.state === "known" ? known(null) : unknown(`cannot see openshell-cluster-${found.name}: ${containers.reason}`, containers.excerpt);
    }
    if (found.container.state === "unknown") return found.container;
    const version = clusterImageVersion(found.container.value.image);
    return version === null ? unknown("the cluster container's image tag is not an OpenShell version", found.container.value.image) : known(version);
  }
  if (driver === "unknown") return unknown("cannot tell which driver runs this gateway, so not which version", containers.state === "unknown" ? containers.excerpt : "");
  if (liveProcess === null) return known(liveVersion(found));
  const fromExe = versionOfRun(probe.get("running-version", `${liveProcess.pid} exe`));
  if (fromExe !== null) return known(fromExe);
  const runs = ["exe", "argv0"].flatMap((how) => probe.get("running-version", `${liveProcess.pid} ${how}`)?.body ?? []).join("\n");
  if (liveProcess.exeDeleted) {
    return unknown(`the running gateway (pid ${liveProcess.pid}) was started from a binary that has since been replaced; its version cannot be read`, runs);
  }
  const fromArgv0 = versionOfRun(probe.get("running-version", `${liveProcess.pid} argv0`));
  return fromArgv0 !== null ? known(fromArgv0) : unknown(`could not read the version of the running gateway binary (pid ${liveProcess.pid})`, runs);
}

function binaryVersionOf(
  found: Evidence,
  driver: GatewayDriver | "unknown",
  liveProcess: ProcessView | null,
  probe: ProbeOutput,
  runningVersion: Fact<string | null>,
): Fact<string | null> {
  if (driver !== "host-process") return known(null);
  if (liveProcess !== null) return runningVersion;
  const recorded = found.marker?.state === "known" ? found.marker.value.gatewayBin : null;
  if (recorded === null || found.markerLeaf === null) return known(null);
  const run = probe.get("recorded-binary-version", found.markerLeaf);
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
  const fatalMigration = driver === "host-process" && found.logTail !== null ? fatalMigrationLine(found.logTail) : null;
  const protobufMismatch = found.rawOutputs.map(protobufMismatchLine).find((line) => line !== null) ?? null;
  const health = (status: GatewayHealth["status"], reason: string): GatewayHealth => ({ status, reason, fatalMigration, protobufMismatch });

  if (fatalMigration !== null) return health("unhealthy", `the gateway log shows a fatal migration error: ${fatalMigration}`);
  if (protobufMismatch !== null) return health("unhealthy", `OpenShell CLI and gateway disagree on the schema: ${protobufMismatch}`);

  const status = found.status;
  const connected = status?.state === "known" && status.value.state === "connected";
  const container = found.container?.state === "known" ? found.container.value : null;
  if (driver === "cluster-container" && container !== null && !container.running) {
    return health("stopped", `container openshell-cluster-${found.name} is not running`);
  }
  if (driver === "host-process" && found.marker !== null && liveProcess === null && !connected) {
    const pids = found.processes.map((view) => view.pid);
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
      if (driver === "cluster-container" && found.containerHealth !== null && found.containerHealth !== "healthy") {
        return health("unhealthy", `container health check reports ${found.containerHealth}`);
      }
      const info = found.info?.state === "known" && found.info.value.kind === "info" ? found.info.value.report : null;
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

function sandboxesOf(found: Evidence, list: ProbeSection | undefined, probe: ProbeOutput): Fact<ObservedSandbox[]> {
  if (list === undefined) {
    return found.status === null
      ? unknown("the OpenShell CLI is not installed, so sandboxes could not be listed")
      : unknown(`the probe ended before listing sandboxes on ${found.name}`);
  }
  const rows = parseSandboxList(captured(list));
  if (rows.state === "unknown") return rows;
  return known(
    rows.value.map((row) => {
      const guards = probe.get("sandbox-guards", `${found.name} ${row.name}`);
      return {
        name: row.name,
        phase: row.phase,
        createdAt: row.createdAt,
        guards: guards === undefined ? unknown(`the probe did not enter sandbox ${row.name}`) : parseSandboxGuards(captured(guards)),
      };
    }),
  );
}
