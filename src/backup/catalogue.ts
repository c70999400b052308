/**
 * What the stores hold, seen through the fleet file: listing (with filters), the latest backup per
 * policy/host/sandbox (the planner's and `backup due`'s input), and which policies are due by their
 * cron schedule.
 */
import { longestInterval, parseCron, previousFireTime } from "../config/cron.js";
import { globToRegExp, policyCovers } from "../config/selectors.js";
import type { DesiredBackupPolicy, DesiredFleet } from "../config/types.js";
import type { BackupCatalogue } from "../plan/types.js";
import { BackupStores, type HostConnections } from "./destinations.js";
import type { BackupRecord } from "./record.js";
import type { BackupStore, InvalidEntry, Leftover, Liveness } from "./store.js";
import { byCodeUnits } from "../config/order.js";

export interface RecordFilter {
  hosts?: string[];
  /** Sandbox names or globs. */
  sandboxes?: string[];
  policies?: string[];
}

export interface StoreContents {
  /** Store label (`/srv/backups`, `backup-01:/srv/backups`). */
  store: string;
  policies: string[];
  records: BackupRecord[];
  invalid: InvalidEntry[];
  /**
   * Partial entries killed runs left (src/backup/store.ts `leftovers`), in the series the filter
   * selects; judged only when readStores is given a Liveness, otherwise none.
   */
  leftovers: Leftover[];
  /** Set when the store could not be read at all. */
  error?: string;
}

export function matchesFilter(record: BackupRecord, filter: RecordFilter): boolean {
  return inFilteredSeries(record.host, record.sandbox, filter) && (!filter.policies || filter.policies.includes(record.policy));
}

function inFilteredSeries(host: string, sandbox: string, filter: RecordFilter): boolean {
  if (filter.hosts && !filter.hosts.includes(host)) return false;
  return !filter.sandboxes || filter.sandboxes.some((glob) => globToRegExp(glob).test(sandbox));
}

