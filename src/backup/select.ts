/**
 * Naming a backup on the command line: `<host>/<sandbox>` (the newest one), or
 * `<host>/<sandbox>@<time>` where time is the snapshot timestamp as listed
 * (`2026-07-10T02-00-00-123Z`), the same instant in ISO form (`2026-07-10T02:00:00.123Z`), or a
 * prefix of either that picks exactly one backup (`@2026-07-10`).
 */
import type { BackupRecord } from "./record.js";
import { byCodeUnits } from "../config/order.js";

export interface BackupReference {
  host: string;
  sandbox: string;
  at: string | null;
}

const REFERENCE = /^([^/@\s]+)\/([^/@\s]+)(?:@(\S+))?$/;

export function parseBackupReference(text: string, what = "backup"): BackupReference {
  const match = REFERENCE.exec(text);
  if (!match) throw new Error(`${what} ${JSON.stringify(text)}: expected <host>/<sandbox>[@<time>]`);
  return { host: match[1]!, sandbox: match[2]!, at: match[3] ?? null };
}

/** Pick the referenced backup among records (any order); errors say what exists instead. */
export function selectBackup(records: readonly BackupRecord[], reference: BackupReference): BackupRecord {
  const series = records
    .filter((record) => record.host === reference.host && record.sandbox === reference.sandbox)
    .sort((a, b) => byCodeUnits(b.timestamp, a.timestamp) || byCodeUnits(a.location, b.location));
  const name = `${reference.host}/${reference.sandbox}`;
  if (series.length === 0) throw new Error(`no backups of ${name} in the fleet's backup stores`);
  if (reference.at === null) return series[0]!;
  const wanted = reference.at.replace(/[:.]/g, "-");
  const exact = series.filter((record) => record.timestamp === wanted);
  const matches = exact.length > 0 ? exact : series.filter((record) => record.timestamp.startsWith(wanted));
  const distinct = new Set(matches.map((record) => record.timestamp));
  if (distinct.size === 1) return matches[0]!;
  const available = series.slice(0, 10).map((record) => record.timestamp).join(", ");
  if (distinct.size === 0) throw new Error(`no backup of ${name} at ${reference.at}; newest first: ${available}`);
  throw new Error(`${name}@${reference.at} matches ${distinct.size} backups (${[...distinct].join(", ")}); give more of the timestamp`);
}
