/**
 * Reads Ansible inventory sources into one Inventory, choosing for each file what Ansible's
 * inventory plugins would (ansible-core 2.14, in the order of its default `enabled` list):
 *
 * 1. an executable file is an inventory script, run with `--list`;
 * 2. a `.yml`/`.yaml` file with a top-level `plugin:` key is a plugin configuration, read
 *    through `ansible-inventory`;
 * 3. a file ending in `.yml`, `.yaml` or `.json`, or without an extension, is a YAML inventory
 *    when it reads as one (JSON in the inventory-script shape, such as `ansible-inventory --list`
 *    output, is read as that); otherwise
 * 4. it is INI.
 *
 * A directory is read entry by entry in name order, recursing into subdirectories and skipping
 * what Ansible skips: hidden entries, `group_vars`, `host_vars`, `vars_plugins`, and names ending
 * in .pyc .pyo .swp .bak ~ .rpm .md .txt .rst .orig .ini .cfg .retry (INVENTORY_IGNORE_EXTS).
 * The fleet file itself is skipped there (`inventory: [.]`). Vault-encrypted files are decrypted
 * with the keyring; then `group_vars/` and `host_vars/` beside each source (vars-files.ts).
 */
import { access, constants, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { DiagnosticBag } from "../diagnostics.js";
import { isNestingProblem, parseYaml, SourceFile, SourceReadError, type SourceRegistry } from "../source.js";
import type { SourceRef } from "../types.js";
import { readIniInventory } from "./ini.js";
import { Inventory } from "./model.js";
import { looksLikeScriptJson, readInventoryScript, readPluginInventory, readScriptJson, runCommand, type CommandRunner } from "./script.js";
import { applyVarsFiles } from "./vars-files.js";
import { isVaultText, VaultError, VaultKeyring } from "./vault.js";
import { isRecord, readYamlInventory } from "./yaml-inventory.js";

export interface InventoryRequest {
  /** Absolute path of an inventory file or directory. */
  path: string;
  /** Where it was asked for (the fleet file's `inventory:` entry, or the command line). */
  from: SourceRef;
}

export interface InventoryOptions {
  vault?: VaultKeyring;
  /** Runs inventory scripts and ansible-inventory. */
  run?: CommandRunner;
  /** The fleet file (absolute path): an inventory directory holding it is read without it. */
  fleetFile?: string;
}

export interface LoadedInventory {
  inventory: Inventory;
  /** Directories whose group_vars/ and host_vars/ were read, in order (Ansible's inventory sources). */
  sourceDirs: string[];
}

const YAML_EXTENSIONS = new Set([".yml", ".yaml", ".json"]);
const IGNORED = /^\.|^host_vars$|^group_vars$|^vars_plugins$|(\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;

interface ReadContext {
  fleetFile: string | undefined;
  inventory: Inventory;
  registry: SourceRegistry;
  bag: DiagnosticBag;
  vault: VaultKeyring;
  run: CommandRunner;
}

export async function loadInventories(requests: InventoryRequest[], registry: SourceRegistry, bag: DiagnosticBag, options: InventoryOptions = {}): Promise<LoadedInventory> {
  const root: SourceRef = requests[0]?.from ?? { file: "<inventory>", line: 1, column: 1, path: "" };
  const inventory = new Inventory(root);
  const ctx: ReadContext = { fleetFile: options.fleetFile, inventory, registry, bag, vault: options.vault ?? new VaultKeyring([]), run: options.run ?? runCommand };
  const sourceDirs: string[] = [];
  for (const request of requests) {
    const info = await stat(request.path).catch(() => undefined);
    if (info === undefined) {
      // Ansible's `-i 'spark-01,spark-02,'` (a host list, not a file) is not read (docs/inventories.md).
      const hostList = request.path.includes(",") ? "; a comma-separated host list (Ansible's -i 'a,b,') is not read: list the hosts in an INI file, or under hosts: in the fleet file" : "";
      bag.error(request.from, `inventory ${registry.displayName(request.path)} does not exist${hostList}`);
      continue;
    }
    if (info.isDirectory()) await readDirectory(request.path, ctx);
    else if (info.isFile() && request.path === options.fleetFile) {
      bag.error(request.from, `inventory ${registry.displayName(request.path)} is this fleet file, not an inventory; list the inventory file or directory`);
      continue;
    } else if (info.isFile()) await readInventoryFile(request.path, ctx);
    else {
      bag.error(request.from, `inventory ${registry.displayName(request.path)} is not a regular file or directory; refusing to read it`);
      continue;
    }
    const dir = info.isDirectory() ? request.path : path.dirname(request.path);
    if (!sourceDirs.includes(dir)) sourceDirs.push(dir);
  }
  inventory.reconcile();
  await applyVarsFiles(sourceDirs, inventory, { registry, bag, vault: ctx.vault });
  return { inventory, sourceDirs };
}

async function readDirectory(dir: string, ctx: ReadContext): Promise<void> {
  const names = (await readdir(dir)).filter((name) => !IGNORED.test(name)).sort(byBytes);
  for (const name of names) {
    const full = path.join(dir, name);
    const info = await stat(full).catch(() => undefined);
    if (info?.isDirectory()) await readDirectory(full, ctx);
    // The fleet file may live in the inventory directory (`inventory: [.]`); it is not an inventory.
    else if (info?.isFile() && full !== ctx.fleetFile) await readInventoryFile(full, ctx);
  }
}

/** Python sorts file names by their bytes. */
export function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

async function readInventoryFile(file: string, ctx: ReadContext): Promise<void> {
  const { registry, bag } = ctx;
  if (await isExecutable(file)) {
    await readInventoryScript(file, ctx, new SourceFile(registry.displayName(file), file, ""));
    return;
  }
  let source: SourceFile;
  try {
    source = await registry.read(file);
  } catch (error) {
    if (!(error instanceof SourceReadError)) throw error;
    bag.error({ file: registry.displayName(file), line: error.position?.line ?? 1, column: error.position?.column ?? 1, path: "" }, `inventory ${error.message}`);
    return;
  }
  if (isVaultText(source.text)) {
    try {
      source = registry.add(new SourceFile(`${source.file} (decrypted)`, source.absPath, await ctx.vault.decrypt(source.text), true));
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      bag.error(source.ref(1, 1, ""), `cannot read this inventory: ${error.message}`);
      return;
    }
  }
  const extension = path.extname(file).toLowerCase();
  if (YAML_EXTENSIONS.has(extension) || extension === "") {
    if (await readAsYaml(source, extension, ctx)) return;
  }
  readIniInventory(source, ctx.inventory, bag);
}

/**
 * Reads the file as YAML when Ansible's auto or yaml plugin would take it: its text is JSON (tried
 * first, as Ansible's loader does) or YAML whose top level is a mapping of groups. False when the
 * INI reader should read it instead. A file named .yml/.yaml/.json that is neither YAML of that
 * shape nor INI reports the YAML problem, which explains it best.
 */
async function readAsYaml(source: SourceFile, extension: string, ctx: ReadContext): Promise<boolean> {
  const { bag } = ctx;
  const scratch = bag.scratch();
  const asJson = parseYaml(source, bag.scratch(), "json");
  const yaml = asJson ?? parseYaml(source, scratch, "1.1");
  const data = yaml?.toJS();
  if (yaml !== undefined && isRecord(data) && Object.keys(data).length > 0) {
    bag.absorb(scratch);
    if (typeof data.plugin === "string" && (extension === ".yml" || extension === ".yaml")) await readPluginInventory(source.absPath, data.plugin, ctx, source);
    else if (looksLikeScriptJson(data)) await readScriptJson(yaml, ctx, undefined);
    else readYamlInventory(yaml, ctx.inventory, bag);
    return true;
  }
  // Too deep to tell whether it is a mapping of groups: the nesting is the problem to report
  // (unless the file is plainly INI).
  const tooDeep = yaml === undefined && scratch.errors.some((e) => isNestingProblem(e.message));
  if ((extension === "" && !tooDeep) || data === null || readsAsIni(source, ctx)) return false;
  if (yaml === undefined) bag.absorb(scratch);
  else bag.error(yaml.ref([]), "a YAML inventory is a mapping of groups, usually starting with all:");
  return true;
}

/** Whether the INI reader takes the file without a single error (tried on a scratch inventory). */
function readsAsIni(source: SourceFile, ctx: ReadContext): boolean {
  const scratch = ctx.bag.scratch();
  readIniInventory(source, new Inventory(source.ref(1, 1, "")), scratch);
  return scratch.errors.length === 0;
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}
