/**
 * Per-host lease locks on the fleet lock file (src/host/system/fleet-lock.ts): a lock left by a
 * dead run is reclaimed — at once when it was taken in this controller's pid scope (the same boot
 * and pid namespace, src/config/pid-scope.ts) and its holder pid is gone,
 * otherwise once its lease has expired — and a held lease is renewed by the run's heartbeat.
 * A live holder is refused at once, or waited for up to a limit (`--lock-timeout`). A lock file
 * that names no holder is never judged live or dead by its content: see `acquireOnce`.
 */
import { createLockFile, LOCK_FILE, lockText, parseLock, readLockFile, swapLockFile, type HostLockInfo } from "../host/system/fleet-lock.js";
import { samePidScope } from "../config/pid-scope.js";
import type { Connection } from "../transport/types.js";
import type { RunIdentity } from "./events.js";

export type PidAlive = (pid: number) => boolean;

export interface LockClock {
  now(): Date;
}

export type HolderAssessment = { reclaimable: true; reason: string } | { reclaimable: false; reason: string };

/** Whether a holder's lease may be taken over, and why (shown to the user either way). */
export function assessHolder(holder: HostLockInfo, me: RunIdentity, now: Date, pidAlive: PidAlive): HolderAssessment {
  if (samePidScope(holder.pidScope, me.pidScope) && !pidAlive(holder.pid)) {
    return { reclaimable: true, reason: `its run (pid ${holder.pid} on ${holder.machine}) is no longer running` };
  }
  const expires = Date.parse(holder.expiresAt);
  if (Number.isNaN(expires) || expires <= now.getTime()) {
    return { reclaimable: true, reason: `its lease expired at ${holder.expiresAt}` };
  }
  return { reclaimable: false, reason: `its lease is live until ${holder.expiresAt}` };
}

export function describeHolder(holder: HostLockInfo): string {
  return `run ${holder.runId} by ${holder.user}@${holder.machine} (pid ${holder.pid}), started ${holder.startedAt}, lease until ${holder.expiresAt}`;
}

/** A held lock: renewed by the run's heartbeat, released at the end. */
export interface HostLease {
  readonly info: HostLockInfo;
  /** The lock file's text while it is ours (what a release must still find). */
  readonly content: string;
  /** Extend the lease. False when the lock is no longer ours (someone reclaimed it). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
  /** The lock was removed in another round trip (with the host's last step): nothing is left to renew or release. */
  released(): void;
}

/** A lock taken over: its holder (null for an empty lock file, which names none) and why it was safe to. */
export type Reclaimed = { holder: HostLockInfo | null; reason: string };

export type AcquireResult =
  | { acquired: true; lease: HostLease; reclaimed: Reclaimed | null }
  /** `waitedMs`: how long a live holder was waited for before giving up (with LockOptions.wait). */
  | { acquired: false; holder: HostLockInfo | null; reason: string; waitedMs?: number };

/** Waiting for a live holder to let go, polling with backoff. */
export interface LockWait {
  /** Give up (and refuse, as without waiting) after this long. */
  timeoutMs: number;
  /** Sleep between polls; may end early, e.g. when the run is interrupted. */
  sleep(ms: number): Promise<void>;
  /** True once the run is stopping: waiting ends with the refusal. */
  stopped(): boolean;
  /** Called once, when a live holder is first found. */
  onWait?(holder: HostLockInfo): void;
}

export interface LockOptions {
  identity: RunIdentity;
  runId: string;
  ttlMs: number;
  clock: LockClock;
  pidAlive: PidAlive;
  /** Per lock round trip. */
  timeoutMs?: number;
  /** Wait for a live holder instead of refusing at once. */
  wait?: LockWait;
}

const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
/** Creating can race with a release or a reclaim between our attempts; a few rounds settle it. */
const MAX_ACQUIRE_ROUNDS = 4;
/** Polls for a held lock: after 1 s, then doubling up to every 15 s (one round trip each). */
const FIRST_POLL_MS = 1_000;
const MAX_POLL_MS = 15_000;

