/**
 * Where backups go: each policy names a destination, a local directory (relative paths are
 * relative to the fleet file) or a directory on a fleet host. Stores are opened once per run and
 * shared by every policy that writes to the same place.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import type { BackupDestination, DesiredBackupPolicy, DesiredFleet } from "../config/types.js";
import type { Connection } from "../transport/types.js";
import type { BackupRecord } from "./record.js";
import { currentOwner, type PartialOwner } from "./owner.js";
import { BackupStore, partialName } from "./store.js";
import { LocalStoreBackend } from "./store-local.js";
import { SshStoreBackend } from "./store-ssh.js";

export interface HostConnections {
  get(host: string): Promise<Connection>;
}

/** A local destination's absolute path: relative paths are relative to the fleet file. */
export function localStorePath(fleet: DesiredFleet, path: string): string {
  if (isAbsolute(path)) return path;
  const base = isAbsolute(fleet.sourceFile) ? dirname(fleet.sourceFile) : process.cwd();
  return resolve(base, path);
}

export function destinationKey(fleet: DesiredFleet, destination: BackupDestination): string {
  return destination.kind === "local" ? `local:${localStorePath(fleet, destination.path)}` : `ssh:${destination.host}:${destination.path}`;
}

export class BackupStores {
  private readonly opened = new Map<string, Promise<BackupStore>>();

  constructor(
    private readonly fleet: DesiredFleet,
    private readonly connections: HostConnections,
    private readonly owner: PartialOwner = currentOwner(),
  ) {}

  open(destination: BackupDestination): Promise<BackupStore> {
    const key = destinationKey(this.fleet, destination);
    let store = this.opened.get(key);
    if (!store) {
      store = this.create(destination);
      store.catch(() => this.opened.delete(key));
      this.opened.set(key, store);
    }
    return store;
  }

  private async create(destination: BackupDestination): Promise<BackupStore> {
    if (destination.kind === "local") {
      const root = localStorePath(this.fleet, destination.path);
      return new BackupStore(new LocalStoreBackend(root, () => partialName(this.owner)), this.owner);
    }
    const connection = await this.connections.get(destination.host);
    return new BackupStore(new SshStoreBackend(connection, destination.path), this.owner);
  }

  /** The distinct destinations of these policies, each with the policies that write there. */
  destinationsOf(policies: readonly DesiredBackupPolicy[]): { destination: BackupDestination; policies: DesiredBackupPolicy[] }[] {
    const grouped = new Map<string, { destination: BackupDestination; policies: DesiredBackupPolicy[] }>();
    for (const policy of policies) {
      const key = destinationKey(this.fleet, policy.destination);
      const entry = grouped.get(key) ?? { destination: policy.destination, policies: [] };
      entry.policies.push(policy);
      grouped.set(key, entry);
    }
    return [...grouped.values()];
  }

  /**
   * Of these policies, those whose store this run can write to; one problem for each store it
   * cannot write to (src/backup/store.ts checkWritable), and apart from those, one for each store
   * on a host it cannot reach (its connection failed): both found before any sandbox is
   * snapshotted for it. The two differ in exit code (docs/backups.md: 1 and 4).
   */
  async writable(policies: readonly DesiredBackupPolicy[]): Promise<{ policies: DesiredBackupPolicy[]; problems: string[]; unreachable: string[] }> {
    const writable: DesiredBackupPolicy[] = [];
    const problems: string[] = [];
    const unreachable: string[] = [];
    for (const { destination, policies: writers } of this.destinationsOf(policies)) {
      const where = destination.kind === "local" ? localStorePath(this.fleet, destination.path) : `${destination.host}:${destination.path}`;
      const names = writers.map((policy) => `"${policy.name}"`).join(", ");
      let store: BackupStore;
      try {
        store = await this.open(destination);
      } catch (error) {
        unreachable.push(`backup store ${where} of policy ${names} could not be reached: ${errorText(error)}`);
        continue;
      }
      try {
        await store.checkWritable();
        writable.push(...writers);
      } catch (error) {
        problems.push(`backup store ${where} of policy ${names} cannot be written: ${errorText(error)}`);
      }
    }
    return { policies: writable, problems, unreachable };
  }

  /** The store a record was read from or written to (it must have been opened in this run). */
  async storeOf(record: BackupRecord): Promise<BackupStore> {
    for (const pending of this.opened.values()) {
      const store = await pending.catch(() => null);
      if (store && record.location === `${store.label.replace(/\/+$/, "")}/${record.id}`) return store;
    }
    throw new Error(`backup ${record.id}: its store (${record.location}) is not a destination of this fleet file`);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
