/**
 * `--json` output of `nemoclaw backup …`: one JSON document per command on stdout, built from the
 * same objects the human views render. Backups appear as full records (manifest included) where
 * they are the subject, and by id where they are only referenced.
 */
import type { PolicyDue, StoreContents } from "../backup/catalogue.js";
import type { PrunePlan, PruneResult } from "../backup/prune.js";
import type { BackupRecord } from "../backup/record.js";
import type { RunReport } from "../backup/run.js";
import type { VerifyOutcome } from "../backup/store.js";

function document(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The run's report, each host with the SSH sessions its journal's host-finished record counts (as apply's JSON has them). */
export function runJson(report: RunReport, sessionsOf: (host: string) => number | null): string {
  return document({ ...report, hosts: report.hosts.map(({ host, status, ...rest }) => ({ host, status, sessions: sessionsOf(host), ...rest })) });
}

export function listingJson(contents: readonly StoreContents[]): string {
  return document({ stores: contents });
}

export function verifyJson(results: readonly VerifyOutcome[]): string {
  return document({
    results: results.map(({ record, problems, notRecorded }) => ({
      id: record.id,
      location: record.location,
      ok: problems.length === 0,
      problems,
      recorded: notRecorded === undefined,
      ...(notRecorded !== undefined ? { notRecorded } : {}),
      record,
    })),
  });
}

/** The plan (what would go) and, after a real prune, what went: both lists of the same ids. */
export function pruneJson(plan: PrunePlan, result: PruneResult | null): string {
  const id = (record: BackupRecord) => record.id;
  return document({
    dryRun: result === null,
    series: plan.series.map((series) => ({
      store: series.store,
      policy: series.policy,
      host: series.host,
      sandbox: series.sandbox,
      keep: series.decisions.filter((d) => d.keep).map((d) => ({ id: d.record.id, reasons: d.reasons })),
      remove: series.decisions.filter((d) => !d.keep).map((d) => d.record.id),
    })),
    remove: plan.remove.map(id),
    removed: result ? result.removed.map(id) : null,
    failed: result ? result.failed.map((failure) => ({ id: failure.record.id, error: failure.error })) : [],
    leftovers: plan.leftovers.map(({ store, leftover }) => ({ store, location: leftover.location, sizeBytes: leftover.sizeBytes })),
    leftoversRemoved: result ? result.leftoversRemoved.map((leftover) => leftover.location) : null,
    leftoversFailed: result ? result.leftoversFailed.map((failure) => ({ location: failure.leftover.location, error: failure.error })) : [],
    freedBytes: result ? result.leftoversRemoved.reduce((sum, leftover) => sum + (leftover.sizeBytes ?? 0), 0) : null,
    skipped: plan.skipped,
  });
}

export function dueJson(dues: readonly PolicyDue[]): string {
  return document({ due: dues.some((due) => due.due), policies: dues });
}

export function restoreJson(outcome: { record: BackupRecord; target: { host: string; sandbox: string }; warnings: string[]; ok: boolean; dryRun?: true; gateway?: string; previousSnapshot?: string | null; error?: string; block?: string[] }): string {
  return document(outcome);
}
