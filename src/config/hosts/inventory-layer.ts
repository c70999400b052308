/**
 * Ansible inventory variables as host settings: `ansible_host`, `ansible_port`, `ansible_user`,
 * `ansible_ssh_private_key_file`, `ansible_connection`, jump hosts hidden in
 * `ansible_ssh_common_args`/`ansible_ssh_extra_args`, and nemoclaw's own `nemoclaw_labels` and
 * `nemoclaw_version`, `nemoclaw_openshell_version`. Every other variable is kept as a host variable.
 */
import { existsSync } from "node:fs";
import type { DiagnosticBag } from "../diagnostics.js";
import { shlexSplit } from "../inventory/ini-values.js";
import type { InventoryVar, VarMap } from "../inventory/model.js";
import { holdsVault, toPlain, VaultValue } from "../inventory/values.js";
import { argumentProblem } from "../names.js";
import { parseOpenShellVersion } from "../openshell-version.js";
import { closest } from "../suggest.js";
import type { SourceRef } from "../types.js";
import { labelProblem, nemoclawVersionProblem, openshellVersionProblem } from "./fleet-layer.js";
import { hostKeyCheckingOf, jumpFromProxyCommand } from "./proxy-command.js";
import { addressProblem, emptyLayer, parseProxyJump, pathProblem, resolveLocalPath, SSH_ARGS_KEYS, type HopSpec, type SettingsLayer, type SshArgsSettings } from "./layers.js";

export interface InventoryLayerContext {
  bag: DiagnosticBag;
  /** Directory of the file a variable was written in. */
  baseDirOf(source: SourceRef): string;
  /** Where nemoclaw runs: relative key and known_hosts paths resolve against it, as ssh run by Ansible resolves them. */
  workingDir: string;
}

const ADDRESS = ["ansible_host", "ansible_ssh_host"];
const PORT = ["ansible_port", "ansible_ssh_port"];
const USER = ["ansible_user", "ansible_ssh_user"];
const KEY_FILE = ["ansible_ssh_private_key_file", "ansible_private_key_file"];
const SSH_ARGS = ["ansible_ssh_common_args", "ansible_ssh_extra_args"];
const PASSWORDS = [
  "ansible_password",
  "ansible_ssh_pass",
  "ansible_ssh_password",
  "ansible_become_pass",
  "ansible_become_password",
  "ansible_sudo_pass",
];
/** Where an inventory gives the port and user that an ansible_host must not carry. */
const INVENTORY_SETTINGS = { port: "ansible_port", user: "ansible_user" };
const NEMOCLAW_VARS = ["nemoclaw_labels", "nemoclaw_version", "nemoclaw_openshell_version"];
const CONNECTION = new Set([...ADDRESS, ...PORT, ...USER, ...KEY_FILE, ...SSH_ARGS, "ansible_connection"]);

/** Variables whose values nemoclaw uses, so a vault-encrypted one must be decrypted. */
export function needsValue(name: string): boolean {
  return CONNECTION.has(name) || name.startsWith("nemoclaw_");
}

