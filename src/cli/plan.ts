/**
 * `nemoclaw plan [fleet.yaml] [-i inv] [--limit …] [--json] [-o plan.json] [--detailed-exitcode] [--prune]
 * [--replace <sandbox@host>]… [--target <sandbox@host>]…`:
 * load → select → observe (one round trip per host) → plan (pure) → render. Changes nothing.
 * Heavy modules load inside the action so `--help` and `--version` stay fast.
 */
import type { Command } from "commander";
import type { FleetInputDeps } from "./fleet-input.js";
import type { DesiredFleet } from "../config/types.js";
import type { ObservedFleet } from "../observe/types.js";
import type { BackupCatalogue, PlanOptions, Risk, SandboxAddress } from "../plan/types.js";
import { TOOL_VERSION } from "../version.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { type CommonOptions, withCommonOptions } from "./common.js";
import { FLEET_ARGUMENT_HELP } from "./fleet-default.js";
import { checkMetricsFile, type MetricsOption, withMetricsOption, writeMetrics } from "./metrics-option.js";
import { resolveSandboxAddresses, withScopeOptions } from "./sandbox-addresses.js";
import type { Output } from "./session-deps.js";

export interface PlanCommandOptions extends CommonOptions, MetricsOption {
  out?: string;
  detailedExitcode: boolean;
  prune: boolean;
  /** `<sandbox>@<host>`, repeatable. */
  replace?: string[];
  target?: string[];
  /** --max-risk: steps above it are held back (shown as pending). */
  maxRisk?: Risk;
  /** False with --no-color. */
  color: boolean;
}

export interface PlanCommandDeps extends FleetInputDeps {
  /** `onConnectionSettled` is called as each host's connection opens or fails, before its probe runs. */
  observe(fleet: DesiredFleet, hosts: string[], onConnectionSettled: () => void): Promise<ObservedFleet>;
  /** The latest backup per policy, host and sandbox, read from the policies' stores. */
  catalogue(fleet: DesiredFleet): Promise<BackupCatalogue>;
  /** Release connections opened for observation and the stores. */
  close(): Promise<void>;
  now(): Date;
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
}

/** The planner's options for a plan made now from the command line's selection. */
export function planOptionsFor(
  fleet: DesiredFleet,
  selection: { limit: string | undefined; hosts: string[]; prune: boolean; replace?: SandboxAddress[]; targets?: SandboxAddress[]; maxRisk?: Risk | undefined },
  now: Date,
  backupCatalogue: BackupCatalogue | undefined,
): PlanOptions {
  return {
    limit: selection.limit ?? null,
    hosts: selection.hosts,
    pruneUnmanaged: selection.prune || fleet.apply.pruneUnmanaged,
    ...(selection.replace && selection.replace.length > 0 ? { replace: selection.replace } : {}),
    ...(selection.targets ? { targets: selection.targets } : {}),
    ...(selection.maxRisk ? { maxRisk: selection.maxRisk } : {}),
    now,
    toolVersion: TOOL_VERSION,
    ...(backupCatalogue ? { backupCatalogue } : {}),
  };
}

