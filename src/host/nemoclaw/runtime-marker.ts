/**
 * NemoClaw's host-process gateway marker
 * `~/.local/state/nemoclaw/openshell-docker-gateway[-<port>]/runtime.json`:
 * `{version:1, pid, driver:"docker", platform, arch, endpoint, desiredEnvHash, gatewayBin,
 * openshellVersion, dockerHost, createdAt}`. `openshellVersion` is the CLI version at launch —
 * never the running gateway's version.
 */
import type { Fact } from "../output.js";
import { extractJson, isRecord, known, numberOrNull, stringOrNull, unknown } from "../output.js";

export interface RuntimeMarker {
  pid: number | null;
  driver: string | null;
  endpoint: string | null;
  gatewayBin: string | null;
  openshellVersion: string | null;
  createdAt: string | null;
}

export function parseRuntimeMarker(text: string): Fact<RuntimeMarker> {
  const json = extractJson(text);
  if (!isRecord(json)) return unknown("runtime.json is not a JSON object", text);
  return known({
    pid: numberOrNull(json.pid),
    driver: stringOrNull(json.driver),
    endpoint: stringOrNull(json.endpoint),
    gatewayBin: stringOrNull(json.gatewayBin),
    openshellVersion: stringOrNull(json.openshellVersion),
    createdAt: stringOrNull(json.createdAt),
  });
}

/** `openshell-gateway.pid`: a pid on the first line. */
export function parsePidFile(text: string): number | null {
  const match = /^\s*(\d+)\s*$/m.exec(text);
  return match ? Number(match[1]) : null;
}