class Lease implements HostLease {
  content: string;
  private gone = false;

  constructor(
    private readonly connection: Connection,
    readonly info: HostLockInfo,
    private readonly options: LockOptions,
  ) {
    this.content = lockText(info);
  }

  get current(): HostLockInfo {
    return parseLock(this.content) as HostLockInfo;
  }

  async renew(): Promise<boolean> {
    if (this.gone) return true;
    const next = lockText({ ...this.current, expiresAt: new Date(this.options.clock.now().getTime() + this.options.ttlMs).toISOString() });
    const answer = await swapLockFile(this.connection, this.content, next, this.options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    if (answer === "swapped") this.content = next;
    // Busy: another operation holds the mutex for a moment; the lease stays ours until the next beat.
    return answer !== "changed";
  }

  /** Remove the lock if it is still ours; leaves the host as it was when the directory was ours alone. */
  async release(): Promise<void> {
    if (this.gone) return;
    await swapLockFile(this.connection, this.content, null, this.options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    this.gone = true;
  }

  released(): void {
    this.gone = true;
  }
}

/**
 * Renews a lease every third of its length, one renewal at a time (a slow round trip never
 * overlaps the next, whose expected bytes it would change). `onLost` hears of a lease another run
 * took over, `onError` of a renewal that failed (retried on the next beat). The returned stop
 * waits for a renewal in flight, so a release after it compares against the lock as it is.
 */
export function startLeaseHeartbeat(lease: HostLease, ttlMs: number, handlers: { onLost(): void; onError(error: unknown): void }): () => Promise<void> {
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(async () => {
      try {
        if (!(await lease.renew())) handlers.onLost();
      } catch (error) {
        handlers.onError(error);
      }
    });
  }, Math.max(1_000, Math.floor(ttlMs / 3)));
  timer.unref();
  return async () => {
    clearInterval(timer);
    await pending;
  };
}

/**
 * Runs `work` on a host while holding its lease: renewed by a heartbeat, released when the work
 * ends (whatever the outcome). A lease another run took over (ours had lapsed) aborts the work
 * through its signal, which also follows `signal`.
 */
export async function whileHolding<T>(lease: HostLease, ttlMs: number, work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const stop = new AbortController();
  const follow = () => stop.abort(signal?.reason);
  if (signal?.aborted) follow();
  else signal?.addEventListener("abort", follow, { once: true });
  const stopHeartbeat = startLeaseHeartbeat(lease, ttlMs, {
    onLost: () => stop.abort(new Error("the host lock was taken over by another run")),
    onError: () => undefined, // retried on the next beat; the lease lasts until then
  });
  try {
    return await work(stop.signal);
  } finally {
    signal?.removeEventListener("abort", follow);
    await stopHeartbeat();
    await lease.release().catch(() => undefined);
  }
}

/** The lock this run takes on a host now, for a round trip that creates it while it observes. */
export function lockFor(options: LockOptions): HostLockInfo {
  const now = options.clock.now();
  const { user, machine, pid, pidScope } = options.identity;
  return {
    runId: options.runId,
    user,
    machine,
    pid,
    startedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + options.ttlMs).toISOString(),
    ...(pidScope !== null ? { pidScope } : {}),
  };
}

/** The lease on a lock such a round trip created. */
export function leaseOn(connection: Connection, info: HostLockInfo, options: LockOptions): HostLease {
  return new Lease(connection, info, options);
}

