/**
 * Reads Ansible inventories (files or directories, YAML or INI) plus the `group_vars/` and
 * `host_vars/` directories beside them, into one merged Inventory.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { DiagnosticBag } from "../diagnostics.js";
import { parseYaml, type SourceRegistry } from "../source.js";
import { closest } from "../suggest.js";
import type { SourceRef } from "../types.js";
import { readIniInventory } from "./ini.js";
import { Inventory, type VarMap } from "./model.js";
import { readVars, readYamlInventory } from "./yaml-inventory.js";

export interface InventoryRequest {
  /** Absolute path of an inventory file or directory. */
  path: string;
  /** Where it was asked for (the fleet file's `inventory:` entry, or the command line). */
  from: SourceRef;
}

/** Ansible's YAML inventory plugin only takes these extensions; everything else is INI. */
const YAML_EXTENSIONS = new Set([".yml", ".yaml", ".json"]);
const VARS_EXTENSIONS = new Set(["", ".yml", ".yaml", ".json"]);
/** Files Ansible skips in inventory directories. */
const IGNORED = /(^\.|~$|\.(orig|bak|ini\.example|md|txt|retry|pyc|pyo|cfg)$)/;

export async function loadInventories(requests: InventoryRequest[], registry: SourceRegistry, bag: DiagnosticBag): Promise<Inventory> {
  const root: SourceRef = requests[0]?.from ?? { file: "<inventory>", line: 1, column: 1, path: "" };
  const inventory = new Inventory(root);
  const varsDirs: string[] = [];
  for (const request of requests) {
    const info = await stat(request.path).catch(() => undefined);
    if (info === undefined) {
      bag.error(request.from, `inventory ${registry.displayName(request.path)} does not exist`);
      continue;
    }
    const files = info.isDirectory() ? await inventoryFilesIn(request.path) : [request.path];
    for (const file of files) await readInventoryFile(file, inventory, registry, bag);
    const dir = info.isDirectory() ? request.path : path.dirname(request.path);
    if (!varsDirs.includes(dir)) varsDirs.push(dir);
  }
  inventory.finish();
  for (const dir of varsDirs) {
    await applyVarsDir(path.join(dir, "group_vars"), "group", inventory, registry, bag);
    await applyVarsDir(path.join(dir, "host_vars"), "host", inventory, registry, bag);
  }
  return inventory;
}

async function inventoryFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !IGNORED.test(e.name))
    .map((e) => path.join(dir, e.name))
    .sort();
}

async function readInventoryFile(file: string, inventory: Inventory, registry: SourceRegistry, bag: DiagnosticBag): Promise<void> {
  const source = await registry.read(file);
  if (YAML_EXTENSIONS.has(path.extname(file).toLowerCase())) {
    const yaml = parseYaml(source, bag, "1.1");
    if (yaml !== undefined) readYamlInventory(yaml, inventory, bag);
  } else {
    readIniInventory(source, inventory, bag);
  }
}

/**
 * `group_vars/<group>` and `host_vars/<host>`: a file (no extension, .yml, .yaml, .json) or a
 * directory of such files read in name order. They override the inventory's inline variables.
 */
async function applyVarsDir(dir: string, kind: "group" | "host", inventory: Inventory, registry: SourceRegistry, bag: DiagnosticBag): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (entries === undefined) return;
  const known = kind === "group" ? [...inventory.groups.keys()] : [...inventory.hosts.keys()];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".")) continue;
    const extension = entry.isDirectory() ? "" : path.extname(entry.name);
    if (!VARS_EXTENSIONS.has(extension.toLowerCase())) continue;
    const name = entry.isDirectory() ? entry.name : entry.name.slice(0, entry.name.length - extension.length);
    const full = path.join(dir, entry.name);
    const files = entry.isDirectory() ? await varsFilesUnder(full) : [full];
    const target: VarMap | undefined = kind === "group" ? inventory.groups.get(name)?.vars : inventory.hosts.get(name)?.vars;
    if (target === undefined) {
      const suggestion = closest(name, known);
      bag.warning(
        { file: registry.displayName(full), line: 1, column: 1, path: "" },
        `${kind}_vars/${entry.name} is for ${kind} "${name}", which no inventory declares${suggestion === undefined ? "" : `; did you mean "${suggestion}"?`}`,
      );
      continue;
    }
    for (const file of files) {
      const source = await registry.read(file);
      const yaml = parseYaml(source, bag, "1.1");
      if (yaml !== undefined) readVars(yaml, yaml.toJS(), [], target, bag);
    }
  }
}

async function varsFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith(".") && VARS_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
