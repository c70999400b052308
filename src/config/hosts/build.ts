/**
 * The fleet's hosts: inventory hosts merged by name with the fleet file's `hosts:`, group
 * memberships from both, and connection settings layered with Ansible's precedence:
 *
 *   fleet defaults < inventory group-level variables (Ansible's order: see inventory/model.ts)
 *   < fleet `groups:` (in the same group order) < inventory host variables < fleet `hosts:` entry
 */
import net from "node:net";
import os from "node:os";
import type { DiagnosticBag } from "../diagnostics.js";
import type { Inventory, VarMap } from "../inventory/model.js";
import { nameProblem } from "../names.js";
import type { CheckedFleet } from "../schema.js";
import { DEFAULT_OPENSHELL_INSTALLER } from "../openshell-version.js";
import type { YamlSource } from "../source.js";
import { closest } from "../suggest.js";
import type { ConnectionSettings, DesiredHost, JumpHop, SourceRef, SshConnectionSettings } from "../types.js";
import { fleetLayer } from "./fleet-layer.js";
import { inventoryLayer, type InventoryLayerContext } from "./inventory-layer.js";
import { formatHop, mergeLayers, resolveLocalPath, type HopSpec, type SettingsLayer } from "./layers.js";

export interface FleetSource {
  checked: CheckedFleet;
  yaml: YamlSource;
  baseDir: string;
}

export interface HostBuildInput {
  inventory: Inventory;
  /** How many inventory directories contributed group_vars/ and host_vars/. */
  sourceCount: number;
  fleet?: FleetSource;
  bag: DiagnosticBag;
  baseDirOf: InventoryLayerContext["baseDirOf"];
  workingDir: string;
}

/** Hosts without gateways and sandboxes (placement comes later), in inventory order then fleet order. */
export function buildHosts(input: HostBuildInput): DesiredHost[] {
  const { inventory, fleet, bag } = input;
  const fleetEntries = fleetHostEntries(input);

  for (const [name, entry] of fleetEntries) {
    inventory.host(name, entry.nameSource);
    for (const group of entry.groups) inventory.addHostToGroup(name, group.name, group.source);
  }
  inventory.reconcile();
  checkInventoryNames(inventory, bag);
  warnAboutEmptyFleetGroups(input);

  const inventoryContext: InventoryLayerContext = { bag, baseDirOf: input.baseDirOf, workingDir: input.workingDir };
  // One layer per variable map, built once: a group's variables are checked where they are
  // written, even for groups without hosts, and shared by every host of the group.
  const layers = new Map<VarMap, SettingsLayer>();
  const layerOf = (vars: VarMap): SettingsLayer => {
    let layer = layers.get(vars);
    if (layer === undefined) layers.set(vars, (layer = inventoryLayer(vars, inventoryContext)));
    return layer;
  };
  for (const group of inventory.groups.values()) [group.vars, ...group.fileVars.filter((v) => v !== undefined)].forEach(layerOf);
  const fleetGroupLayers = new Map<string, SettingsLayer>();
  const defaults: SettingsLayer[] = [];
  if (fleet !== undefined) {
    const context = { yaml: fleet.yaml, checked: fleet.checked, baseDir: fleet.baseDir, bag };
    for (const [group, settings] of Object.entries(fleet.checked.data.groups ?? {})) fleetGroupLayers.set(group, fleetLayer(settings, ["groups", group], context));
    if (fleet.checked.data.defaults !== undefined) defaults.push(fleetLayer(fleet.checked.data.defaults, ["defaults"], context));
  }

  const drafts = [...inventory.hosts.values()].map((invHost) => {
    const groups = inventory.sortedGroupsOf(invHost.name);
    const { groupLevel, hostLevel } = inventory.varLayersOf(invHost.name, input.sourceCount);
    const entry = fleetEntries.get(invHost.name);
    const layer = mergeLayers([
      ...defaults,
      ...groupLevel.map(layerOf),
      ...groups.flatMap((g) => fleetGroupLayers.get(g) ?? []),
      ...hostLevel.map(layerOf),
      ...(entry === undefined ? [] : [entry.layer]),
    ]);
    return { name: invHost.name, groups, layer, source: entry?.source ?? invHost.source };
  });

  const hosts = drafts.map((d) => toDesiredHost(d.name, d.groups, d.layer, d.source));
  resolveJumpHosts(hosts, new Map(drafts.map((d) => [d.name, d.layer])), bag);
  return hosts;
}

