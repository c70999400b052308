/**
 * Past runs, read back from their journals: a listing (`nemoclaw history`) and one run in full
 * (`nemoclaw history <run>`), both folded with the same RunTally the live run used.
 */
import { statSync } from "node:fs";
import { basename } from "node:path";
import { samePidScope } from "../config/pid-scope.js";
import type { EventOf, HostStatus, NoticeState, RunIdentity, RunSource } from "./events.js";
import { listJournalFiles, readJournal, readJournalHead } from "./journal.js";
import { RunTally, type RunSummary } from "./tally.js";

export interface RunListing {
  runId: string;
  startedAt: string | null;
  user: string | null;
  machine: string | null;
  fleet: string | null;
  source: RunSource | null;
  hosts: number;
  outcomes: Partial<Record<HostStatus, number>>;
  exitCode: number;
  /** False for a run that died without its end record. */
  complete: boolean;
  /** What is wrong with the journal (unreadable lines, or the file itself), or null. */
  damaged: string | null;
  durationMs: number | null;
  journal: string;
}

function runIdOf(path: string): string {
  return basename(path, ".jsonl");
}

/** How a journal's damaged lines are described: `line 1 is not a readable event`. */
function damageOf(lines: readonly number[]): string | null {
  if (lines.length === 0) return null;
  const shown = lines.slice(0, 5).join(", ") + (lines.length > 5 ? `, … (${lines.length} in all)` : "");
  return `line${lines.length === 1 ? "" : "s"} ${shown} ${lines.length === 1 ? "is" : "are"} not a readable event`;
}

/** One run as its journal tells it, and what is wrong with the journal (null when nothing). */
export function readRun(path: string): { summary: RunSummary; damaged: string | null } {
  const { events, damagedLines } = readJournal(path);
  return { summary: RunTally.fromEvents(runIdOf(path), events).summary(), damaged: damageOf(damagedLines) };
}

export function summarizeJournal(path: string): RunSummary {
  return readRun(path).summary;
}

function listing(path: string, summary: RunSummary, damaged: string | null): RunListing {
  const outcomes: Partial<Record<HostStatus, number>> = {};
  for (const host of summary.hosts) if (host.status) outcomes[host.status] = (outcomes[host.status] ?? 0) + 1;
  return {
    runId: summary.runId,
    startedAt: summary.startedAt,
    user: summary.header?.identity.user ?? null,
    machine: summary.header?.identity.machine ?? null,
    fleet: summary.header?.fleet.file ?? null,
    source: summary.header?.source ?? null,
    hosts: summary.hosts.length,
    outcomes,
    exitCode: summary.exitCode,
    complete: summary.complete,
    damaged,
    durationMs: summary.durationMs,
    journal: path,
  };
}

/** A journal that cannot be read at all still appears in the listing, as damaged. */
function unreadable(path: string, error: unknown): RunListing {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    ...listing(path, new RunTally(runIdOf(path)).summary(), `cannot be read: ${reason}`),
    complete: false,
  };
}

/** The most recent runs first, at most `count`. */
export function listRuns(dir: string, count: number): RunListing[] {
  return listJournalFiles(dir)
    .reverse()
    .slice(0, count)
    .map((path) => {
      try {
        const { summary, damaged } = readRun(path);
        return listing(path, summary, damaged);
      } catch (error) {
        return unreadable(path, error);
      }
    });
}

/** A run by its id, a unique prefix of it, or `last`. */
export function findRun(dir: string, wanted: string): { path: string } | { problem: string } {
  const files = listJournalFiles(dir);
  if (wanted === "last") {
    const last = files.at(-1);
    return last ? { path: last } : { problem: `no runs recorded in ${dir}` };
  }
  const matches = files.filter((path) => runIdOf(path).startsWith(wanted));
  const exact = matches.find((path) => runIdOf(path) === wanted);
  if (exact) return { path: exact };
  if (matches.length === 1) return { path: matches[0] as string };
  if (matches.length === 0) return { problem: `no run ${JSON.stringify(wanted)} in ${dir} (\`nemoclaw history\` lists them)` };
  return { problem: `${JSON.stringify(wanted)} matches ${matches.length} runs: ${matches.map(runIdOf).join(", ")}` };
}

/** What a run was, as `nemoclaw history` names it. */
export type RunKind = "apply" | "backup run";

export function runKind(source: RunSource): RunKind {
  return source === "backup" ? "backup run" : "apply";
}

/** A listed run's kind, or `?` when its journal has no readable header to say (killed while writing it, or damaged). */
export function listedRunKind(run: RunListing): RunKind | "?" {
  return run.source === null ? "?" : runKind(run.source);
}

/**
 * The newest run of each kind, read in full, newest kind first: journals are looked at newest
 * first until one of each is found — only as far as their first record (`report` runs on a timer,
 * and on a machine that never ran one kind every journal is looked at) unless it is of a kind not
 * found yet, or cannot be read (torn or damaged: the rest may still say). A journal that cannot be
 * read is passed over. `read` reads one in full.
 */
