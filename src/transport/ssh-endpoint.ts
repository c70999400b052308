/**
 * From a host's connection settings (plus ~/.ssh/config when allowed) to the concrete endpoints
 * to dial: the jump hosts in order, then the target.
 */
import { existsSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import { jumpFromProxyCommand } from "../config/hosts/proxy-command.js";
import type { HopSpec } from "../config/hosts/layers.js";
import type { HostKeyChecking, JumpHop, SecretRef, SshConnectionSettings, WrittenSettings } from "../config/types.js";
import { OpenSshConfig } from "./openssh-config.js";
import { TransportError } from "./types.js";
import { DEFAULT_GLOBAL_KNOWN_HOSTS_FILES, DEFAULT_KNOWN_HOSTS_FILE, expandIdentityFiles, loadSshConfig, parseProxyJump, resolveSshConfig, type SshConfigContext, type SshConfigLine, type SshConfigResult } from "./ssh-config.js";

export interface SshEndpoint {
  /** Name used in messages: the fleet host, or the jump host as written. */
  label: string;
  address: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** True when `identityFiles` are OpenSSH's defaults, which are skipped silently when absent. */
  defaultIdentities: boolean;
  /** Agent socket path, or null when agent auth is off or no agent is running. */
  agentSocket: string | null;
  /** Offer only the agent's keys that belong to `identityFiles` (ssh_config's IdentitiesOnly). */
  identitiesOnly: boolean;
  passphrase?: SecretRef;
  hostKeyChecking: HostKeyChecking;
  knownHostsFiles: string[];
  /** Read after `knownHostsFiles`, never written: ssh_config's GlobalKnownHostsFile (/etc/ssh/ssh_known_hosts by default). */
  globalKnownHostsFiles: string[];
  /** Record accept-new keys under a hashed name (ssh_config's HashKnownHosts). */
  hashKnownHosts: boolean;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  /** How to trust this endpoint's key on first contact, when that is not `hostKeyChecking: accept-new`. */
  acceptNewHint?: string;
  /**
   * For a jump host written in the fleet file or an inventory: the known_hosts and identity files
   * of the host behind it. It is never given them (as `ssh -J` gives it nothing: see `ownHop`);
   * they are only named when it refuses for want of them, the setup that worked when nemoclaw
   * still lent them to such a hop.
   */
  hostBehind?: { knownHostsFiles: string[]; identityFiles: string[] };
}

/** A jump host, with what ~/.ssh/config says about it (undefined when the config is not read). */
interface Hop {
  endpoint: SshEndpoint;
  config: SshConfigResult | undefined;
}

export interface Route {
  jumps: SshEndpoint[];
  target: SshEndpoint;
}

/** Settings a caller may force for every endpoint (tests, `--accept-new`-style flags). */
export interface EndpointOverrides {
  hostKeyChecking?: HostKeyChecking;
  knownHostsFiles?: string[];
  /** Same meaning as `SshConnectionSettings.agent`. */
  agent?: boolean | string;
}

export interface EndpointContext {
  /** Local home: `~`, ~/.ssh/config, default identities. */
  home: string;
  localUser: string;
  env: NodeJS.ProcessEnv;
  sshConfigFile: string;
  overrides: EndpointOverrides;
  /** Connection settings of a fleet host, so a jump through it reuses them. */
  fleetHost: (name: string) => SshConnectionSettings | undefined;
  /** Asks OpenSSH (`ssh -G`); false uses the built-in reader only. */
  openssh: OpenSshConfig | false;
  /** Where warnings about settings that cannot be honoured go. */
  warn: (message: string) => void;
}

const DEFAULT_IDENTITIES = ["id_ed25519", "id_ecdsa", "id_rsa"];

export function defaultEndpointContext(partial: Partial<EndpointContext> = {}): EndpointContext {
  const home = partial.home ?? homedir();
  return {
    home,
    localUser: partial.localUser ?? safeUserName(),
    env: partial.env ?? process.env,
    sshConfigFile: partial.sshConfigFile ?? join(home, ".ssh", "config"),
    overrides: partial.overrides ?? {},
    fleetHost: partial.fleetHost ?? (() => undefined),
    openssh: partial.openssh ?? new OpenSshConfig(),
    warn: partial.warn ?? ((message) => process.stderr.write(`warning: ${message}\n`)),
  };
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "root";
  }
}

/**
 * Resolves each host's route, asking ~/.ssh/config through OpenSSH's `ssh -G` (the built-in
 * reader when there is no `ssh`), each alias once.
 */
export class RouteResolver {
  /** The built-in reader's lines, per configuration file (~/.ssh/config, or a ProxyCommand's `-F`). */
  private readonly configLines = new Map<string, Promise<SshConfigLine[]>>();
  private builtIn = false;
  private readonly warned = new Set<string>();