/** Read every destination of these policies once (stores shared by policies are read once). */
export async function readStores(
  stores: BackupStores,
  policies: readonly DesiredBackupPolicy[],
  filter: RecordFilter = {},
  liveness?: Liveness,
): Promise<{ contents: StoreContents[]; stores: Map<string, BackupStore> }> {
  const opened = new Map<string, BackupStore>();
  const contents: StoreContents[] = [];
  for (const { destination, policies: writers } of stores.destinationsOf(policies)) {
    const names = writers.map((policy) => policy.name);
    try {
      const store = await stores.open(destination);
      opened.set(store.label, store);
      const listing = await store.list();
      // A partial entry (`host/sandbox/…`) has no policy: only its series is filtered. A write
      // check's at the store's root belongs to no series: only a read that names none counts it.
      const partials = listing.partials.filter((partial) => {
        const [host, sandbox] = partial.path.split("/");
        return sandbox === undefined ? !filter.hosts && !filter.sandboxes : inFilteredSeries(host!, sandbox, filter);
      });
      contents.push({
        store: store.label,
        policies: names,
        records: listing.records.filter((record) => matchesFilter(record, filter)),
        invalid: listing.invalid,
        leftovers: liveness ? store.leftovers(partials, liveness) : [],
      });
    } catch (error) {
      const label = destination.kind === "local" ? destination.path : `${destination.host}:${destination.path}`;
      contents.push({ store: label, policies: names, records: [], invalid: [], leftovers: [], error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { contents, stores: opened };
}

function createdAt(record: BackupRecord): number {
  return Date.parse(record.manifest.createdAt);
}

/**
 * The newest usable backup per policy → host → sandbox (ISO time). A backup whose verification
 * failed does not count: it is not a backup anyone could restore.
 */
export function catalogueOf(contents: readonly StoreContents[]): BackupCatalogue {
  const catalogue: BackupCatalogue = {};
  for (const { records, policies } of contents) {
    for (const record of records) {
      if (record.verified === false || !policies.includes(record.policy)) continue;
      const byHost = (catalogue[record.policy] ??= {});
      const bySandbox = (byHost[record.host] ??= {});
      const current = bySandbox[record.sandbox];
      if (current === undefined || Date.parse(current) < createdAt(record)) bySandbox[record.sandbox] = record.manifest.createdAt;
    }
  }
  return catalogue;
}

/** The latest backup per policy/host/sandbox across every destination of the fleet's policies. */
export async function readCatalogue(fleet: DesiredFleet, deps: { pool: HostConnections; stores?: BackupStores }): Promise<BackupCatalogue> {
  const stores = deps.stores ?? new BackupStores(fleet, deps.pool);
  const { contents } = await readStores(stores, fleet.backupPolicies);
  const unreadable = contents.filter((entry) => entry.error !== undefined);
  if (unreadable.length > 0) throw new Error(`backup store unreadable: ${unreadable.map((entry) => `${entry.store}: ${entry.error}`).join("; ")}`);
  return catalogueOf(contents);
}

/**
 * Scheduled backups are planned only from a readable catalogue: an unreadable store costs a plan
 * its "backups due" steps (with a warning), never the rest of it. Undefined when nothing is scheduled.
 */
export async function catalogueIfScheduled(fleet: DesiredFleet, read: () => Promise<BackupCatalogue>, warn: (text: string) => void): Promise<BackupCatalogue | undefined> {
  if (!fleet.backupPolicies.some((policy) => policy.schedule !== undefined)) return undefined;
  try {
    return await read();
  } catch (error) {
    warn(`warning: no backups are planned as due: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  }
}

export interface SeriesDue {
  host: string;
  sandbox: string;
  /** Latest usable backup (ISO), or null when there is none. */
  latest: string | null;
  due: boolean;
}

export interface PolicyDue {
  policy: string;
  schedule: string | null;
  /** The most recent time the schedule fired (ISO), or null. */
  firedAt: string | null;
  due: boolean;
  reason: string;
  series: SeriesDue[];
}

/**
 * Which policies are due: a policy is due when one of its series (a sandbox the fleet file puts on
 * a covered host, or one the store already holds backups of for it) has no usable backup since
 * the schedule last fired. Live sandboxes the file does not declare are only known once a run has
 * backed them up, so a policy with no series at all is not due until it has been run once.
 */
export function duePolicies(fleet: DesiredFleet, policies: readonly DesiredBackupPolicy[], catalogue: BackupCatalogue, now: Date): PolicyDue[] {
  return policies.map((policy): PolicyDue => {
    const base = { policy: policy.name, schedule: policy.schedule ?? null };
    if (!policy.schedule) return { ...base, firedAt: null, due: false, reason: "no schedule (run it by hand)", series: [] };
    const parsed = parseCron(policy.schedule);
    if (!parsed.ok) return { ...base, firedAt: null, due: false, reason: `invalid schedule: ${parsed.message}`, series: [] };
    const fired = previousFireTime(parsed.schedule, now);
    const byHost = catalogue[policy.name] ?? {};
    const series = seriesOf(fleet, policy, Object.entries(byHost).flatMap(([host, bySandbox]) => Object.keys(bySandbox).map((sandbox) => ({ host, sandbox })))).map(
      ({ host, sandbox }): SeriesDue => {
        const latest = byHost[host]?.[sandbox] ?? null;
        return { host, sandbox, latest, due: isDue(latest, fired) };
      },
    );
    const dueCount = series.filter((entry) => entry.due).length;
    const firedAt = fired?.toISOString() ?? null;
    if (series.length === 0) return { ...base, firedAt, due: false, reason: "no sandboxes known yet; run `nemoclaw backup run --policy " + policy.name + "` once", series };
    const reason = dueCount === 0 ? `every backup is newer than the last scheduled time ${firedAt ?? "(never)"}` : `${dueCount} of ${series.length} sandbox(es) have no backup since ${firedAt}`;
    return { ...base, firedAt, due: dueCount > 0, reason, series };
  });
}

/**
 * A policy's series, sorted: every sandbox the fleet file puts on a host the policy covers, and
 * every one the store already holds backups of for it.
 */
function seriesOf(fleet: DesiredFleet, policy: DesiredBackupPolicy, stored: Iterable<{ host: string; sandbox: string }>): { host: string; sandbox: string }[] {
  const keys = new Map<string, { host: string; sandbox: string }>();
  for (const host of fleet.hosts) {
    for (const sandbox of host.sandboxes) {
      if (policyCovers(policy, host, sandbox.name)) keys.set(`${host.name}/${sandbox.name}`, { host: host.name, sandbox: sandbox.name });
    }
  }
  for (const { host, sandbox } of stored) keys.set(`${host}/${sandbox}`, { host, sandbox });
  return [...keys.values()].sort((a, b) => byCodeUnits(a.host, b.host) || byCodeUnits(a.sandbox, b.sandbox));
}

/** A series is due when the schedule fired and it has no usable backup since. */
function isDue(latest: string | null, fired: Date | null): boolean {
  return fired !== null && (latest === null || Date.parse(latest) < fired.getTime());
}

/**
 * How a series stands against its policy, worst first: `never` backed up; its newest backup
 * `failed` verification; `overdue` (no usable backup since the schedule last fired, as `backup
 * due` says); the backup that covers the schedule is `unverified`; `fresh` (a verified backup
 * newer than the schedule's last fire — for a policy without a schedule, a verified backup);
 * `unknown` when a store of the policy could not be read.
 */
export type FreshnessState = "fresh" | "unverified" | "failed" | "overdue" | "never" | "unknown";

export const FRESHNESS_STATES: readonly FreshnessState[] = ["fresh", "unverified", "failed", "overdue", "never", "unknown"];

export interface SeriesFreshness {
  host: string;
  sandbox: string;
  /** Creation time (ISO) of the newest backup that passed verification, or null. */
  latestVerified: string | null;
  /** The newest backup in the store, and its last verification (null: never verified). */
  newest: { createdAt: string; verified: boolean | null } | null;
  state: FreshnessState;
}

export interface PolicyFreshness {
  policy: string;
  schedule: string | null;
  /** When the schedule last fired (ISO), or null. */
  firedAt: string | null;
  /** The longest time between two fires of the schedule, in seconds (src/config/cron.ts), or null. */
  intervalSeconds: number | null;
  /** The stores the policy writes to, and why one could not be read (its series are then unknown). */
  stores: { store: string; error: string | null }[];
  series: SeriesFreshness[];
}

/** Each policy's backups against its schedule: what `nemoclaw report` and the metrics files show. */
export function backupFreshness(fleet: DesiredFleet, policies: readonly DesiredBackupPolicy[], contents: readonly StoreContents[], now: Date): PolicyFreshness[] {
  return policies.map((policy): PolicyFreshness => {
    const parsed = policy.schedule ? parseCron(policy.schedule) : null;
    const schedule = parsed?.ok ? parsed.schedule : null;
    const fired = schedule ? previousFireTime(schedule, now) : null;
    const interval = schedule ? longestInterval(schedule, now) : null;
    const stored = contents.filter((store) => store.policies.includes(policy.name));
    const records = stored.flatMap((store) => store.records.filter((record) => record.policy === policy.name));
    return {
      policy: policy.name,
      schedule: policy.schedule ?? null,
      firedAt: fired?.toISOString() ?? null,
      intervalSeconds: interval === null ? null : interval / 1000,
      stores: stored.map((store) => ({ store: store.store, error: store.error ?? null })),
      series: seriesOf(fleet, policy, records).map(({ host, sandbox }) => {
        const freshness = seriesFreshness(host, sandbox, records, fired);
        return stored.some((store) => store.error !== undefined) ? { ...freshness, state: "unknown" } : freshness;
      }),
    };
  });
}

function seriesFreshness(host: string, sandbox: string, records: readonly BackupRecord[], fired: Date | null): SeriesFreshness {
  const mine = records.filter((record) => record.host === host && record.sandbox === sandbox).sort((a, b) => createdAt(b) - createdAt(a));
  const newest = mine[0];
  const latestVerified = mine.find((record) => record.verified === true)?.manifest.createdAt ?? null;
  const latestUsable = mine.find((record) => record.verified !== false)?.manifest.createdAt ?? null;
  const base = { host, sandbox, latestVerified, newest: newest ? { createdAt: newest.manifest.createdAt, verified: newest.verified } : null };
  if (!newest) return { ...base, state: "never" };
  if (newest.verified === false) return { ...base, state: "failed" };
  if (isDue(latestUsable, fired)) return { ...base, state: "overdue" };
  if (latestVerified === null || isDue(latestVerified, fired)) return { ...base, state: "unverified" };
  return { ...base, state: "fresh" };
}
