/**
 * The built-in ~/.ssh/config reader, for machines without OpenSSH's `ssh` (openssh-config.ts asks
 * `ssh -G` when there is one): `Host` blocks (patterns, `!negation`), `Include`, and the keywords
 * nemoclaw honours (HONOURED_KEYWORDS). First value wins, IdentityFile accumulates, as in
 * ssh_config(5). `Match` blocks are not evaluated (their settings never apply), except
 * `Match all`, which behaves like `Host *`; the keywords they set are reported as unsupported.
 */
import { readdir } from "node:fs/promises";
import { MAX_SOURCE_BYTES, readTextFile } from "../config/source.js";
import { hostname } from "node:os";
import { isAbsolute, join } from "node:path";

export interface SshConfigLine {
  /** Host patterns of the enclosing block; null for lines before the first Host (they apply to all). */
  patterns: string[] | null;
  /**
   * For a line of an included file, the patterns of each Host block the Include was written in:
   * all must select the host too (ssh reads a file included under a block that does not apply as
   * one whose Host lines never match; readconf.c, SSHCONF_NEVERMATCH).
   */
  within?: string[][];
  keyword: string;
  value: string;
  file: string;
  line: number;
}

export interface SshConfigResult {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  /** The raw ProxyJump value (`none` already removed). */
  proxyJump?: string;
  /** The raw ProxyCommand value (`none` already removed). */
  proxyCommand?: string;
  knownHostsFiles?: string[];
  /** GlobalKnownHostsFile, when it is not OpenSSH's default (`none` already removed: an empty list). */
  globalKnownHostsFiles?: string[];
  /** As written or as `ssh -G` prints it: yes/true, no/false, ask, accept-new. */
  strictHostKeyChecking?: string;
  /** HashKnownHosts yes: keys recorded for accept-new go in under a hashed name, as ssh records them. */
  hashKnownHosts?: boolean;
  connectTimeoutSec?: number;
  serverAliveIntervalSec?: number;
  identityAgent?: string;
  /** IdentitiesOnly yes: of the agent's keys, offer only those of the identity files. */
  identitiesOnly?: boolean;
  /** Keywords set for the host that nemoclaw cannot honour, as `keyword value`. */
  unsupported: string[];
}

/** Keywords nemoclaw takes from the configuration. */
export const HONOURED_KEYWORDS = new Set([
  "host",
  "hostname",
  "user",
  "port",
  "identityfile",
  "proxyjump",
  "proxycommand",
  "userknownhostsfile",
  "globalknownhostsfile",
  "stricthostkeychecking",
  "hashknownhosts",
  "connecttimeout",
  "serveraliveinterval",
  "identityagent",
  "identitiesonly",
]);

/** Keywords that only matter to an interactive ssh, a tunnel or a multiplexer: nothing changes for nemoclaw. */
export const IRRELEVANT_KEYWORDS = new Set([
  "addkeystoagent",
  "batchmode",
  "clearallforwardings",
  "compression",
  "controlmaster",
  "controlpath",
  "controlpersist",
  "dynamicforward",
  "enableescapecommandline",
  "escapechar",
  "exitonforwardfailure",
  "forkafterauthentication",
  "forwardagent",
  "forwardx11",
  "forwardx11timeout",
  "forwardx11trusted",
  "gatewayports",
  "ipqos",
  "kbdinteractiveauthentication",
  "localcommand",
  "localforward",
  "loglevel",
  "logverbose",
  "numberofpasswordprompts",
  "passwordauthentication",
  "permitlocalcommand",
  "permitremoteopen",
  "remotecommand",
  "remoteforward",
  "requesttty",
  "sessiontype",
  "stdinnull",
  "streamlocalbindmask",
  "streamlocalbindunlink",
  "syslogfacility",
  "tcpkeepalive",
  "tunnel",
  "tunneldevice",
  "updatehostkeys",
  "visualhostkey",
  "xauthlocation",
]);

export interface SshConfigContext {
  /** Local home directory, for `~` and `%d`. */
  home: string;
  /** Local user name, for `%u`. */
  localUser: string;
  /** For `${VAR}` in IdentityFile; process.env when absent. */
  env?: NodeJS.ProcessEnv;
  readText?: (path: string) => Promise<string>;
  listDir?: (path: string) => Promise<string[]>;
}

