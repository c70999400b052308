/**
 * `nemoclaw init -i <inventory>… [-o fleet.yaml] [--openshell <version>] [--name <fleet>]`: a
 * starter fleet file for hosts you already keep in an Ansible inventory. The hosts stay in the
 * inventory; the file references it, pins the OpenShell release the hosts run (observed in one
 * round trip per host, or given with --openshell, then no host is contacted), declares the default
 * gateway, and carries a commented example sandbox and nightly backup policy. Hosts keep the
 * release they run, so the first `nemoclaw plan` upgrades nothing (it installs OpenShell only
 * where it is missing).
 * Heavy modules load inside the action so `--help` and `--version` stay fast.
 */
import { InvalidArgumentError, type Command } from "commander";
import { parseOpenShellVersion } from "../config/openshell-version.js";
import {
  commonestVersion,
  fleetNameError,
  fleetNameFrom,
  foundSandboxes,
  openShellOf,
  renderStarterFleet,
  type HostOpenShell,
  type StarterFleet,
} from "../report/starter-fleet.js";
import type { DesiredFleet } from "../config/types.js";
import type { ObservedFleet } from "../observe/types.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { type CommonOptions, withCommonOptions } from "./common.js";

export interface InitCommandOptions extends CommonOptions {
  out?: string;
  force: boolean;
  openshell?: string;
  name?: string;
  /** False with --no-color. */
  color: boolean;
}

