import { sandboxNameProblem } from "../config/names.js";
import type { PreflightBlock } from "../plan/types.js";

/** A backup or restore that was refused before anything was changed, with the reason to act on. */
export class BackupRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`${host}: ${reason}`);
    this.name = "BackupRefusedError";
  }
}

/** The schema preflight refused the host: nothing was written for it. */
export class PreflightRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly block: PreflightBlock,
  ) {
    super(`${host}: OpenShell gateway schema preflight refused the operation${block.lines.join("\n")}`);
    this.name = "PreflightRefusedError";
  }
}

/** Refuses a sandbox name NemoClaw would not take, saying which rule it breaks. */
export function assertSandboxName(host: string, name: string): void {
  const problem = sandboxNameProblem(name);
  if (problem !== undefined) throw new BackupRefusedError(host, `${JSON.stringify(name)} is not a valid sandbox name: ${problem}`);
}
