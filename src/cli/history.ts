/**
 * `nemoclaw history [run]`: past apply runs from their journals — the list, or one run's hosts
 * and steps (`last` for the latest). Reads only the controller's journal directory.
 */
import { InvalidArgumentError, type Command } from "commander";

interface HistoryOptions {
  json: boolean;
  last: number;
  color: boolean;
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
    .description("list past apply runs, or show one run's hosts and steps, from the run journals")
    .option("-n, --last <count>", "how many runs to list", count, 20)
    .option("--json", "machine-readable output", false)
    .option("--no-color", "no colours in the output")
    .addHelpText("after", "\nJournals live in ${XDG_STATE_HOME:-~/.local/state}/nemoclaw-fleet/runs/<run>.jsonl (see docs/journal.md).")
    .action(async (run: string | undefined, options: HistoryOptions) => {
      const [{ findRun, listRuns, summarizeJournal }, { journalDir }, { colorsFor }, { formatRunList }, { formatRecap }, { ExitCode }] = await Promise.all([
        import("../apply/history.js"),
        import("../apply/journal.js"),
        import("../report/color.js"),
        import("../report/recap-history.js"),
        import("../report/recap.js"),
        import("../exit-codes.js"),
      ]);
      const dir = journalDir();
      const colors = colorsFor(process.stdout, options.color);
      if (run === undefined) {
        const runs = listRuns(dir, options.last);
        process.stdout.write(options.json ? `${JSON.stringify(runs, null, 2)}\n` : `${formatRunList(runs, colors).join("\n")}\n`);
        return;
      }
      const found = findRun(dir, run);
      if ("problem" in found) {
        process.stderr.write(`nemoclaw history: ${found.problem}\n`);
        process.exitCode = ExitCode.Error;
        return;
      }
      const summary = summarizeJournal(found.path);
      process.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatRecap(summary, colors).join("\n")}\n`);
    });
}
