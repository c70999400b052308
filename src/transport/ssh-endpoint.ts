/**
 * From a host's connection settings (plus ~/.ssh/config when allowed) to the concrete endpoints
 * to dial: the jump hosts in order, then the target.
 */
import { existsSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import type { HostKeyChecking, JumpHop, SecretRef, SshConnectionSettings } from "../config/types.js";
import { loadSshConfig, parseProxyJump, resolveSshConfig, type SshConfigContext, type SshConfigLine, type SshConfigResult } from "./ssh-config.js";

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
  passphrase?: SecretRef;
  hostKeyChecking: HostKeyChecking;
  knownHostsFiles: string[];
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
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
  };
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "root";
  }
}

/** Loads ~/.ssh/config once per context, only when some host asks for it. */
export class RouteResolver {
  private configLines: Promise<SshConfigLine[]> | undefined;

  constructor(readonly context: EndpointContext) {}

  async resolve(hostName: string, settings: SshConnectionSettings): Promise<Route> {
    const config = settings.useSshConfig ? await this.lookup(settings.address) : undefined;
    const target = this.endpoint(hostName, settings, settings, config);
    let jumps: SshEndpoint[];
    if (settings.proxyJump.length > 0 || !config?.proxyJump) {
      jumps = await Promise.all(settings.proxyJump.map((hop) => this.fleetHop(hop, settings)));
    } else {
      jumps = await this.configHops(config.proxyJump, settings);
    }
    return { jumps, target };
  }

  private async lookup(alias: string): Promise<SshConfigResult> {
    this.configLines ??= loadSshConfig(this.context.sshConfigFile, this.sshConfigContext());
    return resolveSshConfig(await this.configLines, alias, this.sshConfigContext());
  }

  private sshConfigContext(): SshConfigContext {
    return { home: this.context.home, localUser: this.context.localUser };
  }

  /** A hop from the fleet: the hop's own address and keys, auth and trust settings of its fleet host when it is one. */
  private async fleetHop(hop: JumpHop, target: SshConnectionSettings): Promise<SshEndpoint> {
    const base = (hop.fleetHost !== undefined ? this.context.fleetHost(hop.fleetHost) : undefined) ?? target;
    const hopSettings: SshConnectionSettings = {
      ...base,
      address: hop.address,
      port: hop.port,
      user: hop.user,
      identityFiles: hop.identityFiles,
      ...(hop.explicit ? { explicit: hop.explicit } : {}),
    };
    const config = base.useSshConfig ? await this.lookup(hop.address) : undefined;
    return this.endpoint(hop.host, hopSettings, base, config);
  }

  /** Hops named by ProxyJump in ~/.ssh/config: each is looked up in the config again, as ssh does. */
  private async configHops(proxyJump: string, target: SshConnectionSettings): Promise<SshEndpoint[]> {
    return Promise.all(
      parseProxyJump(proxyJump).map(async (spec) => {
        const config = await this.lookup(spec.host);
        const hopSettings: SshConnectionSettings = {
          ...target,
          address: spec.host,
          port: spec.port ?? config.port ?? 22,
          user: spec.user ?? config.user ?? this.context.localUser,
          identityFiles: config.identityFiles.length > 0 ? config.identityFiles : target.identityFiles,
        };
        const hostName = config.hostName === undefined ? undefined : { hostName: config.hostName, identityFiles: [] };
        return this.endpoint(spec.host, hopSettings, target, hostName);
      }),
    );
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
      agentSocket: this.agentSocket(overrides.agent ?? trust.agent),
      hostKeyChecking: overrides.hostKeyChecking ?? trust.hostKeyChecking,
      knownHostsFiles: (overrides.knownHostsFiles ?? trust.knownHostsFiles).map((file) => expandHome(file, home)),
      connectTimeoutMs: trust.connectTimeoutMs,
      keepaliveIntervalMs: trust.keepaliveIntervalMs,
    };
    if (trust.passphrase !== undefined) endpoint.passphrase = trust.passphrase;
    return endpoint;
  }

  private agentSocket(agent: boolean | string): string | null {
    if (agent === false) return null;
    const socket = agent === true ? this.context.env.SSH_AUTH_SOCK : expandHome(agent, this.context.home);
    return socket !== undefined && socket !== "" && existsSync(socket) ? socket : null;
  }
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
