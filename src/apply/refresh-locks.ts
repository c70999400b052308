/**
 * Host locks taken in the plan's own observation (as Terraform holds its state lock from refresh
 * to apply): `apply fleet.yaml` observes each host in the round trip that creates its lock, so a
 * host with changes is neither observed again nor locked again before its first step — nothing
 * can change between the observation the plan was made from and the change, and one probe per
 * host is saved. Leases are renewed here until the host's run takes them over; whatever is not
 * taken (hosts with nothing to do, a refused confirmation, later waves that never start) is
 * released at the end of the session. A host the plan will have nothing to do on is unlocked as
 * soon as it is observed, in the observation's own session (the probe waits for the answer), while
 * the other hosts are still being observed.
 */
import type { DesiredHost } from "../config/types.js";
import { lockText } from "../host/system/fleet-lock.js";
import type { ObservedHost } from "../observe/types.js";
import type { Connection } from "../transport/types.js";
import { type HostLease, leaseOn, type LockOptions, lockFor } from "./lock.js";
import { lockUnconfirmed, type RunAndObserve } from "./round-trip.js";

export interface RefreshLock {
  lease: HostLease;
  /** The observation made in the round trip that created the lock. */
  observed: ObservedHost;
}

interface HeldLock extends RefreshLock {
  /** When the lease was last known to be ours (created or renewed), ms. */
  confirmedAt: number;
  /** A renewal found another run's lock in its place. */
  lost?: boolean;
}

export class RefreshLocks {
  private readonly held = new Map<string, HeldLock>();
  /** Locks whose creation did not report: released at the end, never handed to a host's run. */
  private readonly unconfirmed: HostLease[] = [];
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> = Promise.resolve();
  /** Observations under way: the end of the session waits for them, so none locks a host after it. */
  private readonly observing = new Set<Promise<unknown>>();
  /** The lease each observation under way creates, to give back if the session cannot wait for it. */
  private readonly inFlight = new Map<Promise<unknown>, HostLease>();
  /** Set by `releaseRest`: a lock created after it is given back at once. */
  private closed = false;

  /**
   * @param nothingToDo  whether the plan has no step for the host, judged from its observation
   *   alone; a host it is unsure of (false, or a rejection) keeps its lock until the plan is made.
   */
  constructor(
    private readonly options: LockOptions,
    private readonly runAndObserve: RunAndObserve,
    private readonly nothingToDo: (observed: ObservedHost) => Promise<boolean> = async () => false,
  ) {}

  /**
   * Observe a host while creating its lock. A lock another run holds (or one that did not
   * report) is left alone: that host's run takes the lock the long way, and observes again.
   */
  readonly observeHost = (host: DesiredHost, connection: Connection): Promise<ObservedHost> => {
    const mine = lockFor(this.options);
    const work = this.observeLocking(host, connection, mine);
    this.observing.add(work);
    this.inFlight.set(work, leaseOn(connection, mine, this.options));
    return work.finally(() => {
      this.observing.delete(work);
      this.inFlight.delete(work);
    });
  };

