/**
 * `nemoclaw apply <fleet.yaml | plan.json>`: observe → plan → show → confirm → apply, or carry
 * out a saved plan exactly (hosts whose facts changed are refused as stale). Progress is live on a
 * terminal, plain lines otherwise, JSON Lines with --json; every run is journaled. Heavy modules
 * load inside the action so `--help` and `--version` stay fast.
 */
import { withScopeOptions } from "./sandbox-addresses.js";
import { InvalidArgumentError, type Command } from "commander";
import { parseWaves } from "../apply/waves.js";
import type { ApplySessionOptions } from "./apply-session.js";
import type { WaveSpec } from "../config/types.js";
import { concurrency, durationMs, withCommonOptions } from "./common.js";
import { DEFAULT_FLEET_FILE } from "./fleet-default.js";
import { withMetricsOption } from "./metrics-option.js";

function percentage(value: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0 || number > 100) throw new InvalidArgumentError("expected a percentage from 0 to 100");
  return number;
}

function waves(value: string): WaveSpec[] {
  try {
    return parseWaves(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

const HELP_AFTER = `
With a fleet file, apply observes the selected hosts, shows the plan and asks for confirmation
(--yes for unattended runs; without a terminal and without --yes it refuses). With a plan saved by
\`nemoclaw plan -o plan.json\`, it carries out exactly those steps after re-observing each host: a
host whose facts changed since the plan is refused as stale; --limit can only narrow the plan.

Each host is locked while it is changed (~/.nemoclaw-fleet/lock.json on the host); a host another
run holds is refused, naming the holder — or, with --lock-timeout, waited for up to that long
first (\`nemoclaw unlock\` removes a dead run's lock). Every run
is journaled (\`nemoclaw history\`). Ctrl-C once lets running steps finish and starts nothing new;
twice aborts them.

Exit codes: 0 done, 1 bad usage, confirmation refused, or the journal or a backup step's store
cannot be written, 2 steps held back by --max-risk (changes pending), 3 invalid fleet file,
inventory, plan file or --limit, or a secret the steps need cannot be read (nothing changed),
4 unreachable hosts (a backup step's store among them), 5 failed hosts, 6 stale plan, 7 host lock
held, 8 schema preflight refused, 130 interrupted (see docs/exit-codes.md and docs/apply.md).

Examples:
  nemoclaw apply fleet.yaml
  nemoclaw apply fleet.yaml --limit 'spark-*' --waves 1,25%,100% --max-fail-percentage 10
  nemoclaw plan fleet.yaml -o plan.json && nemoclaw apply plan.json
  nemoclaw apply fleet.yaml --yes --json > run.jsonl
  nemoclaw apply plan.json --lock-timeout 10m          # wait for a run that holds a host
  nemoclaw apply fleet.yaml --replace coder@spark-02   # recreate one sandbox, verified backup first
  nemoclaw apply fleet.yaml --max-risk safe --yes      # only safe repairs; the rest stays pending (exit 2)
  nemoclaw apply plan.json --metrics-file /var/lib/prometheus/node-exporter/nemoclaw-apply.prom`;

export function register(program: Command): void {
  const command = withMetricsOption(
    withCommonOptions(
      program
        .command("apply")
        .argument("[source]", `fleet file, or a plan file saved by \`nemoclaw plan -o\` (default: ./${DEFAULT_FLEET_FILE}; with -i and no file, the inventories alone)`)
        .description("carry out the plan: many hosts at once, in waves, with locks, live progress and a journal"),
    ),
  )
    .option("-y, --yes", "apply without asking for confirmation", false)
    .option("--concurrency <n>", "hosts changed at once, 1 to 1024 (default: apply.concurrency)", concurrency)
    .option("--waves <sizes>", "rolling waves, e.g. 1,25%,100% (default: apply.waves)", waves)
    .option("--max-fail-percentage <n>", "stop later waves when more than this share of a wave's hosts fail (default: apply.maxFailPercentage)", percentage);
  withScopeOptions(command, "apply")
    .option("--lock-timeout <duration>", "wait this long (30s, 5m, 1h30m) for a host lock another run holds before refusing the host (default: 0, refuse at once)", durationMs)
    .option("--no-color", "no colours in the output")
    .addHelpText("after", HELP_AFTER)
    .action(async (source: string | undefined, options: ApplySessionOptions) => {
      const { runApplySession, defaultSessionDeps } = await import("./apply-session.js");
      process.exitCode = await runApplySession(source, options, defaultSessionDeps());
    });
}
