// @ts-check
// OpenShell's terminal styling, byte for byte: owo-colors 4 without `supports-colors`, so the
// SGR codes are written even when stdout is a pipe; errors are miette graphical reports;
// argument errors are clap's.

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
 * A miette graphical report as printed by `main` returning `Err(report)`: the first message
 * line after `×`, further message lines behind `│`, then the cause chain.
 * @param {string} message
 * @param {string[]} [causes]
 */
export function mietteError(message, causes = []) {
  const [first, ...rest] = message.split("\n");
  let out = `Error:   × ${first}\n`;
  for (const line of rest) out += `  │ ${line}\n`;
  causes.forEach((cause, index) => {
    out += `  ${index === causes.length - 1 ? "╰─▶" : "├─▶"} ${cause}\n`;
  });
  return `${out}\n`;
}

/**
 * tonic's `Status` Display as it reaches the user through `into_diagnostic()`.
 * @param {string} code e.g. `NotFound`, `Internal`
 * @param {string} message
 */
export function grpcStatus(code, message) {
  const date = new Date().toUTCString();
  return `status: ${code}, message: ${JSON.stringify(message)}, details: [], metadata: MetadataMap { headers: {"content-type": "application/grpc", "date": "${date}", "content-length": "0"} }`;
}

/** What every gRPC call prints when nothing listens on the gateway port. */
export const TRANSPORT_REFUSED = mietteError("transport error", ["tcp connect error", "Connection refused (os error 111)"]);

/** `openshell status` when both the gRPC connect and the `/healthz` probe are refused. */
export const HTTP_CLIENT_REFUSED = mietteError("client error (Connect)", ["tcp connect error", "Connection refused (os error 111)"]);

/**
 * A clap usage error (exit 2).
 * @param {string} message e.g. `unrecognized subcommand 'destroy'`
 * @param {string} usage e.g. `openshell gateway [OPTIONS] <COMMAND>`
 */
export function clapError(message, usage) {
  return `error: ${message}\n\nUsage: ${usage}\n\nFor more information, try '--help'.\n`;
}
