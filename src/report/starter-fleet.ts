/**
 * The starter fleet file `nemoclaw init` writes for hosts kept in an Ansible inventory: the
 * releases, gateways and sandboxes the hosts run (src/report/starter-import.ts decides them), with
 * comments saying where each came from, and commented examples where nothing was found. Pure: the
 * command observes and writes.
 */
import { DEFAULT_GATEWAY_NAME, DEFAULT_GATEWAY_PORT, nameProblem } from "../config/names.js";
import type { FoundSandbox, HostOpenShell, ImportedGateway, ImportedSandbox, ReleasePins, UnaddressableSandbox } from "./starter-import.js";

export interface StarterFleet {
  name: string;
  /** Inventory paths as written in the file (relative to it). */
  inventories: string[];
  /** The `$schema` reference for editors: a URL, or a path relative to the file. */
  schema: string;
  pins: ReleasePins & { source: "flag" | "observed" };
  hosts: HostOpenShell[];
  gateways: ImportedGateway[];
  sandboxes: ImportedSandbox[];
  unregistered: FoundSandbox[];
  /** Registered sandboxes whose names a fleet file cannot declare. */
  unaddressable: UnaddressableSandbox[];
  /** Every fleet host by group (`all` included), to place a sandbox by group where the hosts are exactly one. */
  groups: Record<string, string[]>;
  /** The date written into the file's header comment (YYYY-MM-DD). */
  date: string;
  /** How the header's next-step commands name the file. */
  fileName: string;
}

/** The schema's limit on metadata.name. */
export const FLEET_NAME_MAX = 63;

export function fleetNameError(name: string): string | undefined {
  return nameProblem("fleet", name) ?? (name.length > FLEET_NAME_MAX ? `fleet name is longer than ${FLEET_NAME_MAX} characters` : undefined);
}

/** A valid fleet name from an inventory file name (`dgx-lab.ini` → `dgx-lab`). */
export function fleetNameFrom(fileName: string): string {
  const stem = fileName.replace(/\.(ini|ya?ml|json|cfg)$/i, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, FLEET_NAME_MAX);
  return stem !== "" && fleetNameError(stem) === undefined ? stem : "fleet";
}

/**
 * Text for a comment line: control characters (a line break above all) written as escapes, so a
 * value from the command line, the inventory or a host can never end the comment and add YAML.
 */
export function commentText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    if (char === "\n") return "\\n";
    if (char === "\r") return "\\r";
    if (char === "\t") return "\\t";
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

function listHosts(hosts: string[]): string {
  return commentText(hosts.length <= 6 ? hosts.join(", ") : `${hosts.slice(0, 5).join(", ")} and ${hosts.length - 5} more`);
}

type Scalar = (value: string) => string;

/** Versions are always quoted, as the docs write them: `0.1` unquoted would be a number. */
function quotedVersion(version: string): string {
  return JSON.stringify(version);
}

/**
 * Where a resource runs: one host (`host:` where the entry takes one), `all`, the one group with
 * exactly those hosts, or the names. A host named as a pattern must not read as anything else.
 */
function placement(hosts: string[], groups: Record<string, string[]>, scalar: Scalar, oneHost: "host" | "pattern" = "host"): string {
  const only = hosts.length === 1 ? (hosts[0] as string) : undefined;
  if (only !== undefined && oneHost === "host") return `host: ${scalar(only)}`;
  if (only !== undefined && /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(only) && groups[only] === undefined) return `hosts: ${scalar(only)}`;
  const wanted = [...hosts].sort().join("\0");
  const same = (members: string[]) => [...members].sort().join("\0") === wanted;
  if (groups.all && same(groups.all)) return "hosts: all";
  const group = Object.keys(groups)
    .sort()
    .find((name) => name !== "all" && same(groups[name] as string[]) && !(groups.all ?? []).includes(name));
  if (group !== undefined) return `hosts: ${scalar(group)}`;
  return `hosts: { names: [${hosts.map(scalar).join(", ")}] }`;
}

/**
 * The file's text. `scalar` renders one YAML scalar (quoted when it has to be), so names and
 * paths from the inventory and the hosts can never change the file's structure.
 */
