/**
 * `nemoclaw history [run]`: past runs — applies and backup runs — from their journals: the list,
 * or one run's hosts and steps (`last` for the latest). `nemoclaw history prune` bounds them.
 * Works only on the controller's journal directory.
 */
import { rmSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import type { RunIdentity } from "../apply/events.js";
import { parseDuration } from "../config/duration.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { wholeNumber } from "./common.js";
import type { Output } from "./session-deps.js";

export interface HistoryOptions {
  json: boolean;
  last: number;
  color: boolean;
}

export interface HistoryDeps {
  journalDir: string;
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
}

export interface PruneOptions {
  keep?: number;
  olderThan?: number;
  dryRun: boolean;
  json: boolean;
}

export interface PruneDeps extends HistoryDeps {
  now(): Date;
  identity: RunIdentity;
  pidAlive(pid: number): boolean;
}

function keepCount(value: string): number {
  const number = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number)) throw new InvalidArgumentError("expected a whole number (0 or more)");
  return number;
}

function age(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}, or days: 30d`);
  }
}

export function register(program: Command): void {
  const history = program
    .command("history")
    .argument("[run]", "a run id (or a unique prefix of one, or `last`) to show in full")
    .description("list past runs (applies and backup runs), or show one run's hosts and steps, from the run journals")
    .option("-n, --last <count>", "how many runs to list", wholeNumber, 20)
    .option("--json", "machine-readable output", false)
    .option("--no-color", "no colours in the output")
    // `history prune --json` is prune's own --json (with the program's positional options, run.ts):
    // otherwise commander hands an option both commands define to `history`, and prune printed text.
    .enablePositionalOptions()
    .addHelpText(
      "after",
      `
Journals live in \${XDG_STATE_HOME:-~/.local/state}/nemoclaw-fleet/runs/<run>.jsonl, one per apply or
backup run, written before anything is shown (see docs/journal.md). A run that was killed shows
as "did not finish", with where it stopped.

Exit codes: 0 shown, 1 no such run (see docs/exit-codes.md).

Examples:
  nemoclaw history
  nemoclaw history last
  nemoclaw history 20261122T0830                       # a unique prefix of a run id
  nemoclaw history last --json | jq '.hosts[] | select(.status != "ok") | .host'`,
    )
    .action(async (run: string | undefined, options: HistoryOptions) => {
      const { processDeps } = await import("./session-deps.js");
      process.exitCode = await runHistoryCommand(run, options, processDeps());
    });

  history
    .command("prune")
    .description("remove old run journals: beyond the newest --keep runs, or older than --older-than (never a run still under way)")
    .option("--keep <count>", "keep at most this many of the newest runs", keepCount)
    .option("--older-than <age>", "remove runs that started longer ago than this (30d, 12h, 90m)", age)
    .option("--dry-run", "only list what would be removed", false)
    .option("--json", "machine-readable output", false)
    .addHelpText(
      "after",
      `
With both options a run goes when either says so. A journal without its end record whose run may
still be going (its process is alive, or it ran on another machine) is kept and named, and so is
a run whose health gate failed on a host that no later run has checked (apply warns of it; once a
run checks the host, or the journal is removed by hand, it goes).

Exit codes: 0 pruned (or nothing to prune), 1 bad usage (see docs/exit-codes.md).

Examples:
  nemoclaw history prune --keep 200
  nemoclaw history prune --older-than 30d --dry-run
  nemoclaw history prune --older-than 30d                  # what \`nemoclaw schedule\` units run after each apply (--keep-history)`,
    )
    .action(async (options: PruneOptions) => {
      const [{ processDeps }, { localPidAlive }] = await Promise.all([import("./session-deps.js"), import("../host/system/process.js")]);
      process.exitCode = await runHistoryPrune(options, { ...processDeps(), pidAlive: localPidAlive });
    });
}

