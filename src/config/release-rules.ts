/**
 * What the releases a host will run allow, checked while the fleet file is loaded so a setting no
 * release on the host can take is an error at its file, line and column — not a command that
 * fails half-way through an apply. The knowledge lives with the NemoClaw adapter
 * (src/host/nemoclaw/release-rules.ts); the command that loads the fleet hands it in.
 */
import type { DesiredGateway, DesiredHost, DesiredSandbox } from "./types.js";

/** The releases a host is to run, as x.y.z. */
export interface TargetRelease {
  nemoclaw: string;
  /** The OpenShell version the NemoClaw release installs (or the one the file pins, when it accepts it). */
  openshell: string;
}

export interface SettingProblem {
  /** The field, relative to the sandbox or gateway entry (`["gpuDevice"]`, `["policy", "presets", 1]`). */
  field: (string | number)[];
  severity: "error" | "warning";
  message: string;
}

export interface ReleaseRules {
  /** The OpenShell versions a NemoClaw release accepts (its installer installs `max`), or why the release cannot be used. */
  pinOf(nemoclaw: string): { min: string; max: string } | { problem: string };
  /** The newest NemoClaw release that runs this OpenShell version, if any does. */
  releaseRunning(openshell: string): string | null;
  /** Problems of a sandbox entry on hosts running `target`; without a target, those no release would accept. */
  sandboxProblems(sandbox: Omit<DesiredSandbox, "host">, gateway: DesiredGateway | undefined, target: TargetRelease | undefined): SettingProblem[];
  gatewayProblems(gateway: DesiredGateway, target: TargetRelease | undefined): SettingProblem[];
}

/** The releases a host is to run, when its fleet file names a usable NemoClaw release. */
export function targetReleaseOf(host: DesiredHost, rules: ReleaseRules): TargetRelease | undefined {
  if (host.nemoclaw === undefined) return undefined;
  const pin = rules.pinOf(host.nemoclaw.version);
  if ("problem" in pin) return undefined;
  return { nemoclaw: host.nemoclaw.version, openshell: host.openshell?.version ?? pin.max };
}
