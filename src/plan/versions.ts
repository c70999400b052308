/**
 * OpenShell version arithmetic. NemoClaw compares only the numeric `x.y.z` core (its regexes
 * capture `\d+.\d+.\d+`), so dev suffixes such as `-dev.3+g2bf9969` never count as drift.
 */
import type { GatewayDriver } from "../config/types.js";

/** OpenShell 0.0.37 replaced the k3s cluster container with the host-process gateway. */
export const BREAKING_RELEASE_VERSION = "0.0.37";

const CORE = /^v?(\d+)\.(\d+)\.(\d+)/;

/** `0.0.86-dev.3+g2bf9969` → `0.0.86`; null when the text has no x.y.z core. */
export function versionCore(version: string): string | null {
  const match = CORE.exec(version.trim());
  return match ? `${Number(match[1])}.${Number(match[2])}.${Number(match[3])}` : null;
}

/** Negative, zero or positive like a sort comparator, on the x.y.z core. */
export function compareVersions(left: string, right: string): number {
  const a = parts(left);
  const b = parts(right);
  for (let index = 0; index < 3; index += 1) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export function sameVersion(left: string, right: string): boolean {
  return compareVersions(left, right) === 0;
}

/** The gateway driver a given OpenShell release runs. */
export function driverOfVersion(version: string): GatewayDriver {
  return compareVersions(version, BREAKING_RELEASE_VERSION) < 0 ? "cluster-container" : "host-process";
}

function parts(version: string): number[] {
  const core = versionCore(version);
  if (core === null) throw new Error(`not an OpenShell version: ${JSON.stringify(version)}`);
  return core.split(".").map(Number);
}
