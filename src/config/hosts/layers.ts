/**
 * Host settings come in layers (fleet defaults, inventory group and host variables, fleet
 * `groups:` and `hosts:`). Each value keeps the position it was written at, so a problem found
 * after merging (a jump host that does not exist) still points at the line that set it.
 */
import os from "node:os";
import path from "node:path";
import type { HopOptions, HostKeyChecking, SecretRef, SourceRef } from "../types.js";

export interface Located<T> {
  value: T;
  source: SourceRef;
}

/** One hop of a ProxyJump chain as written: `[user@]host[:port]`, or a ProxyCommand's with its own ssh options. */
export interface HopSpec extends HopOptions {
  host: string;
  user?: string;
  port?: number;
  /** `-i` files of a ProxyCommand's own ssh: this jump host's keys, before its config's. */
  identityFiles?: string[];
}

export interface SettingsLayer {
  address?: Located<string>;
  user?: Located<string>;
  port?: Located<number>;
  identityFiles?: Located<string[]>;
  agent?: Located<boolean | string>;
  passphrase?: Located<SecretRef>;
  proxyJump?: Located<HopSpec[]>;
  hostKeyChecking?: Located<HostKeyChecking>;
  knownHostsFiles?: Located<string[]>;
  /** Seconds. */
  connectTimeout?: Located<number>;
  /** Seconds. */
  keepaliveInterval?: Located<number>;
  identitiesOnly?: Located<boolean>;
  sshConfig?: Located<boolean>;
  connection?: Located<"ssh" | "local">;
  openshellVersion?: Located<string>;
  nemoclawVersion?: Located<string>;
  openshellInstaller?: Located<string>;
  environment: Record<string, Located<string>>;
  labels: Record<string, Located<string>>;
  vars: Record<string, Located<unknown>>;
  /**
   * An inventory level's ansible_ssh_common_args and ansible_ssh_extra_args: what each sets, kept
   * apart from the level's own settings (an empty string sets nothing, and still replaces).
   */
  sshArgs?: { common?: SshArgsSettings; extra?: SshArgsSettings };
  /** Built from an inventory's variables: its settings win over any level's ssh arguments. */
  inventory?: boolean;
}

/** The settings Ansible's ssh argument variables can carry (-p, -l, -J, -i, -o …). */
export const SSH_ARGS_KEYS = ["port", "user", "proxyJump", "identityFiles", "knownHostsFiles", "hostKeyChecking", "connectTimeout", "keepaliveInterval", "identitiesOnly"] as const;
export type SshArgsSettings = Pick<SettingsLayer, (typeof SSH_ARGS_KEYS)[number]>;

export function emptyLayer(): SettingsLayer {
  return { environment: {}, labels: {}, vars: {} };
}

type ScalarKey = Exclude<keyof SettingsLayer, "environment" | "labels" | "vars">;

/** Later layers win, field by field; environment, labels and vars merge key by key. */
export function mergeLayers(layers: SettingsLayer[]): SettingsLayer {
  const merged = emptyLayer();
  const scalars = merged as unknown as Record<ScalarKey, unknown>;
  // Ansible resolves ansible_ssh_common_args and ansible_ssh_extra_args like any variable: the
  // most specific level's value replaces the others whole (so `ansible_ssh_common_args=''` on a
  // host drops a group's -J). Its ssh command line then holds ansible_port, the key file and
  // ansible_user as -o options, the common arguments, the extra ones (ansible-core 2.14,
  // plugins/connection/ssh.py, _build_command), and ssh keeps the first value of each option
  // and every identity file.
  const winner = { common: -1, extra: -1 };
  layers.forEach((layer, index) => {
    if (layer.sshArgs?.common !== undefined) winner.common = index;
    if (layer.sshArgs?.extra !== undefined) winner.extra = index;
  });
  const inventorySets = new Set(layers.filter((layer) => layer.inventory === true).flatMap((layer) => SSH_ARGS_KEYS.filter((key) => layer[key] !== undefined)));
  const commonSets = new Set(SSH_ARGS_KEYS.filter((key) => winner.common >= 0 && layers[winner.common]!.sshArgs!.common![key] !== undefined));
  let identityFromArgs = false;
  layers.forEach((layer, index) => {
    for (const key of Object.keys(layer) as (keyof SettingsLayer)[]) {
      if (key === "environment" || key === "labels" || key === "vars") Object.assign(merged[key], layer[key]);
      else if (key === "sshArgs" || key === "inventory") continue;
      else if (layer[key] !== undefined) scalars[key] = layer[key];
    }
    for (const which of ["common", "extra"] as const) {
      const args = winner[which] === index ? layer.sshArgs?.[which] : undefined;
      if (args === undefined) continue;
      for (const key of SSH_ARGS_KEYS) {
        const value = args[key];
        if (value === undefined) continue;
        if (key === "identityFiles") {
          const files = value as Located<string[]>;
          const before = inventorySets.has(key) || identityFromArgs ? (merged.identityFiles?.value ?? []) : [];
          merged.identityFiles = { value: [...before, ...files.value], source: files.source };
          identityFromArgs = true;
        } else if (!inventorySets.has(key) && !(which === "extra" && commonSets.has(key))) scalars[key] = value;
      }
    }
  });
  return merged;
}