export function latestRunOfEachKind(dir: string, read: (path: string) => RunSummary = summarizeJournal): { kind: RunKind; summary: RunSummary }[] {
  const found = new Map<RunKind, RunSummary>();
  for (const path of listJournalFiles(dir).reverse()) {
    let summary: RunSummary;
    try {
      const head = readJournalHead(path);
      if (head?.type === "run-started" && found.has(runKind(head.source))) continue;
      summary = read(path);
    } catch {
      continue;
    }
    if (summary.header === null) continue;
    const kind = runKind(summary.header.source);
    if (!found.has(kind)) found.set(kind, summary);
    if (found.size === 2) break;
  }
  return [...found].map(([kind, summary]) => ({ kind, summary }));
}

/**
 * Whether two runs are the same job, as a schedule runs it again and again: the same kind and
 * fleet file and `--limit`, and the same `--max-risk` (an apply) or policies, hosts and sandboxes
 * (a backup run, whose planHash is of that selection: src/report/backup-run-events.ts).
 */
function sameJob(a: EventOf<"run-started">, b: EventOf<"run-started">): boolean {
  if (runKind(a.source) !== runKind(b.source) || a.fleet.file !== b.fleet.file || a.selection.limit !== b.selection.limit) return false;
  return a.source === "backup" ? a.planHash === b.planHash : (a.maxRisk ?? null) === (b.maxRisk ?? null);
}

/**
 * What the webhook was told by the newest earlier run of the same job that finished, or null: none
 * found, or it recorded no notice (no `notify:`). Every journal of this machine is looked at, newest
 * first — however many runs of other jobs came between (backup policies, other `--limit`s), so a
 * trouble's recovery is never told to nobody — but only by its first record until one is of the
 * same job (`history prune`, which the schedule runs, bounds how many there are). A run killed
 * before its end (no run-finished) told nothing, so the one before it still says what the webhook
 * knows: skipping it keeps a trouble's recovery, and its reminders, from being lost. A journal that
 * cannot be read is passed over.
 */
export function previousNoticeState(dir: string, run: EventOf<"run-started">): NoticeState | null {
  for (const path of listJournalFiles(dir).reverse()) {
    if (runIdOf(path) === run.runId) continue;
    let summary: RunSummary;
    try {
      const head = readJournalHead(path);
      if (head?.type !== "run-started" || !sameJob(head, run)) continue;
      summary = readRun(path).summary;
    } catch {
      continue;
    }
    if (!summary.complete) continue;
    return summary.notify ? { trouble: summary.notify.trouble, since: summary.notify.since, told: summary.notify.told } : null;
  }
  return null;
}

/** A host whose last health gate (in this machine's journals) did not pass, and nothing since judged it. */
export interface OpenHealthGate {
  host: string;
  runId: string;
  status: "unhealthy" | "interrupted";
  /** The sandboxes the gate did not find healthy. */
  sandboxes: string[];
}

/**
 * Hosts among `hosts` whose newest apply that did anything there (ran a step or a health gate), in
 * this machine's journals, ended with a gate that did not pass. A gate judges only what its run
 * changed (docs/apply.md#health-gates): the next apply finds nothing to do on such a host and checks
 * nothing, so it is told instead. Every journal is looked at, newest first, however many runs did
 * nothing since (a schedule's no-op applies every few minutes), but most only by their first record
 * (appliedRun), and the look stops once every host has been settled.
 */
export function openHealthGates(dir: string, hosts: readonly string[]): OpenHealthGate[] {
  const pending = new Set(hosts);
  const found: OpenHealthGate[] = [];
  for (const path of listJournalFiles(dir).reverse()) {
    if (pending.size === 0) break;
    const summary = appliedRun(path, pending);
    if (summary === null) continue;
    for (const host of summary.hosts) {
      if (!pending.has(host.host)) continue;
      const gate = host.healthGate;
      // Steps of a journal without its header may be a backup run's, which checks nothing.
      const ranSteps = summary.header !== null && host.steps.some((step) => step.status !== "pending" && step.status !== "skipped");
      if (gate === null && !ranSteps) continue;
      pending.delete(host.host);
      if (gate !== null && gate.status !== "healthy") {
        found.push({ host: host.host, runId: summary.runId, status: gate.status, sandboxes: gate.sandboxes.filter((sandbox) => !sandbox.healthy).map((sandbox) => sandbox.sandbox) });
      }
    }
  }
  return found.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
}

/**
 * A journal's run, read in full only when it may have done something on one of `hosts`: its first
 * record says an apply planned steps there (a gate runs only after a host's steps:
 * src/apply/host-run.ts), or cannot be read (torn or damaged: the rest may still hold a gate's
 * verdict). Null for any other run, and for a journal that cannot be read at all.
 */
function appliedRun(path: string, hosts: ReadonlySet<string>): RunSummary | null {
  try {
    const head = readJournalHead(path);
    if (head?.type === "run-started" && (runKind(head.source) !== "apply" || !Object.entries(head.steps).some(([host, steps]) => steps.length > 0 && hosts.has(host)))) return null;
    return readRun(path).summary;
  } catch {
    return null;
  }
}

