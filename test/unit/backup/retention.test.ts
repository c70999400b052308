import { describe, expect, it } from "vitest";
import { applyRetention, type RetentionCandidate } from "../../../src/backup/retention.js";

function series(times: string[], verified: (index: number) => boolean | null = () => true): RetentionCandidate[] {
  return times.map((time, index) => ({ id: time, createdAt: new Date(time), verified: verified(index) }));
}

const kept = (decisions: { item: RetentionCandidate; keep: boolean }[]) => decisions.filter((d) => d.keep).map((d) => d.item.id);

/** Nightly backups at 02:00 UTC for `days` days ending 2026-07-31. */
function nightly(days: number): string[] {
  const end = Date.UTC(2026, 6, 31, 2);
  return Array.from({ length: days }, (_, i) => new Date(end - i * 86_400_000).toISOString());
}

describe("applyRetention", () => {
  it("keepLast keeps the newest n", () => {
    const decisions = applyRetention(series(nightly(10)), { keepLast: 3 });
    expect(kept(decisions)).toEqual(nightly(3));
    expect(decisions[0]?.reasons).toEqual(["last", "newest verified"]);
  });

  it("keepDaily keeps the newest backup of each of the last n days", () => {
    const times = ["2026-07-31T02:00:00.000Z", "2026-07-31T01:00:00.000Z", "2026-07-30T23:00:00.000Z", "2026-07-30T02:00:00.000Z", "2026-07-29T02:00:00.000Z"];
    expect(kept(applyRetention(series(times), { keepDaily: 2 }))).toEqual(["2026-07-31T02:00:00.000Z", "2026-07-30T23:00:00.000Z"]);
  });

  it("combines GFS rules like restic forget", () => {
    const decisions = applyRetention(series(nightly(120)), { keepLast: 2, keepDaily: 7, keepWeekly: 4, keepMonthly: 3 });
    const ids = kept(decisions);
    // 7 dailies (covering the 2 lasts), weeks back to 4 ISO weeks (the Sundays), months July/June/May.
    expect(ids).toEqual([
      ...nightly(7),
      "2026-07-19T02:00:00.000Z",
      "2026-07-12T02:00:00.000Z",
      "2026-06-30T02:00:00.000Z",
      "2026-05-31T02:00:00.000Z",
    ]);
    const reasons = new Map(decisions.map((d) => [d.item.id, d.reasons]));
    expect(reasons.get("2026-07-26T02:00:00.000Z")).toEqual(["daily", "weekly"]);
    expect(reasons.get("2026-06-30T02:00:00.000Z")).toEqual(["monthly"]);
  });

  it("never removes the newest verified backup", () => {
    const times = nightly(5);
    const decisions = applyRetention(series(times, (i) => (i === 3 ? true : null)), { keepLast: 1 });
    expect(kept(decisions)).toEqual([times[0], times[3]]);
    expect(decisions.find((d) => d.item.id === times[3])?.reasons).toEqual(["newest verified"]);
  });

  it("gives known-broken backups no rule slot: keepLast 2 over [failed, failed, unverified, unverified] keeps the two unverified", () => {
    const times = nightly(4);
    const decisions = applyRetention(series(times, (i) => (i < 2 ? false : null)), { keepLast: 2 });
    expect(decisions.map((d) => d.reasons)).toEqual([["failed, nothing newer verified"], [], ["last", "newest unverified"], ["last"]]);
  });

  it("removes a failed backup once a newer one has passed verification, and keeps it until then", () => {
    const times = nightly(4);
    const decisions = applyRetention(series(times, (i) => (i === 0 ? false : i === 1 ? true : i === 2 ? false : null)), { keepLast: 1 });
    expect(decisions.map((d) => d.reasons)).toEqual([["failed, nothing newer verified"], ["last", "newest verified"], [], []]);
  });

  it("keeps no failed backup by a daily, weekly or monthly rule; the bucket goes to the newest usable backup in it", () => {
    const times = ["2026-07-31T02:00:00.000Z", "2026-07-31T01:00:00.000Z", "2026-07-30T02:00:00.000Z"];
    const decisions = applyRetention(series(times, (i) => (i === 0 ? false : true)), { keepDaily: 1, keepWeekly: 1, keepMonthly: 1 });
    expect(kept(decisions)).toEqual([times[0], times[1]]);
    expect(decisions[0]?.reasons).toEqual(["failed, nothing newer verified"]);
    expect(decisions[1]?.reasons).toEqual(["daily", "weekly", "monthly", "newest verified"]);
  });

  it("protects the newest backup not known bad when none is verified, and never a failed one", () => {
    const times = nightly(4);
    // The rules keep only the newest (failed); the newest never-verified one is kept on top.
    const decisions = applyRetention(series(times, (i) => (i === 0 ? false : null)), { keepMonthly: 1 });
    expect(kept(decisions)).toEqual([times[0], times[1]]);
    expect(decisions[1]?.reasons).toEqual(["monthly", "newest unverified"]);
    // Every backup failed: no rule keeps any; the newest stays for salvage, the older ones add nothing.
    expect(applyRetention(series(times, () => false), { keepLast: 2 }).map((d) => d.reasons)).toEqual([["failed, nothing newer verified"], [], [], []]);
  });

  it("protects the newest verified backup rather than a newer unverified one, which the rule keeps past a failed one", () => {
    const times = nightly(4);
    const decisions = applyRetention(series(times, (i) => (i === 0 ? false : i === 2 ? true : null)), { keepLast: 1 });
    expect(decisions.map((d) => d.reasons)).toEqual([["failed, nothing newer verified"], ["last"], ["newest verified"], []]);
  });

  it("removes nothing without rules", () => {
    expect(kept(applyRetention(series(nightly(4)), {}))).toEqual(nightly(4));
  });

  it("does not mutate or depend on input order", () => {
    const times = nightly(6);
    const shuffled = series([times[3]!, times[0]!, times[5]!, times[1]!, times[4]!, times[2]!]);
    expect(kept(applyRetention(shuffled, { keepLast: 2 }))).toEqual(times.slice(0, 2));
  });
});