export function renderStarterFleet(starter: StarterFleet, scalar: Scalar): string {
  const lines = [
    `# yaml-language-server: $schema=${commentText(starter.schema)}`,
    "#",
    `# Fleet file for the hosts in ${commentText(starter.inventories.join(", "))}, started by \`nemoclaw init\` on ${starter.date}.`,
    "# The hosts stay in the inventory; this file says what should run on them — to begin with, what",
    "# they run now, so the first plan changes nothing.",
    `# Check it with \`nemoclaw validate ${commentText(starter.fileName)}\`; see what would change with \`nemoclaw plan ${commentText(starter.fileName)}\`.`,
    "apiVersion: nemoclaw.dev/v1",
    "kind: Fleet",
    "metadata:",
    `  name: ${scalar(starter.name)}`,
    "inventory:",
    ...starter.inventories.map((inventory) => `  - ${scalar(inventory)}`),
    "",
    ...defaultsLines(starter),
    ...overrideLines(starter, scalar),
    "",
    ...gatewayLines(starter, scalar),
    "",
    ...sandboxLines(starter, scalar),
    "",
    "# backupPolicies:",
    "#   - name: nightly",
    '#     schedule: "0 2 * * *"            # five-field cron, in UTC',
    "#     retention: { keepDaily: 7, keepWeekly: 4 }",
    "#     destination: { path: ./backups } # beside this file; or { host: <fleet host>, path: /srv/nemoclaw-backups }",
    "#     verify: true",
    "",
  ];
  return lines.join("\n");
}

function defaultsLines(starter: StarterFleet): string[] {
  const { pins, hosts } = starter;
  const installed = hosts.filter((host): host is Extract<HostOpenShell, { status: "installed" }> => host.status === "installed");
  const overridden = new Set(pins.overrides.map((pin) => pin.host));
  const onPin = installed.filter((host) => !overridden.has(host.host)).map((host) => host.host);
  const missing = hosts.filter((host) => host.status === "not-installed").map((host) => host.host);
  const unseen = hosts.filter((host) => host.status === "unreachable" || host.status === "unknown").map((host) => host.host);
  const lines = ["defaults:"];
  if (pins.source === "flag") lines.push("  # Given with --openshell; plan installs or upgrades to it (backups first) where hosts differ.");
  else lines.push(`  # The release${pins.nemoclaw === null ? "" : "s"} ${onPin.length === 1 ? "1 host runs" : `${onPin.length} hosts run`}: ${listHosts(onPin)}.`);
  if (missing.length > 0) {
    lines.push(
      pins.nemoclaw === null
        ? `  # OpenShell is not installed on ${listHosts(missing)}: plan installs this release there.`
        : `  # OpenShell is not installed on ${listHosts(missing)}: plan installs this NemoClaw release there, which installs its OpenShell.`,
    );
  }
  if (unseen.length > 0) lines.push(`  # Not observed: ${listHosts(unseen)}; run \`nemoclaw facts\` on them before relying on these pins.`);
  if (pins.nemoclaw !== null) {
    lines.push(
      `  # Each NemoClaw release pins the OpenShell it installs: these hosts run OpenShell ${pins.openshell} under it (docs/releases.md).`,
      `  nemoclaw: { version: ${quotedVersion(pins.nemoclaw)} }`,
    );
    return lines;
  }
  if (pins.unpinned.length > 0) {
    lines.push("  # NemoClaw is not pinned (nemoclaw.version), because on some hosts it could not be:");
    lines.push(...pins.unpinned.map((host) => `  #   ${commentText(host.host)}: ${commentText(host.reason)}`));
  }
  lines.push(`  openshell: { version: ${quotedVersion(pins.openshell)} }`);
  return lines;
}

function overrideLines(starter: StarterFleet, scalar: Scalar): string[] {
  if (starter.pins.overrides.length === 0) return [];
  return [
    "",
    "# Hosts on other releases keep them. Remove an entry to bring that host to the defaults above:",
    "# plan then shows the upgrade, with verified backups of its sandboxes first.",
    "hosts:",
    ...starter.pins.overrides.flatMap((pin) => [
      `  - name: ${scalar(pin.host)}`,
      // With a NemoClaw release, OpenShell follows it.
      ...(pin.nemoclaw === undefined ? [] : [`    nemoclaw: { version: ${quotedVersion(pin.nemoclaw)} }`]),
      ...(pin.openshell === undefined || pin.nemoclaw !== undefined ? [] : [`    openshell: { version: ${quotedVersion(pin.openshell)} }`]),
    ]),
  ];
}

