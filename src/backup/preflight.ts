/**
 * The schema preflight before a backup or restore touches a host (design scenario 1): the
 * installed OpenShell CLI and every running gateway must agree, or the host gets NemoClaw's exact
 * block (shared with plan/apply, with this command's action and command line) and nothing is
 * written for it. A host whose versions cannot be read is not trusted either.
 */
import type { ObservedHost } from "../observe/types.js";
import { checkSchema, preflightBlock } from "../plan/preflight.js";
import type { PreflightBlock } from "../plan/types.js";

export const BACKUP_PREFLIGHT = { action: "backing up sandboxes", command: "nemoclaw backup run" };
export const RESTORE_PREFLIGHT = { action: "restoring a sandbox backup", command: "nemoclaw backup restore" };

export type PreflightOutcome =
  | { state: "clean"; openshellVersion: string }
  | { state: "refused"; block: PreflightBlock }
  /** Versions could not be established (OpenShell missing, gateways unreadable): not safe either. */
  | { state: "unknown"; reason: string };

/** The block as printed, one string. */
export function blockText(block: PreflightBlock): string {
  return block.lines.join("\n");
}

export class PreflightRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly block: PreflightBlock,
  ) {
    super(`${host}: OpenShell gateway schema preflight refused the operation${blockText(block)}`);
    this.name = "PreflightRefusedError";
  }
}

export function preflight(observed: ObservedHost, wording: { action: string; command: string }): PreflightOutcome {
  if (observed.unreachable) return { state: "unknown", reason: `unreachable: ${observed.unreachable.message}` };
  const openshell = observed.openshell;
  if (openshell.state === "unknown") return { state: "unknown", reason: `OpenShell CLI version unknown: ${openshell.reason}` };
  if (!openshell.value.installed) return { state: "unknown", reason: "OpenShell is not installed" };
  if (openshell.value.version === null) return { state: "unknown", reason: "the installed OpenShell CLI did not report a version" };
  const installed = openshell.value.version;
  const check = checkSchema(observed, installed);
  switch (check.state) {
    case "clean":
      return { state: "clean", openshellVersion: installed };
    case "issue":
      return { state: "refused", block: preflightBlock(check.issue, installed, wording) };
    case "unknown":
      return { state: "unknown", reason: `${check.fact}: ${check.reason}` };
  }
}