/** When a run started, from its id (`20261122T083000Z-3fa2c1`); null for a file not named by a run id. */
export function runStartOf(runId: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/.exec(runId);
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return new Date(Date.UTC(year as number, (month as number) - 1, day, hour, minute, second));
}

/** A run header's identity: journals of older releases have no pidScope. */
export type JournalIdentity = Omit<RunIdentity, "pidScope"> & { pidScope?: string | null };

/**
 * Whether this controller can ask if a run's process still exists: the same pid scope, or, for a
 * journal written before pid scopes were recorded, the same machine name.
 */
export function runPidCanBeAsked(header: JournalIdentity, me: RunIdentity): boolean {
  return header.pidScope === undefined ? header.machine === me.machine : samePidScope(header.pidScope, me.pidScope);
}

export interface PruneRequest {
  /** Keep at most this many of the newest runs. */
  keep?: number;
  /** Remove runs that started longer ago than this. */
  olderThanMs?: number;
  now: Date;
  /** Only say what would be removed. */
  dryRun: boolean;
  /**
   * Whether the process of a run without its end record is alive; null when this controller
   * cannot ask (another machine, boot or pid namespace): such a run counts as gone once its
   * journal has been silent for a day.
   */
  stillRunning(header: JournalIdentity): boolean | null;
  remove(path: string): void;
}

export interface PruneResult {
  removed: { runId: string; journal: string }[];
  /** Runs a bound would remove that are kept because they may still be running. */
  running: string[];
  /** Runs a bound would remove that are kept because a health gate of theirs is still open: apply warns of it (openHealthGates). */
  openHealthGates: { runId: string; hosts: string[] }[];
  kept: number;
}

/**
 * Bound the journal directory: runs beyond the newest `keep`, and runs older than `olderThanMs`,
 * are removed — except a run that has not finished and whose process may still be running, and a
 * run whose failed health gate no later run has checked: its journal is what the next apply's
 * warning names (docs/apply.md#health-gates), so a schedule's own pruning never silences it.
 */
export function pruneRuns(dir: string, request: PruneRequest): PruneResult {
  const files = listJournalFiles(dir).reverse();
  const running: string[] = [];
  const candidates: { path: string; summary: RunSummary | null }[] = [];
  files.forEach((path, index) => {
    const runId = runIdOf(path);
    const started = runStartOf(runId);
    const beyondKeep = request.keep !== undefined && index >= request.keep;
    const tooOld = request.olderThanMs !== undefined && started !== null && request.now.getTime() - started.getTime() > request.olderThanMs;
    if (!beyondKeep && !tooOld) return;
    let summary: RunSummary | null;
    try {
      summary = readRun(path).summary;
    } catch {
      summary = null;
    }
    if (mayBeRunning(path, summary, request)) running.push(runId);
    else candidates.push({ path, summary });
  });
  const open = openGatesOf(dir, candidates.flatMap(({ summary }) => (summary === null ? [] : [summary])));
  const removed: PruneResult["removed"] = [];
  for (const { path } of candidates) {
    const runId = runIdOf(path);
    if (open.has(runId)) continue;
    if (!request.dryRun) request.remove(path);
    removed.push({ runId, journal: path });
  }
  const openHealthGates = [...open].map(([runId, hosts]) => ({ runId, hosts }));
  return { removed, running, openHealthGates, kept: files.length - removed.length };
}

/** Among these runs, those whose failed gate on a host is still open, with the hosts: found before any journal goes. */
function openGatesOf(dir: string, runs: readonly RunSummary[]): Map<string, string[]> {
  const gated = new Set(runs.flatMap((run) => run.hosts.filter((host) => host.healthGate !== null && host.healthGate.status !== "healthy").map((host) => host.host)));
  const candidates = new Set(runs.map((run) => run.runId));
  const open = new Map<string, string[]>();
  if (gated.size === 0) return open;
  for (const gate of openHealthGates(dir, [...gated])) {
    if (candidates.has(gate.runId)) open.set(gate.runId, [...(open.get(gate.runId) ?? []), gate.host]);
  }
  return open;
}

/** A journal without its first record yet is a run that may be starting: kept while it was written lately. */
const STARTING_RUN_MS = 3_600_000;
/** A run whose process cannot be asked is taken for gone once its journal is silent this long. */
const SILENT_RUN_MS = 24 * 3_600_000;

/** `summary` is the journal's run, or null when it cannot be read. */
function mayBeRunning(path: string, summary: RunSummary | null, request: PruneRequest): boolean {
  const writtenWithin = (ms: number) => {
    try {
      return request.now.getTime() - statSync(path).mtimeMs < ms;
    } catch {
      return false;
    }
  };
  const startingLately = () => writtenWithin(STARTING_RUN_MS);
  if (summary === null) return startingLately();
  if (summary.complete) return false;
  if (summary.header === null) return startingLately();
  return request.stillRunning(summary.header.identity) ?? writtenWithin(SILENT_RUN_MS);
}
