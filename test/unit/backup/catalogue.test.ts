import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backupFreshness, catalogueOf, duePolicies, readStores } from "../../../src/backup/catalogue.js";
import { BackupStores } from "../../../src/backup/destinations.js";
import { currentOwner, ownedName } from "../../../src/backup/owner.js";
import { executePrune, planPrune } from "../../../src/backup/prune.js";
import { formatSnapshotTimestamp } from "../../../src/host/nemoclaw/snapshots.js";
import type { DesiredFleet } from "../../../src/config/types.js";
import { desiredHost, fleet, policy } from "./fixtures.js";
import { manifestFor, tarStream, writeSnapshot } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "catalogue-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const noConnections = { get: async () => Promise.reject(new Error("no hosts in this test")) };

/** Write real backups into the policy's local store, one per creation time. */
async function seed(desired: DesiredFleet, policyName: string, host: string, sandbox: string, times: string[], verified: (i: number) => boolean | null = () => null) {
  const stores = new BackupStores(desired, noConnections);
  const target = desired.backupPolicies.find((p) => p.name === policyName)!;
  const store = await stores.open(target.destination);
  for (const [index, time] of times.entries()) {
    const timestamp = formatSnapshotTimestamp(new Date(time));
    writeSnapshot(join(dir, "home"), sandbox, timestamp);
    const { stream, done } = tarStream(join(dir, "home"), sandbox, timestamp);
    const record = await store.write({
      host,
      sandbox,
      timestamp,
      source: stream,
      sourceDone: done,
      verify: false,
      now: () => new Date(time),
      manifestFor: (archive) => manifestFor(host, sandbox, archive, { createdAt: time, policy: policyName }, timestamp),
    });
    const state = verified(index);
    if (state !== null) {
      const outcome = await store.verify(record, { now: () => new Date(time) });
      expect(outcome.problems).toEqual([]);
    }
  }
}

function nightly(days: number, end = Date.UTC(2026, 6, 31, 2)): string[] {
  return Array.from({ length: days }, (_, i) => new Date(end - i * 86_400_000).toISOString());
}

describe("due", () => {
  it("is due when a covered sandbox has no backup since the schedule last fired", async () => {
    const desired = fleet(
      [desiredHost("spark-01", [{ name: "alice" }, { name: "bob" }])],
      [policy("nightly", { schedule: "0 2 * * *", destination: { kind: "local", path: join(dir, "store") } }), policy("manual", { destination: { kind: "local", path: join(dir, "store") } })],
    );
    await seed(desired, "nightly", "spark-01", "alice", ["2026-07-10T02:00:30.000Z"]);
    const { contents } = await readStores(new BackupStores(desired, noConnections), desired.backupPolicies);
    const catalogue = catalogueOf(contents);
    expect(catalogue).toEqual({ nightly: { "spark-01": { alice: "2026-07-10T02:00:30.000Z" } } });

    const [due, manual] = duePolicies(desired, desired.backupPolicies, catalogue, new Date("2026-07-10T03:00:00Z"));
    expect(due).toMatchObject({ policy: "nightly", due: true, firedAt: "2026-07-10T02:00:00.000Z" });
    expect(due?.series).toEqual([
      { host: "spark-01", sandbox: "alice", latest: "2026-07-10T02:00:30.000Z", due: false },
      { host: "spark-01", sandbox: "bob", latest: null, due: true },
    ]);
    expect(manual).toMatchObject({ due: false, reason: "no schedule (run it by hand)" });
  });

  it("is not due once every series has a backup after the last fire time", () => {
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }])], [policy("nightly", { schedule: "0 2 * * *" })]);
    const catalogue = { nightly: { "spark-01": { alice: "2026-07-10T02:00:30.000Z" } } };
    expect(duePolicies(desired, desired.backupPolicies, catalogue, new Date("2026-07-11T01:59:00Z"))[0]?.due).toBe(false);
    expect(duePolicies(desired, desired.backupPolicies, catalogue, new Date("2026-07-11T02:00:00Z"))[0]?.due).toBe(true);
  });

  it("counts series found only in the store, and ignores backups that failed verification", () => {
    const desired = fleet([desiredHost("spark-01")], [policy("nightly", { schedule: "0 2 * * *" })]);
    const due = duePolicies(desired, desired.backupPolicies, { nightly: { "spark-01": { unmanaged: "2026-07-09T02:00:00.000Z" } } }, new Date("2026-07-10T03:00:00Z"));
    expect(due[0]?.series).toEqual([{ host: "spark-01", sandbox: "unmanaged", latest: "2026-07-09T02:00:00.000Z", due: true }]);
    expect(duePolicies(desired, desired.backupPolicies, {}, new Date("2026-07-10T03:00:00Z"))[0]).toMatchObject({ due: false, series: [] });
  });
});

