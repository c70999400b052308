/**
 * OpenShell version arithmetic on version text as observed or pinned, built on the fleet loader's
 * parser. NemoClaw compares only the numeric `x.y.z` core (its regexes capture `\d+.\d+.\d+`),
 * so a dev suffix such as `-dev.3+g2bf9969` never counts as drift.
 */
import {
  compareOpenShellVersions,
  driverForVersion,
  type OpenShellVersion,
  parseOpenShellVersion,
} from "../config/openshell-version.js";
import type { GatewayDriver } from "../config/types.js";

/** `0.0.86-dev.3+g2bf9969` → `0.0.86`; null when the text is not a version. */
export function versionCore(version: string): string | null {
  const parsed = parseOpenShellVersion(version);
  return parsed ? `${parsed.major}.${parsed.minor}.${parsed.patch}` : null;
}

/** Negative, zero or positive like a sort comparator, on the x.y.z core. */
export function compareVersions(left: string, right: string): number {
  return compareOpenShellVersions(parse(left), parse(right));
}

export function sameVersion(left: string, right: string): boolean {
  return compareVersions(left, right) === 0;
}

/** The gateway driver a given OpenShell release runs. */
export function driverOfVersion(version: string): GatewayDriver {
  return driverForVersion(parse(version));
}

function parse(version: string): OpenShellVersion {
  const parsed = parseOpenShellVersion(version);
  if (!parsed) throw new Error(`not an OpenShell version: ${JSON.stringify(version)}`);
  return parsed;
}
