/**
 * What apply needs from backups: take a verified backup of a sandbox before a disruptive step, and
 * put it back after a recreate. The backup service (src/backup/service.ts) provides it; the
 * composition root hands it in, so apply never depends on how backups are stored.
 */
import type { DesiredHost } from "../config/types.js";
import type { SandboxBackupRequest } from "../host/sandbox-backup.js";
import type { Connection } from "../transport/types.js";

/** A backup as apply reports and reuses it. */
export interface TakenBackup {
  id: string;
  sizeBytes: number;
  sha256: string;
  /** Where it lies, for the user. */
  location: string;
  /** Verified in this run (true), failed verification (false), not verified (null). */
  verified: boolean | null;
}

export interface SandboxBackups {
  backupSandbox(request: SandboxBackupRequest): Promise<TakenBackup>;
  /** `record` is a backup this same service took. */
  restoreSandbox(request: { record: TakenBackup; host: DesiredHost; connection: Connection; sandbox: string; signal?: AbortSignal }): Promise<unknown>;
}