describe("freshness", () => {
  it("judges each series against its policy: fresh, unverified, failed, overdue, never", async () => {
    const store = { kind: "local" as const, path: join(dir, "store") };
    const desired = fleet(
      [desiredHost("spark-01", [{ name: "fresh" }, { name: "unverified" }, { name: "failed" }, { name: "overdue" }, { name: "never" }])],
      [policy("nightly", { schedule: "0 2 * * 1-5", destination: store })],
    );
    const lastNight = "2026-07-10T02:00:30.000Z";
    await seed(desired, "nightly", "spark-01", "fresh", ["2026-07-09T02:00:30.000Z", lastNight], () => true);
    await seed(desired, "nightly", "spark-01", "unverified", ["2026-07-09T02:00:30.000Z", lastNight], (i) => (i === 0 ? true : null));
    await seed(desired, "nightly", "spark-01", "failed", [lastNight], () => true);
    await seed(desired, "nightly", "spark-01", "overdue", ["2026-07-09T02:00:30.000Z"], () => true);
    const stores = new BackupStores(desired, noConnections);
    const { contents } = await readStores(stores, desired.backupPolicies);
    // The newest backup of "failed" is damaged after it was verified; verify records the failure.
    const failed = contents[0]!.records.find((record) => record.sandbox === "failed")!;
    writeFileSync(join(dir, "store", failed.id, "backup.tar"), "damaged");
    await (await stores.storeOf(failed)).verify(failed, { now: () => new Date("2026-07-10T04:00:00Z") });

    const after = (await readStores(stores, desired.backupPolicies)).contents;
    const [nightlyFreshness] = backupFreshness(desired, desired.backupPolicies, after, new Date("2026-07-10T05:00:00Z"));
    expect(nightlyFreshness).toMatchObject({ policy: "nightly", firedAt: "2026-07-10T02:00:00.000Z", intervalSeconds: 3 * 86_400, stores: [{ store: join(dir, "store"), error: null }] });
    expect(Object.fromEntries(nightlyFreshness!.series.map((entry) => [entry.sandbox, entry.state]))).toEqual({
      failed: "failed",
      fresh: "fresh",
      never: "never",
      overdue: "overdue",
      unverified: "unverified",
    });
    const unverified = nightlyFreshness!.series.find((entry) => entry.sandbox === "unverified")!;
    expect(unverified).toMatchObject({ latestVerified: "2026-07-09T02:00:30.000Z", newest: { createdAt: lastNight, verified: null } });
  });

  it("leaves a policy without a schedule fresh once verified, and every series unknown when its store cannot be read", () => {
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }])], [policy("manual")]);
    const [manual] = backupFreshness(desired, desired.backupPolicies, [{ store: "/gone", policies: ["manual"], records: [], invalid: [], leftovers: [], error: "ENOENT" }], new Date("2026-07-10T05:00:00Z"));
    expect(manual).toMatchObject({ schedule: null, firedAt: null, intervalSeconds: null, stores: [{ store: "/gone", error: "ENOENT" }], series: [{ sandbox: "alice", state: "unknown" }] });
  });
});

