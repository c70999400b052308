/**
 * Inventories as JSON in Ansible's inventory-script format: what an executable inventory script
 * prints for `--list`, what `ansible-inventory --list` prints (so an exported inventory reads back
 * as it was), and how `plugin:` inventories are read (through `ansible-inventory`). Read as
 * ansible-core 2.14's script plugin reads it:
 *
 * - each top-level key is a group: a list of hosts, a mapping with `hosts` (a list), `vars` and
 *   `children` (a list of group names), or a mapping without those keys, which is one host of
 *   that name with those variables;
 * - `_meta.hostvars` holds the hosts' variables; without it, the script is asked for each host
 *   with `--host NAME`.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import type { DiagnosticBag } from "../diagnostics.js";
import { decodeUtf8, parseYaml, SourceFile, type SourceReadError, type SourceRegistry, type YamlSource } from "../source.js";
import type { Inventory } from "./model.js";
import type { VaultKeyring } from "./vault.js";
import { isRecord, readVars } from "./yaml-inventory.js";

export interface CommandResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  /** Why the command could not run at all (not found, not executable, timed out). */
  failure?: string;
}

/** Runs a program without a shell (injected, so tests can stand in for scripts and Ansible). */
export type CommandRunner = (file: string, args: string[]) => Promise<CommandResult>;

/** Inventory scripts and `ansible-inventory` may take a while on large clouds, not forever. */
const SCRIPT_TIMEOUT_MS = 300_000;
const MAX_SCRIPT_OUTPUT = 256 * 1024 * 1024;

/** A runner with these limits: how long a command may run, and how much it may print on either stream. */
export function commandRunner(limits: { timeoutMs: number; maxOutputBytes: number }): CommandRunner {
  return (file, args) =>
    new Promise((resolve) => {
      execFile(file, args, { encoding: "buffer", timeout: limits.timeoutMs, maxBuffer: limits.maxOutputBytes, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        const result: CommandResult = { code, stdout, stderr: stderr.toString("utf8") };
        if (error !== null && code === null) {
          result.failure =
            error.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER"
              ? `printed more than ${byteSize(limits.maxOutputBytes)}, the most nemoclaw reads from it, and was stopped`
              : error.killed
                ? `did not finish within ${limits.timeoutMs / 1000} s and was stopped`
                : String(error.code ?? error.message);
        }
        resolve(result);
      });
    });
}

