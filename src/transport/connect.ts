/**
 * Opening a host's connection: local or SSH by `host.connection.kind`. For SSH the route (jump
 * hosts, ~/.ssh/config) is resolved, the target dialled through shared jump connections, and
 * connection failures retried with backoff.
 */
import type { DesiredHost, HostKeyChecking } from "../config/types.js";
import { JumpHosts } from "./jump-hosts.js";
import { IdentityKeys, type SecretResolver } from "./ssh-auth.js";
import { dial, dialWithRetry, type RetryPolicy } from "./ssh-client.js";
import { defaultEndpointContext, RouteResolver, type Route } from "./ssh-endpoint.js";
import { SshConnection } from "./ssh.js";
import { loadSsh2 } from "./ssh2-module.js";
import type { Connection } from "./types.js";

export interface ConnectOptions {
  /** Force host key checking for every endpoint (e.g. `accept-new` for a first contact). */
  hostKeyChecking?: HostKeyChecking;
  /** Force the known_hosts files (the first is where accept-new records keys). */
  knownHostsFiles?: string[];
  /** Force agent use: `true` = $SSH_AUTH_SOCK, a string = that socket, `false` = none. */
  agent?: boolean | string;
  /** Resolves passphrase references; defaults to the fleet's `env:`/`file:` resolver. */
  resolveSecret?: SecretResolver;
  /** Identity files shared by the run's connections; without it the connection reads its own. */
  identities?: IdentityKeys;
  /** Jump host connections to share; without it the connection keeps its own. */
  jumpHosts?: JumpHosts;
  /** Every fleet host, so a jump through a fleet host reuses its settings. */
  fleetHosts?: DesiredHost[];
  /** Local home (for `~`, ~/.ssh/config and default identities); defaults to the user's. */
  home?: string;
  /** Defaults to `<home>/.ssh/config`. */
  sshConfigFile?: string;
  /** Environment for SSH_AUTH_SOCK; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Connection attempts after the first, for connection failures only (default 2). */
  retries?: number;
  /** Delay before the first retry, doubling each time (default 250 ms). */
  retryBackoffMs?: number;
  /** Channels open at once per host (default 8, under sshd's MaxSessions of 10). */
  maxChannels?: number;
  /** Grace between TERM and KILL for timed-out or cancelled commands (default 2000 ms). */
  killGraceMs?: number;
  /** Forwarded connections being set up at once through one jump host (default 8). */
  jumpConcurrency?: number;
  /** Stops connection retries. */
  signal?: AbortSignal;
  /** Shared route resolution (one ~/.ssh/config read per run); built from the options above when absent. */
  routes?: RouteResolver;
}

export function retryPolicy(options: ConnectOptions): RetryPolicy {
  return { retries: options.retries ?? 2, backoffMs: options.retryBackoffMs ?? 250 };
}

export function defaultSecretResolver(options: ConnectOptions): SecretResolver {
  return (
    options.resolveSecret ??
    (async (ref) => {
      const { resolveSecret } = await import("../config/secrets.js");
      return resolveSecret(ref);
    })
  );
}

export function identityKeysFor(options: ConnectOptions): IdentityKeys {
  return options.identities ?? new IdentityKeys(defaultSecretResolver(options));
}

export function routeResolverFor(options: ConnectOptions): RouteResolver {
  if (options.routes) return options.routes;
  const fleet = new Map((options.fleetHosts ?? []).map((host) => [host.name, host]));
  const overrides = {
    ...(options.hostKeyChecking ? { hostKeyChecking: options.hostKeyChecking } : {}),
    ...(options.knownHostsFiles ? { knownHostsFiles: options.knownHostsFiles } : {}),
    ...(options.agent !== undefined ? { agent: options.agent } : {}),
  };
  return new RouteResolver(
    defaultEndpointContext({
      ...(options.home ? { home: options.home } : {}),
      ...(options.sshConfigFile ? { sshConfigFile: options.sshConfigFile } : {}),
      ...(options.env ? { env: options.env } : {}),
      overrides,
      fleetHost: (name) => {
        const connection = fleet.get(name)?.connection;
        return connection?.kind === "ssh" ? connection : undefined;
      },
    }),
  );
}

export async function openConnection(host: DesiredHost, options: ConnectOptions = {}): Promise<Connection> {
  if (host.connection.kind === "local") {
    // Loaded on demand: execa costs every SSH-only run ~150 ms of start-up.
    const { LocalConnection } = await import("./local.js");
    return new LocalConnection(host.name, { environment: host.environment, ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}) });
  }
  const routing = routeResolverFor(options).resolve(host.name, host.connection);
  // ssh2 loads while `ssh -G` answers; a load that fails fails the dial, with its reason.
  loadSsh2().catch(() => undefined);
  const route: Route = await routing;
  const identities = identityKeysFor(options);
  const ownJumps = options.jumpHosts ? null : new JumpHosts({ concurrency: options.jumpConcurrency ?? 8, retry: retryPolicy(options), identities });
  const jumpHosts = options.jumpHosts ?? (ownJumps as JumpHosts);
  const dialTarget = () =>
    dialWithRetry(
      () => jumpHosts.through(host.name, route.jumps, route.target, (sock) => dial(route.target, { host: host.name, identities, ...(sock ? { sock } : {}) })),
      retryPolicy(options),
      options.signal,
    );
  let client;
  try {
    client = await dialTarget();
  } catch (error) {
    await ownJumps?.closeAll();
    throw error;
  }
  return new SshConnection(host.name, client, dialTarget, {
    environment: host.environment,
    ...(options.maxChannels !== undefined ? { maxChannels: options.maxChannels } : {}),
    ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
    ...(ownJumps ? { onClose: () => ownJumps.closeAll() } : {}),
  });
}
