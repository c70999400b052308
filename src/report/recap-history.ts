/** `nemoclaw history`: the list of past runs, newest first, one line each. */
import { listedRunKind, type RunListing } from "../apply/history.js";
import type { HostStatus } from "../apply/events.js";
import { HOST_STATUSES } from "../apply/events.js";
import type { Colors } from "./color.js";
import { formatDuration, hostStatusPaint } from "./progress-format.js";

export function formatRunList(runs: readonly RunListing[], colors: Colors): string[] {
  if (runs.length === 0) return ["no runs recorded yet"];
  return runs.map((run) => {
    const outcomes = HOST_STATUSES.filter((status) => run.outcomes[status])
      .map((status: HostStatus) => hostStatusPaint(status, colors)(`${run.outcomes[status]} ${status}`))
      .concat(unfinishedHosts(run) > 0 ? [colors.yellow(`${unfinishedHosts(run)} unfinished`)] : [])
      .join(", ");
    const state = run.damaged !== null ? colors.red(`damaged journal: ${run.damaged}`) : run.complete ? `exit ${run.exitCode}` : colors.yellow("did not finish");
    const who = run.user && run.machine ? `${run.user}@${run.machine}` : "?";
    return [
      colors.bold(run.runId),
      listedRunKind(run).padEnd(10),
      who,
      run.fleet ?? "?",
      `${run.hosts} host${run.hosts === 1 ? "" : "s"}${outcomes ? ` (${outcomes})` : ""}`,
      state,
      run.durationMs !== null ? colors.dim(formatDuration(run.durationMs)) : "",
    ]
      .filter(Boolean)
      .join("  ");
  });
}

/** Hosts of a run with no outcome in its journal (the run was killed before they finished), so the counts add up to its hosts. */
export function unfinishedHosts(run: RunListing): number {
  const finished = Object.values(run.outcomes).reduce((sum, count) => sum + (count ?? 0), 0);
  return Math.max(0, run.hosts - finished);
}
