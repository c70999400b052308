/**
 * The probe: the adapters' fragments composed into one read-only POSIX sh script that observes a
 * whole host in ONE exec (framework and section format in src/host/probe/). The order matters:
 * each fragment may use what an earlier one found (Docker's reachability, the OpenShell CLI and its
 * version), and every fragment that finds a gateway name adds it to the list the last fragment
 * asks OpenShell about.
 */
import { randomBytes } from "node:crypto";
import { CLUSTER_PROBE, DOCKER_PROBE } from "../host/docker/probe.js";
import { GUARD_PROBE_SCRIPT } from "../host/nemoclaw/guards.js";
import { NEMOCLAW_BINARY_PROBE, NEMOCLAW_FILES_PROBE, NEMOCLAW_GATEWAY_STATE_PROBE } from "../host/nemoclaw/probe.js";
import { OPENSHELL_BINARIES_PROBE, OPENSHELL_CONFIG_PROBE, OPENSHELL_GATEWAYS_PROBE, SANDBOX_CHECK_PROBE } from "../host/openshell/probe.js";
import { secretCapture } from "../host/batch.js";
import { askFragment, PROBE_END, PROBE_FRAMEWORK, PROBE_SAFE_NAME } from "../host/probe/shell.js";
import { FLEET_LOCK_PROBE, SYSTEM_PROBE } from "../host/system/probe.js";
import { quote } from "../transport/shell.js";

export interface ProbeInput {
  /** Marks this run's sections; never reaches any command's argv or environment. */
  nonce: string;
  /** Gateways the fleet file expects on the host: probed even when the CLI does not list them. */
  gatewayNames: readonly string[];
  /** Bound for each external command, seconds (NemoClaw's probe timeout is 15 s). */
  commandTimeoutSec?: number;
  /** Bound for each in-sandbox probe (`openshell sandbox exec`), seconds. */
  sandboxExecTimeoutSec?: number;
  /**
   * Enter every sandbox to check its guard files and gateway locks (default). Off for callers
   * that never read them: each check is a session into the sandbox, the probe's costliest part.
   */
  sandboxGuards?: boolean;
  /**
   * Shell run in the same round trip before the observation (taking the host lock, a step's
   * commands) and after it (releasing the lock); they report through their own sections.
   */
  before?: string;
  after?: string;
  /** Environment variables carrying secrets for `before`: taken out of the environment first thing. */
  secretNames?: readonly string[];
  /** Shell run last, with the caller's answer in NCF_ANSWER (`askFragment`). */
  ask?: string;
}

/** The section printed right after NemoClaw's files: once it is there, they were all listed. */
export const AFTER_NEMOCLAW_FILES = "fleet-lock";

const FRAGMENTS = [
  SYSTEM_PROBE,
  DOCKER_PROBE,
  OPENSHELL_BINARIES_PROBE,
  NEMOCLAW_BINARY_PROBE,
  OPENSHELL_CONFIG_PROBE,
  NEMOCLAW_FILES_PROBE,
  FLEET_LOCK_PROBE,
  CLUSTER_PROBE,
  NEMOCLAW_GATEWAY_STATE_PROBE,
  OPENSHELL_GATEWAYS_PROBE,
  PROBE_END,
];

export function newProbeNonce(): string {
  return randomBytes(16).toString("hex");
}

function checkedName(name: string, what: string): string {
  if (!PROBE_SAFE_NAME.test(name)) throw new Error(`invalid ${what} name for the probe: ${JSON.stringify(name)}`);
  return name;
}

function header(input: ProbeInput): string[] {
  if (!/^[0-9a-f]{16,}$/.test(input.nonce)) throw new Error("probe nonce must be at least 16 lowercase hex digits");
  for (const name of input.gatewayNames) checkedName(name, "gateway");
  return [
    "# nemoclaw fleet probe (read-only)",
    ...secretCapture(input.secretNames ?? []),
    `NCF_NONCE=${quote(input.nonce)}`,
    `NCF_DESIRED=${quote(input.gatewayNames.join(" "))}`,
    `NCF_T=${positiveSeconds(input.commandTimeoutSec ?? 15)}`,
    `NCF_TX=${positiveSeconds(input.sandboxExecTimeoutSec ?? 20)}`,
    `NCF_GUARD_SCRIPT=${quote(GUARD_PROBE_SCRIPT)}`,
    `NCF_GUARDS=${input.sandboxGuards === false ? 0 : 1}`,
  ];
}

export function buildProbeScript(input: ProbeInput): string {
  return [header(input).join("\n"), PROBE_FRAMEWORK, input.before ?? "", ...FRAGMENTS, input.after ?? "", asking(input)].join("\n");
}

/** The one sandbox a targeted check reads again, and the OpenShell version the host last reported. */
export interface SandboxCheckTarget {
  gateway: string;
  sandbox: string;
  openshellVersion: string;
}

/**
 * The targeted check (docs/apply.md): instead of the whole probe, only the gateway's sandbox list
 * and the one sandbox from inside, with the same framework and sections.
 */
export function buildSandboxCheckScript(input: ProbeInput, target: SandboxCheckTarget): string {
  const lines = [
    ...header(input),
    `NCF_CHECK_GW=${quote(checkedName(target.gateway, "gateway"))}`,
    `NCF_CHECK_SB=${quote(checkedName(target.sandbox, "sandbox"))}`,
    `NCF_OS_VER=${quote(target.openshellVersion)}`,
  ];
  return [lines.join("\n"), PROBE_FRAMEWORK, input.before ?? "", SANDBOX_CHECK_PROBE, PROBE_END, input.after ?? "", asking(input)].join("\n");
}

function asking(input: ProbeInput): string {
  return input.ask !== undefined ? askFragment(input.ask) : "";
}

function positiveSeconds(value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`probe timeout must be a whole number of seconds ≥ 1, got ${value}`);
  return value;
}
