/**
 * `group_vars/` and `host_vars/` beside each inventory source, found as ansible-core 2.14's
 * host_group_vars plugin finds them: for a group or host NAME, the first of `NAME` (a file, or a
 * directory read recursively in name order), `NAME.yml`, `NAME.yaml`, `NAME.json`; in a directory,
 * hidden names and names ending in `~` are skipped, subdirectories are entered only when their
 * name has no extension, and files count when they have no extension or one of those three.
 *
 * Files are JSON or YAML (read as Ansible reads them), may be vault-encrypted (decrypted with the
 * keyring; without a password they are skipped with a warning), and must hold a mapping.
 */
import type { Stats } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { DiagnosticBag } from "../diagnostics.js";
import { parseYaml, SourceFile, SourceReadError, type SourceRegistry } from "../source.js";
import { closest } from "../suggest.js";
import type { Inventory, VarMap } from "./model.js";
import { isVaultText, VaultError, type VaultKeyring } from "./vault.js";
import { isRecord } from "./yaml-inventory.js";

const EXTENSIONS = ["", ".yml", ".yaml", ".json"];

interface VarsContext {
  registry: SourceRegistry;
  bag: DiagnosticBag;
  vault: VaultKeyring;
}

export async function applyVarsFiles(sourceDirs: readonly string[], inventory: Inventory, ctx: VarsContext): Promise<void> {
  for (const [index, dir] of sourceDirs.entries()) {
    for (const kind of ["group", "host"] as const) {
      const varsDir = await existingDir(path.join(dir, `${kind}_vars`), ctx);
      if (varsDir === undefined) continue;
      const entities = kind === "group" ? [...inventory.groups.values()] : [...inventory.hosts.values()];
      for (const entity of entities) {
        if (entity.name.startsWith("/")) continue;
        const files = await findVarsFiles(varsDir, entity.name, ctx);
        if (files.length === 0) continue;
        const vars: VarMap = (entity.fileVars[index] ??= new Map());
        for (const file of files) await readVarsFile(file, vars, ctx);
      }
      await warnAboutStrays(varsDir, kind, entities.map((e) => e.name), ctx);
    }
  }
}

async function existingDir(dir: string, ctx: VarsContext): Promise<string | undefined> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) return undefined;
  if (!info.isDirectory()) {
    ctx.bag.warning({ file: ctx.registry.displayName(dir), line: 1, column: 1, path: "" }, `${path.basename(dir)} is not a directory; skipping it (as Ansible does)`);
    return undefined;
  }
  return realpath(dir);
}

async function findVarsFiles(dir: string, name: string, ctx: VarsContext): Promise<string[]> {
  for (const extension of EXTENSIONS) {
    const candidate = path.join(dir, name + extension);
    const info = await statOrReport(candidate, ctx);
    if (info === undefined) continue;
    // `dir` (group_vars/ itself) counts as being read: NAME/up -> .. leads back into it.
    return info.isDirectory() ? filesUnder(candidate, ctx, new Set([dir, await realpath(candidate)])) : [candidate];
  }
  return [];
}

/**
 * Files of a vars directory, in name order. `reading` holds the real paths of the directories
 * being read (this one and those around it): a symlink back to one of them is reported once and
 * not followed, instead of being walked until the system refuses.
 */
async function filesUnder(dir: string, ctx: VarsContext, reading: Set<string>): Promise<string[]> {
  const found: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (name.startsWith(".") || name.endsWith("~")) continue;
    const full = path.join(dir, name);
    const extension = path.extname(name);
    const info = await statOrReport(full, ctx);
    if (info?.isDirectory() && extension === "") {
      const real = await realpath(full);
      if (reading.has(real)) {
        ctx.bag.error(
          { file: ctx.registry.displayName(full), line: 1, column: 1, path: "" },
          `this path leads back to ${ctx.registry.displayName(real)}, a directory already being read (a symlink loop); it is not followed`,
        );
        continue;
      }
      found.push(...(await filesUnder(full, ctx, new Set([...reading, real]))));
    } else if (info?.isFile() && EXTENSIONS.includes(extension)) found.push(full);
  }
  return found;
}

/** What a vars path is, or undefined when there is nothing there; a symlink loop is an error (Ansible skips it silently). */
async function statOrReport(file: string, ctx: VarsContext): Promise<Stats | undefined> {
  try {
    return await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP") {
      ctx.bag.error({ file: ctx.registry.displayName(file), line: 1, column: 1, path: "" }, "this symlink loops back to itself; its variables cannot be read");
    }
    return undefined;
  }
}

async function readVarsFile(file: string, into: VarMap, ctx: VarsContext): Promise<void> {
  const { registry, bag } = ctx;
  let source: SourceFile;
  try {
    source = await registry.read(file);
  } catch (error) {
    if (!(error instanceof SourceReadError)) throw error;
    bag.error({ file: registry.displayName(file), line: error.position?.line ?? 1, column: error.position?.column ?? 1, path: "" }, `variables file ${error.message}`);
    return;
  }
  let secret = false;
  if (isVaultText(source.text)) {
    if (ctx.vault.empty) {
      bag.warning(
        source.ref(1, 1, ""),
        "this variables file is vault-encrypted and no vault password was given, so its variables are not read; give --vault-password-file when nemoclaw needs them (a connection setting such as ansible_host or ansible_user)",
      );
      return;
    }
    try {
      source = registry.add(new SourceFile(`${source.file} (decrypted)`, source.absPath, await ctx.vault.decrypt(source.text), true));
      secret = true;
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      bag.error(source.ref(1, 1, ""), `cannot read this variables file: ${error.message}`);
      return;
    }
  }
  const yaml = parseYaml(source, bag.scratch(), "json") ?? parseYaml(source, bag, "1.1");
  if (yaml === undefined) return;
  const data = yaml.toJS();
  if (data === null || data === undefined) return;
  if (!isRecord(data)) {
    bag.error(yaml.ref([]), "a variables file must hold a mapping of names to values");
    return;
  }
  for (const [key, value] of Object.entries(data)) into.set(key, { value, source: yaml.ref([key]), ...(secret ? { secret } : {}) });
}

/** A group_vars/host_vars entry that names no group or host is almost always a typo (Ansible ignores it silently). */
async function warnAboutStrays(dir: string, kind: "group" | "host", known: string[], ctx: VarsContext): Promise<void> {
  const names = new Set(known);
  for (const entry of (await readdir(dir)).sort()) {
    if (entry.startsWith(".") || entry.endsWith("~")) continue;
    const extension = EXTENSIONS.find((e) => e !== "" && entry.endsWith(e)) ?? "";
    const name = entry.slice(0, entry.length - extension.length);
    if (names.has(name)) continue;
    const suggestion = closest(name, known);
    ctx.bag.warning(
      { file: ctx.registry.displayName(path.join(dir, entry)), line: 1, column: 1, path: "" },
      `${kind}_vars/${entry} is for ${kind} "${name}", which no inventory declares${suggestion === undefined ? "" : `; did you mean "${suggestion}"?`}`,
    );
  }
}
