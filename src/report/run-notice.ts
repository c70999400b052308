/**
 * What a webhook is told about a run (`notify:`): a JSON summary — hosts by outcome, what went
 * wrong and where, preflight blocks verbatim, health gate verdicts, what is still pending — and the
 * same as a Slack-compatible message. Built from the run's fold of its events (RunTally), so it
 * says what the recap and `nemoclaw history` say. It carries no command lines and no output but
 * the health gate's one-line verdicts; the caller scrubs it of every secret the run resolved.
 */
import type { HostStatus, NoticeState } from "../apply/events.js";
import { HOST_STATUSES } from "../apply/events.js";
import type { HostState, RunSummary } from "../apply/tally.js";
import type { NotifySettings } from "../config/types.js";
import type { Risk } from "../plan/types.js";
import { formatDuration } from "./progress-format.js";

export const RUN_NOTICE_VERSION = 1;

export interface RunNotice {
  kind: "nemoclaw-fleet-run";
  version: typeof RUN_NOTICE_VERSION;
  /** run-finished: the run's end; rollout-stopped: a health gate stopped the later waves (the run goes on to its end). */
  event: "run-finished" | "rollout-stopped";
  runId: string;
  /** apply of a fresh plan (fleet), of a saved plan (plan-file), or `backup run` (backup). */
  source: string | null;
  fleet: { name: string; file: string } | null;
  startedAt: string | null;
  durationMs: number | null;
  /** Null until the run has finished. */
  exitCode: number | null;
  /** Host names by outcome (only outcomes that occurred); `running` and `not-started` while the run goes on. */
  hosts: Partial<Record<HostStatus | "running" | "not-started", string[]>>;
  /** Hosts that did not end well, with why and the steps that failed. */
  problems: { host: string; status: HostStatus; message: string | null; failedSteps: { id: string; error: string | null }[] }[];
  /** NemoClaw's schema preflight blocks, line for line. */
  blocks: { host: string; lines: string[] }[];
  healthGates: { host: string; status: string; sandboxes: { sandbox: string; gateway: string; healthy: boolean; detail: string }[]; backups: string[] }[];
  /** Steps still to do: held back by the risk ceiling, or never started (a stopped rollout, an interruption). */
  pending: { host: string; steps: { id: string; risk: Risk | null; because: string }[] }[];
  /**
   * The run's trouble against the previous run of the same job: `new`, `continuing` (the same
   * hosts and exit code since `since`: told again every `remindEvery`), or `recovered` (the trouble that
   * began at `since` is gone). Null when there is none to tell, and in a stopped-rollout notice.
   */
  trouble: { state: "new" | "continuing" | "recovered"; since: string } | null;
  /** The wave whose failures stopped the later ones. */
  stopped: { wave: number; failPercentage: number; maxFailPercentage: number; skipped: string[] } | null;
  journal: string | null;
}

function pendingOf(host: HostState): RunNotice["pending"][number]["steps"] {
  const held = host.heldBack.map((step) => ({ id: step.id, risk: step.risk, because: `held back: ${step.because}` }));
  const notStarted = host.status === "skipped" || host.status === "interrupted" || host.status === null ? host.steps.filter((step) => step.status === "pending") : [];
  const why = host.message === null ? "not started yet" : host.message.startsWith("not started") ? host.message : `not started: ${host.message}`;
  return [...held, ...notStarted.map((step) => ({ id: step.id, risk: null, because: why }))];
}

const GOOD: ReadonlySet<HostStatus> = new Set(["ok", "no-changes"]);

