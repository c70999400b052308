/**
 * Past runs, read back from their journals: a listing (`nemoclaw history`) and one run in full
 * (`nemoclaw history <run>`), both folded with the same RunTally the live run used.
 */
import { basename } from "node:path";
import type { HostStatus, RunSource } from "./events.js";
import { listJournalFiles, readJournal } from "./journal.js";
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
  durationMs: number | null;
  journal: string;
}

function runIdOf(path: string): string {
  return basename(path, ".jsonl");
}

export function summarizeJournal(path: string): RunSummary {
  return RunTally.fromEvents(runIdOf(path), readJournal(path).events).summary();
}

function listing(path: string, summary: RunSummary): RunListing {
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
    durationMs: summary.durationMs,
    journal: path,
  };
}

/** The most recent runs first, at most `count`. */
export function listRuns(dir: string, count: number): RunListing[] {
  return listJournalFiles(dir)
    .reverse()
    .slice(0, count)
    .map((path) => listing(path, summarizeJournal(path)));
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
