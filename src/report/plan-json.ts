/** The machine view of a plan: the versioned Plan object (schemas/plan.schema.json), and its exit code. */
import type { HostPlanStatus, Plan } from "../plan/types.js";
import { ExitCode, type ExitCodeValue, mostSevere } from "../exit-codes.js";

export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/**
 * `nemoclaw plan` exit code. Blocked and unreachable hosts always map to their own codes; with
 * `--detailed-exitcode` pending changes give 2, and so does a host whose facts were partly
 * unknown (its plan may be incomplete, so "nothing to do" would be a claim we cannot make).
 */
export function planExitCode(plan: Plan, options: { detailed: boolean }): ExitCodeValue {
  const codeFor = (status: HostPlanStatus): ExitCodeValue => {
    switch (status) {
      case "blocked":
        return ExitCode.PreflightRefused;
      case "unreachable":
        return ExitCode.Unreachable;
      case "changes":
      case "unknown":
        return options.detailed ? ExitCode.Changes : ExitCode.Ok;
      case "no-changes":
        return ExitCode.Ok;
    }
  };
  return mostSevere(plan.hosts.map((host) => codeFor(host.status)));
}
