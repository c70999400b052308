/** The fleet's own host lock `~/.nemoclaw-fleet/lock.json`, written by apply. */
import type { Fact } from "../output.js";
import { extractJson, isRecord, known, unknown } from "../output.js";

export interface HostLockInfo {
  runId: string;
  user: string;
  machine: string;
  pid: number;
  startedAt: string;
  expiresAt: string;
}

export function parseFleetLock(text: string): Fact<HostLockInfo> {
  const json = extractJson(text);
  if (
    isRecord(json) &&
    typeof json.runId === "string" &&
    typeof json.user === "string" &&
    typeof json.machine === "string" &&
    typeof json.pid === "number" &&
    typeof json.startedAt === "string" &&
    typeof json.expiresAt === "string"
  ) {
    return known({ runId: json.runId, user: json.user, machine: json.machine, pid: json.pid, startedAt: json.startedAt, expiresAt: json.expiresAt });
  }
  return unknown("lock.json is not a fleet lock {runId,user,machine,pid,startedAt,expiresAt}", text);
}
