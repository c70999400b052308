/** What the backup service is asked to do: back up one sandbox, or put a backup back into one. */
import type { DesiredHost } from "../config/types.js";
import type { Releases } from "../host/nemoclaw/commands.js";
import { releasesOf } from "../host/nemoclaw/releases.js";
import type { SandboxBackupRequest } from "../host/sandbox-backup.js";
import type { ObservedHost } from "../observe/types.js";
import type { Connection } from "../transport/types.js";
import type { BackupRecord } from "./record.js";

export interface BackupRequest extends SandboxBackupRequest {
  onProgress?: (bytes: number) => void;
  /** The host as just observed; observed afresh when absent. */
  observed?: ObservedHost;
  /** The host's lock, given back with the removal of this backup's snapshot: the run's last command on the host. */
  releaseLock?: LockRelease;
}

/** A held host lock as the last command on the host gives it back: its text now, and to be told it is gone. */
export interface LockRelease {
  readonly content: string;
  released(): void;
}

export interface RestoreRequest {
  record: BackupRecord;
  host: DesiredHost;
  connection: Connection;
  /** The sandbox to restore into (the backup's own, or another with the same agent type). */
  sandbox: string;
  signal?: AbortSignal;
  observed?: ObservedHost;
  /**
   * Keep the target's state as it is now as a NemoClaw snapshot on its host before the backup
   * replaces it (`nemoclaw backup restore`; apply restores a backup it just took of that sandbox).
   */
  keepPrevious?: boolean;
  /** Told what the restore goes on despite (e.g. a newer agent's state into an older agent), before anything is placed. */
  warn?: (message: string) => void;
}

export type ObserveHost = (host: DesiredHost, connection: Connection) => Promise<ObservedHost>;

/** The NemoClaw and OpenShell releases an observed host runs, for the commands a backup or restore sends. */
export function hostReleases(observed: ObservedHost): Releases | null {
  const version = (fact: ObservedHost["nemoclaw"]) => (fact.state === "known" ? fact.value.version : null);
  return releasesOf(version(observed.nemoclaw), version(observed.openshell));
}
