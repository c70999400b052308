/**
 * `nemoclaw facts [fleet.yaml] [-i inv]… [--limit …] [--json]`: observe the selected hosts (one
 * round trip each) and print what was found. Works from inventories alone, like `ansible -m setup`.
 * Heavy modules load inside the action so `--help` and `--version` stay fast.
 */
import type { Command } from "commander";
import type { FleetInputDeps } from "./fleet-input.js";
import type { DesiredFleet } from "../config/types.js";
import type { ObservedFleet } from "../observe/types.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { type CommonOptions, withCommonOptions } from "./common.js";
import { FLEET_ARGUMENT_HELP } from "./fleet-default.js";
import { checkMetricsFile, type MetricsOption, withMetricsOption, writeMetrics } from "./metrics-option.js";
import type { Output } from "./session-deps.js";

export interface FactsCommandOptions extends CommonOptions, MetricsOption {
  /** False with --no-color. */
  color: boolean;
}

export interface FactsCommandDeps extends FleetInputDeps {
  observe(fleet: DesiredFleet, hosts: string[]): Promise<ObservedFleet>;
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  now(): Date;
}

const HELP_AFTER = `
One read-only round trip per host: the system, the installed OpenShell and NemoClaw, each gateway
(driver, the version actually running, health), its sandboxes with their guard files and locks,
NemoClaw's registry, shields, local backups and any fleet lock. plan and apply see the same facts.
With -i and no fleet file it works on an inventory alone, whether or not OpenShell is installed.

Exit codes: 0 every host observed, 3 invalid fleet file, inventory or --limit, 4 a host could not
be reached or its observation did not finish (see docs/exit-codes.md and docs/facts.md).

Examples:
  nemoclaw facts                                       # ./fleet.yaml
  nemoclaw facts -i inventory/hosts.ini --limit spark-01
  nemoclaw facts fleet.yaml --json | jq '.hosts[] | {host, openshell: .openshell.value.version}'
  nemoclaw facts --metrics-file /var/lib/prometheus/node-exporter/nemoclaw-facts.prom`;

export function register(program: Command): void {
  withMetricsOption(
    withCommonOptions(
      program
        .command("facts")
        .argument("[fleet]", FLEET_ARGUMENT_HELP)
        .description("observe the selected hosts and show what is there: versions, gateways, sandboxes, guards, backups; changes nothing"),
    ),
  )
    .option("--no-color", "no colours in the output")
    .addHelpText("after", HELP_AFTER)
    .action(async (fleetFile: string | undefined, options: FactsCommandOptions) => {
      process.exitCode = await runFactsCommand(fleetFile, options, await defaultDeps());
    });
}

export async function runFactsCommand(fleetFile: string | undefined, options: FactsCommandOptions, deps: FactsCommandDeps): Promise<ExitCodeValue> {
  const [{ renderFactsHuman }, { renderFactsJson, factsExitCode }, { colorsFor }, { readFleetInput, refuseOverwritingInputs }, { fleetStatus }, { observedFamilies }, { mostSevere }] = await Promise.all([
    import("../report/facts-human.js"),
    import("../report/facts-json.js"),
    import("../report/color.js"),
    import("./fleet-input.js"),
    import("../report/fleet-status.js"),
    import("../report/fleet-metrics.js"),
    import("../exit-codes.js"),
  ]);
  const badPath = checkMetricsFile("facts", options.metricsFile, deps.stderr);
  if (badPath !== null) return badPath;
  const input = await readFleetInput(fleetFile, { inventories: options.inventory, limit: options.limit, color: colorsFor(deps.stderr, options.color, deps.env).enabled }, deps);
  if (typeof input === "number") return input;
  const clash = refuseOverwritingInputs("facts", [{ option: "--metrics-file", path: options.metricsFile }], input.inputs, deps.stderr);
  if (clash !== null) return clash;
  const { fleet, hosts } = input;
  if (!options.json) deps.stderr.write(`Observing ${hosts.length} host${hosts.length === 1 ? "" : "s"}…\n`);
  const observed = await deps.observe(fleet, hosts);
  deps.stdout.write(options.json ? renderFactsJson(observed) : renderFactsHuman(observed, { colors: colorsFor(deps.stdout, options.color, deps.env) }));
  const metrics = await writeMetrics("facts", options.metricsFile, () => observedFamilies(fleetStatus({ fleet, observed, plan: null, now: deps.now() })), deps);
  return mostSevere([factsExitCode(observed), metrics]);
}

async function defaultDeps(): Promise<FactsCommandDeps> {
  const [{ loadFleetFrom }, { selectHosts }, { observeSelected }] = await Promise.all([
    import("./fleet-input.js"),
    import("../config/selectors.js"),
    import("../observe/fleet.js"),
  ]);
  return { load: loadFleetFrom, select: selectHosts, observe: observeSelected, stdout: process.stdout, stderr: process.stderr, env: process.env, now: () => new Date() };
}
