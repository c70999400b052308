/**
 * `openshell status [-g gw] [-o json]`. Text (all versions; the `Gateway:`/`Status:` lines may
 * arrive on stderr) or JSON (≥0.0.92). A transport failure exits 1 with a miette error and no
 * JSON: that is an observation ("unreachable"), not an unknown.
 */
import type { Fact } from "../output.js";
import { classifyOpenShellError, describeOpenShellError } from "./errors.js";
import { type Captured, describeExit, extractJson, isRecord, keyValueLines, known, stringOrNull, unknown } from "../output.js";

export type GatewayStatusState =
  | "connected"
  /** gRPC failed but the HTTP health probe answered: state RPCs will not work. */
  | "connected_http"
  | "error"
  | "disconnected"
  | "not_configured"
  | "not_registered"
  | "unreachable";

export interface GatewayStatusReport {
  state: GatewayStatusState;
  gateway: string | null;
  server: string | null;
  /** The live gateway's version, when the CLI prints it (HEAD text and JSON). */
  version: string | null;
  /** The error line behind a non-connected state. */
  detail: string | null;
  /**
   * The `Authentication:` verdict of ≥0.0.91 (`authenticated`, `not_required`, `failed`,
   * `unverified`) and its parenthesised reason; null when the release prints none
   * (OS@v0.0.111:crates/openshell-cli/src/commands/gateway.rs:263-315).
   */
  authentication: { status: string; detail: string | null } | null;
}

/** `Authenticated (mTLS transport)`, `Failed (<error>)` … as the text form prints them. */
function authenticationOfText(value: string | undefined): GatewayStatusReport["authentication"] {
  if (value === undefined) return null;
  const match = /^(Authenticated|Not required|Failed|Unverified)\b\s*(?:\((.*)\))?\s*$/.exec(value);
  if (match === null) return { status: "unknown", detail: value };
  return { status: match[1]!.toLowerCase().replace(" ", "_"), detail: match[2] ?? null };
}

function authenticationOfJson(value: unknown): GatewayStatusReport["authentication"] {
  if (!isRecord(value)) return null;
  const detail = stringOrNull(value.error) ?? stringOrNull(value.reason) ?? stringOrNull(value.provider) ?? stringOrNull(value.mode);
  return { status: stringOrNull(value.status) ?? "unknown", detail };
}

const JSON_STATES = new Set(["connected", "connected_http", "error", "disconnected", "not_configured"]);

export function parseOpenShellStatus(run: Captured): Fact<GatewayStatusReport> {
  const json = extractJson(run.output);
  if (isRecord(json) && typeof json.status === "string") {
    if (!JSON_STATES.has(json.status)) return unknown(`openshell status reported an unknown status "${json.status}"`, run.output);
    return known({
      state: json.status as GatewayStatusState,
      gateway: stringOrNull(json.gateway),
      server: stringOrNull(json.server),
      version: stringOrNull(json.version),
      detail: stringOrNull(json.error),
      authentication: authenticationOfJson(json.authentication),
    });
  }

  const fields = keyValueLines(run.output);
  const report = (state: GatewayStatusState, detail: string | null): Fact<GatewayStatusReport> =>
    known({
      state,
      gateway: fields.get("Gateway") ?? null,
      server: fields.get("Server") ?? null,
      version: fields.get("Version") ?? null,
      detail,
      authentication: authenticationOfText(fields.get("Authentication")),
    });

  const error = classifyOpenShellError(run.output);
  if (run.exitCode !== 0) {
    switch (error?.kind) {
      case "connection-refused":
      case "transport-error":
      case "tls":
      case "auth":
        return report("unreachable", error.line);
      case "no-gateway-configured":
      case "no-active-gateway":
        return report("not_configured", error.line);
      case "gateway-not-found":
        return report("not_registered", error.line);
      case "protobuf-mismatch":
        return report("error", error.line);
      default:
        return unknown(
          `openshell status ${describeExit(run.exitCode)}${error ? ` (${describeOpenShellError(error)})` : ""}`,
          run.output,
        );
    }
  }

  const status = fields.get("Status");
  if (status !== undefined) {
    if (/^Connected\s*\(HTTP\)/i.test(status)) return report("connected_http", status);
    if (/^Connected\b/i.test(status)) return report("connected", null);
    if (/^Disconnected\b/i.test(status)) return report("disconnected", error?.line ?? `Status: ${status}`);
    if (/^Error\b/i.test(status)) return report("error", error?.line ?? `Status: ${status}`);
    // No gateway, or an unknown `-g`: a block with this Status line, exit 0, in every release
    // (OS@v0.0.72:crates/openshell-cli/src/main.rs:2090-2099, OS@v0.0.111:main.rs:2378-2386).
    if (/^No gateway configured\b/i.test(status)) return report("not_configured", `Status: ${status}`);
    return unknown(`openshell status printed an unknown status "${status}"`, run.output);
  }
  if (error?.kind === "no-gateway-configured" || error?.kind === "no-active-gateway") return report("not_configured", error.line);
  return unknown("openshell status printed no Status line", run.output);
}
