/**
 * `openshell gateway info -g <gw> [-o json]`. Up to 0.0.84 it prints the CLI's local metadata
 * (`Gateway endpoint:`); from 0.0.85 it is a live RPC (`Server:`, `Status:`, `Version:`,
 * compute drivers), with `-o json`.
 */
import type { Fact } from "../output.js";
import { classifyOpenShellError } from "./errors.js";
import { type Captured, describeExit, extractJson, isRecord, keyValueLines, known, stringOrNull, stripAnsi, unknown } from "../output.js";

export interface GatewayInfoReport {
  form: "local" | "live";
  gateway: string | null;
  endpoint: string | null;
  remoteHost: string | null;
  /** Live form: `healthy`, `degraded`, `unhealthy` or `unknown`. */
  status: string | null;
  version: string | null;
  computeDrivers: string[];
}

export type GatewayInfoResult =
  | { kind: "info"; report: GatewayInfoReport }
  /** The call failed in a way that says something (not registered, unreachable, gateway too old). */
  | { kind: "error"; errorKind: string; line: string };

export function parseGatewayInfo(run: Captured): Fact<GatewayInfoResult> {
  const json = extractJson(run.output);
  if (isRecord(json) && ("server" in json || "gateway" in json)) {
    const drivers = Array.isArray(json.compute_drivers)
      ? json.compute_drivers.flatMap((driver) => (isRecord(driver) && typeof driver.name === "string" ? [driver.name] : []))
      : [];
    return known({
      kind: "info",
      report: {
        form: "live",
        gateway: stringOrNull(json.gateway),
        endpoint: stringOrNull(json.server),
        remoteHost: null,
        status: stringOrNull(json.status),
        version: stringOrNull(json.version),
        computeDrivers: drivers,
      },
    });
  }

  const error = classifyOpenShellError(run.output);
  if (run.exitCode !== 0 || !/Gateway Info/.test(stripAnsi(run.output))) {
    if (error !== null) return known({ kind: "error", errorKind: error.kind, line: error.line });
    return unknown(`openshell gateway info ${describeExit(run.exitCode)}`, run.output);
  }

  const fields = keyValueLines(run.output);
  const live = fields.has("Server") || fields.has("Version");
  return known({
    kind: "info",
    report: {
      form: live ? "live" : "local",
      gateway: fields.get("Gateway") ?? null,
      endpoint: fields.get("Gateway endpoint") ?? fields.get("Server") ?? null,
      remoteHost: fields.get("Remote host") ?? null,
      status: fields.get("Status") ?? null,
      version: fields.get("Version") ?? null,
      computeDrivers: live ? driversOfText(run.output) : [],
    },
  });
}

/** Names listed under `Compute drivers:` (one per line, indented, before their details). */
function driversOfText(text: string): string[] {
  const lines = stripAnsi(text).split("\n");
  const start = lines.findIndex((line) => /^\s*Compute drivers:\s*$/.test(line));
  if (start < 0) return [];
  const indent = (line: string) => line.length - line.trimStart().length;
  const headerIndent = indent(lines[start]!);
  const drivers: string[] = [];
  let driverIndent: number | null = null;
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "") continue;
    if (indent(line) <= headerIndent) break;
    driverIndent ??= indent(line);
    if (indent(line) === driverIndent && !line.includes(":")) drivers.push(line.trim());
  }
  return drivers;
}
