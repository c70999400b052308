/**
 * Ansible YAML inventories, read as ansible-core 2.14's yaml plugin reads them: a tree of groups,
 * each with `hosts`, `vars` and `children` (a plain string stands for a one-entry mapping), host
 * keys with ranges (`spark-[01:04]`) and ports (`name:2222`). Where Ansible only warns and drops
 * what it cannot read (an unknown key such as a misspelt `hots:`, a group that is not a mapping),
 * nemoclaw reports an error instead, so no host silently goes missing.
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
    this.inventory.group(name, this.yaml.ref(path, "key"));
    if (body === null || body === undefined) return;
    if (!isRecord(body)) {
      this.bag.error(this.yaml.ref(path), `group "${name}" must be a mapping with hosts, vars and/or children`);
      return;
    }
    for (const [key, raw] of Object.entries(body)) {
      const at = [...path, key];
      if (!GROUP_KEYS.includes(key)) {
        this.bag.error(this.yaml.ref(at, "key"), `unknown key "${key}" in group "${name}"${didYouMean(key, GROUP_KEYS)} (a group has hosts, vars and children)`);
        continue;
      }
      // Ansible reads `hosts: web1` as `hosts: { web1: }`.
      const value = typeof raw === "string" ? { [raw]: null } : raw;
      if (value === null || value === undefined) continue;
      if (!isRecord(value)) {
        this.bag.error(this.yaml.ref(at), `${key} of group "${name}" must be a mapping${key === "vars" ? " of names to values" : key === "hosts" ? " of host names (to their variables or nothing)" : " of group names"}`);
        continue;
      }
      if (key === "vars") this.groupVars(name, value, at);
      else if (key === "hosts") this.hosts(name, value, at);
      else this.children(name, value, at);
    }
  }

  private groupVars(groupName: string, vars: Record<string, unknown>, path: Path): void {
    for (const [key, value] of Object.entries(vars)) {
      const source = this.yaml.ref([...path, key]);
      const problem = this.inventory.setGroupVar(groupName, key, { value, source });
      if (problem !== undefined) this.bag.error(source, problem);
    }
  }

  private hosts(groupName: string, hosts: Record<string, unknown>, path: Path): void {
    for (const [pattern, vars] of Object.entries(hosts)) {
      const at = [...path, pattern];
      // Ansible refuses `10:` or `yes:` ("Host pattern 10 must be a string", plugins/inventory/yaml.py
      // `_parse_host`) instead of naming a host "10" or "True".
      const key = this.yaml.keyAt(at);
      if (key !== undefined && typeof key.value !== "string") {
        this.bag.error(this.yaml.ref(at, "key"), `host name ${key.written} is read as ${describeKey(key.value)}; put it in quotes (Ansible requires host names to be text)`);
        continue;
      }
      const entry = parseHostEntry(pattern);
      if (typeof entry === "string") {
        this.bag.error(this.yaml.ref(at, "key"), `invalid host ${entry}`);
        continue;
      }
      if (vars !== null && vars !== undefined && !isRecord(vars)) {
        this.bag.error(this.yaml.ref(at), `host "${pattern}" must map to its variables (a mapping) or to nothing`);
        continue;
      }
      for (const name of entry.names) {
        const isNew = !this.inventory.hosts.has(name);
        const host = this.inventory.host(name, this.yaml.ref(at, "key"));
        this.inventory.addHostToGroup(name, groupName, this.yaml.ref(at, "key"));
        // Ansible takes the port only from the entry that creates the host.
        if (isNew && entry.port !== undefined) host.vars.set("ansible_port", { value: entry.port, source: this.yaml.ref(at, "key") });
        readVars(this.yaml, vars, at, host.vars, this.bag);
      }
    }
  }

  private children(parent: string, children: Record<string, unknown>, path: Path): void {
    for (const [child, body] of Object.entries(children)) {
      const at = [...path, child];
      this.group(child, body, at);
      const loop = this.inventory.addChild(parent, child, this.yaml.ref(at, "key"));
      if (loop !== undefined) this.bag.error(this.yaml.ref(at, "key"), loop);
    }
  }
}

function describeKey(key: unknown): string {
  if (key === null) return "null (no name)";
  if (typeof key === "boolean") return `the boolean ${String(key)}`;
  return `the number ${String(key)}`;
}

/** Variables from a mapping (host entries, group_vars/host_vars files). */
export function readVars(yaml: YamlSource, value: unknown, path: Path, into: VarMap, bag: DiagnosticBag): void {
  if (value === null || value === undefined) return;
  if (!isRecord(value)) {
    bag.error(yaml.ref(path), "variables must be a mapping of names to values");
    return;
  }
  for (const [key, v] of Object.entries(value)) into.set(key, { value: v, source: yaml.ref([...path, key]) });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}