/**
 * What is wrong with an address to connect to (`address`, `ansible_host`), if anything: it must
 * not be empty or blank, and must be the bare host name or address, without the brackets, port or
 * user that only belong in an ssh destination (they would be glued on a second time when
 * connecting). Control characters and a leading "-" are refused by argumentProblem.
 * `portSetting` names where the port goes instead.
 */
export function addressProblem(what: string, value: string, settings: { port: string; user: string }): string | undefined {
  if (value === "") return `${what} must not be empty (leave it out to connect to the host's name)`;
  if (value.trim() === "") return `${what} must not be blank (leave it out to connect to the host's name)`;
  if (/\s/.test(value)) return `${what} ${JSON.stringify(value)} contains a space; write the bare host name or address`;
  // What `ssh` itself refuses in a destination since the fix for CVE-2023-51385 (OpenSSH 9.6, and
  // backported: Debian 12's 9.2p1-2+deb12u2 and later answer "hostname contains invalid
  // characters"): the address reaches `ssh -G`, whose `Match exec` may hand it to a shell.
  const shellish = /['`"$\\;&<>|(){},]/.exec(value);
  if (shellish !== null) return `${what} ${JSON.stringify(value)} contains ${JSON.stringify(shellish[0])}, which no host name or address has (ssh refuses it too)`;
  if (value.startsWith("[") || value.includes("]")) {
    const bare = /^\[([^\]]*)\]/.exec(value)?.[1];
    return `${what} ${JSON.stringify(value)} has brackets${/\]:\d*$/.test(value) ? " and a port" : ""} glued on; write the bare address${bare === undefined ? "" : ` (${bare})`} and give the port as ${settings.port}`;
  }
  if (value.includes("@")) return `${what} ${JSON.stringify(value)} has a user glued on; write the bare host name or address and give the user as ${settings.user}`;
  // An IPv6 address has at least two colons; one colon is a port glued on (or a typo).
  if (value.split(":").length === 2) {
    return `${what} ${JSON.stringify(value)} has a port glued on; write the bare host name or address (${value.slice(0, value.indexOf(":"))}) and give the port as ${settings.port}`;
  }
  return undefined;
}

/** What is wrong with a local file path setting, if anything: empty or blank would mean a directory. */
export function pathProblem(what: string, value: string): string | undefined {
  if (value === "") return `${what} must not be empty`;
  if (value.trim() === "") return `${what} must not be blank`;
  return undefined;
}

/** `~/x` is in the home directory of the user running nemoclaw; relative paths are relative to the file that wrote them. */
export function resolveLocalPath(value: string, baseDir: string): string {
  if (value === "~") return os.homedir();
  if (value.startsWith("~/")) return path.join(os.homedir(), value.slice(2));
  return path.resolve(baseDir, value);
}

const HOP = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/;

/** Parses `h1,user@h2:2222` (or a list of such strings) into hops; a string result is an error message. */
export function parseProxyJump(value: string | string[]): HopSpec[] | string {
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(",")).map((v) => v.trim());
  if (items.length === 1 && (items[0] === "none" || items[0] === "")) return [];
  const hops: HopSpec[] = [];
  for (const item of items) {
    const match = HOP.exec(item);
    if (match === null) return `"${item}" is not a jump host; write host, user@host or user@host:port`;
    const port = match[3] === undefined ? undefined : Number(match[3]);
    if (port !== undefined && (port < 1 || port > 65535)) return `"${item}": port ${port} is out of range 1-65535`;
    hops.push({
      host: match[2]!.replace(/^\[(.*)\]$/, "$1"),
      ...(match[1] === undefined ? {} : { user: match[1] }),
      ...(port === undefined ? {} : { port }),
    });
  }
  return hops;
}

export function formatHop(hop: HopSpec): string {
  return `${hop.user === undefined ? "" : `${hop.user}@`}${hop.host}${hop.port === undefined ? "" : `:${hop.port}`}`;
}