  constructor(readonly context: EndpointContext) {}

  async resolve(hostName: string, settings: SshConnectionSettings): Promise<Route> {
    const config = settings.useSshConfig ? await this.lookup(settings.address, settings, hostName) : undefined;
    const target = this.endpoint(hostName, settings, settings, config);
    const hops =
      settings.proxyJump.length > 0 || config === undefined
        ? await Promise.all(settings.proxyJump.map((hop) => this.fleetHop(hop, settings)))
        : await this.jumpsOfConfig(config, hostName, settings);
    return { jumps: await this.withFirstHopJumps(hops, settings, [hostName]), target };
  }

  /** The jump hosts a host's own ProxyJump or ProxyCommand in ~/.ssh/config names. */
  private async jumpsOfConfig(config: SshConfigResult, label: string, settings: SshConnectionSettings): Promise<Hop[]> {
    if (config.proxyJump !== undefined) return this.configHops(parseProxyJump(config.proxyJump), settings);
    if (config.proxyCommand === undefined) return [];
    const jump = jumpFromProxyCommand(config.proxyCommand);
    if (typeof jump === "string") {
      this.warnOnce(`proxycommand ${label}`, `~/.ssh/config: ${label}: ${jump}; connecting directly`);
      return [];
    }
    if (jump.ignored.length > 0) {
      this.warnOnce(`proxycommand ${config.proxyCommand}`, `~/.ssh/config: ${label}: ProxyCommand: ignoring ${jump.ignored.join(" ")} for jump host ${jump.hops.at(-1)!.host} (nemoclaw uses its own SSH client)`);
    }
    return this.configHops(jump.hops, settings);
  }

  /**
   * ssh reaches the first jump host of a chain with that host's own ProxyJump or ProxyCommand
   * from the configuration (ssh.c turns `ProxyJump a,b` into `ssh -J a -W %h:%p b`: only `a` is
   * dialled without a -J of its own), so a bastion behind a gateway is reached through the gateway.
   */
  private async withFirstHopJumps(hops: Hop[], settings: SshConnectionSettings, through: string[]): Promise<SshEndpoint[]> {
    const endpoints = hops.map((hop) => hop.endpoint);
    const first = hops[0];
    if (first?.config === undefined || (first.config.proxyJump === undefined && first.config.proxyCommand === undefined)) return endpoints;
    const label = first.endpoint.label;
    if (through.includes(label) || through.length > 16) {
      throw new TransportError("unreachable", through[0]!, `~/.ssh/config: the jump hosts' ProxyJump loops: ${[...through, label].join(" -> ")}`);
    }
    const before = await this.jumpsOfConfig(first.config, label, settings);
    return [...(await this.withFirstHopJumps(before, settings, [...through, label])), ...endpoints];
  }

  private async lookup(alias: string, settings: SshConnectionSettings, label: string, configFile = this.context.sshConfigFile): Promise<SshConfigResult> {
    const { openssh } = this.context;
    let result: SshConfigResult | undefined;
    // ssh -G resolves `~` and relative Includes against the account's home, so another home needs the built-in reader.
    if (openssh !== false && !this.builtIn && this.context.home === homedir()) {
      const written = settings.explicit ?? { port: true, user: true };
      try {
        const answer = await openssh.lookup({
          alias,
          ...(configFile === join(homedir(), ".ssh", "config") ? {} : { configFile }),
          ...(written.user ? { user: settings.user } : {}),
          ...(written.port ? { port: settings.port } : {}),
        });
        const remoteUser = answer.user ?? (written.user ? settings.user : this.context.localUser);
        const port = written.port ? settings.port : (answer.port ?? 22);
        result = { ...answer, identityFiles: expandIdentityFiles(answer.identityFiles, this.sshConfigContext(), answer.hostName ?? alias, remoteUser, { alias, port }) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        this.builtIn = true;
      }
    }
    if (result === undefined) {
      let lines = this.configLines.get(configFile);
      if (lines === undefined) this.configLines.set(configFile, (lines = loadSshConfig(configFile, this.sshConfigContext())));
      result = resolveSshConfig(await lines, alias, this.sshConfigContext());
    }
    for (const setting of result.unsupported) {
      const keyword = setting.split(" ")[0]!;
      this.warnOnce(keyword, `ssh config sets ${setting} for ${label}; nemoclaw cannot honour ${keyword} (it uses its own SSH client), so it connects without it`);
    }
    return result;
  }

  /** One warning per keyword, naming the first host it was found for. */
  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.context.warn(message);
  }

  private sshConfigContext(): SshConfigContext {
    return { home: this.context.home, localUser: this.context.localUser, env: this.context.env };
  }

