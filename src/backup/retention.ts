/**
 * Grandfather-father-son retention, restic's `forget` semantics: walk a series newest first; each
 * rule (last/daily/weekly/monthly) keeps the newest backup of every bucket it has not seen yet,
 * until its count runs out. A backup is kept when any rule keeps it. A backup whose verification
 * failed is no backup anyone could restore (catalogue.ts): it takes no rule's slot, so known-broken
 * copies never push usable ones out, and no rule keeps it. Only the newest failed one is kept,
 * and only while no newer backup has passed verification (a damaged archive may be all that is
 * left to salvage by hand; a newer good one makes it worthless, and older damaged ones add
 * nothing). On top of the rules, the newest backup
 * that passed verification is never removed — or, while none has, the newest one not known bad —
 * so a series always holds its best copy (docs/backups.md#prune). Buckets are calendar periods in UTC.
 */
import type { Retention } from "../config/types.js";
import { byCodeUnits } from "../config/order.js";

export interface RetentionCandidate {
  id: string;
  createdAt: Date;
  /** null when never verified, false when verification failed. */
  verified: boolean | null;
}

export interface RetentionDecision<T extends RetentionCandidate> {
  item: T;
  keep: boolean;
  /** Why it is kept (empty when removed). */
  reasons: string[];
}

interface Rule {
  count: number;
  reason: string;
  bucket: (date: Date, index: number) => string;
}

function isoWeek(date: Date): string {
  // ISO 8601: the week belongs to the year of its Thursday.
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

function rulesOf(retention: Retention): Rule[] {
  const rules: Rule[] = [];
  if (retention.keepLast) rules.push({ count: retention.keepLast, reason: "last", bucket: (_d, i) => String(i) });
  if (retention.keepDaily) rules.push({ count: retention.keepDaily, reason: "daily", bucket: (d) => d.toISOString().slice(0, 10) });
  if (retention.keepWeekly) rules.push({ count: retention.keepWeekly, reason: "weekly", bucket: isoWeek });
  if (retention.keepMonthly) rules.push({ count: retention.keepMonthly, reason: "monthly", bucket: (d) => d.toISOString().slice(0, 7) });
  return rules;
}

export function hasRetentionRules(retention: Retention): boolean {
  return rulesOf(retention).length > 0;
}

/**
 * Decide keep/remove for ONE series (one policy, host and sandbox). Returned newest first.
 * With no rules at all nothing is removed (restic refuses to forget without a policy, too).
 */
export function applyRetention<T extends RetentionCandidate>(series: readonly T[], retention: Retention): RetentionDecision<T>[] {
  const newestFirst = [...series].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || byCodeUnits(b.id, a.id));
  const rules = rulesOf(retention);
  const lastBucket = new Map<Rule, string>();
  const newestVerified = newestFirst.find((item) => item.verified === true);
  const protectedItem = newestVerified ?? newestFirst.find((item) => item.verified === null);
  const newestFailed = newestFirst.find((item) => item.verified === false);
  const salvage = newestFailed !== undefined && (newestVerified === undefined || newestVerified.createdAt < newestFailed.createdAt) ? newestFailed : undefined;

  return newestFirst.map((item, index) => {
    const reasons: string[] = [];
    if (rules.length === 0) reasons.push("no retention rules");
    for (const rule of rules) {
      if (rule.count <= 0 || item.verified === false) continue;
      const bucket = rule.bucket(item.createdAt, index);
      if (bucket === lastBucket.get(rule)) continue;
      lastBucket.set(rule, bucket);
      rule.count -= 1;
      reasons.push(rule.reason);
    }
    if (item === protectedItem) reasons.push(newestVerified ? "newest verified" : "newest unverified");
    if (item === salvage) reasons.push("failed, nothing newer verified");
    return { item, keep: reasons.length > 0, reasons };
  });
}