export interface InitCommandDeps {
  load(inventories: string[]): Promise<{ fleet: DesiredFleet; warnings: string }>;
  select(fleet: DesiredFleet, limit: string | undefined): string[];
  observe(fleet: DesiredFleet, hosts: string[]): Promise<ObservedFleet>;
  /** Absolute path of the fleet file schema that ships with this installation. */
  schemaPath: string;
  cwd: string;
  exists(path: string): boolean;
  /** Atomically create `path` (replace it only when `replace`); throws when it exists otherwise. */
  writeFile(path: string, text: string, replace: boolean): void;
  today(): Date;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

function versionArgument(value: string): string {
  const version = parseOpenShellVersion(value);
  if (version === undefined) throw new InvalidArgumentError("expected an OpenShell version such as 0.0.72");
  return version.text;
}

function fleetNameArgument(value: string): string {
  const problem = fleetNameError(value);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return value;
}

const HELP_AFTER = `
The hosts stay in the inventory: the file lists it under \`inventory:\` (relative to the file), so
the inventory you use with Ansible keeps working for both tools. Without --openshell, every
selected host is observed once (read-only) and the release most hosts run becomes the default
pin; hosts on another release get their own pin, so the first \`nemoclaw plan\` upgrades nothing.
With --openshell no host is contacted. --limit observes only the hosts it selects; the file
still covers the whole inventory.

Without -o the file goes to stdout, with paths relative to the current directory.

Exit codes: 0 written, 1 bad usage or nothing to pin, 3 invalid inventory, 4 a host could not be
reached (the file is still written from the others; see docs/exit-codes.md).

Examples:
  nemoclaw init -i inventory/hosts.ini -o fleet.yaml
  nemoclaw init -i inventory/hosts.ini --openshell 0.0.72 > fleet.yaml
  nemoclaw init -i inventory/prod.yml -i inventory/lab.yml --name dgx -o fleet.yaml --json`;

export function register(program: Command): void {
  withCommonOptions(
    program
      .command("init")
      .description("write a starter fleet file for the hosts of an existing Ansible inventory"),
  )
    .option("-o, --out <file>", "write the fleet file here (atomically) instead of to stdout")
    .option("--force", "replace the --out file when it exists", false)
    .option("--openshell <version>", "pin this OpenShell version instead of observing the hosts", versionArgument)
    .option("--name <fleet>", "fleet name (default: the first inventory's file name)", fleetNameArgument)
    .option("--no-color", "no colours in the output")
    .addHelpText("after", HELP_AFTER)
    .action(async (options: InitCommandOptions) => {
      process.exitCode = await runInitCommand(options, await defaultDeps());
    });
}

export async function runInitCommand(options: InitCommandOptions, deps: InitCommandDeps): Promise<ExitCodeValue> {
  const [path, { ExitCode }, { FleetValidationError, formatDiagnostics }, { colorsFor }] = await Promise.all([
    import("node:path"),
    import("../exit-codes.js"),
    import("../config/diagnostics.js"),
    import("../report/color.js"),
  ]);
  const fail = (message: string, code: ExitCodeValue = ExitCode.Error): ExitCodeValue => {
    deps.stderr.write(`nemoclaw init: ${message}\n`);
    return code;
  };
  if (options.inventory.length === 0) return fail("give the Ansible inventory to start from with -i <inventory>");
  const outPath = options.out === undefined ? undefined : path.resolve(deps.cwd, options.out);
  if (outPath !== undefined && !options.force && deps.exists(outPath)) return fail(`${options.out} exists; pass --force to replace it`);

  let fleet: DesiredFleet;
  let selected: string[];
  try {
    const loaded = await deps.load(options.inventory);
    if (loaded.warnings) deps.stderr.write(loaded.warnings);
    fleet = loaded.fleet;
    selected = deps.select(fleet, options.limit);
  } catch (error) {
    if (!(error instanceof FleetValidationError)) throw error;
    deps.stderr.write(formatDiagnostics(error.diagnostics, { color: colorsFor(deps.stderr, options.color, deps.env).enabled }));
    return ExitCode.ValidationError;
  }

  let observed: ObservedFleet | undefined;
  if (options.openshell === undefined) {
    if (!options.json) deps.stderr.write(`Observing ${selected.length} host${selected.length === 1 ? "" : "s"}…\n`);
    observed = await deps.observe(fleet, selected);
  }
  const hosts: HostOpenShell[] = observed ? observed.hosts.map(openShellOf) : selected.map((host) => ({ host, status: "not-observed" }));
  const version = options.openshell ?? commonestVersion(hosts);
  const unreachable = hosts.filter((host) => host.status === "unreachable");
  for (const host of hosts) {
    if (host.status === "unreachable" || host.status === "unknown") deps.stderr.write(`warning: ${host.host}: ${host.status}: ${host.reason}\n`);
  }
  if (version === undefined) {
    const code = unreachable.length === hosts.length ? ExitCode.Unreachable : ExitCode.Error;
    return fail("no selected host reported an installed OpenShell version; pin one with --openshell <version>", code);
  }

  const baseDir = outPath === undefined ? deps.cwd : path.dirname(outPath);
  const relative = (target: string) => path.relative(baseDir, path.resolve(deps.cwd, target)) || ".";
  const starter: StarterFleet = {
    name: options.name ?? fleetNameFrom(path.basename(options.inventory[0] as string)),
    inventories: options.inventory.map(relative),
    schemaPath: deps.schemaPath,
    openshell: { version, source: options.openshell === undefined ? "observed" : "flag" },
    hosts,
    sandboxes: observed ? foundSandboxes(observed) : [],
    date: deps.today().toISOString().slice(0, 10),
    fileName: options.out ?? "fleet.yaml",
  };
  const { stringify } = await import("yaml");
  const text = renderStarterFleet(starter, (value) => stringify(value, { lineWidth: 0 }).trimEnd());

  if (outPath !== undefined) {
    try {
      deps.writeFile(outPath, text, options.force);
    } catch (error) {
      return fail(`cannot write ${options.out}: ${(error as Error).message}`);
    }
  }
  if (options.json) {
    const { name, inventories, schemaPath, openshell, sandboxes } = starter;
    deps.stdout.write(`${JSON.stringify({ fleetFile: outPath ?? null, name, inventories, schemaPath, openshell, hosts, sandboxes, yaml: text }, null, 2)}\n`);
  } else {
    if (outPath === undefined) deps.stdout.write(text);
    const target = starter.fileName;
    const colors = colorsFor(deps.stderr, options.color, deps.env);
    const where = options.out === undefined ? "Fleet file" : `Wrote ${options.out}`;
    deps.stderr.write(
      `${colors.green("✓")} ${where}: ${hosts.length} host${hosts.length === 1 ? "" : "s"} from ${options.inventory.join(", ")}, OpenShell ${version} (${starter.openshell.source === "flag" ? "--openshell" : "observed"}).\n` +
        `  Next: nemoclaw validate ${target} && nemoclaw plan ${target}\n`,
    );
  }
  return unreachable.length > 0 ? ExitCode.Unreachable : ExitCode.Ok;
}

async function defaultDeps(): Promise<InitCommandDeps> {
  const [{ loadFleet }, { selectHosts }, { formatDiagnostics }, { observeSelected }, fs, { fileURLToPath }] = await Promise.all([
    import("../config/load.js"),
    import("../config/selectors.js"),
    import("../config/diagnostics.js"),
    import("../observe/fleet.js"),
    import("node:fs"),
    import("node:url"),
  ]);
  return {
    async load(inventories) {
      const { fleet, warnings } = await loadFleet({ inventories });
      return { fleet, warnings: warnings.length > 0 ? formatDiagnostics(warnings, { color: false }) : "" };
    },
    select: selectHosts,
    observe: observeSelected,
    schemaPath: fileURLToPath(new URL("../../schemas/fleet.schema.json", import.meta.url)),
    cwd: process.cwd(),
    exists: (path) => fs.existsSync(path),
    writeFile(path, text, replace) {
      const temporary = `${path}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, text, { mode: 0o644 });
      try {
        // link() refuses an existing name, so a file that appeared meanwhile is never clobbered.
        if (replace) fs.renameSync(temporary, path);
        else fs.linkSync(temporary, path);
      } finally {
        fs.rmSync(temporary, { force: true });
      }
    },
    today: () => new Date(),
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  };
}
