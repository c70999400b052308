/**
 * A request to back up one sandbox of a host: what apply asks of backups before a disruptive step
 * (src/apply/backup-port.ts), and the core of what the backup service takes (src/backup/requests.ts).
 */
import type { DesiredBackupPolicy, DesiredHost } from "../config/types.js";
import type { Connection } from "../transport/types.js";

export interface SandboxBackupRequest {
  host: DesiredHost;
  connection: Connection;
  sandbox: string;
  gateway: string;
  policy: DesiredBackupPolicy;
  runId: string;
  signal?: AbortSignal;
}
