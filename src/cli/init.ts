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
import { nameProblem } from "../config/names.js";
import { compareOpenShellVersions, parseOpenShellVersion } from "../config/openshell-version.js";
import type { DesiredFleet } from "../config/types.js";
import type { ObservedFleet, ObservedHost } from "../observe/types.js";
import type { ExitCodeValue } from "../report/exit-codes.js";
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

/** What one host told us about its OpenShell. */
export type HostOpenShell =
  | { host: string; status: "installed"; version: string }
  | { host: string; status: "not-installed" | "unknown" | "unreachable"; reason: string }
  | { host: string; status: "not-observed" };

export interface FoundSandbox {
  name: string;
  gateway: string;
  hosts: string[];
}

export interface StarterFleet {
  name: string;
  /** Inventory paths as written in the file (relative to it). */
  inventories: string[];
  schemaPath: string;
  openshell: { version: string; source: "flag" | "observed" };
  hosts: HostOpenShell[];
  sandboxes: FoundSandbox[];
  /** The date written into the file's header comment (YYYY-MM-DD). */
  date: string;
  /** How the header's next-step commands name the file. */
  fileName: string;
}

/** The schema's limit on metadata.name. */
const FLEET_NAME_MAX = 63;

function fleetNameError(name: string): string | undefined {
  return nameProblem("fleet", name) ?? (name.length > FLEET_NAME_MAX ? `fleet name is longer than ${FLEET_NAME_MAX} characters` : undefined);
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
    import("../report/exit-codes.js"),
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

export function openShellOf(observed: ObservedHost): HostOpenShell {
  const host = observed.host;
  if (observed.unreachable) return { host, status: "unreachable", reason: observed.unreachable.message };
  const fact = observed.openshell;
  if (fact.state === "unknown") return { host, status: "unknown", reason: fact.reason };
  if (!fact.value.installed) return { host, status: "not-installed", reason: "openshell is not installed" };
  if (fact.value.version === null) return { host, status: "unknown", reason: "openshell --version printed no version" };
  return { host, status: "installed", version: fact.value.version };
}

/** The release most hosts run; a tie goes to the newer release. */
export function commonestVersion(hosts: HostOpenShell[]): string | undefined {
  const counts = new Map<string, number>();
  for (const host of hosts) if (host.status === "installed") counts.set(host.version, (counts.get(host.version) ?? 0) + 1);
  return [...counts.entries()].sort(([a, countA], [b, countB]) => countB - countA || newerFirst(a, b))[0]?.[0];
}

function newerFirst(a: string, b: string): number {
  const [va, vb] = [parseOpenShellVersion(a), parseOpenShellVersion(b)];
  const byRelease = va && vb ? compareOpenShellVersions(vb, va) : 0;
  return byRelease || b.localeCompare(a);
}

/** Live sandboxes and registry entries, per name and gateway, with the hosts they are on. */
export function foundSandboxes(observed: ObservedFleet): FoundSandbox[] {
  const found = new Map<string, FoundSandbox>();
  const add = (name: string, gateway: string, host: string) => {
    const key = `${name}\0${gateway}`;
    const entry = found.get(key) ?? { name, gateway, hosts: [] };
    if (!entry.hosts.includes(host)) entry.hosts.push(host);
    found.set(key, entry);
  };
  for (const host of observed.hosts) {
    if (host.gateways.state === "known") {
      for (const gateway of host.gateways.value) {
        if (gateway.sandboxes.state === "known") for (const sandbox of gateway.sandboxes.value) add(sandbox.name, gateway.name, host.host);
      }
    }
    if (host.registry.state === "known") for (const entry of host.registry.value.entries) add(entry.name, entry.gatewayName, host.host);
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.gateway.localeCompare(b.gateway));
}

/** A valid fleet name from an inventory file name (`dgx-lab.ini` → `dgx-lab`). */
export function fleetNameFrom(fileName: string): string {
  const stem = fileName.replace(/\.(ini|ya?ml|json|cfg)$/i, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, FLEET_NAME_MAX);
  return stem !== "" && fleetNameError(stem) === undefined ? stem : "fleet";
}

function listHosts(hosts: string[]): string {
  return hosts.length <= 6 ? hosts.join(", ") : `${hosts.slice(0, 5).join(", ")} and ${hosts.length - 5} more`;
}

/**
 * The file's text. `scalar` renders one YAML scalar (quoted when it has to be), so names and
 * paths from the inventory can never change the file's structure.
 */
export function renderStarterFleet(starter: StarterFleet, scalar: (value: string) => string): string {
  const { version } = starter.openshell;
  const installed = starter.hosts.filter((host): host is Extract<HostOpenShell, { status: "installed" }> => host.status === "installed");
  const onPin = installed.filter((host) => host.version === version).map((host) => host.host);
  const others = installed.filter((host) => host.version !== version);
  const missing = starter.hosts.filter((host) => host.status === "not-installed").map((host) => host.host);
  const unseen = starter.hosts.filter((host) => host.status === "unreachable" || host.status === "unknown").map((host) => host.host);

  const lines = [
    `# yaml-language-server: $schema=${starter.schemaPath}`,
    "#",
    `# Fleet file for the hosts in ${starter.inventories.join(", ")}, started by \`nemoclaw init\` on ${starter.date}.`,
    "# The hosts stay in the inventory; this file says what should run on them.",
    `# Check it with \`nemoclaw validate ${starter.fileName}\`; see what would change with \`nemoclaw plan ${starter.fileName}\`.`,
    "apiVersion: nemoclaw.dev/v1",
    "kind: Fleet",
    "metadata:",
    `  name: ${scalar(starter.name)}`,
    "inventory:",
    ...starter.inventories.map((inventory) => `  - ${scalar(inventory)}`),
    "",
    "defaults:",
    "  openshell:",
    starter.openshell.source === "flag"
      ? "    # Given with --openshell; plan installs or upgrades to it (backups first) where hosts differ."
      : `    # The release ${onPin.length === 1 ? "1 host runs" : `${onPin.length} hosts run`}: ${listHosts(onPin)}.`,
    ...(missing.length > 0 ? [`    # Not installed on ${listHosts(missing)}: plan installs this release there.`] : []),
    ...(unseen.length > 0 ? [`    # Not observed: ${listHosts(unseen)}; run \`nemoclaw facts\` on them before relying on this pin.`] : []),
    `    version: ${quotedVersion(version)}`,
  ];
  if (others.length > 0) {
    lines.push(
      "",
      "# Hosts on another OpenShell release keep it. Remove an entry to bring that host to the default",
      "# above: plan then shows the upgrade, with verified backups of its sandboxes first.",
      "hosts:",
      ...others.flatMap((host) => [`  - name: ${scalar(host.host)}`, `    openshell: { version: ${quotedVersion(host.version)} }`]),
    );
  }
  lines.push("", "gateways:", "  - port: 8080                        # the default gateway, named nemoclaw, on every host");
  lines.push("", ...foundComment(starter.sandboxes));
  lines.push(
    "# sandboxes:",
    "#   - name: assistant",
    "#     hosts: all                       # every host; or `host: <one host>`, a group, or a pattern",
    "#     provider: build",
    "#     model: nvidia/nemotron-3-super-120b-a12b",
    "#     credential: env:NVIDIA_API_KEY   # a reference: the key itself never enters this file",
    "#     policy: { presets: [pypi, npm] }",
    "",
    "# backupPolicies:",
    "#   - name: nightly",
    '#     schedule: "0 2 * * *"            # five-field cron, in UTC',
    "#     retention: { keepDaily: 7, keepWeekly: 4 }",
    "#     destination: { path: ./backups } # beside this file; or { host: <fleet host>, path: /srv/nemoclaw-backups }",
    "#     verify: true",
    "",
  );
  return `${lines.join("\n")}`;
}

/** Versions are always quoted, as the docs write them: `0.1` unquoted would be a number. */
function quotedVersion(version: string): string {
  return JSON.stringify(version);
}

function foundComment(sandboxes: FoundSandbox[]): string[] {
  if (sandboxes.length === 0) return ["# Sandboxes: none were found on the hosts. Declare the ones you want, e.g.:"];
  return [
    "# Sandboxes found on the hosts. Until they are declared below, plan only notes them (it never",
    "# deletes a sandbox the file does not name unless you ask with --prune):",
    ...sandboxes.map((sandbox) => `#   ${sandbox.name} (gateway ${sandbox.gateway}) on ${listHosts(sandbox.hosts)}`),
    "# Declare them like this:",
  ];
}

async function defaultDeps(): Promise<InitCommandDeps> {
  const [{ loadFleet }, { selectHosts }, { formatDiagnostics }, { ConnectionPool }, { observeFleet }, fs, { fileURLToPath }] = await Promise.all([
    import("../config/load.js"),
    import("../config/selectors.js"),
    import("../config/diagnostics.js"),
    import("../transport/pool.js"),
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
    async observe(fleet, hosts) {
      // Every inventory host, so a selected host can reach its bastion when that is a host too.
      const pool = new ConnectionPool(fleet.hosts);
      try {
        return await observeFleet(fleet, hosts, { pool, concurrency: fleet.apply.concurrency });
      } finally {
        await pool.closeAll();
      }
    },
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