  /**
   * The session is ending before some observations answered (an interrupted plan whose wait ran
   * out): give their locks back in a session of their own. The lock is the first thing the
   * observation's script does, and a release removes it only while it still reads what this run
   * wrote, so nothing another run holds is touched.
   */
  async releaseInFlight(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.inFlight.values()].map((lease) => lease.release().catch(() => undefined)));
  }

  private async observeLocking(host: DesiredHost, connection: Connection, mine: ReturnType<typeof lockFor>): Promise<ObservedHost> {
    // Asked in the observation's own session, so a host with nothing to do is unlocked without another one.
    let giveBack: boolean | undefined;
    const releaseLockIf = async (observed: ObservedHost): Promise<boolean> => {
      giveBack = this.closed || (await this.nothingToDo(observed).catch(() => false));
      return giveBack;
    };
    const trip = await this.runAndObserve(host, connection, { commands: [], secrets: new Map(), createLock: lockText(mine), releaseLockIf, timeoutMs: 0 });
    // Released in that session ("changed": it is not this run's lock any more).
    if (trip.lockReleased === "swapped" || trip.lockReleased === "changed") return trip.observed;
    if (this.closed) {
      // The session ended (Ctrl-C) while this host was being observed: its lock goes straight back.
      if (trip.lockCreated?.created !== false) await leaseOn(connection, mine, this.options).release().catch(() => undefined);
      return trip.observed;
    }
    if (trip.lockCreated?.created) {
      this.held.set(host.name, { lease: leaseOn(connection, mine, this.options), observed: trip.observed, confirmedAt: this.now() });
      this.startHeartbeat();
      // Not released in the session (no answer in time, or the release did not report): released now.
      if (giveBack ?? (await this.nothingToDo(trip.observed).catch(() => false))) await this.release([host.name]);
    } else if (lockUnconfirmed(trip)) {
      // The script was sent but the answer was lost: the lock may have been created all the same.
      // Release it at the end (a release removes it only while it still reads what this run wrote).
      this.unconfirmed.push(leaseOn(connection, mine, this.options));
    }
    return trip.observed;
  }

  /**
   * The host's lock and observation, now the host's run's to renew and release; undefined when
   * none was taken or another run took it over meanwhile. Waits for a renewal under way, so that
   * the lease is never renewed from two places at once.
   */
  async take(host: string): Promise<RefreshLock | undefined> {
    // Out of the heartbeat's hands first, then wait for a beat that may already be renewing it.
    const lock = this.held.get(host);
    this.held.delete(host);
    await this.beating;
    if (lock === undefined || lock.lost) return undefined;
    // A live lease is nobody else's to take. One not confirmed for half its length may have run
    // out while the plan waited (a sleeping laptop, a dropped network) and another run taken the
    // host: it is renewed first, and handed over only if it is still ours.
    if (this.now() - lock.confirmedAt < this.options.ttlMs / 2) return { lease: lock.lease, observed: lock.observed };
    const ours = await lock.lease.renew().catch(() => false);
    return ours ? { lease: lock.lease, observed: lock.observed } : undefined;
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }

  /** Release at once the locks of hosts the plan has nothing to do on. */
  async releaseUnless(hasWork: (host: string) => boolean): Promise<void> {
    await this.release([...this.held.keys()].filter((host) => !hasWork(host)));
  }

  /** Release every lock no host run took, after the observations still under way. */
  async releaseRest(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.observing]);
    const unconfirmed = this.unconfirmed.splice(0);
    await Promise.all([this.release([...this.held.keys()]), ...unconfirmed.map((lease) => lease.release().catch(() => undefined))]);
  }

  /** A release that fails leaves the lock to its lease's expiry (and to this machine's dead-run reclaim). */
  private async release(hosts: string[]): Promise<void> {
    const locks = hosts.flatMap((host) => {
      const lock = this.held.get(host);
      this.held.delete(host);
      return lock ? [lock] : [];
    });
    await this.beating;
    await Promise.all(locks.map((lock) => lock.lease.release().catch(() => undefined)));
  }

  /** Renew the held leases every third of their length, as a host run does for its own. */
  private startHeartbeat(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // The locks held when the beat fires: one taken meanwhile is handed over only after this beat.
      const locks = [...this.held];
      this.beating = this.beating.then(() => Promise.all(locks.map(([host, lock]) => this.renew(host, lock))).then(() => undefined));
    }, Math.max(1_000, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  /**
   * A lease another run took over is forgotten: the host's run then goes the long way and finds
   * the holder. A renewal that does not answer is tried again at the next beat (and once more
   * when the host's run takes the lease).
   */
  private async renew(host: string, lock: HeldLock): Promise<void> {
    const renewedAt = this.now();
    const ours = await lock.lease.renew().catch(() => null);
    if (ours === false) {
      lock.lost = true;
      this.held.delete(host);
    } else if (ours === true) lock.confirmedAt = renewedAt;
  }
}
