/**
 * `nemoclaw backup prune`: each policy's retention applied to its own series (one per host and
 * sandbox) in its own destination; backups other policies took are never touched, even in a
 * shared store. The plan computed here is both what `--dry-run` prints and exactly what a real
 * prune deletes.
 */
import type { DesiredBackupPolicy } from "../config/types.js";
import type { BackupRecord } from "./record.js";
import { applyRetention, hasRetentionRules } from "./retention.js";
import type { BackupStore } from "./store.js";
import type { StoreContents } from "./catalogue.js";
import { byCodeUnits } from "../config/order.js";

export interface PruneDecision {
  record: BackupRecord;
  keep: boolean;
  reasons: string[];
}

export interface PruneSeries {
  store: string;
  policy: string;
  host: string;
  sandbox: string;
  decisions: PruneDecision[];
}

export interface PrunePlan {
  series: PruneSeries[];
  /** Every backup the plan deletes, in series order. */
  remove: BackupRecord[];
  /** Policies left alone, with why. */
  skipped: { policy: string; reason: string }[];
}

export function planPrune(contents: readonly StoreContents[], policies: readonly DesiredBackupPolicy[]): PrunePlan {
  const series: PruneSeries[] = [];
  const skipped: { policy: string; reason: string }[] = [];
  for (const policy of policies) {
    if (!hasRetentionRules(policy.retention)) {
      skipped.push({ policy: policy.name, reason: "no retention rules: every backup is kept" });
      continue;
    }
    for (const store of contents.filter((entry) => entry.policies.includes(policy.name))) {
      if (store.error !== undefined) {
        skipped.push({ policy: policy.name, reason: `store ${store.store} unreadable: ${store.error}` });
        continue;
      }
      const groups = new Map<string, BackupRecord[]>();
      for (const record of store.records) {
        if (record.policy !== policy.name) continue;
        const key = `${record.host}/${record.sandbox}`;
        groups.set(key, [...(groups.get(key) ?? []), record]);
      }
      for (const [key, records] of [...groups.entries()].sort(([a], [b]) => byCodeUnits(a, b))) {
        const [host = "", sandbox = ""] = key.split("/");
        const decisions = applyRetention(
          records.map((record) => ({ id: record.id, createdAt: new Date(record.manifest.createdAt), verified: record.verified, record })),
          policy.retention,
        ).map(({ item, keep, reasons }) => ({ record: item.record, keep, reasons }));
        series.push({ store: store.store, policy: policy.name, host, sandbox, decisions });
      }
    }
  }
  return { series, remove: series.flatMap((entry) => entry.decisions.filter((d) => !d.keep).map((d) => d.record)), skipped };
}

export interface PruneResult {
  removed: BackupRecord[];
  failed: { record: BackupRecord; error: string }[];
}

/** Delete exactly the plan's backups; one failure does not stop the others. */
export async function executePrune(plan: PrunePlan, storeOf: (record: BackupRecord) => Promise<BackupStore>): Promise<PruneResult> {
  const removed: BackupRecord[] = [];
  const failed: { record: BackupRecord; error: string }[] = [];
  for (const record of plan.remove) {
    try {
      await (await storeOf(record)).remove(record);
      removed.push(record);
    } catch (error) {
      failed.push({ record, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { removed, failed };
}