function byteSize(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

export const runCommand: CommandRunner = commandRunner({ timeoutMs: SCRIPT_TIMEOUT_MS, maxOutputBytes: MAX_SCRIPT_OUTPUT });

/** Why a command could not run, as a sentence's end: an error code is said in words where it can be. */
function failureText(failure: string): string {
  if (!/^[A-Z0-9_]+$/.test(failure)) return failure;
  const words: Record<string, string> = { ENOENT: "no such file", EACCES: "permission denied (is it executable?)", ENOEXEC: "not an executable this machine can run" };
  return `could not run: ${words[failure] ?? failure}`;
}

/** Whether parsed JSON/YAML has the shape of inventory-script output rather than a YAML inventory. */
export function looksLikeScriptJson(data: unknown): boolean {
  if (!isRecord(data)) return false;
  if (isRecord(data._meta)) return true;
  return Object.values(data).some((body) => Array.isArray(body) || (isRecord(body) && (Array.isArray(body.hosts) || Array.isArray(body.children))));
}

export interface ScriptContext {
  inventory: Inventory;
  registry: SourceRegistry;
  bag: DiagnosticBag;
  run: CommandRunner;
}

/** Runs an executable inventory script with `--list` (and `--host` per host when it has no `_meta`). */
export async function readInventoryScript(file: string, ctx: ScriptContext, from: SourceFile): Promise<void> {
  const display = ctx.registry.displayName(file);
  const output = await runForJson(file, ["--list"], `${display} --list`, ctx, from);
  if (output === undefined) return;
  await readScriptJson(output, ctx, async (host) => runForJson(file, ["--host", host], `${display} --host ${host}`, ctx, from));
}

/**
 * A `plugin:` inventory (aws_ec2, constructed, …), read through `ansible-inventory -i FILE --list
 * --export`, which runs the plugin exactly as Ansible would. Without Ansible it is an error that
 * says how to export the inventory once.
 */
export async function readPluginInventory(file: string, plugin: string, ctx: ScriptContext & { vault: VaultKeyring }, at: SourceFile): Promise<void> {
  const display = ctx.registry.displayName(file);
  const vaultArgs = ctx.vault.identities.flatMap((identity) => ["--vault-id", `${identity.label}@${identity.file}`]);
  const result = await ctx.run("ansible-inventory", ["-i", file, "--list", "--export", ...vaultArgs]);
  if (result.failure === "ENOENT") {
    ctx.bag.error(
      at.ref(1, 1, "plugin"),
      `${display} is an inventory plugin configuration (plugin: ${plugin}); nemoclaw reads it through ansible-inventory, which is not installed. Install ansible-core, or export the inventory once where Ansible is installed: ansible-inventory -i ${display} --list > inventory.json, and use inventory.json`,
    );
    return;
  }
  const source = outputSource(result, `ansible-inventory -i ${display} --list`, ctx, at);
  if (source === undefined) return;
  const yaml = parseYaml(source, ctx.bag, "json");
  if (yaml !== undefined) await readScriptJson(yaml, ctx, undefined);
}

async function runForJson(file: string, args: string[], label: string, ctx: ScriptContext, from: SourceFile): Promise<YamlSource | undefined> {
  const result = await ctx.run(file, args);
  const source = outputSource(result, label, ctx, from);
  return source === undefined ? undefined : parseYaml(source, ctx.bag, "json");
}

/** The command's output as a source of its own (errors point into it), or undefined after reporting why not. */
function outputSource(result: CommandResult, label: string, ctx: ScriptContext, from: SourceFile): SourceFile | undefined {
  const at = from.ref(1, 1, "");
  if (result.failure !== undefined) {
    ctx.bag.error(at, `${label} ${failureText(result.failure)}`);
    return undefined;
  }
  if (result.code !== 0) {
    const detail = result.stderr.trim().split("\n").slice(-3).join(" ").trim();
    ctx.bag.error(at, `${label} exited with status ${result.code ?? "unknown"}${detail === "" ? "" : `: ${detail}`}`);
    return undefined;
  }
  let text: string;
  try {
    text = decodeUtf8(result.stdout);
  } catch (error) {
    ctx.bag.error(at, `${label}: its output ${(error as SourceReadError).message}`);
    return undefined;
  }
  // Its own absolute name, in the script's directory: relative paths in its variables resolve there.
  return ctx.registry.add(new SourceFile(`<${label}>`, `${path.resolve(from.absPath)}#output`, text));
}

/** Reads inventory-script JSON into the inventory; `hostVars` answers `--host` when there is no `_meta`. */
export async function readScriptJson(yaml: YamlSource, ctx: ScriptContext, hostVars: ((host: string) => Promise<YamlSource | undefined>) | undefined): Promise<void> {
  const { inventory, bag } = ctx;
  const data = yaml.toJS();
  if (!isRecord(data)) {
    bag.error(yaml.ref([]), "inventory JSON must be an object of groups (and _meta)");
    return;
  }
  const listed: string[] = [];
  for (const [group, raw] of Object.entries(data)) {
    if (group === "_meta") continue;
    inventory.group(group, yaml.ref([group], "key"));
    const body = Array.isArray(raw) ? { hosts: raw } : isRecord(raw) && !("hosts" in raw || "vars" in raw || "children" in raw) ? { hosts: [group], vars: raw } : raw;
    if (!isRecord(body)) {
      bag.error(yaml.ref([group]), `group "${group}" must be a list of hosts or an object with hosts, vars and children`);
      continue;
    }
    if (body.hosts !== undefined && body.hosts !== null) {
      if (!Array.isArray(body.hosts) || body.hosts.some((h) => typeof h !== "string")) bag.error(yaml.ref([group, "hosts"]), `hosts of group "${group}" must be a list of host names`);
      else
        for (const [index, host] of (body.hosts as string[]).entries()) {
          const at = yaml.ref(Array.isArray(raw) ? [group, index] : [group, "hosts", index]);
          inventory.host(host, at);
          inventory.addHostToGroup(host, group, at);
          if (!listed.includes(host)) listed.push(host);
        }
    }
    if (body.vars !== undefined && body.vars !== null) {
      if (!isRecord(body.vars)) bag.error(yaml.ref([group, "vars"]), `vars of group "${group}" must be an object`);
      else
        for (const [key, value] of Object.entries(body.vars)) {
          const source = yaml.ref(Array.isArray(raw) || "vars" in (raw as object) ? [group, "vars", key] : [group, key]);
          const problem = inventory.setGroupVar(group, key, { value, source });
          if (problem !== undefined) bag.error(source, problem);
        }
    }
    if (body.children !== undefined && body.children !== null) {
      if (!Array.isArray(body.children) || body.children.some((c) => typeof c !== "string")) {
        bag.error(yaml.ref([group, "children"]), `children of group "${group}" must be a list of group names`);
      } else
        for (const [index, child] of (body.children as string[]).entries()) {
          const at = yaml.ref([group, "children", index]);
          inventory.group(child, at);
          const loop = inventory.addChild(group, child, at);
          if (loop !== undefined) bag.error(at, loop);
        }
    }
  }
  const meta = data._meta;
  if (isRecord(meta) && "hostvars" in meta) {
    if (!isRecord(meta.hostvars)) {
      bag.error(yaml.ref(["_meta", "hostvars"]), "_meta.hostvars must be an object of host names to variables");
      return;
    }
    // As in Ansible, only hosts some group lists get their variables.
    for (const host of listed) readVars(yaml, meta.hostvars[host], ["_meta", "hostvars", host], inventory.hosts.get(host)!.vars, bag);
    return;
  }
  if (hostVars === undefined) return;
  for (const host of listed) {
    const vars = await hostVars(host);
    if (vars === undefined) continue;
    const value = vars.toJS();
    if (value !== null && value !== undefined && !isRecord(value)) bag.error(vars.ref([]), `the variables of host "${host}" must be an object`);
    else readVars(vars, value, [], inventory.hosts.get(host)!.vars, bag);
  }
}