interface FleetHostEntry {
  layer: SettingsLayer;
  /** Each `groups` entry where it is written, so that a bad group name is reported there. */
  groups: { name: string; source: SourceRef }[];
  source: SourceRef;
  nameSource: SourceRef;
}

function fleetHostEntries({ fleet, bag }: HostBuildInput): Map<string, FleetHostEntry> {
  const entries = new Map<string, FleetHostEntry>();
  if (fleet === undefined) return entries;
  const { checked, yaml, baseDir } = fleet;
  for (const [index, host] of checked.items(checked.data.hosts)) {
    const at = ["hosts", index];
    const existing = entries.get(host.name);
    if (existing !== undefined) {
      bag.error(yaml.ref([...at, "name"]), `duplicate host "${host.name}" (first declared at line ${existing.source.line})`);
      continue;
    }
    entries.set(host.name, {
      layer: fleetLayer(host, at, { yaml, checked, baseDir, bag }),
      groups: checked.items(host.groups).map(([i, group]) => ({ name: group, source: yaml.ref([...at, "groups", i]) })),
      source: yaml.ref(at),
      nameSource: yaml.ref([...at, "name"]),
    });
  }
  return entries;
}

function checkInventoryNames(inventory: Inventory, bag: DiagnosticBag): void {
  for (const host of inventory.hosts.values()) {
    const problem = nameProblem("host", host.name);
    if (problem !== undefined) bag.error(host.source, problem);
  }
  for (const group of inventory.groups.values()) {
    const problem = nameProblem("group", group.name);
    // A fleet file's `groups:` entry may already have its schema error there.
    if (problem !== undefined && !bag.hasErrorAt(group.source.file, group.source.path)) bag.error(group.source, problem);
  }
}

/** A `groups:` entry no host is in is almost always a misspelt group name. */
function warnAboutEmptyFleetGroups({ inventory, fleet, bag }: HostBuildInput): void {
  if (fleet === undefined) return;
  const populated = new Set([...inventory.hosts.keys()].flatMap((h) => inventory.groupsOf(h)));
  for (const group of Object.keys(fleet.checked.data.groups ?? {})) {
    if (populated.has(group) || group === "all") continue;
    const suggestion = closest(group, populated);
    bag.warning(
      fleet.yaml.ref(["groups", group], "key"),
      `no host is in group "${group}"${suggestion === undefined ? "" : `; did you mean "${suggestion}"?`}`,
    );
  }
}

function localUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? "root";
  }
}

function toDesiredHost(name: string, groups: string[], layer: SettingsLayer, source: SourceRef): DesiredHost {
  const connection: ConnectionSettings =
    layer.connection?.value === "local"
      ? { kind: "local" }
      : {
          kind: "ssh",
          address: layer.address?.value ?? name,
          port: layer.port?.value ?? 22,
          user: layer.user?.value ?? localUserName(),
          identityFiles: layer.identityFiles?.value ?? [],
          agent: layer.agent?.value ?? true,
          ...(layer.passphrase === undefined ? {} : { passphrase: layer.passphrase.value }),
          proxyJump: [],
          hostKeyChecking: layer.hostKeyChecking?.value ?? "strict",
          knownHostsFiles: layer.knownHostsFiles?.value ?? [resolveLocalPath("~/.ssh/known_hosts", "/")],
          connectTimeoutMs: (layer.connectTimeout?.value ?? 10) * 1000,
          keepaliveIntervalMs: (layer.keepaliveInterval?.value ?? 15) * 1000,
          identitiesOnly: layer.identitiesOnly?.value ?? false,
          useSshConfig: layer.sshConfig?.value ?? true,
          explicit: {
            port: layer.port !== undefined,
            user: layer.user !== undefined,
            knownHostsFiles: layer.knownHostsFiles !== undefined,
            hostKeyChecking: layer.hostKeyChecking !== undefined,
            connectTimeout: layer.connectTimeout !== undefined,
            keepaliveInterval: layer.keepaliveInterval !== undefined,
          },
        };
  return {
    name,
    connection,
    groups,
    labels: Object.fromEntries(Object.entries(layer.labels).map(([k, v]) => [k, v.value])),
    vars: Object.fromEntries(Object.entries(layer.vars).map(([k, v]) => [k, v.value])),
    environment: Object.fromEntries(Object.entries(layer.environment).map(([k, v]) => [k, v.value])),
    ...(layer.nemoclawVersion === undefined ? {} : { nemoclaw: { version: layer.nemoclawVersion.value, source: layer.nemoclawVersion.source } }),
    ...(layer.openshellVersion === undefined
      ? {}
      : {
          openshell: {
            version: layer.openshellVersion.value,
            installer: layer.openshellInstaller?.value ?? DEFAULT_OPENSHELL_INSTALLER,
            source: layer.openshellVersion.source,
          },
        }),
    gateways: [],
    sandboxes: [],
    source,
  };
}

