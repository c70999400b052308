/**
 * An Ansible inventory as read: hosts, groups (with children) and variables, each variable
 * remembering the file position it came from. Several inventory sources merge into one, the way
 * `ansible -i a -i b` does. The rules follow ansible-core 2.14 (lib/ansible/inventory/data.py,
 * group.py, lib/ansible/vars/manager.py):
 *
 * - hosts and groups keep the order they were first declared in;
 * - a group without a parent is a child of `all`; a host in no group is in `ungrouped`;
 * - a group's depth is its longest distance from `all`; a host's groups apply their variables by
 *   depth, then `ansible_group_priority` (default 1), then name;
 * - `children` may not form a cycle;
 * - variables merge in this order, later winning (Ansible's default precedence): `all` inline,
 *   each group inline, `group_vars/all`, each group's `group_vars` (per inventory directory, in
 *   order), the host inline, its `host_vars`.
 */
import type { FleetGroup, SourceRef } from "../types.js";

export interface InventoryVar {
  value: unknown;
  source: SourceRef;
  /** Decrypted from a vault: never shown (masked in every output). */
  secret?: boolean;
}

export type VarMap = Map<string, InventoryVar>;

export interface InventoryHost {
  name: string;
  /** Variables written in inventory sources (host lines, `hosts:` entries, scripts). */
  vars: VarMap;
  /** Variables from `host_vars/`, one map per inventory directory (by its index). */
  fileVars: VarMap[];
  /** Groups that list the host directly, in order. */
  groups: string[];
  source: SourceRef;
}

export interface InventoryGroup {
  name: string;
  /** Variables written in inventory sources (`[g:vars]`, `vars:`, scripts). */
  vars: VarMap;
  /** Variables from `group_vars/`, one map per inventory directory (by its index). */
  fileVars: VarMap[];
  /** Hosts listed directly in the group, in order. */
  hosts: string[];
  children: string[];
  parents: string[];
  /** `ansible_group_priority` from an inventory source (never from group_vars/, as in Ansible). */
  priority: number;
  source: SourceRef;
}

export const GROUP_PRIORITY = "ansible_group_priority";

export class Inventory {
  readonly hosts = new Map<string, InventoryHost>();
  readonly groups = new Map<string, InventoryGroup>();
  private depths = new Map<string, number>();

  constructor(private readonly rootSource: SourceRef) {
    this.group("all", rootSource);
    this.group("ungrouped", rootSource);
    this.addChild("all", "ungrouped");
  }

  group(name: string, source: SourceRef): InventoryGroup {
    let group = this.groups.get(name);
    if (group === undefined) {
      group = { name, vars: new Map(), fileVars: [], hosts: [], children: [], parents: [], priority: 1, source };
      this.groups.set(name, group);
    }
    return group;
  }

  host(name: string, source: SourceRef): InventoryHost {
    let host = this.hosts.get(name);
    if (host === undefined) {
      host = { name, vars: new Map(), fileVars: [], groups: [], source };
      this.hosts.set(name, host);
    }
    return host;
  }

  addHostToGroup(hostName: string, groupName: string, source: SourceRef): void {
    const group = this.group(groupName, source);
    const host = this.host(hostName, source);
    if (host.groups.includes(groupName)) return;
    host.groups.push(groupName);
    group.hosts.push(hostName);
  }

  /** Sets a group variable the way Ansible's Group.set_variable does; returns a problem to report, if any. */
  setGroupVar(groupName: string, key: string, variable: InventoryVar): string | undefined {
    const group = this.groups.get(groupName);
    if (group === undefined) return `group "${groupName}" is not declared`;
    if (key !== GROUP_PRIORITY) {
      group.vars.set(key, variable);
      return undefined;
    }
    const priority = typeof variable.value === "number" ? variable.value : typeof variable.value === "string" && /^\s*[-+]?\d+\s*$/.test(variable.value) ? Number(variable.value) : NaN;
    if (!Number.isInteger(priority)) return `${GROUP_PRIORITY} must be a whole number, got ${JSON.stringify(variable.value)}`;
    group.priority = priority;
    this.depths = new Map();
    return undefined;
  }

  /** Makes `child` a child group of `parent`; returns the loop it would create instead, if any. */
  addChild(parent: string, child: string, source: SourceRef = this.rootSource): string | undefined {
    const group = this.group(parent, source);
    const kid = this.group(child, source);
    if (group.children.includes(child)) return undefined;
    if (parent === child) return `group "${parent}" cannot be its own child`;
    if (this.ancestorsOf(parent).has(child)) {
      return `adding "${child}" as a child of "${parent}" creates a loop (${this.pathBetween(child, parent).join(" → ")} → ${child}); Ansible refuses it too`;
    }
    group.children.push(child);
    if (!kid.parents.includes(parent)) kid.parents.push(parent);
    this.depths = new Map();
    return undefined;
  }

