/**
 * The OpenShell schema preflight (design scenario 1): the installed CLI and every running gateway
 * must be the same version, and no OpenShell output may show a protobuf/schema mismatch. On drift
 * nothing that trusts sandbox state may run; the refusal is NemoClaw's own block, line for line
 * (`formatOpenShellStateRpcIssue` in NemoClaw's `gateway-drift.ts`), so operators see the text
 * their runbooks already quote. Plan/apply and backups share it with their own action and command.
 */
import { clusterContainerName } from "../host/docker/cluster.js";
import { stripAnsi } from "../host/output.js";
import type { ObservedGateway, ObservedHost } from "../observe/types.js";
import type { PreflightBlock } from "./types.js";
import { sameVersion, versionCore } from "./versions.js";

const CLI_NAME = "nemoclaw";
const CLI_DISPLAY_NAME = "NemoClaw";

/** The action and command plan and apply name in the block. */
export const APPLY_PREFLIGHT_ACTION = "applying fleet changes";
export const BACKUP_PREFLIGHT = { action: "backing up sandboxes", command: "nemoclaw backup run" };
export const RESTORE_PREFLIGHT = { action: "restoring a sandbox backup", command: "nemoclaw backup restore" };

export type GatewayDrift =
  | {
      driver: "cluster-container";
      gateway: string;
      containerName: string;
      currentImage: string;
      currentVersion: string;
      expectedVersion: string;
    }
  | {
      driver: "host-process";
      gateway: string;
      /** The binary actually running; NemoClaw prints `host-process gateway` when it is not known. */
      gatewayBin: string | null;
      currentVersion: string;
      expectedVersion: string;
    };

export type SchemaIssue =
  | { kind: "drift"; drift: GatewayDrift }
  | { kind: "protobuf_mismatch"; gateway: string; drift: GatewayDrift | null; output: string };

export interface PreflightWording {
  /** Completes "…failed before <action>." e.g. `applying fleet changes`. */
  action: string;
  /** Completes "Rerun `<command>` after…"; without it NemoClaw says "Rerun the command". */
  command?: string;
}

export type SchemaCheck =
  | { state: "clean" }
  | { state: "issue"; issue: SchemaIssue }
  | { state: "unknown"; fact: string; reason: string; excerpt: string };

/**
 * Compare the installed CLI with every running gateway (cluster drift first, then host-process
 * drift, then protobuf output, as NemoClaw does). `ignore` names gateways another rule owns
 * (a gateway that crashed on a migration is not running, whatever version it last ran).
 */
export function checkSchema(
  host: ObservedHost,
  installedVersion: string,
  ignore: ReadonlySet<string> = new Set(),
): SchemaCheck {
  if (host.gateways.state === "unknown") {
    return { state: "unknown", fact: "gateways", reason: host.gateways.reason, excerpt: host.gateways.excerpt };
  }
  const gateways = host.gateways.value.filter((gateway) => !ignore.has(gateway.name));
  const drifts: GatewayDrift[] = [];
  for (const gateway of gateways) {
    // As in NemoClaw, only a running gateway can drift; starting a stopped one is the gateway rule's call.
    if (gateway.health.status === "stopped") continue;
    const running = gateway.runningVersion;
    if (running.state === "unknown") {
      return { state: "unknown", fact: `gateway:${gateway.name}`, reason: running.reason, excerpt: running.excerpt };
    }
    if (running.value === null) continue;
    const drift = driftOf(gateway, running.value, installedVersion);
    if (drift) drifts.push(drift);
  }
  const first =
    drifts.find((drift) => drift.driver === "cluster-container") ??
    drifts.find((drift) => drift.driver === "host-process");
  if (first) return { state: "issue", issue: { kind: "drift", drift: first } };
  const mismatch = gateways.find((gateway) => gateway.health.protobufMismatch !== null);
  if (mismatch) {
    return {
      state: "issue",
      issue: { kind: "protobuf_mismatch", gateway: mismatch.name, drift: null, output: mismatch.health.protobufMismatch ?? "" },
    };
  }
  return { state: "clean" };
}

/** The drift a gateway shows against the installed CLI, or null when they agree. */
function driftOf(gateway: ObservedGateway, currentVersion: string, installedVersion: string): GatewayDrift | null {
  if (versionCore(currentVersion) !== null && sameVersion(currentVersion, installedVersion)) return null;
  return gatewayDrift(gateway, currentVersion, installedVersion);
}

/** Describe a gateway's running version against the installed one, whether or not they differ. */
export function gatewayDrift(gateway: ObservedGateway, currentVersion: string, installedVersion: string): GatewayDrift {
  const current = versionCore(currentVersion) ?? currentVersion;
  const expected = versionCore(installedVersion) ?? installedVersion;
  if (gateway.driver === "cluster-container") {
    return {
      driver: "cluster-container",
      gateway: gateway.name,
      containerName: clusterContainerName(gateway.name),
      currentImage: gateway.image ?? clusterContainerName(gateway.name),
      currentVersion: current,
      expectedVersion: expected,
    };
  }
  return { driver: "host-process", gateway: gateway.name, gatewayBin: gateway.binary, currentVersion: current, expectedVersion: expected };
}

