/**
 * `nemoclaw init -i <inventory>… [-o fleet.yaml] [--openshell <version>] [--name <fleet>]`: a
 * starter fleet file for hosts you already keep in an Ansible inventory. The hosts stay in the
 * inventory; the file references it and declares what the hosts run now, observed in one round
 * trip per host: the NemoClaw release and the OpenShell it pinned, the gateways by port, and the
 * sandboxes NemoClaw's registry records with their agent, provider, model, policy and image. So
 * the first `nemoclaw plan` changes nothing (it installs OpenShell only where it is missing).
 * With --openshell no host is contacted and only that pin is written.
 * Heavy modules load inside the action so `--help` and `--version` stay fast.
 */
import { InvalidArgumentError, type Command } from "commander";
import { parseOpenShellVersion, versionWithin } from "../config/openshell-version.js";
import { fleetNameError, fleetNameFrom, renderStarterFleet, type StarterFleet } from "../report/starter-fleet.js";
import { choosePins, commonestVersion, importedGateways, importedSandboxes, releasesOf, type HostOpenShell, type PinOf } from "../report/starter-import.js";
import type { DesiredFleet, SourceRef } from "../config/types.js";
import type { ObservedFleet } from "../observe/types.js";
import type { ExitCodeValue } from "../exit-codes.js";
import { type CommonOptions, withCommonOptions } from "./common.js";
import { fleetInputs, refuseOverwritingInputs } from "./fleet-input.js";

export interface InitCommandOptions extends CommonOptions {
  out?: string;
  force: boolean;
  openshell?: string;
  name?: string;
  /** --schema: the `$schema` reference to write instead of the schema's URL (a URL, or a path). */
  schema?: string;
  /** False with --no-color. */
  color: boolean;
}