/**
 * Turns each host's ProxyJump hops into concrete jumps. A hop naming a fleet host reuses that
 * host's address, port, user and keys (and first goes through that host's own jumps); a host
 * never jumps through itself, so `defaults.proxyJump: bastion` works for the bastion too.
 */
function resolveJumpHosts(hosts: DesiredHost[], layers: Map<string, SettingsLayer>, bag: DiagnosticBag): void {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const done = new Map<string, JumpHop[]>();

  const chainFor = (host: DesiredHost, visiting: string[]): JumpHop[] => {
    const known = done.get(host.name);
    if (known !== undefined) return known;
    const settings = host.connection;
    const written = layers.get(host.name)?.proxyJump;
    if (settings.kind !== "ssh" || written === undefined) return [];
    const chain: JumpHop[] = [];
    for (const hop of written.value) {
      if (hop.host === host.name) continue;
      const jumpHost = byName.get(hop.host);
      // A bare name near a fleet host's is a typo. Any other is dialled as `ssh -J` would dial it:
      // a `Host` alias of ~/.ssh/config, or a name DNS resolves (docs/ssh.md).
      const typoOf = jumpHost === undefined && isBareName(hop.host) ? closest(hop.host, byName.keys()) : undefined;
      if (jumpHost !== undefined) {
        const hopChain = jumpThroughFleetHost(hop, jumpHost, [...visiting, host.name], written.source);
        if (hopChain === undefined) return [];
        chain.push(...hopChain);
      } else if (typoOf !== undefined) {
        bag.error(
          written.source,
          `proxyJump "${formatHop(hop)}" names no fleet host (did you mean "${typoOf}"?); declare it under hosts: or write its full DNS name or address`,
        );
        return [];
      } else {
        // Dialled as a host of its own, as `ssh -J` dials it: only what the hop itself says (a
        // ProxyCommand's -i, -F, -o) and its own ~/.ssh/config, never the target's keys or files.
        const { identityFiles, user: _user, port: _port, ...options } = hop;
        chain.push({
          ...options,
          address: hop.host,
          port: hop.port ?? 22,
          user: hop.user ?? settings.user,
          identityFiles: identityFiles ?? [],
          explicit: { port: hop.port !== undefined, user: hop.user !== undefined },
        });
      }
    }
    done.set(host.name, chain);
    return chain;
  };

  const jumpThroughFleetHost = (hop: HopSpec, jumpHost: DesiredHost, visiting: string[], source: SourceRef): JumpHop[] | undefined => {
    if (visiting.includes(jumpHost.name)) {
      bag.error(source, `proxyJump loop: ${[...visiting, jumpHost.name].join(" -> ")}`);
      return undefined;
    }
    if (jumpHost.connection.kind !== "ssh") {
      bag.error(source, `proxyJump "${hop.host}" is a local-connection host and cannot be jumped through`);
      return undefined;
    }
    const jump: SshConnectionSettings = jumpHost.connection;
    return [
      ...chainFor(jumpHost, visiting),
      {
        host: jumpHost.name,
        address: jump.address,
        port: hop.port ?? jump.port,
        user: hop.user ?? jump.user,
        identityFiles: [...new Set([...(hop.identityFiles ?? []), ...jump.identityFiles])],
        fleetHost: jumpHost.name,
        explicit: { port: hop.port !== undefined || (jump.explicit?.port ?? true), user: hop.user !== undefined || (jump.explicit?.user ?? true) },
      },
    ];
  };

  for (const host of hosts) {
    if (host.connection.kind === "ssh") host.connection.proxyJump = chainFor(host, []);
  }
}

/** A single-label name (not an address, not a DNS name) can only mean a fleet host. */
function isBareName(host: string): boolean {
  return !host.includes(".") && net.isIP(host) === 0 && host !== "localhost";
}