const HELP_AFTER = `
Observes every selected host (one read-only round trip each), compares it with the fleet file and
prints the steps apply would take, in order: each with why, its risk (safe, disruptive,
destructive), its fidelity (exact, or predicted from an earlier step) and its exact command lines.
-o saves the plan with fingerprints of the facts it was made from: \`nemoclaw apply plan.json\`
carries out exactly those steps and refuses hosts that changed since; \`nemoclaw show plan.json\`
prints it again.

Exit codes: 0 planned (with --detailed-exitcode: nothing to do), 2 changes pending or facts
unknown (with --detailed-exitcode), 3 invalid fleet file, inventory or --limit, 4 unreachable
hosts, 8 schema preflight refused (see docs/exit-codes.md and docs/plan.md).

Examples:
  nemoclaw plan                                        # ./fleet.yaml
  nemoclaw plan fleet.yaml --limit 'spark:&rack_a'
  nemoclaw plan fleet.yaml -o plan.json && nemoclaw show plan.json
  nemoclaw plan fleet.yaml --detailed-exitcode; [ $? -ne 2 ] || echo "changes pending"
  nemoclaw plan fleet.yaml --target coder@spark-02        # only that sandbox's steps (and what they need)
  nemoclaw plan fleet.yaml --replace coder@spark-02       # recreate it, verified backup first
  nemoclaw plan fleet.yaml --max-risk safe                # what an unattended apply would run, and hold back
  nemoclaw plan fleet.yaml --json | jq '.summary'
  nemoclaw plan --metrics-file /var/lib/prometheus/node-exporter/nemoclaw-plan.prom   # from a timer`;

export function register(program: Command): void {
  const command = withMetricsOption(
    withCommonOptions(
      program
        .command("plan")
        .argument("[fleet]", FLEET_ARGUMENT_HELP)
        .description("observe every selected host and show, in order and with reasons, what apply would change; changes nothing"),
    ),
  )
    .option("-o, --out <file>", "save the plan with fact fingerprints, for `nemoclaw apply <file>`")
    .option("--detailed-exitcode", "exit 0 when there is nothing to do, 2 when changes are pending", false);
  withScopeOptions(command, "plan")
    .option("--no-color", "no colours in the output")
    .addHelpText("after", HELP_AFTER)
    .action(async (fleetFile: string | undefined, options: PlanCommandOptions) => {
      process.exitCode = await runPlanCommand(fleetFile, options, await defaultDeps());
    });
}

