/**
 * `~/.nemoclaw/rebuild-backups/<sandbox>/<timestamp>/rebuild-manifest.json` (reference §3.5):
 * a backup exists only once its manifest (`version`, `sandboxName`, `timestamp`, `agentType`,
 * `agentVersion`, …) is written.
 */
import type { Fact } from "../output.js";
import { extractJson, isRecord, known, stringOrNull, unknown } from "../output.js";

export interface HostBackup {
  sandbox: string;
  timestamp: string;
  path: string;
  agentType: string | null;
  agentVersion: string | null;
}

/** `directory` is the backup's absolute path; its last two segments are sandbox and timestamp. */
export function parseBackupManifest(text: string, directory: string): Fact<HostBackup> {
  const json = extractJson(text);
  if (!isRecord(json) || typeof json.version !== "number" || typeof json.sandboxName !== "string") {
    return unknown(`${directory}/rebuild-manifest.json is not a NemoClaw backup manifest`, text);
  }
  const segments = directory.split("/");
  return known({
    sandbox: json.sandboxName,
    timestamp: stringOrNull(json.timestamp) ?? segments.at(-1) ?? "",
    path: directory,
    agentType: stringOrNull(json.agentType),
    agentVersion: stringOrNull(json.agentVersion),
  });
}

/** NemoClaw's snapshot timestamp: `new Date().toISOString().replace(/[:.]/g, "-")`. */
const SNAPSHOT_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

export function isSnapshotTimestamp(value: string): boolean {
  return SNAPSHOT_TIMESTAMP.test(value);
}

export function formatSnapshotTimestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}