export function inventoryLayer(vars: VarMap, ctx: InventoryLayerContext): SettingsLayer {
  const layer = emptyLayer();
  const { bag } = ctx;
  const sshArgs: InventoryVar[] = [];
  for (const [name, written] of vars) {
    if (holdsVault(written.value) && !PASSWORDS.includes(name) && !name.startsWith("ansible_become")) {
      // A value that a given password failed to open was already reported where it is written.
      if (needsValue(name)) {
        if (!bag.hasErrorAt(written.source.file, written.source.path)) bag.error(written.source, `${name} is vault-encrypted; give --vault-password-file (or --vault-id) so nemoclaw can read it`);
      }
      else bag.warning(written.source, `${name} is vault-encrypted and not decrypted (nemoclaw does not need it); it is left out of the host's variables`);
      continue;
    }
    const variable: InventoryVar = { ...written, value: written.value instanceof VaultValue ? written.value : toPlain(written.value) };
    const { value, source } = variable;
    if (ADDRESS.includes(name)) {
      const text = scalarText(value);
      const problem = text === undefined ? `${name} must be a host name or address` : (addressProblem(name, text, INVENTORY_SETTINGS) ?? argumentProblem(name, text));
      if (problem !== undefined) bag.error(source, problem);
      else layer.address = { value: text!, source };
    } else if (PORT.includes(name)) {
      const port = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
      if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) bag.error(source, `${name} must be a port number (1-65535)`);
      else layer.port = { value: port, source };
    } else if (USER.includes(name)) {
      const text = scalarText(value);
      if (text === undefined || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(text)) bag.error(source, `${name} must be a user name`);
      else layer.user = { value: text, source };
    } else if (KEY_FILE.includes(name)) {
      const text = scalarText(value);
      const problem = text === undefined ? `${name} must be a file path` : (pathProblem(name, text) ?? argumentProblem(name, text));
      if (problem !== undefined) bag.error(source, problem);
      else layer.identityFiles = { value: [keyFilePath(name, text!, source, ctx)], source };
    } else if (name === "ansible_connection") {
      readConnection(variable, layer, bag);
    } else if (SSH_ARGS.includes(name)) {
      if (typeof value !== "string") bag.error(source, `${name} must be a string of ssh options`);
      else sshArgs[SSH_ARGS.indexOf(name)] = variable;
    } else if (PASSWORDS.includes(name)) {
      // Dropped, not kept as a variable: reports and plans show host variables.
      bag.warning(source, `${name} is ignored: nemoclaw authenticates with keys or an SSH agent, never passwords`);
    } else if (name.startsWith("ansible_become")) {
      bag.warning(source, `${name} is ignored: nemoclaw runs NemoClaw as the login user and never uses become`);
    } else if (name === "nemoclaw_labels") {
      readLabels(variable, layer, bag);
    } else if (name === "nemoclaw_openshell_version") {
      const version = typeof value === "string" ? parseOpenShellVersion(value) : undefined;
      if (version !== undefined) layer.openshellVersion = { value: version.text, source };
      else if (typeof value === "number") bag.error(source, `${name} was read as the number ${value}; quote the version, e.g. "0.0.72"`);
      else bag.error(source, openshellVersionProblem(String(value)));
    } else if (name === "nemoclaw_version") {
      const version = typeof value === "string" ? parseOpenShellVersion(value) : undefined;
      if (version !== undefined) layer.nemoclawVersion = { value: version.text, source };
      else if (typeof value === "number") bag.error(source, `${name} was read as the number ${value}; quote the release, e.g. "0.0.124"`);
      else bag.error(source, nemoclawVersionProblem(String(value)));
    } else if (name.startsWith("nemoclaw_")) {
      const suggestion = closest(name, NEMOCLAW_VARS);
      bag.error(source, `unknown variable ${name}${suggestion === undefined ? "" : `; did you mean ${suggestion}?`} (nemoclaw reads ${NEMOCLAW_VARS.join(", ")})`);
    } else {
      layer.vars[name] = { value, source };
    }
  }
  // Each of Ansible's ssh argument variables is kept apart: like any variable, the one of the most
  // specific level replaces the others whole, and ansible_port, ansible_user and the key file win
  // over what they set (mergeLayers, layers.ts).
  layer.inventory = true;
  sshArgs.forEach((args, index) => {
    if (args === undefined) return;
    const target = emptyLayer();
    readSshArgs(SSH_ARGS[index]!, args.value as string, args.source, target, ctx, new Set());
    const settings: SshArgsSettings = {};
    for (const key of SSH_ARGS_KEYS) if (target[key] !== undefined) (settings as Record<string, unknown>)[key] = target[key];
    (layer.sshArgs ??= {})[index === 0 ? "common" : "extra"] = settings;
  });
  return layer;
}

