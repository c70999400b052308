/** `nemoclaw facts --json`: the ObservedFleet as observed (docs/facts.md), and the command's exit code. */
import type { ObservedFleet } from "../observe/types.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";

export function renderFactsJson(observed: ObservedFleet): string {
  return `${JSON.stringify(observed, null, 2)}\n`;
}

/** Unreachable when any host could not be (fully) observed, else success. */
export function factsExitCode(observed: ObservedFleet): ExitCodeValue {
  return observed.hosts.some((host) => host.unreachable !== null) ? ExitCode.Unreachable : ExitCode.Ok;
}
