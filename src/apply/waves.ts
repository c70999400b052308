/**
 * Rolling waves and the failure threshold, with Ansible's `serial` / `max_fail_percentage`
 * semantics so operators' intuitions carry over:
 * - sizes are host counts or percentages of ALL selected hosts (floored, at least 1);
 * - the last size repeats until every host is placed;
 * - a wave's failure percentage must EXCEED the maximum (not equal it) to stop later waves.
 */

import type { WaveSpec } from "../config/types.js";

/** Parse `--waves 1,25%,100%`. */
export function parseWaves(text: string): WaveSpec[] {
  const parts = text.split(",").map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === "")) {
    throw new Error(`--waves '${text}': expected a comma-separated list such as 1,25%,100%`);
  }
  return parts.map((part) => {
    // As the fleet file's apply.waves: a whole host count, or a percentage above 0% and at most 100%.
    const match = /^(?:(\d+)|(\d+(?:\.\d+)?)%)$/.exec(part);
    const percent = match?.[2] !== undefined;
    const size = match ? Number(match[1] ?? match[2]) : NaN;
    if (!match || !(size > 0) || (percent ? size > 100 : !Number.isSafeInteger(size))) {
      throw new Error(`--waves '${text}': '${part}' is not a positive host count or a percentage above 0% and at most 100%`);
    }
    return { size, unit: percent ? "percent" : "hosts" };
  });
}

export function formatWaves(specs: readonly WaveSpec[]): string {
  return specs.map((spec) => (spec.unit === "percent" ? `${spec.size}%` : String(spec.size))).join(",");
}

function waveSize(spec: WaveSpec, total: number): number {
  if (spec.unit === "hosts") return spec.size;
  return Math.floor((spec.size / 100) * total) || 1;
}

/** Split hosts (in fleet order) into waves. No specs means one wave with every host. */
export function splitIntoWaves<T>(hosts: readonly T[], specs: readonly WaveSpec[]): T[][] {
  if (hosts.length === 0) return [];
  if (specs.length === 0) return [[...hosts]];
  const waves: T[][] = [];
  let next = 0;
  let specIndex = 0;
  while (next < hosts.length) {
    const spec = specs[Math.min(specIndex, specs.length - 1)] as WaveSpec;
    const size = waveSize(spec, hosts.length);
    waves.push(hosts.slice(next, next + size));
    next += size;
    specIndex += 1;
  }
  return waves;
}

export function failPercentage(failedHosts: number, waveHosts: number): number {
  return waveHosts === 0 ? 0 : (failedHosts / waveHosts) * 100;
}

/** Ansible semantics: the threshold must be exceeded, not equalled. */
export function exceedsFailThreshold(failedHosts: number, waveHosts: number, maxFailPercentage: number): boolean {
  return failPercentage(failedHosts, waveHosts) > maxFailPercentage;
}
