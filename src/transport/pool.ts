/**
 * Fleet concurrency: one connection per host per run (jump host connections shared), and
 * `mapHosts`, which works through hosts with a cap where a slow or dead host only ever occupies
 * its own slot.
 */
import type { DesiredHost } from "../config/types.js";
import { identityKeysFor, openConnection, retryPolicy, routeResolverFor, type ConnectOptions } from "./connect.js";
import { JumpHosts } from "./jump-hosts.js";
import type { IdentityKeys } from "./ssh-auth.js";
import type { RouteResolver } from "./ssh-endpoint.js";
import { CountedConnection } from "./counted.js";
import type { Connection } from "./types.js";

export type PoolOptions = Omit<ConnectOptions, "jumpHosts" | "fleetHosts" | "routes" | "identities">;

export class ConnectionPool {
  private readonly hosts: Map<string, DesiredHost>;
  private readonly connections = new Map<string, Promise<Connection>>();
  private readonly counted = new Map<string, CountedConnection>();
  private readonly jumpHosts: JumpHosts;
  private readonly routes: RouteResolver;
  private readonly identities: IdentityKeys;
  private closed = false;

  constructor(
    hosts: DesiredHost[],
    private readonly options: PoolOptions = {},
  ) {
    this.hosts = new Map(hosts.map((host) => [host.name, host]));
    this.routes = routeResolverFor({ ...options, fleetHosts: hosts });
    this.identities = identityKeysFor(options);
    this.jumpHosts = new JumpHosts({ concurrency: options.jumpConcurrency ?? 8, retry: retryPolicy(options), identities: this.identities });
  }

  /**
   * The host's connection, opened on first use. A host that could not be reached keeps its
   * error for the rest of the run (connection retries have already been spent).
   */
  get(hostName: string): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error("the connection pool is closed"));
    const existing = this.connections.get(hostName);
    if (existing) return existing;
    const host = this.hosts.get(hostName);
    if (!host) return Promise.reject(new Error(`unknown host ${JSON.stringify(hostName)}`));
    const opening = openConnection(host, { ...this.options, jumpHosts: this.jumpHosts, routes: this.routes, identities: this.identities }).then((connection) => {
      const counted = new CountedConnection(connection);
      this.counted.set(hostName, counted);
      return counted;
    });
    opening.catch(() => undefined);
    this.connections.set(hostName, opening);
    return opening;
  }

  /** SSH sessions (commands, streams, transfers) opened on the host in this run; 0 before it was connected. */
  sessionsOpened(hostName: string): number {
    return this.counted.get(hostName)?.sessions ?? 0;
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const opened = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(opened.map((connection) => connection.then((c) => c.close(), () => undefined)));
    await this.jumpHosts.closeAll();
  }
}

export type HostOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Run `fn` for every host, at most `concurrency` at a time. Results keep the order of
 * `hostNames`; a failure is recorded for its host and never stops the others.
 */
export async function mapHosts<T>(
  hostNames: string[],
  concurrency: number,
  fn: (host: string) => Promise<T>,
): Promise<Map<string, HostOutcome<T>>> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  const outcomes: HostOutcome<T>[] = new Array(hostNames.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < hostNames.length) {
      const index = next++;
      try {
        outcomes[index] = { ok: true, value: await fn(hostNames[index] as string) };
      } catch (error) {
        outcomes[index] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, hostNames.length) }, worker));
  return new Map(hostNames.map((host, index) => [host, outcomes[index] as HostOutcome<T>]));
}