  /**
   * A hop from the fleet file or inventory. A fleet host is reached with that host's own settings;
   * any other hop is resolved on its own, as `ssh -J` resolves it (see `ownHop`).
   */
  private async fleetHop(hop: JumpHop, target: SshConnectionSettings): Promise<Hop> {
    const fleetHost = hop.fleetHost !== undefined ? this.context.fleetHost(hop.fleetHost) : undefined;
    if (fleetHost === undefined) {
      const { host: label, address, port, user, identityFiles, explicit, fleetHost: _none, ...options } = hop;
      const spec: HopSpec = {
        ...options,
        host: address,
        ...(explicit?.port === false ? {} : { port }),
        ...(explicit?.user === false ? {} : { user }),
        ...(identityFiles.length === 0 ? {} : { identityFiles }),
      };
      const own = await this.ownHop(label, spec, target);
      own.endpoint.hostBehind = {
        knownHostsFiles: target.knownHostsFiles.map((file) => expandHome(file, this.context.home)),
        identityFiles: target.identityFiles.map((file) => expandHome(file, this.context.home)),
      };
      return own;
    }
    const hopSettings: SshConnectionSettings = {
      ...fleetHost,
      address: hop.address,
      port: hop.port,
      user: hop.user,
      identityFiles: hop.identityFiles,
      ...(hop.explicit ? { explicit: hop.explicit } : {}),
    };
    const config = fleetHost.useSshConfig ? await this.lookup(hop.address, hopSettings, hop.host) : undefined;
    return { endpoint: this.endpoint(hop.host, hopSettings, fleetHost, config), config };
  }

  /** Hops named by ProxyJump (or a ProxyCommand) in ~/.ssh/config: each is looked up in the config again, as ssh does. */
  private async configHops(specs: HopSpec[], target: SshConnectionSettings): Promise<Hop[]> {
    return Promise.all(specs.map((spec) => this.ownHop(spec.host, spec, target)));
  }

  /**
   * A jump host that is not a fleet host, with its own settings. OpenSSH dials a jump host with a
   * separate `ssh` that gets only the hop's own user and port (`-l`, `-p`) and the `-F` file from
   * the command line (OpenSSH 9.2 ssh.c builds `ssh [-l U] [-p P] [-F F] -W '[%h]:%p' hop`;
   * `ssh -v -J` prints it), so the target's `-l`, `-i`, `-o UserKnownHostsFile=…`,
   * `-o StrictHostKeyChecking=…`, `-o IdentityAgent=…`, `-o ConnectTimeout=…` never reach it: it
   * reads them from its own ~/.ssh/config (`ssh -G hop`), and Ansible's `-o IdentityFile=` for the
   * target does not reach it either. Here the same: user, port, identity files, IdentitiesOnly,
   * known_hosts files, host key policy and agent come from what the hop itself says (a
   * ProxyCommand's own options) and its config, else OpenSSH's defaults (the local user, port 22,
   * the default identities, ~/.ssh/known_hosts, strict checking, $SSH_AUTH_SOCK). Only the
   * timeouts and the passphrase reference, which ssh has no command-line twin for, are the target's.
   */
  private async ownHop(label: string, spec: HopSpec, target: SshConnectionSettings): Promise<Hop> {
    const asked: SshConnectionSettings = {
      ...target,
      address: spec.host,
      port: spec.port ?? 22,
      user: spec.user ?? this.context.localUser,
      explicit: { port: spec.port !== undefined, user: spec.user !== undefined },
    };
    const configFile = spec.configFile === undefined ? undefined : expandHome(spec.configFile, this.context.home);
    const config = target.useSshConfig || configFile !== undefined ? await this.lookup(spec.host, asked, label, configFile) : undefined;
    const hopSettings: SshConnectionSettings = {
      kind: "ssh",
      address: spec.host,
      port: spec.port ?? config?.port ?? 22,
      user: spec.user ?? config?.user ?? this.context.localUser,
      // Its own -i files, then its config's (endpoint() appends them, and falls back to the defaults).
      identityFiles: spec.identityFiles ?? [],
      agent: true,
      ...(target.passphrase === undefined ? {} : { passphrase: target.passphrase }),
      proxyJump: [],
      hostKeyChecking: spec.hostKeyChecking ?? "strict",
      knownHostsFiles: spec.knownHostsFiles ?? [DEFAULT_KNOWN_HOSTS_FILE],
      connectTimeoutMs: target.connectTimeoutMs,
      keepaliveIntervalMs: target.keepaliveIntervalMs,
      identitiesOnly: spec.identitiesOnly ?? false,
      useSshConfig: target.useSshConfig,
      // Port and user are settled above; the rest its config may set, where the hop's own options do not.
      explicit: { port: true, user: true, knownHostsFiles: spec.knownHostsFiles !== undefined, hostKeyChecking: spec.hostKeyChecking !== undefined, connectTimeout: false, keepaliveInterval: false },
    };
    const endpoint = this.endpoint(label, hopSettings, hopSettings, config);
    endpoint.acceptNewHint = `StrictHostKeyChecking accept-new for ${spec.host} in ~/.ssh/config`;
    return { endpoint, config };
  }