  /**
   * After every source is read (Ansible's reconcile_inventory): groups without a parent become
   * children of `all`, hosts in no named group join `ungrouped`, and hosts that are also in a
   * named group leave it. Safe to call again after more hosts were added.
   */
  reconcile(): void {
    for (const group of this.groups.values()) {
      if (group.name !== "all" && group.parents.length === 0) this.addChild("all", group.name);
    }
    const ungrouped = this.groups.get("ungrouped")!;
    for (const host of this.hosts.values()) {
      const named = this.groupsOf(host.name).some((g) => g !== "ungrouped");
      if (!named && !host.groups.includes("ungrouped")) this.addHostToGroup(host.name, "ungrouped", this.rootSource);
      if (named && host.groups.includes("ungrouped")) {
        host.groups = host.groups.filter((g) => g !== "ungrouped");
        ungrouped.hosts = ungrouped.hosts.filter((h) => h !== host.name);
      }
    }
  }

  /** Every group a host is in, directly or through children, without `all`. */
  groupsOf(hostName: string): string[] {
    const found = new Set<string>();
    for (const group of this.hosts.get(hostName)?.groups ?? []) {
      found.add(group);
      for (const ancestor of this.ancestorsOf(group)) found.add(ancestor);
    }
    found.delete("all");
    return [...found];
  }

  /** A host's groups in the order their variables apply: depth, priority, name (Ansible's sort_groups). */
  sortedGroupsOf(hostName: string): string[] {
    return this.groupsOf(hostName).sort((a, b) => {
      const [ga, gb] = [this.groups.get(a)!, this.groups.get(b)!];
      return this.depthOf(a) - this.depthOf(b) || ga.priority - gb.priority || (a < b ? -1 : a > b ? 1 : 0);
    });
  }

  /** Longest distance from `all` (Ansible keeps this as the group's depth). */
  depthOf(groupName: string): number {
    if (groupName === "all") return 0;
    const known = this.depths.get(groupName);
    if (known !== undefined) return known;
    const parents = this.groups.get(groupName)?.parents ?? [];
    const depth = 1 + Math.max(0, ...parents.filter((p) => p !== "all").map((p) => this.depthOf(p)));
    this.depths.set(groupName, depth);
    return depth;
  }

  /**
   * The variable maps that apply to a host, in Ansible's order (later wins), split where the
   * fleet file's `groups:` settings go in: group-level maps, then host-level maps.
   */
  varLayersOf(hostName: string, sourceCount: number): { groupLevel: VarMap[]; hostLevel: VarMap[] } {
    const all = this.groups.get("all")!;
    const groups = this.sortedGroupsOf(hostName).map((g) => this.groups.get(g)!);
    const host = this.hosts.get(hostName)!;
    const sources = [...Array(sourceCount).keys()];
    const present = (maps: (VarMap | undefined)[]): VarMap[] => maps.filter((m): m is VarMap => m !== undefined && m.size > 0);
    return {
      groupLevel: present([
        all.vars,
        ...groups.map((g) => g.vars),
        ...sources.map((i) => all.fileVars[i]),
        ...sources.flatMap((i) => groups.map((g) => g.fileVars[i])),
      ]),
      hostLevel: present([host.vars, ...sources.map((i) => host.fileVars[i])]),
    };
  }

  /** A host's variables after Ansible's precedence, as `ansible-inventory --host` shows them. */
  varsOf(hostName: string, sourceCount: number): VarMap {
    const { groupLevel, hostLevel } = this.varLayersOf(hostName, sourceCount);
    const merged: VarMap = new Map();
    for (const layer of [...groupLevel, ...hostLevel]) for (const [key, variable] of layer) merged.set(key, variable);
    return merged;
  }

  /** The group tree, for host patterns (each group's own hosts and children, in order). */
  tree(): FleetGroup[] {
    return [...this.groups.values()].map((g) => ({ name: g.name, hosts: [...g.hosts], children: [...g.children] }));
  }

  private ancestorsOf(groupName: string): Set<string> {
    const seen = new Set<string>();
    const pending = [...(this.groups.get(groupName)?.parents ?? [])];
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      pending.push(...(this.groups.get(next)?.parents ?? []));
    }
    return seen;
  }

  /** The chain of children from `from` down to `to` (both included), for loop messages. */
  private pathBetween(from: string, to: string): string[] {
    const previous = new Map<string, string>([[from, from]]);
    const queue = [from];
    while (queue.length > 0) {
      const current = queue.shift()!;
      if (current === to) break;
      for (const child of this.groups.get(current)?.children ?? []) {
        if (previous.has(child)) continue;
        previous.set(child, current);
        queue.push(child);
      }
    }
    const path = [to];
    while (path[0] !== from && previous.has(path[0]!)) path.unshift(previous.get(path[0]!)!);
    return path;
  }
}