export interface InitCommandDeps {
  /** `sources`: every file read, which `-o` must not overwrite. */
  load(inventories: string[]): Promise<{ fleet: DesiredFleet; warnings: string; sources?: string[] }>;
  select(fleet: DesiredFleet, limit: string | undefined): string[];
  observe(fleet: DesiredFleet, hosts: string[]): Promise<ObservedFleet>;
  /** The OpenShell versions a NemoClaw release runs (src/host/nemoclaw/release-rules.ts). */
  pinOf: PinOf;
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

/**
 * `--schema`: written into the file's first comment line, where nothing can be quoted, so a
 * control character (a line break would end the comment and add YAML of its own) is refused.
 */
function schemaArgument(value: string): string {
  const control = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.exec(value);
  if (control !== null) throw new InvalidArgumentError(`it has a control character (${JSON.stringify(control[0])}), which cannot be written into the fleet file's comment line`);
  if (value.trim() === "") throw new InvalidArgumentError("expected a URL or a path");
  return value;
}

/** The fleet schema's \`$id\`: the same reference on every machine, unlike the installed file's path. */
export const FLEET_SCHEMA_URL = "https://nemoclaw.dev/schemas/fleet.schema.json";

const HELP_AFTER = `
The hosts stay in the inventory: the file lists it under \`inventory:\` (relative to the file), so
the inventory you use with Ansible keeps working for both tools. Without --openshell, every
selected host is observed once (read-only) and the file declares what they run now:
  - the NemoClaw release and OpenShell most hosts run as defaults (nemoclaw.version,
    openshell.version); hosts on other releases keep theirs
  - the gateways, by port, on the hosts that run them
  - the sandboxes NemoClaw's registry records, with agent, provider, model, policy tier and
    presets and image, and a credential reference (env:<the variable NemoClaw reads on the host>);
    one whose name nemoclaw cannot manage (a NemoClaw command word such as gc) only in a comment
so the first \`nemoclaw plan\` changes nothing. With --openshell no host is contacted and only that
pin is written. --limit observes only the hosts it selects; the file still covers the whole
inventory. The pins go under defaults:, which an inventory's nemoclaw_version and
nemoclaw_openshell_version override: where those differ, a warning names the variable.

The file starts with a \`# yaml-language-server: $schema=\` line for editors, pointing at the
schema's URL (${FLEET_SCHEMA_URL}), the same on every machine; --schema writes another
reference (a path is written relative to the file, e.g. a copy of schemas/fleet.schema.json kept in
the repository). Without -o the file goes to stdout, with paths relative to the current directory.

Exit codes: 0 written, 1 bad usage or nothing to pin, 3 invalid inventory, 4 a host could not be
reached (the file is still written from the others; see docs/exit-codes.md).

Examples:
  nemoclaw init -i inventory/hosts.ini -o fleet.yaml
  nemoclaw init -i inventory/hosts.ini --openshell 0.0.72 > fleet.yaml
  nemoclaw init -i inventory/prod.yml -i inventory/lab.yml --name dgx -o fleet.yaml --json
  nemoclaw init -i hosts.ini -o fleet.yaml --schema schemas/fleet.schema.json`;

export function register(program: Command): void {
  withCommonOptions(
    program
      .command("init")
      .description("write a fleet file for the hosts of an Ansible inventory, declaring what they run now"),
  )
    .option("-o, --out <file>", "write the fleet file here (atomically) instead of to stdout (- is stdout)")
    .option("--force", "replace the --out file when it exists", false)
    .option("--openshell <version>", "pin this OpenShell version instead of observing the hosts", versionArgument)
    .option("--name <fleet>", "fleet name (default: the first inventory's file name)", fleetNameArgument)
    .option("--schema <url-or-path>", `the \`$schema\` reference editors read (default: ${FLEET_SCHEMA_URL})`, schemaArgument)
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
  // `-o -` is stdout, as without -o (and as `report --html -`), not a file named "-".
  if (options.out === "-") delete options.out;
  const outPath = options.out === undefined ? undefined : path.resolve(deps.cwd, options.out);
  if (outPath !== undefined && !options.force && deps.exists(outPath)) return fail(`${options.out} exists; pass --force to replace it`);

  let fleet: DesiredFleet;
  let selected: string[];
  try {
    const loaded = await deps.load(options.inventory);
    if (loaded.warnings) deps.stderr.write(loaded.warnings);
    fleet = loaded.fleet;
    // --force replaces an existing file, never one this command reads.
    const clash = refuseOverwritingInputs("init", [{ option: "-o", path: outPath }], fleetInputs(fleet, loaded.sources), deps.stderr);
    if (clash !== null) return clash;
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
  const hosts: HostOpenShell[] = observed ? observed.hosts.map(releasesOf) : selected.map((host) => ({ host, status: "not-observed" }));
  const pins = options.openshell === undefined ? choosePins(hosts, deps.pinOf) : { openshell: options.openshell, nemoclaw: null, overrides: [], unpinned: [] };
  const unreachable = hosts.filter((host) => host.status === "unreachable");
  for (const host of hosts) {
    if (host.status === "unreachable" || host.status === "unknown") deps.stderr.write(`warning: ${host.host}: ${host.status}: ${host.reason}\n`);
  }
  if (pins === undefined) {
    const code = unreachable.length === hosts.length ? ExitCode.Unreachable : ExitCode.Error;
    return fail("no selected host reported an installed OpenShell version; pin one with --openshell <version>", code);
  }

  for (const warning of inventoryPinConflicts(fleet, pins, deps.pinOf)) deps.stderr.write(`warning: ${warning}\n`);

  const baseDir = outPath === undefined ? deps.cwd : path.dirname(outPath);
  const relative = (target: string) => path.relative(baseDir, path.resolve(deps.cwd, target)) || ".";
  const groups: Record<string, string[]> = { all: fleet.hosts.map((host) => host.name) };
  for (const host of fleet.hosts) for (const group of host.groups) (groups[group] ??= []).push(host.name);
  const { declared, unregistered, unaddressable } = observed ? importedSandboxes(observed) : { declared: [], unregistered: [], unaddressable: [] };
  const starter: StarterFleet = {
    name: options.name ?? fleetNameFrom(path.basename(options.inventory[0] as string)),
    inventories: options.inventory.map(relative),
    schema: options.schema === undefined ? FLEET_SCHEMA_URL : /^[a-z][a-z0-9+.-]*:\/\//i.test(options.schema) ? options.schema : relative(options.schema),
    pins: { ...pins, source: options.openshell === undefined ? "observed" : "flag" },
    hosts,
    gateways: observed ? importedGateways(observed) : [],
    sandboxes: declared,
    unregistered,
    unaddressable,
    groups,
    date: deps.today().toISOString().slice(0, 10),
    fileName: options.out ?? "fleet.yaml",
  };
  const { stringify } = await import("yaml");
  const text = renderStarterFleet(starter, (value) => stringify(value, { lineWidth: 0 }).trimEnd());

  if (outPath !== undefined) {
    try {
      deps.writeFile(outPath, text, options.force);
    } catch (error) {
      return fail(`-o ${(error as Error).message}`);
    }
  }
  if (options.json) {
    const { name, inventories, schema, gateways, sandboxes } = starter;
    const source = starter.pins.source;
    const summary = {
      fleetFile: outPath ?? null,
      name,
      inventories,
      schema,
      nemoclaw: pins.nemoclaw === null ? null : { version: pins.nemoclaw, source },
      openshell: { version: pins.openshell, source },
      overrides: pins.overrides,
      hosts,
      gateways,
      sandboxes,
      unregistered,
      unaddressable,
      yaml: text,
    };
    deps.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    if (outPath === undefined) deps.stdout.write(text);
    const target = starter.fileName;
    const placed = declared.reduce((count, sandbox) => count + sandbox.hosts.length, 0);
    const colors = colorsFor(deps.stderr, options.color, deps.env);
    const where = options.out === undefined ? "Fleet file" : `Wrote ${options.out}`;
    deps.stderr.write(
      `${colors.green("✓")} ${where}: ${hosts.length} host${hosts.length === 1 ? "" : "s"} from ${options.inventory.join(", ")}, ${pins.nemoclaw === null ? "" : `NemoClaw ${pins.nemoclaw}, `}OpenShell ${pins.openshell} (${starter.pins.source === "flag" ? "--openshell" : "observed"}), ${placed} sandbox${placed === 1 ? "" : "es"} imported.\n` +
        `  Next: nemoclaw validate ${target} && nemoclaw plan ${target}\n`,
    );
  }
  return unreachable.length > 0 ? ExitCode.Unreachable : ExitCode.Ok;
}

/**
 * The file declares its pins under `defaults:`, which the inventory's own `nemoclaw_version` and
 * `nemoclaw_openshell_version` override (docs/fleet-file.md#where-host-settings-come-from). Where
 * they differ from the pin the file declares, the hosts would not get it (and a NemoClaw pin beside
 * an OpenShell version it does not run fails validation): say so, at the inventory variable.
 */
function inventoryPinConflicts(fleet: DesiredFleet, pins: { openshell: string; nemoclaw: string | null; overrides: { host: string }[] }, pinOf: PinOf): string[] {
  const overridden = new Set(pins.overrides.map((pin) => pin.host));
  const range = pins.nemoclaw === null ? undefined : pinOf(pins.nemoclaw);
  const conflicts = new Map<string, { at: SourceRef | undefined; what: string; hosts: string[] }>();
  const note = (at: SourceRef | undefined, what: string, host: string) => {
    const key = `${at === undefined ? "" : `${at.file}:${at.line}:${at.column}`}\0${what}`;
    const entry = conflicts.get(key) ?? { at, what, hosts: [] };
    entry.hosts.push(host);
    conflicts.set(key, entry);
  };
  for (const host of fleet.hosts) {
    if (overridden.has(host.name)) continue;
    if (pins.nemoclaw !== null && host.nemoclaw !== undefined && host.nemoclaw.version !== pins.nemoclaw) {
      note(host.nemoclaw.source, `NemoClaw v${host.nemoclaw.version}, not the v${pins.nemoclaw} this file declares`, host.name);
    }
    const openshell = host.openshell?.version;
    if (openshell === undefined) continue;
    if (pins.nemoclaw === null) {
      if (openshell !== pins.openshell) note(host.openshell?.source, `OpenShell ${openshell}, not the ${pins.openshell} this file declares`, host.name);
    } else if (range !== undefined && "min" in range && !versionWithin(openshell, range.min, range.max) && host.nemoclaw === undefined) {
      note(host.openshell?.source, `OpenShell ${openshell}, which NemoClaw v${pins.nemoclaw} (declared by this file) does not run`, host.name);
    }
  }
  return [...conflicts.values()].map(({ at, what, hosts }) => {
    const where = at === undefined ? "the inventory" : `${at.file}:${at.line}:${at.column}: ${at.path}`;
    const shown = hosts.length > 3 ? `${hosts.slice(0, 3).join(", ")} and ${hosts.length - 3} more` : hosts.join(", ");
    return (
      `${where} pins ${what} for ${shown}; inventory variables win over the fleet file's defaults ` +
      "(docs/fleet-file.md#where-host-settings-come-from): remove the variable, or change the pin in the file to match"
    );
  });
}

async function defaultDeps(): Promise<InitCommandDeps> {
  const [{ loadFleet }, { selectHosts }, { formatDiagnostics }, { observeSelected }, fs, { NEMOCLAW_RELEASE_RULES }, { writeFileAtomically }] = await Promise.all([
    import("../config/load.js"),
    import("../config/selectors.js"),
    import("../config/diagnostics.js"),
    import("../observe/fleet.js"),
    import("node:fs"),
    import("../host/nemoclaw/release-rules.js"),
    import("../report/output-file.js"),
  ]);
  return {
    async load(inventories) {
      const { fleet, warnings, sources } = await loadFleet({ inventories });
      return { fleet, warnings: warnings.length > 0 ? formatDiagnostics(warnings, { color: false }) : "", sources };
    },
    select: selectHosts,
    observe: observeSelected,
    pinOf: (version) => NEMOCLAW_RELEASE_RULES.pinOf(version),
    cwd: process.cwd(),
    exists: (path) => fs.existsSync(path),
    // Whole or not at all (a full disk leaves the previous file and no temporary behind), and without
    // --force never over a file that appeared meanwhile.
    writeFile: (path, text, replace) => writeFileAtomically(path, text, { mode: 0o644, replace }),
    today: () => new Date(),
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  };
}