/**
 * A key file as ssh run by Ansible finds it: Ansible passes the path as written, `~` expanded
 * (ansible-core 2.14, plugins/connection/ssh.py: `-o IdentityFile="…"`; `ansible -vvvv` prints
 * it), so a relative path is relative to the working directory, not to the inventory. Where only
 * the inventory's folder has the file, that is almost surely what was meant: said in a warning.
 */
function keyFilePath(name: string, value: string, source: SourceRef, ctx: InventoryLayerContext): string {
  const resolved = resolveLocalPath(value, ctx.workingDir);
  const besideInventory = resolveLocalPath(value, ctx.baseDirOf(source));
  if (resolved !== besideInventory && !existsSync(resolved) && existsSync(besideInventory)) {
    ctx.bag.warning(source, `${name} ${value} is relative to the working directory, as Ansible reads it, and ${resolved} does not exist (${besideInventory} beside the inventory does); write the path from the working directory, or an absolute one`);
  }
  return resolved;
}

function scalarText(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

function readConnection({ value, source }: InventoryVar, layer: SettingsLayer, bag: DiagnosticBag): void {
  if (value === "local") layer.connection = { value: "local", source };
  else if (value === "ssh" || value === "smart" || value === "paramiko" || value === "paramiko_ssh") layer.connection = { value: "ssh", source };
  else bag.error(source, `ansible_connection ${JSON.stringify(value)} is not supported; nemoclaw connects with ssh or local`);
}

function readLabels({ value, source }: InventoryVar, layer: SettingsLayer, bag: DiagnosticBag): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    bag.error(source, "nemoclaw_labels must be a mapping of label names to values");
    return;
  }
  for (const [key, labelValue] of Object.entries(value)) {
    const text = String(labelValue);
    const problem = labelProblem(key, text);
    if (problem !== undefined) bag.error(source, problem);
    else layer.labels[key] = { value: text, source };
  }
}

/** ssh options that take an argument, so the argument is not mistaken for an option. */
const SSH_OPTIONS_WITH_ARGUMENT = new Set(["-B", "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-L", "-m", "-O", "-Q", "-R", "-S", "-W", "-w"]);

/**
 * Reads the options nemoclaw can honour from Ansible's extra ssh arguments, and says which it
 * ignores. As ssh, the first value of an option wins (`given` holds the options already set);
 * identity files accumulate.
 */
function readSshArgs(name: string, text: string, source: SourceRef, layer: SettingsLayer, ctx: InventoryLayerContext, given: Set<string>): void {
  const { bag } = ctx;
  const tokens = shlexSplit(text);
  if (typeof tokens === "string") {
    bag.error(source, `${name}: ${tokens}`);
    return;
  }
  const ignored: string[] = [];
  const setJump = (hops: HopSpec[] | string): void => {
    if (typeof hops === "string") bag.error(source, `${name}: ${hops}`);
    else if (firstTime(given, "proxy")) layer.proxyJump = { value: hops, source };
  };
  const addIdentityFile = (file: string): void => {
    layer.identityFiles = { value: [...(layer.identityFiles?.value ?? []), keyFilePath(name, file, source, ctx)], source };
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const flag = token.slice(0, 2);
    const attached = token.length > 2 ? token.slice(2) : undefined;
    const argument = (): string | undefined => attached ?? tokens[++i];
    if (flag === "-o") {
      const option = argument();
      if (option !== undefined) readSshOption(name, option, source, layer, ctx, setJump, addIdentityFile, ignored, given);
    } else if (flag === "-J") {
      const jump = argument();
      if (jump !== undefined) setJump(parseProxyJump(jump));
    } else if (flag === "-i") {
      const file = argument();
      if (file !== undefined) addIdentityFile(file);
    } else if (flag === "-p") {
      const port = Number(argument());
      if (!Number.isInteger(port) || port < 1 || port > 65535) bag.error(source, `${name}: -p needs a port number`);
      else if (firstTime(given, "port")) layer.port = { value: port, source };
    } else if (flag === "-l") {
      const user = argument();
      if (user !== undefined && firstTime(given, "user")) layer.user = { value: user, source };
    } else {
      if (SSH_OPTIONS_WITH_ARGUMENT.has(flag) && attached === undefined) i++;
      ignored.push(token);
    }
  }
  if (ignored.length > 0) bag.warning(source, `${name}: ignoring ${ignored.join(" ")} (nemoclaw uses its own SSH client)`);
}

