/**
 * Observe many hosts at once, at most `concurrency` in flight; one slow or dead host never
 * stalls the others, and every selected host comes back (unreachable ones say why).
 */
import type { DesiredFleet, DesiredHost } from "../config/types.js";
import { ConnectionPool, mapHosts } from "../transport/pool.js";
import { type Connection, TransportError } from "../transport/types.js";
import { type ObserveOptions, observeHost, unreachableHost } from "./host.js";
import type { ObservedFleet, ObservedHost } from "./types.js";

export interface ObserveFleetDeps {
  pool: { get(host: string): Promise<Connection> };
  concurrency: number;
  /** Called as each host is observed (progress output). */
  onHost?: (host: ObservedHost) => void;
  /** Called when the attempt to connect to a host is over (open or failed), before its probe runs. */
  onConnectionSettled?: (host: string) => void;
  observe?: ObserveOptions;
  /** How one host is observed (default: the one-round-trip probe). */
  observeHost?: (host: DesiredHost, connection: Connection, options?: ObserveOptions) => Promise<ObservedHost>;
}

export async function observeFleet(fleet: DesiredFleet, hostNames: string[], deps: ObserveFleetDeps): Promise<ObservedFleet> {
  const hostsByName = new Map(fleet.hosts.map((host) => [host.name, host]));
  const now = deps.observe?.now ?? (() => new Date());
  const results = await mapHosts(hostNames, deps.concurrency, async (name) => {
    const host = hostsByName.get(name);
    if (host === undefined) throw new Error(`host "${name}" is not in the fleet`);
    const connection = await deps.pool.get(name).then(
      (opened) => ({ opened }),
      (error: unknown) => ({ error }),
    );
    deps.onConnectionSettled?.(name);
    let observed: ObservedHost;
    try {
      if ("error" in connection) throw connection.error;
      observed = await (deps.observeHost ?? observeHost)(host, connection.opened, deps.observe);
    } catch (error) {
      const cause = error instanceof TransportError ? { kind: error.kind, message: error.cause_ } : { kind: "error", message: String(error instanceof Error ? error.message : error) };
      observed = unreachableHost(name, cause, now().toISOString(), 0);
    }
    deps.onHost?.(observed);
    return observed;
  });
  return {
    hosts: hostNames.map((name) => {
      const result = results.get(name);
      if (result?.ok) return result.value;
      throw result?.error ?? new Error(`host "${name}" was not observed`);
    }),
  };
}

/**
 * Observe the selected hosts through a pool of every fleet host (a selected host's bastion may be a
 * fleet host too), closing the connections afterwards.
 */
export async function observeSelected(fleet: DesiredFleet, hosts: string[]): Promise<ObservedFleet> {
  const pool = new ConnectionPool(fleet.hosts);
  try {
    return await observeFleet(fleet, hosts, { pool, concurrency: fleet.apply.concurrency });
  } finally {
    await pool.closeAll();
  }
}
