/**
 * ~/.ssh/config as OpenSSH itself resolves it: `ssh -G HOST` prints every setting ssh would use
 * for HOST after Include, Match, Host, CanonicalizeHostname and the system-wide file. Settings that
 * differ from what `ssh -G -F /dev/null` prints (OpenSSH's defaults) were set by the configuration;
 * nemoclaw honours those it can and names the others, once per keyword, in a warning.
 *
 * Without an `ssh` binary, the built-in reader (ssh-config.ts) answers instead.
 */
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { homedir, userInfo } from "node:os";
import { MAX_SOURCE_BYTES, readTextFile } from "../config/source.js";
import { Limiter } from "./limiter.js";
import { configGivesEveryHostAlike, type ConfigReader, SYSTEM_SSH_CONFIG } from "./ssh-config-alike.js";
import { HONOURED_KEYWORDS, IRRELEVANT_KEYWORDS, knownHostsFileList, type SshConfigResult } from "./ssh-config.js";

export interface OpenSshQuery {
  alias: string;
  /** `-F FILE`; undefined reads ~/.ssh/config and the system file, exactly as `ssh HOST` does. */
  configFile?: string;
  /** `-l USER` and `-p PORT` when the fleet wrote them, so `Match user` and `%r` see them. */
  user?: string;
  port?: number;
}

/** A name no host has, for the settings that are not any host's own. */
const NO_HOST = "nemoclaw-defaults.invalid";

/** The files as ssh reads them: `~` is the account's home from the password database, not $HOME (ssh.c). */
function accountFiles(): ConfigReader {
  let home: string;
  try {
    home = userInfo().homedir;
  } catch {
    home = homedir();
  }
  return { home, readText: (path) => readTextFile(path, MAX_SOURCE_BYTES), listDir: (path) => readdir(path) };
}

/** Runs `ssh ARGS` and returns its stdout; rejects with code ENOENT when there is no ssh. */
export type SshRunner = (args: string[]) => Promise<string>;

export const runSsh: SshRunner = (args) =>
  new Promise((resolve, reject) => {
    execFile("ssh", args, { timeout: 30_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(Object.assign(new Error(`ssh ${args.join(" ")}: ${stderr.trim().split("\n")[0] ?? error.message}`), { code: error.code }));
    });
  });

/**
 * Answers `ssh -G` queries, at most four at once, each alias once. When the configuration gives
 * every host the same settings (ssh-config-alike.ts), one `ssh -G` answers for all of them.
 */
export class OpenSshConfig {
  private baseline: Promise<Map<string, string[]>> | undefined;
  private systemBaseline: Promise<Map<string, string[]>> | undefined;
  /** Per `-F` file (the empty key: none), the settings every host shares, or null when they differ by host. */
  private readonly shared = new Map<string, Promise<Map<string, string[]> | null>>();
  private readonly answers = new Map<string, Promise<SshConfigResult>>();
  private readonly limiter = new Limiter(4);

  constructor(
    private readonly run: SshRunner = runSsh,
    private readonly files: ConfigReader = accountFiles(),
  ) {}

