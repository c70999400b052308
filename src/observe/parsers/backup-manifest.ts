/**
 * `~/.nemoclaw/rebuild-backups/<sandbox>/<timestamp>/rebuild-manifest.json` (reference §3.5):
 * a backup exists only once its manifest (`version`, `sandboxName`, `timestamp`, `agentType`,
 * `agentVersion`, …) is written.
 */
import type { Fact, HostBackup } from "../types.js";
import { extractJson, isRecord, known, stringOrNull, unknown } from "./text.js";

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
