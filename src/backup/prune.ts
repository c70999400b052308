/**
 * `nemoclaw backup prune`: each policy's retention applied to its own series (one per host and
 * sandbox) in its own destination; backups other policies took are never touched, even in a
 * shared store. It also removes what killed runs left in those stores (partial entries whose
 * writer is gone, src/backup/store.ts `leftovers`), which take space and no policy's place. The
 * plan computed here is both what `--dry-run` prints and exactly what a real prune deletes.
 */
import type { DesiredBackupPolicy } from "../config/types.js";
import type { BackupRecord } from "./record.js";
import { applyRetention, hasRetentionRules } from "./retention.js";
import type { BackupStore, Leftover } from "./store.js";
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
  /** Leftovers of killed runs in the stores read, with their store's label. */
  leftovers: { store: string; leftover: Leftover }[];
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
  const leftovers = contents.flatMap((store) => store.leftovers.map((leftover) => ({ store: store.store, leftover })));
  return { series, remove: series.flatMap((entry) => entry.decisions.filter((d) => !d.keep).map((d) => d.record)), skipped, leftovers };
}

export interface PruneResult {
  removed: BackupRecord[];
  failed: { record: BackupRecord; error: string }[];
  leftoversRemoved: Leftover[];
  leftoversFailed: { leftover: Leftover; error: string }[];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Delete exactly the plan's backups and leftovers; one failure does not stop the others. */
export async function executePrune(
  plan: PrunePlan,
  stores: { storeOf(record: BackupRecord): Promise<BackupStore>; labelled(label: string): BackupStore | undefined },
): Promise<PruneResult> {
  const result: PruneResult = { removed: [], failed: [], leftoversRemoved: [], leftoversFailed: [] };
  for (const record of plan.remove) {
    try {
      await (await stores.storeOf(record)).remove(record);
      result.removed.push(record);
    } catch (error) {
      result.failed.push({ record, error: messageOf(error) });
    }
  }
  for (const { store, leftover } of plan.leftovers) {
    try {
      const opened = stores.labelled(store);
      if (opened === undefined) throw new Error(`its store ${store} was not read`);
      await opened.removeLeftover(leftover);
      result.leftoversRemoved.push(leftover);
    } catch (error) {
      result.leftoversFailed.push({ leftover, error: messageOf(error) });
    }
  }
  return result;
}