const NEVER = ["\0never"];

/** Parse a config file and everything it includes into a flat list of lines with their block. */
export async function loadSshConfig(file: string, context: SshConfigContext): Promise<SshConfigLine[]> {
  const readText = context.readText ?? ((path: string) => readTextFile(path, MAX_SOURCE_BYTES));
  const listDir = context.listDir ?? ((path: string) => readdir(path));
  const sshDir = join(context.home, ".ssh");
  const lines: SshConfigLine[] = [];

  async function parseFile(path: string, inherited: string[] | null, within: string[][], depth: number): Promise<void> {
    if (depth > 16) throw new Error(`${path}: Include nested too deeply`);
    let text: string;
    try {
      text = await readText(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
    }
    let patterns = inherited;
    const guard = within.length === 0 ? {} : { within };
    const rawLines = text.split(/\r?\n/);
    for (let index = 0; index < rawLines.length; index++) {
      const parsed = splitLine(rawLines[index] ?? "");
      if (!parsed) continue;
      const { keyword, args } = parsed;
      const where = `${path}:${index + 1}`;
      if (keyword === "host") {
        patterns = args;
      } else if (keyword === "match") {
        patterns = args.length === 1 && args[0]?.toLowerCase() === "all" ? ["*"] : NEVER;
        if (patterns === NEVER) lines.push({ patterns: ["*"], ...guard, keyword: "match", value: args.join(" "), file: path, line: index + 1 });
      } else if (keyword === "include") {
        for (const pattern of args) {
          const expanded = expandTilde(pattern, context.home);
          const absolute = isAbsolute(expanded) ? expanded : join(sshDir, expanded);
          for (const included of await expandGlob(absolute, listDir)) {
            await parseFile(included, patterns, patterns === null ? within : [...within, patterns], depth + 1);
          }
        }
      } else {
        if (args.length === 0) throw new Error(`${where}: ${keyword} needs a value`);
        lines.push({ patterns, ...guard, keyword, value: args.join(" "), file: path, line: index + 1 });
      }
    }
  }

  await parseFile(file, null, [], 0);
  return lines;
}

/** Split `Keyword value`, `Keyword=value` and double-quoted arguments; null for blanks and comments. */
export function splitLine(raw: string): { keyword: string; args: string[] } | null {
  const line = raw.trim();
  if (line === "" || line.startsWith("#")) return null;
  const match = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
  const keyword = (match ? match[1] : line) ?? line;
  const rest = match?.[2] ?? "";
  const args: string[] = [];
  const tokenPattern = /"([^"]*)"|(\S+)/g;
  for (const token of rest.matchAll(tokenPattern)) {
    const value = token[1] ?? token[2] ?? "";
    if (token[2]?.startsWith("#")) break;
    args.push(value);
  }
  return { keyword: keyword.toLowerCase(), args };
}

export function expandTilde(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return join(home, path.slice(2));
  return path;
}

/** Expand `*` and `?` in any path component (Include's glob(3) use). */
export async function expandGlob(path: string, listDir: (path: string) => Promise<string[]>): Promise<string[]> {
  if (!/[*?]/.test(path)) return [path];
  const parts = path.split("/");
  let current = [parts[0] === "" ? "/" : (parts[0] ?? "")];
  for (const part of parts.slice(1)) {
    if (part === "") continue;
    const next: string[] = [];
    for (const base of current) {
      if (!/[*?]/.test(part)) {
        next.push(join(base, part));
        continue;
      }
      let names: string[];
      try {
        names = await listDir(base);
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        if (!name.startsWith(".") && globMatchesExactly(part, name)) next.push(join(base, name));
      }
    }
    current = next;
  }
  return current;
}

/**
 * `*` and `?` matched with case, as ssh matches Host patterns against the name as given
 * (`Host Spark-*` selects `ssh Spark-01`, not `ssh spark-01`) and as glob(3) matches Include's
 * file names; known_hosts names, unlike these, match without case (known-hosts.ts).
 */
function globMatchesExactly(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".");
  return new RegExp(`^${source}$`, "s").test(text);
}

