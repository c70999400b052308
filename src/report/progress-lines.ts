/**
 * The plain progress view: one or a few lines per event, for logs, CI and any output that is not
 * a terminal. Every line names its host, so interleaved hosts stay readable with `grep`.
 */
import type { ApplyEvent, EventOf } from "../apply/events.js";
import { describeHolder } from "../apply/lock.js";
import type { Colors } from "./color.js";
import { formatDuration, hostStatusPaint, indent, labelled, lastLines, staleLines, STEP_MARK, stepStatusPaint } from "./progress-format.js";

/** Output lines shown under a failed step. */
const FAILED_OUTPUT_LINES = 8;

/** Long in-sandbox scripts are cut to their first line here; the journal and --json keep them whole. */
function firstLine(command: string): string {
  const lines = command.split("\n");
  return lines.length === 1 ? command : `${lines[0]} … (${lines.length - 1} more lines; see the journal)`;
}

/** The gate's verdict: each sandbox with the check's account; for a failed one its output and the backups taken before. */
export function healthGateLines(event: EventOf<"health-gate-finished">, tag: string, colors: Colors): string[] {
  const pad = "    ";
  const head = event.status === "healthy" ? colors.green(`${STEP_MARK.ok} health gate passed`) : event.status === "interrupted" ? colors.yellow("health gate interrupted") : colors.red(`${STEP_MARK.failed} health gate failed`);
  const lines = [`${tag} ${head} (${formatDuration(event.durationMs)}, ${event.attempts} round${event.attempts === 1 ? "" : "s"})`];
  for (const sandbox of event.sandboxes) {
    const mark = sandbox.healthy ? colors.green(STEP_MARK.ok) : colors.red(STEP_MARK.failed);
    lines.push(`${pad}${mark} ${sandbox.gateway}/${sandbox.sandbox}: ${sandbox.detail}`, colors.dim(`${pad}  by ${sandbox.check}`));
    if (!sandbox.healthy) lines.push(...indent(lastLines(sandbox.output, FAILED_OUTPUT_LINES), `${pad}  ${colors.dim("| ")}`));
  }
  if (event.backups.length > 0) lines.push(`${pad}backups taken before the change:`, ...indent(event.backups, `${pad}  `));
  return lines;
}

export function formatEventLines(event: ApplyEvent, colors: Colors): string[] {
  const tag = (host: string) => colors.bold(`[${host}]`);
  switch (event.type) {
    case "run-started": {
      const hosts = event.selection.hosts.length;
      const withWork = event.waves.flat().length;
      const held = Object.values(event.heldBack ?? {}).flat().length;
      return [
        `${colors.bold(`apply ${event.runId}`)}: ${hosts} host${hosts === 1 ? "" : "s"}, ${withWork} with changes, ${event.waves.length} wave${event.waves.length === 1 ? "" : "s"} (concurrency ${event.concurrency}, max fail ${event.maxFailPercentage}%)`,
        ...(held > 0 ? [colors.yellow(`${held} step${held === 1 ? "" : "s"} held back by --max-risk ${event.maxRisk ?? ""} (pending; see the recap)`)] : []),
        ...(event.journal ? [colors.dim(`journal: ${event.journal}`)] : []),
      ];
    }
    case "wave-started":
      return [colors.bold(`wave ${event.wave}/${event.waves}: ${event.hosts.join(", ")}`)];
    case "wave-finished":
      return [`wave ${event.wave} finished: ${event.failed} failed, ${event.unreachable} unreachable of ${event.hosts} (${event.failPercentage.toFixed(0)}%)`];
    case "threshold-exceeded":
      return [
        colors.red(
          `wave ${event.wave} exceeded the maximum failure percentage (${event.failPercentage.toFixed(0)}% > ${event.maxFailPercentage}%): not starting ${event.skipped.join(", ")}`,
        ),
      ];
    case "host-started":
      return [`${tag(event.host)} started: ${event.steps} step${event.steps === 1 ? "" : "s"}`];
    case "lock-waiting":
      return [`${tag(event.host)} ${colors.yellow("waiting")} up to ${formatDuration(event.timeoutMs)} for the host lock of ${describeHolder(event.holder)}`];
    case "lock-acquired":
      return event.reclaimed
        ? [`${tag(event.host)} ${colors.yellow("reclaimed the host lock")}${event.reclaimed.holder ? ` of ${describeHolder(event.reclaimed.holder)}` : ""}: ${event.reclaimed.reason}`]
        : [];
    case "lock-released":
      return [];
    case "host-note":
      return [`${tag(event.host)} ${event.level === "warning" ? colors.yellow("warning:") : "note:"} ${event.message}`];
    case "step-started":
      return [
        `${tag(event.host)} ${colors.cyan(STEP_MARK.running)} ${event.step}`,
        ...indent(event.commands.map(firstLine), `${" ".repeat(event.host.length + 5)}${colors.dim("$ ")}`),
      ];
    case "step-retrying":
      return [`${tag(event.host)} ${colors.yellow("↻")} ${event.step}: ${event.reason}; attempt ${event.attempt} in ${formatDuration(event.delayMs)}`];
    case "step-finished": {
      const paint = stepStatusPaint(event.status, colors);
      const pad = " ".repeat(event.host.length + 5);
      const head = `${tag(event.host)} ${paint(STEP_MARK[event.status])} ${event.step}${event.status === "skipped" ? "" : ` (${formatDuration(event.durationMs)})`}`;
      if (event.status === "ok") return [head, ...indent(event.notes, pad)];
      const lines = [`${head}: ${paint(event.error ?? event.status)}`];
      if (event.failureKind) lines.push(`${pad}failure kind: ${event.failureKind}`);
      if (event.status === "failed") lines.push(...indent(lastLines(event.output, FAILED_OUTPUT_LINES), `${pad}${colors.dim("| ")}`));
      lines.push(...indent(event.notes, pad));
      if (event.hint) lines.push(...labelled("hint: ", event.hint, pad, colors.yellow));
      return lines;
    }
    case "host-finished": {
      const paint = hostStatusPaint(event.status, colors);
      const lines = [`${tag(event.host)} ${paint(event.status)}${event.durationMs > 0 ? ` (${formatDuration(event.durationMs)})` : ""}${event.message ? `: ${event.message}` : ""}`];
      if (event.block) lines.push(...event.block);
      lines.push(...indent(staleLines(event.changedFacts, event.stepDrift), "    "));
      return lines;
    }
    case "health-gate-started":
      return [`${tag(event.host)} health gate: waiting up to ${formatDuration(event.timeoutMs)} for ${event.sandboxes.join(", ")} to be healthy`];
    case "health-gate-finished":
      return healthGateLines(event, tag(event.host), colors);
    case "run-interrupting":
      return [
        colors.yellow(
          event.stage === "draining"
            ? "interrupted: letting running steps finish, starting nothing new (Ctrl-C again to abort them)"
            : "aborting running steps",
        ),
      ];
    case "run-finished":
    // Its problems were warnings on stderr as they happened.
    case "notify-finished":
      return [];
  }
}