function gatewayLines(starter: StarterFleet, scalar: Scalar): string[] {
  const lines = ["gateways:", `  - port: ${DEFAULT_GATEWAY_PORT}                        # the default gateway, named ${DEFAULT_GATEWAY_NAME}, on every host`];
  const observed = starter.hosts.filter((host) => host.status === "installed").map((host) => host.host);
  const running = starter.gateways.find((gateway) => gateway.port === DEFAULT_GATEWAY_PORT)?.hosts ?? [];
  const without = observed.filter((host) => !running.includes(host));
  if (without.length > 0 && running.length > 0) lines.push(`    # not running yet on ${listHosts(without)}: plan starts it there with the first sandbox declared on it`);
  for (const gateway of starter.gateways.filter((candidate) => candidate.port !== DEFAULT_GATEWAY_PORT)) {
    lines.push(`  - port: ${gateway.port}                        # ${commentText(gateway.name)}`, `    ${placement(gateway.hosts, starter.groups, scalar, "pattern")}`);
  }
  return lines;
}

function sandboxLines(starter: StarterFleet, scalar: Scalar): string[] {
  const unregistered = [
    ...(starter.unregistered.length === 0 ? [] : [
      "# Live on a gateway but not in NemoClaw's registry, so not imported (plan notes them, and never",
      "# deletes a sandbox the file does not name unless you ask with --prune):",
      ...starter.unregistered.map((sandbox) => `#   ${commentText(sandbox.name)} (gateway ${commentText(sandbox.gateway)}) on ${listHosts(sandbox.hosts)}`),
    ]),
    ...(starter.unaddressable.length === 0 ? [] : [
      "# Registered, but under a name nemoclaw cannot manage, so not imported (plan notes them and never",
      "# deletes them); rename them with NemoClaw by hand to manage them here:",
      ...starter.unaddressable.map((sandbox) => `#   ${commentText(sandbox.name)} (gateway ${commentText(sandbox.gateway)}) on ${listHosts(sandbox.hosts)}: ${commentText(sandbox.problem)}`),
    ]),
  ];
  if (starter.sandboxes.length === 0) {
    return [
      ...unregistered,
      "# Sandboxes: none are registered on the hosts. Declare the ones you want, e.g.:",
      "# sandboxes:",
      "#   - name: assistant",
      "#     hosts: all                       # every host; or `host: <one host>`, a group, or a pattern",
      "#     provider: build",
      "#     model: nvidia/nemotron-3-super-120b-a12b",
      "#     credential: env:NVIDIA_API_KEY   # a reference: the key itself never enters this file",
      "#     policy: { presets: [pypi, npm] }",
    ];
  }
  return [
    "# The sandboxes NemoClaw's registry records on the hosts (~/.nemoclaw/sandboxes.json), with what",
    "# they run. `credential` says where nemoclaw reads the provider key on this machine when it must",
    "# create or rebuild a sandbox: a reference, the key itself never enters this file.",
    ...unregistered,
    "sandboxes:",
    ...starter.sandboxes.flatMap((sandbox) => sandboxEntry(sandbox, starter.groups, scalar)),
  ];
}

function sandboxEntry(sandbox: ImportedSandbox, groups: Record<string, string[]>, scalar: Scalar): string[] {
  const { settings } = sandbox;
  const policy = [
    ...(settings.tier === undefined ? [] : [`tier: ${scalar(settings.tier)}`]),
    ...(settings.presets.length === 0 ? [] : [`presets: [${settings.presets.map(scalar).join(", ")}]`]),
  ];
  const fields: [string, string | undefined][] = [
    ["gateway", sandbox.gateway === DEFAULT_GATEWAY_NAME ? undefined : sandbox.gateway],
    ["agent", settings.agent],
    ["provider", settings.provider],
    ["model", settings.model],
    ["endpoint", settings.endpoint],
    ["credential", settings.credential],
    ["credentialEnv", settings.credentialEnv],
    ["from", settings.from],
  ];
  return [
    `  - name: ${scalar(sandbox.name)}`,
    `    ${placement(sandbox.hosts, groups, scalar)}`,
    ...fields.flatMap(([field, value]) => (value === undefined ? [] : [`    ${field}: ${scalar(value)}`])),
    ...(policy.length === 0 ? [] : [`    policy: { ${policy.join(", ")} }`]),
    ...sandbox.notes.map((note) => `    # ${commentText(note)}`),
  ];
}