describe("prune", () => {
  it("deletes exactly what its plan previews, per policy and series, keeping the newest verified", async () => {
    const store = { kind: "local" as const, path: join(dir, "store") };
    const desired = fleet(
      [desiredHost("spark-01")],
      [policy("nightly", { destination: store }, { keepLast: 2 }), policy("monthly", { destination: store }, { keepMonthly: 12 })],
    );
    const times = nightly(5);
    // Only the fourth newest is verified: it must survive keepLast 2.
    await seed(desired, "nightly", "spark-01", "alice", times, (i) => (i === 3 ? true : null));
    await seed(desired, "nightly", "spark-01", "bob", times.slice(0, 3));
    await seed(desired, "monthly", "spark-01", "alice", ["2026-05-01T00:00:00.000Z", "2026-06-01T00:00:00.000Z"]);

    const stores = new BackupStores(desired, noConnections);
    const { contents } = await readStores(stores, desired.backupPolicies);
    const plan = planPrune(contents, desired.backupPolicies);
    const ids = (records: { id: string; manifest: { policy: string } }[]) => records.map((r) => `${r.manifest.policy}:${r.id}`);
    const ts = (time: string) => formatSnapshotTimestamp(new Date(time));
    expect(ids(plan.remove)).toEqual([
      `nightly:spark-01/alice/${ts(times[2]!)}`,
      `nightly:spark-01/alice/${ts(times[4]!)}`,
      `nightly:spark-01/bob/${ts(times[2]!)}`,
    ]);
    const kept = plan.series.find((s) => s.policy === "nightly" && s.sandbox === "alice")!.decisions.filter((d) => d.keep);
    expect(kept.map((d) => d.reasons)).toEqual([["last"], ["last"], ["newest verified"]]);

    const result = await executePrune(plan, { storeOf: (record) => stores.storeOf(record), labelled: () => undefined });
    expect(ids(result.removed)).toEqual(ids(plan.remove));
    expect(result.failed).toEqual([]);

    const after = await readStores(new BackupStores(desired, noConnections), desired.backupPolicies);
    const remaining = after.contents.flatMap((c) => c.records);
    expect(remaining).toHaveLength(5 + 3 + 2 - 3);
    expect(planPrune(after.contents, desired.backupPolicies).remove).toEqual([]);
  });

  it("removes the leftovers of killed runs in the series it selects, and says what they took", async () => {
    const store = join(dir, "store");
    const desired = fleet([desiredHost("spark-01"), desiredHost("spark-02")], [policy("forever", { destination: { kind: "local", path: store } })]);
    await seed(desired, "forever", "spark-01", "alice", nightly(1));
    const named = (pid: number) => `.partial-${ownedName({ ...currentOwner(), pid })}`;
    const deadName = named(999999);
    const mine = join(store, "spark-01", "alice", deadName);
    const other = join(store, "spark-02", "bob", named(999998));
    const running = join(store, "spark-01", "alice", named(4242));
    for (const [path, bytes] of [[mine, 4096], [other, 10], [running, 20]] as const) {
      mkdirSync(path, { recursive: true });
      writeFileSync(join(path, "backup.tar"), "x".repeat(bytes));
    }
    const liveness = { now: () => new Date(), isAlive: (pid: number) => pid === 4242 };
    const stores = new BackupStores(desired, noConnections);
    const read = await readStores(stores, desired.backupPolicies, { hosts: ["spark-01"] }, liveness);
    const plan = planPrune(read.contents, desired.backupPolicies);
    expect(plan.remove).toEqual([]);
    expect(plan.leftovers).toEqual([{ store, leftover: { location: mine, path: `spark-01/alice/${deadName}`, sizeBytes: 4096 } }]);
    const result = await executePrune(plan, { storeOf: (record) => stores.storeOf(record), labelled: (label) => read.stores.get(label) });
    expect(result.leftoversRemoved.map((leftover) => leftover.location)).toEqual([mine]);
    expect(result.leftoversFailed).toEqual([]);
    expect([existsSync(mine), existsSync(other), existsSync(running)]).toEqual([false, true, true]);
    // Without a way to tell a writer is gone (due, report), nothing is judged a leftover.
    expect((await readStores(stores, desired.backupPolicies)).contents.flatMap((contents) => contents.leftovers)).toEqual([]);
  });

  it("counts a write check left at a store's root only when no host or sandbox narrows the read", async () => {
    const store = join(dir, "store");
    const desired = fleet([desiredHost("spark-01")], [policy("forever", { destination: { kind: "local", path: store } })]);
    await seed(desired, "forever", "spark-01", "alice", nightly(1));
    const probe = `.partial-${ownedName({ ...currentOwner(), pid: 999999 })}`;
    mkdirSync(join(store, probe));
    const liveness = { now: () => new Date(), isAlive: () => false };
    const stores = new BackupStores(desired, noConnections);
    const leftovers = async (filter: Parameters<typeof readStores>[2]) =>
      (await readStores(stores, desired.backupPolicies, filter, liveness)).contents.flatMap((contents) => contents.leftovers.map((leftover) => leftover.path));
    expect(await leftovers({})).toEqual([probe]);
    expect(await leftovers({ sandboxes: ["*"] })).toEqual([]);
    expect(await leftovers({ hosts: ["spark-01"] })).toEqual([]);
  });

  it("leaves policies without retention rules alone", async () => {
    const desired = fleet([desiredHost("spark-01")], [policy("forever", { destination: { kind: "local", path: join(dir, "store") } })]);
    await seed(desired, "forever", "spark-01", "alice", nightly(3));
    const { contents } = await readStores(new BackupStores(desired, noConnections), desired.backupPolicies);
    const plan = planPrune(contents, desired.backupPolicies);
    expect(plan.remove).toEqual([]);
    expect(plan.skipped).toEqual([{ policy: "forever", reason: "no retention rules: every backup is kept" }]);
  });
});
