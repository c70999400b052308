/**
 * The error texts OpenShell (and Docker under it) print, classified. Order matters: the most
 * specific signals (schema mismatch, migration failure) win over generic transport errors.
 * Texts are from NemoClaw's own classifiers and OpenShell's sources (reference §2.2, §4, §6).
 */
import { firstLineMatching } from "../output.js";

export type OpenShellErrorKind =
  /** The CLI and gateway disagree on the protobuf schema (`invalid wire type`, `proto decode`). */
  | "protobuf-mismatch"
  /** The gateway's database was migrated by a newer gateway than the one opening it. */
  | "migration-missing"
  /** A migration's checksum changed (e.g. 001 between ≤0.0.36 and ≥0.0.37). */
  | "migration-modified"
  | "docker-unreachable"
  | "no-gateway-configured"
  | "no-active-gateway"
  | "gateway-not-found"
  | "connection-refused"
  | "transport-error"
  | "tls"
  | "auth"
  | "sandbox-not-ready"
  | "not-found"
  /** The installed CLI does not know this subcommand or flag (clap usage error). */
  | "unsupported"
  /** `gateway info` against a gateway that predates the live RPC. */
  | "gateway-too-old";

export interface OpenShellError {
  kind: OpenShellErrorKind;
  /** The line that matched, trimmed. */
  line: string;
}

const RULES: Array<{ kind: OpenShellErrorKind; pattern: RegExp }> = [
  { kind: "protobuf-mismatch", pattern: /invalid wire type|proto(?:buf)?(?: decode| schema| wire)/i },
  { kind: "migration-missing", pattern: /migration \d+ was previously applied but is missing in the resolved migrations/i },
  { kind: "migration-modified", pattern: /migration \d+ was previously applied but has been modified/i },
  {
    kind: "docker-unreachable",
    pattern: /Cannot connect to the Docker daemon|Socket not found: \/var\/run\/docker\.sock|Is the docker daemon running\?/i,
  },
  { kind: "no-gateway-configured", pattern: /No gateway configured/i },
  { kind: "no-active-gateway", pattern: /No active gateway/i },
  { kind: "gateway-not-found", pattern: /No gateway metadata found|gateway '[^']*' (?:not found|does not exist)|unknown gateway/i },
  {
    kind: "connection-refused",
    pattern: /Connection refused|Connection reset|tcp connect error|client error \(Connect\)|Status:\s*Disconnected/i,
  },
  { kind: "tls", pattern: /handshake verification failed|invalid peer certificate|certificate verify failed|BadSignature|unknown authority/i },
  { kind: "auth", pattern: /Missing gateway auth token|device identity required|Unauthenticated|requires admin privileges|PermissionDenied/i },
  { kind: "transport-error", pattern: /transport error|deadline has elapsed|timed out|client error/i },
  { kind: "sandbox-not-ready", pattern: /is not ready \(phase:/i },
  { kind: "not-found", pattern: /NotFound|Not Found|sandbox not found|sandbox has no spec/i },
  { kind: "gateway-too-old", pattern: /is not supported by this gateway version/i },
  { kind: "unsupported", pattern: /unrecognized subcommand|unexpected argument|unrecognized option|invalid value '[^']*' for '--output/i },
];

export function classifyOpenShellError(text: string): OpenShellError | null {
  for (const rule of RULES) {
    const line = firstLineMatching(text, rule.pattern);
    if (line !== null) return { kind: rule.kind, line };
  }
  return null;
}

/** The protobuf/schema-mismatch line in any OpenShell output, if there is one. */
export function protobufMismatchLine(text: string): string | null {
  return firstLineMatching(text, RULES[0]!.pattern);
}

/** Human wording for an error kind, used in unknown-fact reasons and health reasons. */
export function describeOpenShellError(error: OpenShellError): string {
  const what: Record<OpenShellErrorKind, string> = {
    "protobuf-mismatch": "OpenShell CLI and gateway disagree on the protobuf schema",
    "migration-missing": "the gateway database was migrated by a newer gateway",
    "migration-modified": "a gateway database migration was modified",
    "docker-unreachable": "the Docker daemon is not reachable",
    "no-gateway-configured": "no gateway is configured",
    "no-active-gateway": "no active gateway",
    "gateway-not-found": "the gateway is not registered with the OpenShell CLI",
    "connection-refused": "the gateway refused the connection",
    "transport-error": "transport error talking to the gateway",
    tls: "TLS handshake with the gateway failed",
    auth: "the gateway rejected the CLI's credentials",
    "sandbox-not-ready": "the sandbox is not ready",
    "not-found": "not found",
    unsupported: "the installed OpenShell CLI does not support this command",
    "gateway-too-old": "the running gateway is older than this command needs",
  };
  return `${what[error.kind]}: ${error.line}`;
}