export function runNotice(summary: RunSummary, event: RunNotice["event"], trouble: RunNotice["trouble"] = null): RunNotice {
  const hosts: RunNotice["hosts"] = {};
  const outcome = (host: HostState) => host.status ?? (host.started ? "running" : "not-started");
  for (const status of [...HOST_STATUSES, "running" as const, "not-started" as const]) {
    const names = summary.hosts.filter((host) => outcome(host) === status).map((host) => host.host);
    if (names.length > 0) hosts[status] = names;
  }
  return {
    kind: "nemoclaw-fleet-run",
    version: RUN_NOTICE_VERSION,
    event,
    runId: summary.runId,
    source: summary.header?.source ?? null,
    fleet: summary.header ? { name: summary.header.fleet.name, file: summary.header.fleet.file } : null,
    startedAt: summary.startedAt,
    durationMs: summary.durationMs,
    exitCode: summary.complete ? summary.exitCode : null,
    hosts,
    problems: summary.hosts
      .filter((host) => host.status !== null && !GOOD.has(host.status) && host.status !== "skipped")
      .map((host) => ({
        host: host.host,
        status: host.status as HostStatus,
        message: host.message,
        failedSteps: host.steps.filter((step) => step.status === "failed").map((step) => ({ id: step.id, error: step.error })),
      })),
    blocks: summary.hosts.flatMap((host) => (host.block ? [{ host: host.host, lines: host.block }] : [])),
    healthGates: summary.hosts.flatMap((host) =>
      host.healthGate
        ? [
            {
              host: host.host,
              status: host.healthGate.status,
              sandboxes: host.healthGate.sandboxes.map(({ sandbox, gateway, healthy, detail }) => ({ sandbox, gateway, healthy, detail })),
              backups: host.healthGate.backups,
            },
          ]
        : [],
    ),
    pending: summary.hosts.map((host) => ({ host: host.host, steps: pendingOf(host) })).filter((entry) => entry.steps.length > 0),
    trouble,
    stopped: summary.threshold ? { wave: summary.threshold.wave, failPercentage: summary.threshold.failPercentage, maxFailPercentage: summary.threshold.maxFailPercentage, skipped: summary.threshold.skipped } : null,
    journal: summary.header?.journal ?? null,
  };
}

/**
 * A run's trouble, to tell one trouble from another: its exit code and the hosts that ended badly,
 * with how; null for a run that ended well (exit 0, or 2: steps held back).
 */
export function troubleOf(summary: RunSummary): string | null {
  if (summary.exitCode === 0 || summary.exitCode === 2) return null;
  const hosts = summary.hosts
    .filter((host) => host.status !== null && !GOOD.has(host.status) && host.status !== "skipped")
    .map((host) => `${host.host}:${host.status}`)
    .sort();
  return [`exit ${summary.exitCode}`, ...hosts].join(" ");
}

export interface NoticeDecision {
  send: boolean;
  /** What the notice says of the trouble: new, still there since `since`, or gone; null when neither. */
  trouble: RunNotice["trouble"];
  /** The state to record, given whether the notice (if sent) arrived. */
  state(delivered: boolean): NoticeState;
}

/**
 * Whether a reminder of a lasting trouble is due: never told, told `remindAfterMs` ago or more, or
 * told "later" than now — the clock was set back since (an NTP step, a wrong RTC after a reboot),
 * and waiting for it to catch up would silence the trouble for as long as it was off.
 */
function reminderDue(lastTold: string | null, remindAfterMs: number, now: Date): boolean {
  if (lastTold === null) return true;
  const elapsed = now.getTime() - Date.parse(lastTold);
  return !(elapsed >= 0 && elapsed < remindAfterMs);
}

/**
 * Whether a finished run is worth a message, given what the webhook was told of the previous run
 * of the same job (null: nothing known). `always`: every run. `changes`: a host changed something,
 * or the trouble changed; `problems`: the trouble changed. The trouble changes when it starts, when it is
 * another (other hosts, another exit code), and when it ends (recovered); the same trouble again
 * is told only when its last notice did not arrive, and every `remindEvery` while it lasts — a scheduled
 * run would otherwise repeat it every few minutes. Steps held back are never news by themselves.
 */
