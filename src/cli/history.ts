/**
 * `nemoclaw history [run]`: past runs — applies and backup runs — from their journals: the list,
 * or one run's hosts and steps (`last` for the latest). Reads only the controller's journal
 * directory.
 */
import { InvalidArgumentError, type Command } from "commander";
import type { ExitCodeValue } from "../exit-codes.js";
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

function count(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return number;
}

export function register(program: Command): void {
  program
    .command("history")
    .argument("[run]", "a run id (or a unique prefix of one, or `last`) to show in full")
    .description("list past runs (applies and backup runs), or show one run's hosts and steps, from the run journals")
    .option("-n, --last <count>", "how many runs to list", count, 20)
    .option("--json", "machine-readable output", false)
    .option("--no-color", "no colours in the output")
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
  const { summary, damaged } = read;
  if (damaged !== null) deps.stderr.write(`warning: ${found.path}: damaged journal: ${damaged}; the run is shown from the lines that could be read\n`);
  deps.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatRecap(summary, colors).join("\n")}\n`);
  return ExitCode.Ok;
}