/** Take the host's lock; with `options.wait`, a live holder is polled for until the wait's limit. */
export async function acquireHostLock(connection: Connection, options: LockOptions): Promise<AcquireResult> {
  const { wait } = options;
  const started = options.clock.now().getTime();
  for (let poll = FIRST_POLL_MS; ; poll = Math.min(poll * 2, MAX_POLL_MS)) {
    const result = await acquireOnce(connection, options);
    if (result.acquired || wait === undefined || result.holder === null) return result;
    const waitedMs = options.clock.now().getTime() - started;
    if (waitedMs >= wait.timeoutMs || wait.stopped()) return poll === FIRST_POLL_MS ? result : { ...result, waitedMs };
    if (poll === FIRST_POLL_MS) wait.onWait?.(result.holder);
    await wait.sleep(Math.min(poll, wait.timeoutMs - waitedMs));
    if (wait.stopped()) return { ...result, waitedMs: options.clock.now().getTime() - started };
  }
}

/**
 * One attempt at the lock. A lock file naming no holder is judged by what it can be:
 * - empty: no writer ever makes one (the text is complete before it is linked), but a power cut
 *   right after the link can leave one (ext4 may bring the new file back empty). It has no owner
 *   and no expiry, so it is reclaimed once the file is older than a lease — any run that made it
 *   has lost its lock by then (its heartbeat compares the text) — and refused before that;
 * - anything else unparseable: never reclaimed automatically (it may be a lock of another
 *   version, or someone's edit); the user is told to inspect it and `nemoclaw unlock --force` it.
 * Either way the swap is compare-and-swap on the exact bytes seen (docs/apply.md#locks).
 */
async function acquireOnce(connection: Connection, options: LockOptions): Promise<AcquireResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  let reclaimed: Reclaimed | null = null;
  for (let round = 0; round < MAX_ACQUIRE_ROUNDS; round += 1) {
    const now = options.clock.now();
    const mine = lockFor(options);
    const created = await createLockFile(connection, lockText(mine), timeoutMs, options.ttlMs);
    if (created.created) return { acquired: true, lease: new Lease(connection, mine, options), reclaimed };
    const current = created.current;
    if (!current.present) continue; // released between our link and our read
    let takeover: Reclaimed;
    if (current.text === "") {
      const lease = `${Math.ceil(options.ttlMs / 60_000)} min`;
      if (!current.aged) {
        return { acquired: false, holder: null, reason: `${LOCK_FILE} is empty (a crash while a run was taking the lock?); it is reclaimed once it is older than the lease (${lease}), or remove it with \`nemoclaw unlock --force\`` };
      }
      takeover = { holder: null, reason: `${LOCK_FILE} was empty and older than the lease (${lease})` };
    } else {
      const holder = parseLock(current.text);
      if (!holder) {
        return { acquired: false, holder: null, reason: `${LOCK_FILE} is not a valid lock (${JSON.stringify(current.text.slice(0, 120))}); inspect it and remove it with \`nemoclaw unlock --force\`` };
      }
      if (holder.runId === options.runId) {
        // Our own lock from an earlier round whose answer we lost.
        return { acquired: true, lease: new Lease(connection, holder, options), reclaimed };
      }
      const assessment = assessHolder(holder, options.identity, now, options.pidAlive);
      if (!assessment.reclaimable) return { acquired: false, holder, reason: assessment.reason };
      takeover = { holder, reason: assessment.reason };
    }
    const swapped = await swapLockFile(connection, current.text, lockText(mine), timeoutMs);
    if (swapped === "swapped") {
      return { acquired: true, lease: new Lease(connection, mine, options), reclaimed: takeover };
    }
    // Someone else changed the lock first (another reclaimer won, or it was released): look again.
    reclaimed = null;
  }
  throw new Error(`${connection.host}: the lock kept changing while acquiring it; try again`);
}

export type ReadLockResult = { present: false } | { present: true; holder: HostLockInfo | null; raw: string };

export async function readHostLock(connection: Connection, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): Promise<ReadLockResult> {
  const raw = await readLockFile(connection, timeoutMs);
  return raw === null ? { present: false } : { present: true, holder: parseLock(raw), raw };
}

/** Remove the lock only if it still reads `raw` (what the user was shown). */
export async function removeHostLock(connection: Connection, raw: string, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): Promise<boolean> {
  return (await swapLockFile(connection, raw, null, timeoutMs)) === "swapped";
}
