// @ts-check
// OpenShell version gates (openshell-surface.md §1.1). Every era-dependent behaviour of the
// simulator asks one of these instead of comparing strings in place.

/** @param {string} version */
export function versionCore(version) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) throw new Error(`unparseable version: ${version}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/**
 * @param {string} a
 * @param {string} b
 * @returns {number} <0, 0, >0
 */
export function compareVersions(a, b) {
  const left = versionCore(a);
  const right = versionCore(b);
  for (let i = 0; i < 3; i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** @param {string} version @param {string} minimum */
export function atLeast(version, minimum) {
  return compareVersions(version, minimum) >= 0;
}

/** Era A (k3s cluster container) ends with 0.0.36; 0.0.37 starts the host-process era. */
export const BREAKING_RELEASE = "0.0.37";

/** @param {string} version */
export function isClusterEra(version) {
  return !atLeast(version, BREAKING_RELEASE);
}

/** The first version that has each feature the simulator branches on. */
export const SINCE = {
  sandboxExec: "0.0.23",
  gatewayList: "0.0.37",
  sandboxLabels: "0.0.37",
  downloadRestricted: "0.0.41",
  cpuMemoryFlags: "0.0.41",
  sandboxListOutput: "0.0.44",
  resourceVersion: "0.0.44",
  gatewayListOutput: "0.0.47",
  gatewayListSource: "0.0.62",
  /** `gateway list`: the remote host in JSON, and a REMOTE column when a registration has one (OS@v0.0.85:crates/openshell-cli/src/run.rs). */
  gatewayListRemote: "0.0.85",
  gpuCount: "0.0.69",
  annotations: "0.0.84",
  liveGatewayInfo: "0.0.85",
  workspaces: "0.0.88",
  authenticationLine: "0.0.91",
  statusJson: "0.0.92",
  sandboxStopStart: "0.0.105",
  mainProcess: "0.0.111",
};

/**
 * The first OpenShell release that refuses a local Dockerfile or directory for `sandbox create
 * --from` (OS#3214, merged 2026-09-07, after 0.0.116 was published; the release number is not
 * established, so the simulator takes the next one).
 */
export const DOCKERFILE_FROM_REMOVED = "0.0.117";

/**
 * The highest `_sqlx_migrations` version a gateway binary knows (openshell-surface.md §4.4).
 * @param {string} version
 */
export function maxMigration(version) {
  if (isClusterEra(version)) return 3;
  if (!atLeast(version, "0.0.44")) return 4;
  if (!atLeast(version, "0.0.88")) return 5;
  return 6;
}
