/**
 * `nemoclaw inventory [fleet] -i inv… (--list | --graph [group] | --host NAME)`: the inventory as
 * nemoclaw reads it, printed the way `ansible-inventory` prints it, so the two can be compared
 * line by line. Contacts no host. Heavy modules load inside the action so `--help` stays fast.
 */
import type { Command } from "commander";
import type { FleetInspection, LoadOptions } from "../config/load.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { withVaultOptions } from "./common.js";
import { DEFAULT_FLEET_FILE, DEFAULTED_HINT, fleetFileFor } from "./fleet-default.js";
import { fleetInputs, refuseOverwritingInputs } from "./fleet-input.js";

export interface InventoryCommandOptions {
  inventory: string[];
  list?: boolean;
  graph?: boolean;
  host?: string;
  export?: boolean;
  output?: string;
  /** False with --no-color. */
  color: boolean;
}

export interface InventoryCommandDeps {
  inspect(options: LoadOptions): Promise<FleetInspection>;
  writeFile(path: string, text: string): Promise<void>;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const HELP_AFTER = `
Reads what \`ansible-inventory\` reads: INI, YAML and JSON inventories, directories of them,
group_vars/ and host_vars/, executable inventory scripts (run with --list), the JSON that
\`ansible-inventory --list\` writes, vault-encrypted files (with --vault-password-file) and
plugin files (\`plugin: …\`, read through ansible-inventory when it is installed). The output has
the same shape and keys as ansible-inventory's, with one difference: values of variables whose
name contains "pass", "secret" or "token", and vault values, are printed as "<masked>".
With a fleet file, its hosts: and their groups are shown too. See docs/inventories.md.

Exit codes: 0 printed, 1 bad usage (no action, or --host names no single host), 3 invalid
inventory (see docs/exit-codes.md).

Examples:
  nemoclaw inventory -i inventory/dgx-lab.ini --graph
  nemoclaw inventory -i inventory/ --list --export
  nemoclaw inventory -i inventory/prod.yml --host spark-01
  nemoclaw inventory fleet.yaml --list --output inventory.json
  nemoclaw inventory -i aws_ec2.yml --vault-password-file ~/.vault-pass --list
  diff <(nemoclaw inventory -i hosts --list) <(ansible-inventory -i hosts --list)`;

export function register(program: Command): void {
  withVaultOptions(
    program
      .command("inventory")
      .argument("[fleet]", `fleet file whose inventories to read (default: ./${DEFAULT_FLEET_FILE}; with -i and no fleet file, those inventories alone)`)
      .argument("[group]", "with --graph: the group to start from (default: all); alone, an argument that is not a file is this group")
      .description("show the Ansible inventory as nemoclaw reads it, in ansible-inventory's formats; contacts no host"),
  )
    .option("-i, --inventory <path>", "Ansible inventory: INI, YAML, JSON, a directory, an inventory script or a plugin file; repeatable", collect, [])
    .option("--list", "all groups and hosts with their variables, as JSON (ansible-inventory --list)")
    .option("--graph", "the group tree from `all`, or from [group] (ansible-inventory --graph)")
    .option("--host <name>", "one host's variables after precedence, as JSON (ansible-inventory --host)")
    .option("--export", "with --list: group variables on their groups, hosts with only their own (ansible-inventory --export)")
    .option("--output <file>", "write the result to this file instead of stdout (- is stdout)")
    .option("--no-color", "no colours in the output")
    .addHelpText("after", HELP_AFTER)
    .action(async (fleet: string | undefined, group: string | undefined, options: InventoryCommandOptions) => {
      process.exitCode = await runInventoryCommand(fleet, group, options, await defaultDeps());
    });
}

/** `nemoclaw inventory -i inv --graph spark` gives only a group: a lone argument that is not a file is the group. */
export async function runInventoryCommand(fleetOrGroup: string | undefined, group: string | undefined, options: InventoryCommandOptions, deps: InventoryCommandDeps): Promise<ExitCodeValue> {
  const [{ ExitCode }, { formatDiagnostics }, { colorsFor }, { inventoryGraph, inventoryList, hostVariables }, { pythonJson }, { universeOf }, { evaluatePattern, parseHostPattern, PatternError }, { existsSync }] =
    await Promise.all([
      import("../exit-codes.js"),
      import("../config/diagnostics.js"),
      import("../report/color.js"),
      import("../config/inventory/export.js"),
      import("../config/inventory/values.js"),
      import("../config/selectors.js"),
      import("../config/patterns.js"),
      import("node:fs"),
    ]);
  const fail = (message: string): ExitCodeValue => {
    deps.stderr.write(`nemoclaw inventory: ${message}\n`);
    return ExitCode.Error;
  };
  const actions = [options.list, options.graph, options.host !== undefined].filter(Boolean).length;
  if (actions !== 1) return fail(actions === 0 ? "choose one of --list, --graph or --host" : "use only one of --list, --graph and --host");
  let fleetFile = fleetOrGroup;
  let graphStart = group ?? "all";
  if (fleetOrGroup !== undefined && group === undefined && !existsSync(fleetOrGroup)) {
    graphStart = fleetOrGroup;
    fleetFile = undefined;
  }
  const defaulted = fleetFile === undefined && options.inventory.length === 0;
  fleetFile = fleetFileFor(fleetFile, options.inventory);

  const inspection = await deps.inspect({ ...(fleetFile === undefined ? {} : { fleetFile }), inventories: options.inventory });
  const color = colorsFor(deps.stderr, options.color, deps.env).enabled;
  const inventoryProblems = inspection.diagnostics.filter((d) => d.severity === "warning" || !/the fleet has no hosts/.test(d.message));
  if (inventoryProblems.length > 0) deps.stderr.write(formatDiagnostics(inventoryProblems, { color }));
  const loaded = inspection.inventory;
  if (loaded === undefined || inventoryProblems.some((d) => d.severity === "error")) {
    if (defaulted) deps.stderr.write(DEFAULTED_HINT);
    return ExitCode.ValidationError;
  }
  const view = { inventory: loaded.inventory, sourceCount: loaded.sourceDirs.length };
  const universe = universeOf(
    [...loaded.inventory.hosts.keys()].map((name) => ({ name, labels: {} })),
    loaded.inventory.tree(),
  );

  if (options.graph) {
    if (!loaded.inventory.groups.has(graphStart)) return fail(`--graph starts at a group, and there is no group "${graphStart}"`);
    return emit(`${inventoryGraph(view, graphStart)}\n`);
  }
  if (options.host !== undefined) {
    let hosts: string[];
    try {
      hosts = evaluatePattern(universe, parseHostPattern(options.host)).hosts;
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      return fail(`--host '${options.host}': ${error.message}`);
    }
    if (hosts.length !== 1) return fail(`--host needs exactly one host, and '${options.host}' ${hosts.length === 0 ? "names none" : `names ${hosts.length}`}`);
    return emit(`${pythonJson(hostVariables(view, hosts[0]!))}\n`);
  }
  return emit(`${pythonJson(inventoryList(view, { export: options.export === true, hosts: universe.groupHosts("all") }))}\n`);

  // --output applies to --list, --graph and --host alike, as in ansible-inventory (ansible-core
  // 2.14 lib/ansible/cli/inventory.py, run(): whichever result, then the output file).
  async function emit(text: string): Promise<ExitCodeValue> {
    // `--output -` is stdout, as without it (and as `report --html -`), not a file named "-".
    if (options.output === undefined || options.output === "-") {
      deps.stdout.write(text);
      return ExitCode.Ok;
    }
    const clash = refuseOverwritingInputs("inventory", [{ option: "--output", path: options.output }], fleetInputs(inspection.fleet, inspection.sources), deps.stderr);
    if (clash !== null) return clash;
    try {
      await deps.writeFile(options.output, text);
    } catch (error) {
      // Names the file and why (a full disk); the previous file stays as it was.
      return fail(`--output ${(error as Error).message}`);
    }
    return ExitCode.Ok;
  }
}

async function defaultDeps(): Promise<InventoryCommandDeps> {
  const [{ inspectFleet }, { writeFileAtomically }] = await Promise.all([import("../config/load.js"), import("../report/output-file.js")]);
  return { inspect: inspectFleet, writeFile: async (path, text) => writeFileAtomically(path, text), stdout: process.stdout, stderr: process.stderr, env: process.env };
}