  lookup(query: OpenSshQuery): Promise<SshConfigResult> {
    const key = JSON.stringify(query);
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = this.resolve(query);
      this.answers.set(key, answer);
    }
    return answer;
  }

  private async resolve(query: OpenSshQuery): Promise<SshConfigResult> {
    this.baseline ??= this.limiter.run(() => this.run(["-G", "-F", "/dev/null", NO_HOST])).then(parseSshG);
    // What the distribution's /etc/ssh/ssh_config sets for every host (Debian: SendEnv, GSSAPIAuthentication)
    // is not the user's choice: a keyword nemoclaw cannot honour is reported only when set beyond it.
    this.systemBaseline ??= this.limiter
      .run(() => this.run(["-G", "-F", SYSTEM_SSH_CONFIG, NO_HOST]))
      .then(parseSshG, () => this.baseline!);
    const [defaults, system, settings] = await Promise.all([this.baseline, this.systemBaseline, this.settingsOf(query)]);
    const set = (keyword: string): string[] | undefined => {
      const value = settings.get(keyword);
      return value === undefined || sameValues(value, defaults.get(keyword)) ? undefined : value;
    };
    const first = (keyword: string): string | undefined => set(keyword)?.[0];
    const result: SshConfigResult = { identityFiles: set("identityfile") ?? [], unsupported: [] };
    const hostName = settings.get("hostname")?.[0];
    if (hostName !== undefined && hostName !== query.alias) result.hostName = hostName;
    const user = first("user");
    if (user !== undefined) result.user = user;
    const port = Number(first("port"));
    if (Number.isInteger(port) && port > 0) result.port = port;
    const proxyJump = first("proxyjump");
    if (proxyJump !== undefined && proxyJump.toLowerCase() !== "none") result.proxyJump = proxyJump;
    const proxyCommand = first("proxycommand");
    if (proxyCommand !== undefined && proxyCommand.toLowerCase() !== "none") result.proxyCommand = proxyCommand;
    const knownHosts = set("userknownhostsfile");
    if (knownHosts !== undefined) result.knownHostsFiles = knownHostsFileList(knownHosts.join(" "));
    const globalKnownHosts = set("globalknownhostsfile");
    if (globalKnownHosts !== undefined) result.globalKnownHostsFiles = knownHostsFileList(globalKnownHosts.join(" "));
    const strict = first("stricthostkeychecking");
    if (strict !== undefined) result.strictHostKeyChecking = strict;
    // Debian's /etc/ssh/ssh_config sets it, and `ssh -G` reads that file too.
    if (first("hashknownhosts") === "yes") result.hashKnownHosts = true;
    const connectTimeout = Number(first("connecttimeout"));
    if (Number.isInteger(connectTimeout) && connectTimeout > 0) result.connectTimeoutSec = connectTimeout;
    const keepalive = Number(first("serveraliveinterval"));
    if (Number.isInteger(keepalive) && keepalive >= 0 && first("serveraliveinterval") !== undefined) result.serverAliveIntervalSec = keepalive;
    if (first("identitiesonly") === "yes") result.identitiesOnly = true;
    const agent = first("identityagent");
    if (agent !== undefined) result.identityAgent = agent;
    for (const [keyword, values] of settings) {
      if (HONOURED_KEYWORDS.has(keyword) || IRRELEVANT_KEYWORDS.has(keyword) || sameValues(values, defaults.get(keyword)) || sameValues(values, system.get(keyword))) continue;
      result.unsupported.push(`${keyword} ${values.join(",")}`);
    }
    return result;
  }

  /** What `ssh -G` prints for the host, from the settings all hosts share when they do. */
  private async settingsOf(query: OpenSshQuery): Promise<Map<string, string[]>> {
    const configArgs = query.configFile === undefined ? [] : ["-F", query.configFile];
    const key = query.configFile ?? "";
    let shared = this.shared.get(key);
    if (shared === undefined) {
      // Asked while the files are read, not after: the answer is then ready by the time ssh2 has
      // loaded, and on a configuration that depends on the host it is dropped (one `ssh -G` lost).
      // When that one query fails, each host's own query reports the failure under the host's name.
      const sharedAnswer = this.limiter.run(() => this.run(["-G", ...configArgs, "--", NO_HOST])).then(parseSshG, () => null);
      shared = configGivesEveryHostAlike(query.configFile, this.files).then((alike) => (alike ? sharedAnswer : null));
      this.shared.set(key, shared);
    }
    const settings = await shared;
    if (settings !== null) return asHost(settings, query);
    const args = ["-G", ...configArgs, ...(query.user === undefined ? [] : ["-l", query.user]), ...(query.port === undefined ? [] : ["-p", String(query.port)]), "--", query.alias];
    return this.limiter.run(() => this.run(args)).then(parseSshG);
  }
}

/**
 * The shared settings as `ssh -G` prints them for this host: its alias as given, the host name
 * in lower case (ssh.c lowercases it when no HostName is set), and `-l`/`-p` over the
 * configuration's User and Port, as on ssh's command line.
 */
function asHost(shared: Map<string, string[]>, query: OpenSshQuery): Map<string, string[]> {
  const settings = new Map(shared);
  settings.set("host", [query.alias]);
  settings.set("hostname", [query.alias.toLowerCase()]);
  if (query.user !== undefined) settings.set("user", [query.user]);
  if (query.port !== undefined) settings.set("port", [String(query.port)]);
  return settings;
}

/** `ssh -G` output: one `keyword value` per line; some keywords repeat (identityfile, certificatefile). */
export function parseSshG(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const match = /^(\S+) (.*)$/.exec(line.trimEnd());
    if (match === null) continue;
    const keyword = match[1]!.toLowerCase();
    settings.set(keyword, [...(settings.get(keyword) ?? []), match[2]!]);
  }
  return settings;
}

function sameValues(a: readonly string[], b: readonly string[] | undefined): boolean {
  return b !== undefined && a.length === b.length && a.every((value, i) => value === b[i]);
}