export function noticeDecision(summary: RunSummary, settings: Pick<NotifySettings, "when" | "remindAfterMs">, previous: NoticeState | null, now: Date): NoticeDecision {
  const { when, remindAfterMs } = settings;
  const trouble = troubleOf(summary);
  const at = now.toISOString();
  const same = trouble !== null && previous?.trouble === trouble;
  const since = trouble === null ? null : same ? (previous?.since ?? at) : at;
  const lastTold = same ? (previous?.told ?? null) : null;
  let told: RunNotice["trouble"] = null;
  if (trouble !== null && !same) told = { state: "new", since: at };
  else if (trouble !== null && reminderDue(lastTold, remindAfterMs, now)) told = { state: "continuing", since: since ?? at };
  else if (trouble === null && previous?.trouble != null) told = { state: "recovered", since: previous.since ?? at };
  // A host that ended in trouble is the trouble's news, not a change.
  const changed = summary.hosts.some((host) => host.status === "ok");
  const send = when === "always" || told !== null || (when === "changes" && changed);
  return {
    send,
    trouble: told ?? (trouble !== null ? { state: "continuing", since: since ?? at } : null),
    state: (delivered) => ({ trouble, since, told: trouble === null ? null : send && delivered ? at : lastTold }),
  };
}

/** Slack's three characters that must be escaped in message text. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const EXIT_WORDS: Record<number, string> = { 0: "succeeded", 2: "changes pending", 3: "a selection named nothing", 4: "hosts unreachable", 5: "failed", 6: "stale plan", 7: "host lock held", 8: "preflight refused", 130: "interrupted" };

const TROUBLE_WORDS: Record<NonNullable<RunNotice["trouble"]>["state"], (since: string) => string> = {
  new: () => "",
  continuing: (since) => `, the same trouble since ${since}`,
  recovered: (since) => `, *recovered* from the trouble since ${since}`,
};

/** The notice as a Slack-compatible message (`text` in Slack's mrkdwn). */
export function slackMessage(notice: RunNotice): { text: string } {
  const what = notice.source === "backup" ? "backup run" : "apply";
  const fleet = notice.fleet ? ` on fleet \`${escapeSlack(notice.fleet.name)}\`` : "";
  const verdict =
    notice.event === "rollout-stopped"
      ? "*rollout stopped by a health gate*"
      : `*${EXIT_WORDS[notice.exitCode ?? -1] ?? `exit ${notice.exitCode}`}* (exit ${notice.exitCode})${TROUBLE_WORDS[notice.trouble?.state ?? "new"](notice.trouble?.since ?? "")}`;
  const lines = [`nemoclaw ${what}${fleet} (run ${notice.runId}): ${verdict}${notice.durationMs !== null ? ` in ${formatDuration(notice.durationMs)}` : ""}`];
  for (const [status, names] of Object.entries(notice.hosts)) lines.push(`• ${status}: ${escapeSlack((names ?? []).join(", "))}`);
  for (const problem of notice.problems) lines.push(`• *${escapeSlack(problem.host)}* ${problem.status}: ${escapeSlack(problem.message ?? "")}`);
  if (notice.stopped) {
    lines.push(`Later waves stopped after wave ${notice.stopped.wave} (${notice.stopped.failPercentage.toFixed(0)}% of its hosts failed, at most ${notice.stopped.maxFailPercentage}% allowed); not started: ${escapeSlack(notice.stopped.skipped.join(", "))}`);
  }
  for (const entry of notice.pending) {
    lines.push(`Pending on ${escapeSlack(entry.host)}: ${escapeSlack(entry.steps.map((step) => `${step.id}${step.risk ? ` (${step.risk})` : ""}`).join(", "))}`);
  }
  for (const block of notice.blocks) lines.push(`Blocked on ${escapeSlack(block.host)}:`, "```", escapeSlack(block.lines.join("\n")), "```");
  if (notice.journal) lines.push(`Journal: \`${escapeSlack(notice.journal)}\``);
  return { text: lines.join("\n") };
}