function readSshOption(
  name: string,
  option: string,
  source: SourceRef,
  layer: SettingsLayer,
  ctx: InventoryLayerContext,
  setJump: (hops: HopSpec[] | string) => void,
  addIdentityFile: (file: string) => void,
  ignored: string[],
  given: Set<string>,
): void {
  const match = /^\s*([A-Za-z]+)\s*(?:=|\s)\s*(.*)$/.exec(option);
  if (match === null) {
    ctx.bag.error(source, `${name}: "-o ${option}" is not an ssh option (Key=Value)`);
    return;
  }
  const key = match[1]!.toLowerCase();
  const value = match[2]!.trim();
  const once = ["stricthostkeychecking", "userknownhostsfile", "connecttimeout", "serveraliveinterval", "identitiesonly", "port", "user"];
  if (once.includes(key) && !firstTime(given, key)) return;
  switch (key) {
    case "proxyjump":
      setJump(parseProxyJump(value));
      return;
    case "proxycommand": {
      const jump = jumpFromProxyCommand(value);
      if (typeof jump === "string") {
        setJump(jump);
        return;
      }
      // The jump's own ssh runs in the same working directory, so its files resolve as the target's do.
      setJump(jump.hops.map((hop) => ({
        ...hop,
        ...(hop.identityFiles === undefined ? {} : { identityFiles: hop.identityFiles.map((file) => keyFilePath(name, file, source, ctx)) }),
        ...(hop.knownHostsFiles === undefined ? {} : { knownHostsFiles: hop.knownHostsFiles.map((file) => resolveLocalPath(file, ctx.workingDir)) }),
        ...(hop.configFile === undefined ? {} : { configFile: resolveLocalPath(hop.configFile, ctx.workingDir) }),
      })));
      if (jump.ignored.length > 0) {
        ctx.bag.warning(source, `${name}: ProxyCommand: ignoring ${jump.ignored.join(" ")} for jump host ${jump.hops.at(-1)!.host} (nemoclaw uses its own SSH client)`);
      }
      return;
    }
    case "stricthostkeychecking": {
      const policy = hostKeyCheckingOf(value);
      if (policy !== undefined) layer.hostKeyChecking = { value: policy, source };
      else ctx.bag.warning(source, `${name}: StrictHostKeyChecking=${value} is not honoured; nemoclaw always verifies host keys (set hostKeyChecking: accept-new to trust new hosts on first contact)`);
      return;
    }
    case "userknownhostsfile":
      // `none` is no file at all (ssh_config(5)), not a file named "none" beside the inventory.
      layer.knownHostsFiles = { value: /^none$/i.test(value) ? [] : value.split(/\s+/).map((f) => resolveLocalPath(f, ctx.workingDir)), source };
      return;
    case "connecttimeout":
      if (/^\d+$/.test(value)) layer.connectTimeout = { value: Number(value), source };
      return;
    case "serveraliveinterval":
      if (/^\d+$/.test(value)) layer.keepaliveInterval = { value: Number(value), source };
      return;
    case "identitiesonly":
      if (/^(yes|no)$/i.test(value)) layer.identitiesOnly = { value: value.toLowerCase() === "yes", source };
      else ignored.push(`-o ${option}`);
      return;
    case "identityfile":
      addIdentityFile(value);
      return;
    case "port":
      if (/^\d+$/.test(value)) layer.port = { value: Number(value), source };
      return;
    case "user":
      layer.user = { value, source };
      return;
    default:
      ignored.push(`-o ${option}`);
  }
}

/** True the first time an option is given (then it is marked given): later values are not used. */
function firstTime(given: Set<string>, option: string): boolean {
  if (given.has(option)) return false;
  given.add(option);
  return true;
}