export async function runPlanCommand(fleetFile: string | undefined, options: PlanCommandOptions, deps: PlanCommandDeps): Promise<ExitCodeValue> {
  const [{ colorsFor }, { readFleetInput, refuseOverwritingInputs }, { catalogueIfScheduled }, { ExitCode, mostSevere }, { outputPathProblem }] = await Promise.all([
    import("../report/color.js"),
    import("./fleet-input.js"),
    import("../backup/catalogue.js"),
    import("../exit-codes.js"),
    import("../report/output-file.js"),
  ]);
  const badPath = checkMetricsFile("plan", options.metricsFile, deps.stderr);
  if (badPath !== null) return badPath;
  const badOut = options.out === undefined ? null : outputPathProblem(options.out);
  if (badOut !== null) {
    deps.stderr.write(`nemoclaw plan: -o ${options.out}: ${badOut}${options.out === "-" ? "; --json prints the plan on stdout" : ""}\n`);
    return ExitCode.Error;
  }
  const input = await readFleetInput(fleetFile, { inventories: options.inventory, limit: options.limit, color: colorsFor(deps.stderr, options.color, deps.env).enabled }, deps);
  if (typeof input === "number") return input;
  const clash = refuseOverwritingInputs("plan", [{ option: "-o", path: options.out }, { option: "--metrics-file", path: options.metricsFile }], input.inputs, deps.stderr);
  if (clash !== null) return clash;
  const { fleet } = input;
  const addressed = resolveSandboxAddresses(fleet, input.hosts, { ...(options.replace ? { replace: options.replace } : {}), ...(options.target ? { target: options.target } : {}) });
  if ("problems" in addressed) {
    for (const problem of addressed.problems) deps.stderr.write(`nemoclaw plan: ${problem}\n`);
    return ExitCode.ValidationError;
  }
  const { hosts } = addressed;
  deps.stderr.write(`Observing ${hosts.length} host${hosts.length === 1 ? "" : "s"}…\n`);
  let observed: ObservedFleet;
  let backupCatalogue: BackupCatalogue | undefined;
  let planning: Promise<PlanningModules> | undefined;
  const loadPlanning = (): Promise<PlanningModules> => {
    if (planning === undefined) {
      planning = loadPlanningModules();
      // Awaited below; until then (and when the observation fails first) a failure is not unhandled.
      planning.catch(() => undefined);
    }
    return planning;
  };
  // What planning and rendering need loads once every host's connection is open or has failed,
  // while the probes run: earlier, its loading would hold up the handshakes, work for the same
  // thread. With more hosts than apply.concurrency that is the last batch's; it costs little then.
  let settled = 0;
  const onConnectionSettled = (): void => {
    if (++settled === hosts.length) void loadPlanning();
  };
  try {
    observed = await deps.observe(fleet, hosts, onConnectionSettled);
    backupCatalogue = await catalogueIfScheduled(fleet, () => deps.catalogue(fleet), (text) => deps.stderr.write(text));
  } finally {
    await deps.close();
  }
  const [{ planFleet }, { applyPlanCommand, writePlanFile }, { renderPlanHuman }, { renderPlanJson, planExitCode }, { fleetStatus }, { observedFamilies, planFamilies }] = await loadPlanning();
  const plan = planFleet(fleet, observed, planOptionsFor(fleet, { ...addressed, limit: options.limit, prune: options.prune, maxRisk: options.maxRisk }, deps.now(), backupCatalogue));
  if (options.out) {
    try {
      writePlanFile(options.out, plan);
    } catch (error) {
      // An OutputPathError names the file and why (a full disk); the previous plan file stays as it was.
      deps.stderr.write(`nemoclaw plan: -o ${(error as Error).message}\n`);
      return ExitCode.Error;
    }
  }
  deps.stdout.write(options.json ? renderPlanJson(plan) : renderPlanHuman(plan, { colors: colorsFor(deps.stdout, options.color, deps.env) }));
  if (options.out && !options.json) {
    deps.stderr.write(plan.summary.steps > 0 ? `Saved the plan to ${options.out}; run \`${applyPlanCommand(options.out, plan, options.inventory)}\` to carry it out.\n` : `Saved the plan to ${options.out}; it has nothing to do.\n`);
  }
  const metrics = await writeMetrics(
    "plan",
    options.metricsFile,
    () => {
      const hosts = fleetStatus({ fleet, observed, plan, now: deps.now() });
      return [...observedFamilies(hosts), ...planFamilies(hosts)];
    },
    deps,
  );
  return mostSevere([planExitCode(plan, { detailed: options.detailedExitcode }), metrics]);
}

function loadPlanningModules() {
  return Promise.all([
    import("../plan/planner.js"),
    import("../report/plan-file.js"),
    import("../report/plan-human.js"),
    import("../report/plan-json.js"),
    import("../report/fleet-status.js"),
    import("../report/fleet-metrics.js"),
  ]);
}

type PlanningModules = Awaited<ReturnType<typeof loadPlanningModules>>;

async function defaultDeps(): Promise<PlanCommandDeps> {
  const [{ loadFleetFrom }, { selectHosts }, { ConnectionPool }, { observeFleet }, { readCatalogue }] = await Promise.all([
    import("./fleet-input.js"),
    import("../config/selectors.js"),
    import("../transport/pool.js"),
    import("../observe/fleet.js"),
    import("../backup/catalogue.js"),
  ]);
  let pool: InstanceType<typeof ConnectionPool> | undefined;
  // Every fleet host, so a selected host can reach its bastion (or a store) when that is a fleet host too.
  const connections = (fleet: DesiredFleet) => (pool ??= new ConnectionPool(fleet.hosts));
  return {
    load: loadFleetFrom,
    select: selectHosts,
    observe: (fleet, hosts, onConnectionSettled) => observeFleet(fleet, hosts, { pool: connections(fleet), concurrency: fleet.apply.concurrency, onConnectionSettled }),
    catalogue: (fleet) => readCatalogue(fleet, { pool: connections(fleet) }),
    close: async () => pool?.closeAll(),
    now: () => new Date(),
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  };
}