export async function runHistoryPrune(options: PruneOptions, deps: PruneDeps): Promise<ExitCodeValue> {
  const [{ pruneRuns, runPidCanBeAsked }, { ExitCode }] = await Promise.all([import("../apply/history.js"), import("../exit-codes.js")]);
  if (options.keep === undefined && options.olderThan === undefined) {
    deps.stderr.write("nemoclaw history prune: say what to keep: --keep <count>, --older-than <age>, or both\n");
    return ExitCode.Error;
  }
  let result: ReturnType<typeof pruneRuns>;
  try {
    result = pruneRuns(deps.journalDir, {
      ...(options.keep !== undefined ? { keep: options.keep } : {}),
      ...(options.olderThan !== undefined ? { olderThanMs: options.olderThan } : {}),
      now: deps.now(),
      dryRun: options.dryRun,
      stillRunning: (header) => (runPidCanBeAsked(header, deps.identity) ? deps.pidAlive(header.pid) : null),
      remove: (path) => rmSync(path, { force: true }),
    });
  } catch (error) {
    deps.stderr.write(`nemoclaw history prune: ${(error as Error).message}\n`);
    return ExitCode.Error;
  }
  if (options.json) {
    deps.stdout.write(`${JSON.stringify({ dryRun: options.dryRun, ...result }, null, 2)}\n`);
    return ExitCode.Ok;
  }
  const count = (n: number) => `${n} run journal${n === 1 ? "" : "s"}`;
  const verb = options.dryRun ? "Would remove" : "Removed";
  const span = result.removed.length > 0 ? ` (${result.removed.at(-1)?.runId} … ${result.removed[0]?.runId})` : "";
  deps.stdout.write(`${verb} ${count(result.removed.length)}${span}; ${count(result.kept)} kept in ${deps.journalDir}.\n`);
  if (result.running.length > 0) deps.stdout.write(`Kept ${count(result.running.length)} of runs that may still be going: ${result.running.join(", ")}\n`);
  if (result.openHealthGates.length > 0) {
    const runs = result.openHealthGates.map((run) => `${run.runId} (${run.hosts.join(", ")})`).join(", ");
    deps.stdout.write(`Kept ${count(result.openHealthGates.length)} of runs whose health gate failed and no run has checked the host since: ${runs}\n`);
  }
  return ExitCode.Ok;
}

export async function runHistoryCommand(run: string | undefined, options: HistoryOptions, deps: HistoryDeps): Promise<ExitCodeValue> {
  const [{ findRun, listRuns, readRun }, { colorsFor }, { formatRunList }, { formatRecap }, { ExitCode }] = await Promise.all([
    import("../apply/history.js"),
    import("../report/color.js"),
    import("../report/recap-history.js"),
    import("../report/recap.js"),
    import("../exit-codes.js"),
  ]);
  const colors = colorsFor(deps.stdout, options.color, deps.env);
  if (run === undefined) {
    const runs = listRuns(deps.journalDir, options.last);
    deps.stdout.write(options.json ? `${JSON.stringify(runs, null, 2)}\n` : `${formatRunList(runs, colors).join("\n")}\n`);
    return ExitCode.Ok;
  }
  const found = findRun(deps.journalDir, run);
  if ("problem" in found) {
    deps.stderr.write(`nemoclaw history: ${found.problem}\n`);
    return ExitCode.Error;
  }
  let read: ReturnType<typeof readRun>;
  try {
    read = readRun(found.path);
  } catch (error) {
    deps.stderr.write(`nemoclaw history: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.Error;
  }
  const { damaged } = read;
  // The journal is where it was read now: the path its run recorded goes stale when journals are moved.
  const summary = read.summary.header ? { ...read.summary, header: { ...read.summary.header, journal: found.path } } : read.summary;
  if (damaged !== null) deps.stderr.write(`warning: ${found.path}: damaged journal: ${damaged}; the run is shown from the lines that could be read\n`);
  deps.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatRecap(summary, colors).join("\n")}\n`);
  return ExitCode.Ok;
}