/** NemoClaw's block, one entry per line, blank lines included (the first line is blank). */
export function formatPreflightBlock(issue: SchemaIssue, wording: PreflightWording): string[] {
  const { action, command } = wording;
  const lines = [
    "",
    issue.kind === "protobuf_mismatch"
      ? `  OpenShell gateway/schema mismatch was detected while ${action}.`
      : `  OpenShell gateway schema preflight failed before ${action}.`,
  ];
  const drift = issue.drift;
  if (drift) {
    lines.push(`  Installed OpenShell: ${drift.expectedVersion}`);
    lines.push(
      drift.driver === "host-process"
        ? `  Running gateway binary: ${drift.gatewayBin ?? "host-process gateway"} (${drift.currentVersion})`
        : `  Running gateway image: ${drift.currentImage} (${drift.currentVersion})`,
    );
  } else {
    lines.push(`  ${CLI_DISPLAY_NAME} saw protobuf/schema mismatch output from OpenShell.`);
  }
  if (issue.kind === "protobuf_mismatch") {
    const snippet = compactOutput(issue.output);
    if (snippet) lines.push(`  OpenShell output: ${snippet}`);
  }
  lines.push(
    "",
    "  Refusing to trust OpenShell sandbox state while the host CLI and gateway schema may be out of sync.",
    "  No sandbox data was changed.",
    "",
    "  Recovery:",
    `    1. Run \`${CLI_NAME} onboard --resume\` to repair or recreate the ${CLI_DISPLAY_NAME} gateway with the installed OpenShell version.`,
    `    2. Rerun${command ? ` \`${command}\`` : " the command"} after \`openshell status\` reports a healthy ${CLI_DISPLAY_NAME} gateway.`,
    "",
  );
  if (drift?.driver === "host-process") {
    lines.push(
      `  If gateway recreation is required, preserve sandbox state first; do not delete sandbox volumes or backups until \`openshell status\` reports a healthy ${CLI_DISPLAY_NAME} gateway on the installed OpenShell version.`,
    );
  } else if (drift) {
    lines.push(
      `  If gateway recreation is required, preserve sandbox state first; do not remove \`${drift.containerName}\` Docker volumes unless you have a backup and explicitly accept state loss.`,
    );
  } else {
    lines.push(
      `  If gateway recreation is required, preserve sandbox state first; do not delete sandbox state, backups, or gateway data until \`openshell status\` reports a healthy ${CLI_DISPLAY_NAME} gateway.`,
    );
  }
  return lines;
}

/** The structured block a host plan carries. */
export function preflightBlock(issue: SchemaIssue, installedVersion: string, wording: PreflightWording): PreflightBlock {
  const drift = issue.drift;
  const lines = formatPreflightBlock(issue, wording);
  const installed = versionCore(installedVersion) ?? installedVersion;
  if (!drift) {
    return { driver: "unknown", installedVersion: installed, runningVersion: null, gateway: issue.kind === "protobuf_mismatch" ? issue.gateway : "", lines };
  }
  const common = { installedVersion: drift.expectedVersion, runningVersion: drift.currentVersion, gateway: drift.gateway, lines };
  return drift.driver === "host-process"
    ? { driver: "host-process", ...common, ...(drift.gatewayBin ? { runningBinary: drift.gatewayBin } : {}) }
    : { driver: "cluster-container", ...common, runningImage: drift.currentImage };
}

function compactOutput(output: string): string {
  return stripAnsi(output).replace(/\s+/g, " ").trim().slice(0, 260);
}

export type PreflightOutcome =
  | { state: "clean"; openshellVersion: string }
  | { state: "refused"; block: PreflightBlock }
  /** Versions could not be established (OpenShell missing, gateways unreadable): not safe either. */
  | { state: "unknown"; reason: string };

/**
 * The preflight right before state-touching work on a freshly observed host (apply's first step,
 * each backup and restore): clean, refused with the block worded for the caller, or unknown —
 * a host whose versions cannot be read is not trusted either. A gateway process that still runs
 * while its log shows a fatal migration error is not healthy whatever its version (design §2,
 * scenario 1): it refuses too, with the block naming the version it runs. `ignore` names gateways
 * the plan itself repairs (apply's preflight leaves out a crashed gateway its plan restarts,
 * as the planner did: src/plan/rules/openshell.ts).
 */
export function preflight(observed: ObservedHost, wording: PreflightWording, ignore: ReadonlySet<string> = new Set()): PreflightOutcome {
  if (observed.unreachable) return { state: "unknown", reason: `unreachable: ${observed.unreachable.message}` };
  const openshell = observed.openshell;
  if (openshell.state === "unknown") return { state: "unknown", reason: `OpenShell CLI version unknown: ${openshell.reason}` };
  if (!openshell.value.installed) return { state: "unknown", reason: "OpenShell is not installed" };
  if (openshell.value.version === null) return { state: "unknown", reason: "the installed OpenShell CLI did not report a version" };
  const installed = openshell.value.version;
  const check = checkSchema(observed, installed, ignore);
  switch (check.state) {
    case "clean": {
      const crashed = liveCrashedGateway(observed, ignore);
      if (crashed) return { state: "refused", block: preflightBlock({ kind: "drift", drift: gatewayDrift(crashed.gateway, crashed.version, installed) }, installed, wording) };
      return { state: "clean", openshellVersion: installed };
    }
    case "issue":
      return { state: "refused", block: preflightBlock(check.issue, installed, wording) };
    case "unknown":
      return { state: "unknown", reason: `${check.fact}: ${check.reason}` };
  }
}

/** A gateway whose process still answers although its log shows a fatal migration error. */
function liveCrashedGateway(observed: ObservedHost, ignore: ReadonlySet<string>): { gateway: ObservedGateway; version: string } | null {
  if (observed.gateways.state === "unknown") return null;
  for (const gateway of observed.gateways.value) {
    if (ignore.has(gateway.name) || gateway.health.fatalMigration === null) continue;
    const running = gateway.runningVersion;
    if (running.state === "known" && running.value !== null) return { gateway, version: running.value };
  }
  return null;
}
