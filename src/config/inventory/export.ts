/**
 * The inventory as `ansible-inventory` (ansible-core 2.14, lib/ansible/cli/inventory.py) prints
 * it, for `nemoclaw inventory`: `--list` (the inventory-script JSON: groups with hosts and
 * children, `_meta.hostvars` with each host's variables after precedence; with `--export`,
 * group variables stay on their groups and hosts keep only their own), `--graph` and `--host`.
 *
 * One deliberate difference: secrets are never printed. Values of variables whose name holds
 * "pass", "secret" or "token", vault values (encrypted or decrypted) are shown as MASK.
 */
import { GROUP_PRIORITY, type Inventory, type InventoryVar, type VarMap } from "./model.js";
import { holdsVault } from "./values.js";

export const MASK = "<masked>";

const SECRET_NAME = /pass|secret|token/i;

/** Whether a variable's value must never be shown. */
export function isSecretVariable(name: string, variable: Pick<InventoryVar, "value" | "secret">): boolean {
  return SECRET_NAME.test(name) || variable.secret === true || holdsVault(variable.value);
}

function shown(vars: VarMap): Record<string, unknown> {
  return Object.fromEntries([...vars].map(([name, variable]) => [name, isSecretVariable(name, variable) ? MASK : variable.value]));
}

function merged(maps: (VarMap | undefined)[]): VarMap {
  const out: VarMap = new Map();
  for (const map of maps) for (const [key, variable] of map ?? []) out.set(key, variable);
  return out;
}

export interface InventoryView {
  inventory: Inventory;
  /** Inventory directories whose group_vars/ and host_vars/ were read. */
  sourceCount: number;
}

/** A host's variables as `--host` and `--list` show them (with `export`: only its own). */
export function hostVariables({ inventory, sourceCount }: InventoryView, host: string, exportMode = false): Record<string, unknown> {
  if (!exportMode) return shown(inventory.varsOf(host, sourceCount));
  const entry = inventory.hosts.get(host)!;
  return shown(merged([entry.vars, ...entry.fileVars]));
}

/** A group's variables as `--list --export` shows them. */
export function groupVariables({ inventory }: InventoryView, group: string): Record<string, unknown> {
  const entry = inventory.groups.get(group)!;
  const vars = shown(merged([entry.vars, ...entry.fileVars]));
  if (entry.priority !== 1) vars[GROUP_PRIORITY] = entry.priority;
  return vars;
}

/** `ansible-inventory --list` as a value (render it with pythonJson). */
export function inventoryList(view: InventoryView, options: { export: boolean; hosts: readonly string[] }): Record<string, unknown> {
  const { inventory } = view;
  const results: Record<string, unknown> = {};
  const seen = new Set<string>();
  const format = (name: string): void => {
    const group = inventory.groups.get(name)!;
    const body: Record<string, unknown> = {};
    if (name !== "all" && group.hosts.length > 0) body.hosts = [...group.hosts];
    if (group.children.length > 0) body.children = [...group.children];
    results[name] = body;
    for (const child of group.children) {
      if (seen.has(child)) continue;
      format(child);
      seen.add(child);
    }
    if (options.export) {
      const vars = groupVariables(view, name);
      if (Object.keys(vars).length > 0) body.vars = vars;
    }
    if (Object.keys(body).length === 0) delete results[name];
  };
  format("all");
  const hostvars: Record<string, unknown> = {};
  for (const host of options.hosts) {
    const vars = hostVariables(view, host, options.export);
    if (Object.keys(vars).length > 0) hostvars[host] = vars;
  }
  results._meta = { hostvars };
  return results;
}

/** `ansible-inventory --graph [group]`. */
export function inventoryGraph({ inventory }: InventoryView, start: string): string {
  const lines: string[] = [];
  const name = (text: string, depth: number) => (depth > 0 ? `${"  |".repeat(depth)}--${text}` : text);
  const walk = (group: string, depth: number): void => {
    lines.push(name(`@${group}:`, depth));
    const entry = inventory.groups.get(group)!;
    for (const child of entry.children) walk(child, depth + 1);
    if (group !== "all") for (const host of entry.hosts) lines.push(name(host, depth + 1));
  };
  walk(start, 0);
  return lines.join("\n");
}
