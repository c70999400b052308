/**
 * OpenShell versions and the gateway driver each era runs: up to 0.0.36 the gateway is a k3s
 * cluster container, from 0.0.37 on a host process (the two eras' gateway state is incompatible).
 */
import type { GatewayDriver } from "./types.js";

export interface OpenShellVersion {
  major: number;
  minor: number;
  patch: number;
  /** Normalised text: without a leading "v", with any pre-release/build suffix kept. */
  text: string;
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)((?:[-+][0-9A-Za-z.+-]+)?)$/;

export function parseOpenShellVersion(text: string): OpenShellVersion | undefined {
  const match = VERSION.exec(text.trim());
  if (match === null) return undefined;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return { major, minor, patch, text: `${major}.${minor}.${patch}${match[4] ?? ""}` };
}

/** Numeric comparison of the release part (suffixes ignored, as NemoClaw's versionGte does). */
export function compareOpenShellVersions(a: OpenShellVersion, b: OpenShellVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** The first host-process release. */
export const HOST_PROCESS_SINCE: OpenShellVersion = { major: 0, minor: 0, patch: 37, text: "0.0.37" };

export function driverForVersion(version: OpenShellVersion): GatewayDriver {
  return compareOpenShellVersions(version, HOST_PROCESS_SINCE) >= 0 ? "host-process" : "cluster-container";
}

export const DEFAULT_OPENSHELL_INSTALLER = "https://raw.githubusercontent.com/NVIDIA/OpenShell/main/install.sh";

/** Whether `version` (any x.y.z text, NemoClaw's or OpenShell's) is `since` or later; false when it is not a version. */
export function versionAtLeast(version: string, since: string): boolean {
  const have = parseOpenShellVersion(version);
  const want = parseOpenShellVersion(since);
  return have !== undefined && want !== undefined && compareOpenShellVersions(have, want) >= 0;
}

/** Whether `version` lies in [from, to] (x.y.z, suffixes ignored). */
export function versionWithin(version: string, from: string, to: string): boolean {
  return versionAtLeast(version, from) && versionAtLeast(to, version);
}
