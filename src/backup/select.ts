/**
 * Naming a backup on the command line: `<host>/<sandbox>` (the newest one), or
 * `<host>/<sandbox>@<time>` where time is the snapshot timestamp as listed
 * (`2026-07-10T02-00-00-123Z`), the same instant in ISO form (`2026-07-10T02:00:00.123Z`, or in
 * another zone: `2026-07-10T04:00:00.123+02:00`), or a prefix of either that picks exactly one
 * backup (`@2026-07-10`; a zoned time without milliseconds is the prefix of its second or minute).
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

/** An ISO time with its zone (`Z`, `+02:00`, `-0500`), down to the minute at least. */
const ZONED = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * The same instant as a snapshot timestamp (always UTC), cut to the precision given: a prefix
 * unless milliseconds were given. `2026-07-10T04:00:00+02:00` is `2026-07-10T02-00-00`; null when
 * `text` names no zone (it is then read as written, in UTC).
 */
function zonedInstant(text: string): string | null {
  const match = ZONED.exec(text);
  if (!match) return null;
  const [, date, hour, minute, second, fraction, zone] = match;
  const offset = zone!.toUpperCase() === "Z" ? "Z" : `${zone!.slice(0, 3)}:${zone!.slice(-2)}`;
  const millis = Date.parse(`${date}T${hour}:${minute}:${second ?? "00"}.${(fraction ?? "0").padEnd(3, "0")}${offset}`);
  if (Number.isNaN(millis)) return null;
  const utc = new Date(millis).toISOString().replace(/[:.]/g, "-");
  return fraction !== undefined ? utc : utc.slice(0, second !== undefined ? 19 : 16);
}

/**
 * Pick the referenced backup among records (any order); errors say what exists instead. Without a
 * time, the newest that has not failed verification (docs/backups.md#restore).
 */
export function selectBackup(records: readonly BackupRecord[], reference: BackupReference): BackupRecord {
  const series = records
    .filter((record) => record.host === reference.host && record.sandbox === reference.sandbox)
    .sort((a, b) => byCodeUnits(b.timestamp, a.timestamp) || byCodeUnits(a.location, b.location));
  const name = `${reference.host}/${reference.sandbox}`;
  if (series.length === 0) throw new Error(`no backups of ${name} in the fleet's backup stores`);
  // The newest one not known bad: a backup whose verification failed would only fail the restore
  // (its checks are verify's), while an older good one is there. With none usable, the newest.
  if (reference.at === null) return series.find((record) => record.verified !== false) ?? series[0]!;
  const wanted = zonedInstant(reference.at) ?? reference.at.replace(/[:.]/g, "-");
  const exact = series.filter((record) => record.timestamp === wanted);
  const matches = exact.length > 0 ? exact : series.filter((record) => record.timestamp.startsWith(wanted));
  const distinct = new Set(matches.map((record) => record.timestamp));
  if (distinct.size === 1) return matches[0]!;
  const available = series.slice(0, 10).map((record) => record.timestamp).join(", ");
  if (distinct.size === 0) throw new Error(`no backup of ${name} at ${reference.at}; newest first: ${available}`);
  throw new Error(`${name}@${reference.at} matches ${distinct.size} backups (${[...distinct].join(", ")}); give more of the timestamp`);
}