  /**
   * Settings the fleet file or inventory wrote win over ~/.ssh/config; for the ones nobody wrote,
   * the config's Port and User apply, as they would for `ssh` run without `-p`/`-l`. Config identity
   * files come after the fleet's.
   */
  private endpoint(label: string, settings: SshConnectionSettings, trust: SshConnectionSettings, config: SshConfigResult | undefined): SshEndpoint {
    const { overrides, home } = this.context;
    const address = config?.hostName ?? settings.address;
    const written = settings.explicit ?? { port: true, user: true };
    const port = !written.port && config?.port !== undefined ? config.port : settings.port;
    const user = !written.user && config?.user !== undefined ? config.user : settings.user;
    const explicit = [...settings.identityFiles, ...(config?.identityFiles ?? [])].map((file) => expandHome(file, home));
    const identityFiles = [...new Set(explicit)];
    const endpoint: SshEndpoint = {
      label,
      address,
      port,
      user,
      identityFiles: identityFiles.length > 0 ? identityFiles : DEFAULT_IDENTITIES.map((name) => join(home, ".ssh", name)),
      defaultIdentities: identityFiles.length === 0,
      agentSocket: this.agentSocket(overrides.agent ?? (trust.agent === true && config?.identityAgent !== undefined ? identityAgent(config.identityAgent) : trust.agent)),
      identitiesOnly: trust.identitiesOnly || config?.identitiesOnly === true,
      hostKeyChecking: overrides.hostKeyChecking ?? (!isWritten(trust, "hostKeyChecking") && config?.strictHostKeyChecking === "accept-new" ? "accept-new" : trust.hostKeyChecking),
      knownHostsFiles: (overrides.knownHostsFiles ?? (!isWritten(trust, "knownHostsFiles") && config?.knownHostsFiles !== undefined ? config.knownHostsFiles : trust.knownHostsFiles)).map((file) => expandHome(file, home)),
      globalKnownHostsFiles: (config?.globalKnownHostsFiles ?? DEFAULT_GLOBAL_KNOWN_HOSTS_FILES).map((file) => expandHome(file, home)),
      hashKnownHosts: config?.hashKnownHosts === true,
      connectTimeoutMs: !isWritten(trust, "connectTimeout") && config?.connectTimeoutSec !== undefined ? config.connectTimeoutSec * 1000 : trust.connectTimeoutMs,
      keepaliveIntervalMs: !isWritten(trust, "keepaliveInterval") && config?.serverAliveIntervalSec !== undefined ? config.serverAliveIntervalSec * 1000 : trust.keepaliveIntervalMs,
    };
    if (config?.strictHostKeyChecking !== undefined && /^(no|false|off)$/.test(config.strictHostKeyChecking)) {
      this.warnOnce("stricthostkeychecking", `ssh config sets StrictHostKeyChecking ${config.strictHostKeyChecking} for ${label}; nemoclaw always verifies host keys (set hostKeyChecking: accept-new to trust new hosts on first contact)`);
    }
    if (trust.passphrase !== undefined) endpoint.passphrase = trust.passphrase;
    return endpoint;
  }

  private agentSocket(agent: boolean | string): string | null {
    if (agent === false) return null;
    const socket = agent === true ? this.context.env.SSH_AUTH_SOCK : expandHome(agent, this.context.home);
    return socket !== undefined && socket !== "" && existsSync(socket) ? socket : null;
  }
}

/** Whether the fleet file or inventory wrote a setting (absent `explicit` means everything was written). */
function isWritten(settings: SshConnectionSettings, key: keyof WrittenSettings): boolean {
  return settings.explicit === undefined || settings.explicit[key] !== false;
}

/** IdentityAgent: `none` turns the agent off, `SSH_AUTH_SOCK` means the environment's. */
function identityAgent(value: string): boolean | string {
  if (value.toLowerCase() === "none") return false;
  if (value === "SSH_AUTH_SOCK" || value === "$SSH_AUTH_SOCK") return true;
  return value;
}

export function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return join(home, path.slice(2));
  return path;
}

/** `user@address:port`, the way messages name an endpoint. */
export function describeEndpoint(endpoint: SshEndpoint): string {
  const address = endpoint.address.includes(":") ? `[${endpoint.address}]` : endpoint.address;
  return `${endpoint.user}@${address}:${endpoint.port}`;
}
