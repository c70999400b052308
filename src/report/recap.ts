/**
 * The recap at the end of a run (and of `nemoclaw history <run>`): one line per host with its
 * outcome and step counts, the detail that matters for hosts that did not finish cleanly, then the
 * fleet totals, the exit code and where an interrupted run stopped.
 */
import type { HostStatus } from "../apply/events.js";
import { HOST_STATUSES } from "../apply/events.js";
import { describeHolder } from "../apply/lock.js";
import type { HostState, RunSummary } from "../apply/tally.js";
import type { Colors } from "./color.js";
import { formatDuration, hostStatusPaint, indent, labelled, lastLines, staleLines, STEP_MARK, stepStatusPaint } from "./progress-format.js";

const EXIT_MEANING: Record<number, string> = {
  0: "success",
  2: "changes pending: steps held back",
  3: "a selection named nothing",
  4: "unreachable hosts",
  5: "failed hosts",
  6: "stale plan",
  7: "host lock held",
  8: "preflight refused",
  130: "interrupted",
};

function stepCounts(host: HostState): string {
  const count = (status: string) => host.steps.filter((step) => step.status === status).length;
  const parts = [`${count("ok")} ok`];
  for (const status of ["failed", "skipped", "cancelled", "pending"] as const) {
    const n = count(status);
    if (n > 0) parts.push(`${n} ${status === "pending" ? "not started" : status}`);
  }
  if (host.heldBack.length > 0) parts.push(`${host.heldBack.length} held back`);
  return parts.join(", ");
}

function hostDetail(host: HostState, colors: Colors): string[] {
  const pad = "      ";
  const lines: string[] = [];
  if (host.reclaimed) lines.push(`${pad}reclaimed the lock${host.reclaimed.holder ? ` of ${describeHolder(host.reclaimed.holder)}` : ""} (${host.reclaimed.reason})`);
  for (const step of host.steps) {
    if (step.status !== "failed" && step.status !== "cancelled") continue;
    lines.push(`${pad}${stepStatusPaint(step.status, colors)(STEP_MARK[step.status])} ${step.id}: ${step.error ?? step.status}`);
    if (step.failureKind) lines.push(`${pad}  failure kind: ${step.failureKind}`);
    if (step.postcondition) lines.push(`${pad}  expected: ${step.postcondition.expected}`, `${pad}  seen:     ${step.postcondition.seen}`);
    lines.push(...indent(lastLines(step.output, 3), `${pad}  ${colors.dim("| ")}`));
    lines.push(...indent(step.notes, `${pad}  `));
    if (step.hint) lines.push(...labelled("hint: ", step.hint, `${pad}  `, colors.yellow));
  }
  for (const note of host.notes) lines.push(`${pad}${note.level === "warning" ? colors.yellow("warning: ") : ""}${note.message}`);
  if (host.healthGate && host.healthGate.status !== "healthy") {
    for (const sandbox of host.healthGate.sandboxes.filter((candidate) => !candidate.healthy)) {
      // Cut short, the gate judged nothing: what the last check saw, not its raw output as a failure's evidence.
      if (host.healthGate.status === "interrupted") lines.push(`${pad}${sandbox.sandbox}: not yet healthy when interrupted: ${sandbox.detail}`);
      else lines.push(...indent(lastLines(sandbox.output, 3), `${pad}${colors.dim(`${sandbox.sandbox} | `)}`));
    }
  }
  for (const step of host.heldBack) lines.push(`${pad}${colors.yellow("pending")} ${step.id} [${step.risk}]: held back, ${step.because}`);
  if (host.status === "locked" && host.holder) lines.push(`${pad}held by ${describeHolder(host.holder)}`);
  if (host.status === "blocked" && host.block) lines.push(...host.block.map((line) => (line === "" ? "" : `    ${line}`)));
  lines.push(...indent(staleLines(host.changedFacts, host.stepDrift), pad));
  return lines;
}

export function formatRecap(summary: RunSummary, colors: Colors): string[] {
  const lines = [colors.bold(`RECAP ${summary.runId}${summary.header?.source === "backup" ? " (backup run)" : ""}`)];
  const width = Math.max(4, ...summary.hosts.map((host) => host.host.length));
  for (const host of summary.hosts) {
    const status: HostStatus | "unfinished" = host.status ?? "unfinished";
    const paint = host.status ? hostStatusPaint(host.status, colors) : colors.yellow;
    const columns = [
      `  ${host.host.padEnd(width)}`,
      paint(status.padEnd(12)),
      host.steps.length > 0 || host.heldBack.length > 0 ? stepCounts(host) : "",
      host.durationMs ? colors.dim(formatDuration(host.durationMs)) : "",
    ];
    lines.push(columns.filter(Boolean).join("  ").trimEnd());
    if (host.message && host.status !== "ok") lines.push(`      ${host.message}`);
    lines.push(...hostDetail(host, colors));
  }
  const counts = new Map<HostStatus, number>();
  for (const host of summary.hosts) if (host.status) counts.set(host.status, (counts.get(host.status) ?? 0) + 1);
  const totals = HOST_STATUSES.filter((status) => counts.has(status)).map((status) => hostStatusPaint(status, colors)(`${counts.get(status)} ${status}`));
  // A run killed before a host finished leaves that host without an outcome: counted too, so the totals add up.
  const unfinished = summary.hosts.filter((host) => host.status === null).length;
  if (unfinished > 0) totals.push(colors.yellow(`${unfinished} unfinished`));
  lines.push("", `fleet: ${summary.hosts.length} host${summary.hosts.length === 1 ? "" : "s"}${totals.length ? ` — ${totals.join(", ")}` : ""}`);
  if (summary.threshold) {
    lines.push(colors.red(`wave ${summary.threshold.wave} exceeded the maximum failure percentage (${summary.threshold.failPercentage.toFixed(0)}% > ${summary.threshold.maxFailPercentage}%); ${summary.threshold.skipped.length} host(s) not started`));
  }
  if (summary.interrupted) {
    if (summary.stoppedAt.length === 0) lines.push(colors.yellow(summary.complete ? "interrupted; no host was part-way through its work" : "the run ended without finishing (killed or crashed)"));
    else lines.push(colors.yellow(summary.complete ? "interrupted; stopped at:" : "the run ended without finishing (killed or crashed); last known state:"));
    for (const stop of summary.stoppedAt) {
      const state = summary.hosts.find((host) => host.host === stop.host);
      const gating = state !== undefined && (state.gating !== null || state.healthGate?.status === "interrupted");
      const where = stop.step ? `during ${stop.step}` : gating ? "during the health gate" : "between steps";
      lines.push(`  ${stop.host}: ${where}${stop.notStarted.length ? `; not started: ${stop.notStarted.join(", ")}` : ""}`);
    }
  }
  const meaning = EXIT_MEANING[summary.exitCode] ?? "error";
  lines.push(`exit ${summary.exitCode} (${meaning})${summary.durationMs !== null ? `, ${formatDuration(summary.durationMs)}` : ""}`);
  // Known once the run has ended, so only a recap read back from the journal has it.
  for (const problem of summary.notify?.problems ?? []) lines.push(colors.yellow(`notify: ${problem}`));
  if (summary.header?.journal) lines.push(colors.dim(`journal: ${summary.header.journal}`));
  return lines;
}
