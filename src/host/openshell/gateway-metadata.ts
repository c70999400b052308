/**
 * `~/.config/openshell/gateways/<name>/metadata.json` (and `/etc/openshell/gateways/…` from
 * 0.0.62): `{name, gateway_endpoint, is_remote, gateway_port, …}`.
 */
import type { Fact } from "../output.js";
import { extractJson, isRecord, known, numberOrNull, portOfEndpoint, stringOrNull, unknown } from "../output.js";

export interface GatewayMetadata {
  name: string;
  endpoint: string | null;
  port: number | null;
  isRemote: boolean;
}

export function parseGatewayMetadata(text: string, directoryName: string): Fact<GatewayMetadata> {
  const json = extractJson(text);
  if (!isRecord(json)) return unknown(`gateway metadata for ${directoryName} is not a JSON object`, text);
  const endpoint = stringOrNull(json.gateway_endpoint);
  return known({
    name: stringOrNull(json.name) ?? directoryName,
    endpoint,
    // `gateway add` may record 0: then the endpoint tells the port.
    port: positive(numberOrNull(json.gateway_port)) ?? portOfEndpoint(endpoint),
    isRemote: json.is_remote === true,
  });
}

function positive(port: number | null): number | null {
  return port !== null && port > 0 ? port : null;
}
