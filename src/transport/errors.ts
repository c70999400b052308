/**
 * Turning low-level failures (socket errors, ssh2 handshake and auth errors, exits) into
 * `TransportError`s with a kind and one line a human can act on.
 */
import { TransportError, type RunResult } from "./types.js";

const UNREACHABLE_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network unreachable",
  EHOSTDOWN: "host is down",
  ETIMEDOUT: "connection timed out",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed (temporary)",
  EPIPE: "connection closed",
};

/**
 * The host ended authentication (RFC 4253 disconnect reasons 14 and 15). OpenSSH's sshd, after
 * MaxAuthTries failed keys, sends "Too many authentication failures" as a protocol error (2)
 * instead (auth.c, auth_maxtries_exceeded). Neither is a network failure, nor worth a retry
 * that would only fail the same way.
 */
const AUTH_DISCONNECTS: Record<number, string> = {
  14: "the host ended authentication",
  15: "the host refused the user name",
};
const TOO_MANY_FAILURES = /^Too many authentication failures/i;
const TOO_MANY_KEYS_HINT =
  "every key offered counts against sshd's MaxAuthTries: name the host's key in identityFile (its agent copy is then offered first) or set identitiesOnly: true";

interface Ssh2Error extends Error {
  level?: string;
  /** A socket error's code, or the SSH disconnect reason the host sent. */
  code?: string | number;
  /** Channel open failures carry the SSH reason code. */
  reason?: number;
}

/**
 * Classify an error raised while connecting. `where` names the endpoint (`user@address:port`,
 * or `bastion x (…)`) so the one-line cause says which hop failed.
 */
export function classifyConnectError(host: string, where: string, error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  const err = error as Ssh2Error;
  const message = firstLine(err?.message ?? String(error));
  const code = err?.code;
  if (typeof code === "number") {
    const tooMany = TOO_MANY_FAILURES.test(message);
    const ended = AUTH_DISCONNECTS[code] ?? (tooMany ? AUTH_DISCONNECTS[14] : undefined);
    if (ended !== undefined) return new TransportError("auth-failed", host, `${where}: ${ended}: ${message}${tooMany ? ` (${TOO_MANY_KEYS_HINT})` : ""}`, { cause: error });
  }
  if (typeof code === "string" && UNREACHABLE_CODES[code] !== undefined) {
    return new TransportError("unreachable", host, `${where}: ${UNREACHABLE_CODES[code]}`, { cause: error });
  }
  if (err?.level === "client-timeout") {
    return new TransportError("unreachable", host, `${where}: no SSH handshake within the connect timeout`, { cause: error });
  }
  if (err?.level === "client-authentication") {
    return new TransportError("auth-failed", host, `${where}: ${message}`, { cause: error });
  }
  if (err?.level === "client-dns") {
    return new TransportError("unreachable", host, `${where}: host name not found`, { cause: error });
  }
  return new TransportError("unreachable", host, `${where}: ${message}`, { cause: error });
}

/** Whether a connect failure may be retried: only when no session could have started. */
export function isRetryableConnectError(error: TransportError): boolean {
  return error.kind === "unreachable";
}

/**
 * For callers that need a command to have succeeded: a timeout or non-zero exit becomes a
 * TransportError naming what was being done and the first line of stderr.
 */
export function assertSucceeded(host: string, what: string, result: RunResult): RunResult {
  if (result.timedOut) return fail(new TransportError("timeout", host, `${what}: timed out after ${result.durationMs} ms`));
  if (result.exitCode === 0) return result;
  const detail = firstLine(result.stderr.toString("utf8")) || firstLine(result.stdout.toString("utf8"));
  const status = result.exitCode === null ? `killed by ${result.signal ?? "a signal"}` : `exit ${result.exitCode}`;
  return fail(new TransportError("command-failed", host, `${what}: ${status}${detail ? `: ${detail}` : ""}`));
}

function fail(error: TransportError): never {
  throw error;
}

export function firstLine(text: string): string {
  const line = text.split("\n").find((candidate) => candidate.trim() !== "") ?? "";
  return line.trim().slice(0, 300);
}
