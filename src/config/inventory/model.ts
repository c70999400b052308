/**
 * An Ansible inventory as read: hosts, groups (with children) and variables, each variable
 * remembering the file position it came from. Several inventory files merge into one, the way
 * `ansible -i a -i b` does (later files win for the same variable).
 */
import type { SourceRef } from "../types.js";

export interface InventoryVar {
  value: unknown;
  source: SourceRef;
}

export type VarMap = Map<string, InventoryVar>;

export interface InventoryHost {
  name: string;
  vars: VarMap;
  source: SourceRef;
}

export interface InventoryGroup {
  name: string;
  vars: VarMap;
  /** Hosts listed directly in the group, in file order. */
  hosts: string[];
  children: string[];
  source: SourceRef;
}

export class Inventory {
  readonly hosts = new Map<string, InventoryHost>();
  readonly groups = new Map<string, InventoryGroup>();
  /** host → groups that list it directly; group → its parents (indexes for large inventories). */
  private readonly directGroups = new Map<string, Set<string>>();
  private readonly parents = new Map<string, Set<string>>();
  private depths = new Map<string, number>();

  constructor(private readonly rootSource: SourceRef) {
    this.group("all", rootSource);
    this.group("ungrouped", rootSource);
  }

  group(name: string, source: SourceRef): InventoryGroup {
    let group = this.groups.get(name);
    if (group === undefined) {
      group = { name, vars: new Map(), hosts: [], children: [], source };
      this.groups.set(name, group);
    }
    return group;
  }

  host(name: string, source: SourceRef): InventoryHost {
    let host = this.hosts.get(name);
    if (host === undefined) {
      host = { name, vars: new Map(), source };
      this.hosts.set(name, host);
    }
    return host;
  }

  addHostToGroup(hostName: string, groupName: string, source: SourceRef): void {
    const group = this.group(groupName, source);
    const memberships = setIn(this.directGroups, hostName);
    if (memberships.has(groupName)) return;
    memberships.add(groupName);
    group.hosts.push(hostName);
  }

  addChild(parent: string, child: string, source: SourceRef): void {
    const group = this.group(parent, source);
    this.group(child, source);
    if (group.children.includes(child)) return;
    group.children.push(child);
    setIn(this.parents, child).add(parent);
    this.depths = new Map();
  }

  /**
   * Every group a host is in (directly or through children), without `all`; hosts in no other
   * group are in `ungrouped`, as in Ansible.
   */
  groupsOf(hostName: string): string[] {
    const found = new Set<string>();
    const visit = (name: string): void => {
      if (found.has(name)) return;
      found.add(name);
      for (const parent of this.parentsOf(name)) visit(parent);
    };
    for (const group of this.directGroups.get(hostName) ?? []) visit(group);
    found.delete("all");
    const named = [...found].filter((g) => g !== "ungrouped");
    return named.length > 0 ? named : ["ungrouped"];
  }

  parentsOf(groupName: string): string[] {
    return [...(this.parents.get(groupName) ?? [])];
  }

  /**
   * Distance from `all` along the longest chain of parents; Ansible applies group variables
   * parents-first by this depth, then alphabetically.
   */
  depthOf(groupName: string, seen: ReadonlySet<string> = new Set()): number {
    if (groupName === "all") return 0;
    const known = this.depths.get(groupName);
    if (known !== undefined) return known;
    const parents = this.parentsOf(groupName).filter((p) => p !== "all" && !seen.has(p));
    const next = new Set([...seen, groupName]);
    const depth = parents.length === 0 ? 1 : 1 + Math.max(...parents.map((p) => this.depthOf(p, next)));
    if (seen.size === 0) this.depths.set(groupName, depth);
    return depth;
  }

  /** Ansible gives a host that is in no named group the implicit group `ungrouped`. */
  finish(): void {
    const ungrouped = this.group("ungrouped", this.rootSource);
    for (const host of this.hosts.keys()) {
      const memberships = setIn(this.directGroups, host);
      const named = [...memberships].some((g) => g !== "all" && g !== "ungrouped");
      if (!named && !memberships.has("ungrouped")) this.addHostToGroup(host, "ungrouped", this.rootSource);
      if (named && memberships.has("ungrouped")) {
        memberships.delete("ungrouped");
        ungrouped.hosts = ungrouped.hosts.filter((h) => h !== host);
      }
    }
  }
}

function setIn<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
