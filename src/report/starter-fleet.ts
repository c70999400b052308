/**
 * The starter fleet file `nemoclaw init` writes for hosts kept in an Ansible inventory: which
 * OpenShell release to pin (the one most hosts run, others keep theirs), the sandboxes found on the
 * hosts, and the file's text with commented examples. Pure: the command observes and writes.
 */
import { nameProblem } from "../config/names.js";
import { compareOpenShellVersions, parseOpenShellVersion } from "../config/openshell-version.js";
import type { ObservedFleet, ObservedHost } from "../observe/types.js";

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
export const FLEET_NAME_MAX = 63;

export function fleetNameError(name: string): string | undefined {
  return nameProblem("fleet", name) ?? (name.length > FLEET_NAME_MAX ? `fleet name is longer than ${FLEET_NAME_MAX} characters` : undefined);
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