/** Whether a Host line's patterns select `alias` (any positive match and no negated match). */
export function hostPatternsMatch(patterns: string[], alias: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith("!")) {
      if (globMatchesExactly(pattern.slice(1), alias)) return false;
    } else if (globMatchesExactly(pattern, alias)) {
      matched = true;
    }
  }
  return matched;
}

/** The settings that apply to `alias`, with `%` tokens and `~` expanded. */
export function resolveSshConfig(lines: SshConfigLine[], alias: string, context: SshConfigContext): SshConfigResult {
  const result: SshConfigResult = { identityFiles: [], unsupported: [] };
  let proxyJumpSeen = false;
  const rawIdentityFiles: string[] = [];
  for (const entry of lines) {
    if (entry.patterns !== null && !hostPatternsMatch(entry.patterns, alias)) continue;
    if (entry.within !== undefined && !entry.within.every((patterns) => hostPatternsMatch(patterns, alias))) continue;
    const where = `${entry.file}:${entry.line}`;
    switch (entry.keyword) {
      case "hostname":
        result.hostName ??= entry.value;
        break;
      case "user":
        result.user ??= entry.value;
        break;
      case "port":
        if (result.port === undefined) {
          const port = Number(entry.value);
          if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${where}: bad Port '${entry.value}'`);
          result.port = port;
        }
        break;
      case "identityfile":
        rawIdentityFiles.push(entry.value);
        break;
      case "proxyjump":
      case "proxycommand":
        // One of the two applies: whichever comes first (ssh_config(5)).
        if (!proxyJumpSeen) {
          proxyJumpSeen = true;
          if (entry.value.toLowerCase() !== "none") result[entry.keyword === "proxyjump" ? "proxyJump" : "proxyCommand"] = entry.value;
        }
        break;
      case "userknownhostsfile":
        result.knownHostsFiles ??= knownHostsFileList(entry.value).map((file) => expandTilde(file, context.home));
        break;
      case "globalknownhostsfile":
        result.globalKnownHostsFiles ??= knownHostsFileList(entry.value).map((file) => expandTilde(file, context.home));
        break;
      case "stricthostkeychecking":
        result.strictHostKeyChecking ??= entry.value.toLowerCase();
        break;
      case "hashknownhosts":
        result.hashKnownHosts ??= entry.value.toLowerCase() === "yes";
        break;
      case "connecttimeout":
        if (/^\d+$/.test(entry.value)) result.connectTimeoutSec ??= Number(entry.value);
        break;
      case "serveraliveinterval":
        if (/^\d+$/.test(entry.value)) result.serverAliveIntervalSec ??= Number(entry.value);
        break;
      case "identitiesonly":
        result.identitiesOnly ??= entry.value.toLowerCase() === "yes";
        break;
      case "identityagent":
        result.identityAgent ??= entry.value;
        break;
      case "match":
        result.unsupported.push(`Match ${entry.value} (${where}: Match blocks are only evaluated when OpenSSH's ssh is installed)`);
        break;
      default:
        if (!IRRELEVANT_KEYWORDS.has(entry.keyword) && !result.unsupported.some((u) => u.startsWith(`${entry.keyword} `))) result.unsupported.push(`${entry.keyword} ${entry.value}`);
        break;
    }
  }
  // ssh dials the name in lower case, HostName or not (ssh.c lowercases it; `ssh -G` prints it so).
  const hostName = (result.hostName ? expandTokens(result.hostName, { ...context, alias, remoteUser: "" }) : alias).toLowerCase();
  if (result.hostName !== undefined || hostName !== alias) result.hostName = hostName;
  const remoteUser = result.user ?? context.localUser;
  const target = { alias, ...(result.port === undefined ? {} : { port: result.port }) };
  result.identityFiles = expandIdentityFiles(rawIdentityFiles, context, hostName, remoteUser, target);
  // ssh expands UserKnownHostsFile and GlobalKnownHostsFile with the same tokens (`ssh -G` prints them expanded).
  if (result.knownHostsFiles !== undefined) result.knownHostsFiles = expandIdentityFiles(result.knownHostsFiles, context, hostName, remoteUser, target);
  if (result.globalKnownHostsFiles !== undefined) result.globalKnownHostsFiles = expandIdentityFiles(result.globalKnownHostsFiles, context, hostName, remoteUser, target);
  return result;
}

/** The user's known_hosts file when neither the fleet nor the ssh configuration names one. */
export const DEFAULT_KNOWN_HOSTS_FILE = "~/.ssh/known_hosts";

/** OpenSSH's GlobalKnownHostsFile default (ssh_config(5)): read after the user's files, never written. */
export const DEFAULT_GLOBAL_KNOWN_HOSTS_FILES = ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"];

/**
 * A UserKnownHostsFile or GlobalKnownHostsFile value as a list of files: several separated by
 * whitespace, and `none` for no file at all (ssh_config(5)), not a file named "none".
 */
export function knownHostsFileList(value: string): string[] {
  const files = value.split(/\s+/).filter((file) => file !== "");
  return files.length === 1 && files[0]!.toLowerCase() === "none" ? [] : files;
}

/** What an IdentityFile's `%n` and `%p` stand for: the name the host was looked up by, and the port dialled. */
export interface IdentityFileTarget {
  alias?: string;
  port?: number;
}

/**
 * IdentityFile values as ssh expands them (ssh_config(5), "TOKENS"; OpenSSH 9.2 ssh.c,
 * load_public_identity_files): `~`, `${VAR}` from the environment, and the tokens `%%`, `%d`
 * (local home), `%h` (host name dialled), `%i` (local uid), `%L`/`%l` (local host name, short and
 * full), `%n` (the name as given), `%p` (port), `%r` (remote user), `%u` (local user). `%C`, `%k`
 * and `%j` are left as written.
 */
export function expandIdentityFiles(files: readonly string[], context: SshConfigContext, hostName: string, remoteUser: string, target: IdentityFileTarget = {}): string[] {
  const tokens = { ...context, alias: hostName, remoteUser, original: target.alias ?? hostName, port: target.port ?? 22 };
  return files.map((file) => expandTilde(expandEnvironment(expandTokens(file, tokens), context.env ?? process.env), context.home));
}

/** `${NAME}` from the environment; a variable that is not set is left as written (ssh refuses the file). */
function expandEnvironment(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (written, name: string) => env[name] ?? written);
}

function identityToken(token: string, tokens: { original: string; port: number }): string | undefined {
  switch (token) {
    case "n":
      return tokens.original;
    case "p":
      return String(tokens.port);
    case "l":
      return hostname();
    case "L":
      return hostname().split(".")[0] ?? "";
    case "i":
      return String(process.getuid?.() ?? "");
    default:
      return undefined;
  }
}

function expandTokens(value: string, tokens: SshConfigContext & { alias: string; remoteUser: string; original?: string; port?: number }): string {
  return value.replace(/%([%dhurnplLi])/g, (written, token: string) => {
    if ("nplLi".includes(token)) return tokens.original === undefined ? written : (identityToken(token, { original: tokens.original, port: tokens.port ?? 22 }) ?? written);
    switch (token) {
      case "%":
        return "%";
      case "d":
        return tokens.home;
      case "h":
        return tokens.alias;
      case "u":
        return tokens.localUser;
      default:
        return tokens.remoteUser;
    }
  });
}

export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

/** `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated; IPv6 in brackets. */
export function parseProxyJump(value: string): JumpSpec[] {
  return value.split(",").map((raw) => {
    let text = raw.trim();
    if (text.startsWith("ssh://")) text = text.slice("ssh://".length);
    const at = text.lastIndexOf("@");
    const user = at >= 0 ? text.slice(0, at) : undefined;
    const hostPort = at >= 0 ? text.slice(at + 1) : text;
    const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(hostPort);
    const host = match?.[1] ?? match?.[2];
    if (!match || !host || (user !== undefined && user === "")) throw new Error(`bad ProxyJump hop '${raw.trim()}'`);
    const spec: JumpSpec = { host };
    if (user !== undefined) spec.user = user;
    if (match[3] !== undefined) {
      const port = Number(match[3]);
      if (port < 1 || port > 65535) throw new Error(`bad ProxyJump port in '${raw.trim()}'`);
      spec.port = port;
    }
    return spec;
  });
}
