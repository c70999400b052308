// @ts-check
// OpenShell's terminal styling, byte for byte: owo-colors 4 without `supports-colors`, so the
// SGR codes are written even when stdout is a pipe; errors are miette graphical reports;
// argument errors are clap's (clap.mjs).

import { atLeast } from "./versions.mjs";

/** @param {string} s */
export const bold = (s) => `\x1b[1m${s}\x1b[0m`;
/** @param {string} s */
export const dimmed = (s) => `\x1b[2m${s}\x1b[0m`;
/** @param {string} s */
export const green = (s) => `\x1b[32m${s}\x1b[39m`;
/** @param {string} s */
export const red = (s) => `\x1b[31m${s}\x1b[39m`;
/** @param {string} s */
export const yellow = (s) => `\x1b[33m${s}\x1b[39m`;
/** @param {string} s */
export const cyan = (s) => `\x1b[36m${s}\x1b[39m`;

/**
 * textwrap's first-fit wrapping as miette applies it (width 78 including the `  × ` / `  │ `
 * prefixes): words break at spaces, a word longer than a line is split.
 * @param {string} text one line of the message
 * @param {string} first prefix of the first output line
 * @param {string} rest prefix of the following lines
 * @param {number} width
 */
function wrapLine(text, first, rest, width) {
  /** @type {string[]} */
  const lines = [];
  let current = first;
  let empty = true;
  for (const word of text.split(" ")) {
    let piece = word;
    const prefix = lines.length === 0 ? first : rest;
    if (!empty && current.length + 1 + piece.length <= width) {
      current += ` ${piece}`;
      continue;
    }
    if (!empty) {
      lines.push(current);
      current = rest;
    }
    while (prefix.length + piece.length > width && piece.length > width - rest.length) {
      lines.push(`${current}${piece.slice(0, width - current.length)}`);
      piece = piece.slice(width - current.length);
      current = rest;
    }
    current += piece;
    empty = false;
  }
  lines.push(current);
  return lines;
}

/**
 * A miette graphical report as `main` returning `Err(report)` prints it on a non-TTY stderr
 * (miette 7.6, width 80: text wrapped at 78 columns behind `  × ` then `  │ `), then the cause
 * chain, then the blank line std's `Termination` adds.
 * @param {string} message
 * @param {string[]} [causes]
 */
export function mietteError(message, causes = []) {
  /** @type {string[]} */
  const lines = [];
  message.split("\n").forEach((line, index) => {
    lines.push(...wrapLine(line, index === 0 ? "  × " : "  │ ", "  │ ", 78));
  });
  let out = `Error: ${lines.join("\n").replace(/^ {2}/, "  ")}\n`;
  causes.forEach((cause, index) => {
    out += `  ${index === causes.length - 1 ? "╰─▶" : "├─▶"} ${cause}\n`;
  });
  return `${out}\n`;
}

/** tonic 0.14's `Code::description` (OpenShell ≥ 0.0.61). */
const CODE_DESCRIPTIONS = /** @type {Record<string, string>} */ ({
  Cancelled: "The operation was cancelled",
  Unknown: "Unknown error",
  InvalidArgument: "Client specified an invalid argument",
  DeadlineExceeded: "Deadline expired before operation could complete",
  NotFound: "Some requested entity was not found",
  AlreadyExists: "Some entity that we attempted to create already exists",
  PermissionDenied: "The caller does not have permission to execute the specified operation",
  ResourceExhausted: "Some resource has been exhausted",
  FailedPrecondition: "The system is not in a state required for the operation's execution",
  Aborted: "The operation was aborted",
  OutOfRange: "Operation was attempted past the valid range",
  Unimplemented: "Operation is not implemented or not supported",
  Internal: "Internal error",
  Unavailable: "The service is currently unavailable",
  DataLoss: "Unrecoverable data loss or corruption",
  Unauthenticated: "The request does not have valid authentication credentials",
});

/**
 * tonic's `Status` Display as it reaches the user through `into_diagnostic()`: tonic 0.12
 * (OpenShell ≤ 0.0.60) prints code, message, details and the response metadata; tonic 0.14
 * (≥ 0.0.61) prints the code's description and the message.
 * @param {string} cliVersion
 * @param {string} code e.g. `NotFound`, `Internal`
 * @param {string} message
 */
export function grpcStatus(cliVersion, code, message) {
  if (atLeast(cliVersion, "0.0.61")) return `code: '${CODE_DESCRIPTIONS[code] ?? code}', message: ${JSON.stringify(message)}`;
  const date = new Date().toUTCString();
  return `status: ${code}, message: ${JSON.stringify(message)}, details: [], metadata: MetadataMap { headers: {"content-type": "application/grpc", "date": "${date}", "content-length": "0"} }`;
}

/** What every gRPC call prints when nothing listens on the gateway port. */
export const TRANSPORT_REFUSED = mietteError("transport error", ["tcp connect error", "Connection refused (os error 111)"]);

/** `openshell status` when both the gRPC connect and the `/healthz` probe are refused. */
export const HTTP_CLIENT_REFUSED = mietteError("client error (Connect)", ["tcp connect error", "Connection refused (os error 111)"]);
