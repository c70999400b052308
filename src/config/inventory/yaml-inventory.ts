/**
 * Ansible YAML inventories: a tree of groups, each with `hosts`, `vars` and `children`
 * (usually under `all:`). Host keys may carry ranges (`spark-[01:04]`) and ports (`name:2222`).
 */
import type { DiagnosticBag } from "../diagnostics.js";
import type { Path, YamlSource } from "../source.js";
import { didYouMean } from "../suggest.js";
import { parseHostEntry } from "./host-pattern.js";
import type { Inventory, VarMap } from "./model.js";

const GROUP_KEYS = ["hosts", "vars", "children"];

export function readYamlInventory(yaml: YamlSource, inventory: Inventory, bag: DiagnosticBag): void {
  const data = yaml.toJS();
  if (data === null || data === undefined) return;
  if (!isRecord(data)) {
    bag.error(yaml.ref([]), "a YAML inventory is a mapping of groups, usually starting with all:");
    return;
  }
  const reader = new GroupReader(yaml, inventory, bag);
  for (const [name, body] of Object.entries(data)) reader.group(name, body, [name]);
}

class GroupReader {
  constructor(
    private readonly yaml: YamlSource,
    private readonly inventory: Inventory,
    private readonly bag: DiagnosticBag,
  ) {}

  group(name: string, body: unknown, path: Path): void {
    const group = this.inventory.group(name, this.yaml.ref(path, "key"));
    if (body === null || body === undefined) return;
    if (!isRecord(body)) {
      this.bag.error(this.yaml.ref(path), `group "${name}" must be a mapping with hosts, vars and/or children`);
      return;
    }
    for (const [key, value] of Object.entries(body)) {
      const at = [...path, key];
      if (key === "vars") this.vars(value, at, group.vars);
      else if (key === "hosts") this.hosts(name, value, at);
      else if (key === "children") this.children(name, value, at);
      else this.bag.error(this.yaml.ref(at, "key"), `unknown key "${key}" in group "${name}"${didYouMean(key, GROUP_KEYS)} (a group has hosts, vars and children)`);
    }
  }

  private hosts(groupName: string, value: unknown, path: Path): void {
    if (value === null || value === undefined) return;
    if (!isRecord(value)) {
      this.bag.error(this.yaml.ref(path), `hosts of group "${groupName}" must be a mapping of host names (to their variables or nothing)`);
      return;
    }
    for (const [pattern, vars] of Object.entries(value)) {
      const at = [...path, pattern];
      const entry = parseHostEntry(pattern);
      if (typeof entry === "string") {
        this.bag.error(this.yaml.ref(at, "key"), `invalid host ${entry}`);
        continue;
      }
      for (const name of entry.names) {
        const host = this.inventory.host(name, this.yaml.ref(at, "key"));
        this.inventory.addHostToGroup(name, groupName, this.yaml.ref(at, "key"));
        if (entry.port !== undefined) host.vars.set("ansible_port", { value: entry.port, source: this.yaml.ref(at, "key") });
        this.vars(vars, at, host.vars);
      }
    }
  }

  private children(parent: string, value: unknown, path: Path): void {
    if (value === null || value === undefined) return;
    if (!isRecord(value)) {
      this.bag.error(this.yaml.ref(path), `children of group "${parent}" must be a mapping of group names`);
      return;
    }
    for (const [child, body] of Object.entries(value)) {
      this.inventory.addChild(parent, child, this.yaml.ref([...path, child], "key"));
      this.group(child, body, [...path, child]);
    }
  }

  vars(value: unknown, path: Path, into: VarMap): void {
    readVars(this.yaml, value, path, into, this.bag);
  }
}

/** Variables from a mapping (inventory `vars:`, host entries, group_vars/host_vars files). */
export function readVars(yaml: YamlSource, value: unknown, path: Path, into: VarMap, bag: DiagnosticBag): void {
  if (value === null || value === undefined) return;
  if (!isRecord(value)) {
    bag.error(yaml.ref(path), "variables must be a mapping of names to values");
    return;
  }
  for (const [key, v] of Object.entries(value)) into.set(key, { value: v, source: yaml.ref([...path, key]) });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
