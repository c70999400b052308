/**
 * Per-host lease locks, kept ON the host in `~/.nemoclaw-fleet/lock.json` so every controller
 * that could touch the host sees the same lock:
 *
 * - create: the lease is written to a temporary file and hard-linked to `lock.json`; `ln` fails
 *   when the name exists, so exactly one creator wins (noclobber semantics, no partial file);
 * - renew, release and reclaim change an existing lock only while holding a small mutex
 *   (`mkdir lock.mutex`, atomic) and only if the lock still has the exact content the caller
 *   expects — a compare-and-swap, so two reclaimers can never both win and a heartbeat can never
 *   overwrite a lock someone else took over;
 * - a lock left by a dead run is reclaimed: at once when it was taken on this machine and its
 *   holder pid is gone, otherwise once its lease has expired.
 *
 * Each operation is one shell script, one round trip.
 */

import type { HostLockInfo } from "../observe/types.js";
import { quote } from "../transport/shell.js";
import type { Connection } from "../transport/types.js";
import type { RunIdentity } from "./events.js";

export const LOCK_DIR = ".nemoclaw-fleet";
export const LOCK_FILE = `${LOCK_DIR}/lock.json`;

export type PidAlive = (pid: number) => boolean;

/** Liveness of a pid on this machine: signal 0 probes without delivering anything. */
export function localPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface LockClock {
  now(): Date;
}

export type HolderAssessment = { reclaimable: true; reason: string } | { reclaimable: false; reason: string };

/** Whether a holder's lease may be taken over, and why (shown to the user either way). */
export function assessHolder(holder: HostLockInfo, me: RunIdentity, now: Date, pidAlive: PidAlive): HolderAssessment {
  if (holder.machine === me.machine && !pidAlive(holder.pid)) {
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

/** The lock file's content: one line of JSON, fields in a fixed order so content comparison is exact. */
export function serializeLock(info: HostLockInfo): string {
  const { runId, user, machine, pid, startedAt, expiresAt } = info;
  return JSON.stringify({ runId, user, machine, pid, startedAt, expiresAt });
}

export function parseLock(text: string): HostLockInfo | null {
  try {
    const value = JSON.parse(text) as Partial<HostLockInfo>;
    const strings = [value.runId, value.user, value.machine, value.startedAt, value.expiresAt];
    if (strings.some((field) => typeof field !== "string") || typeof value.pid !== "number") return null;
    return value as HostLockInfo;
  } catch {
    return null;
  }
}

/** Shell prologue: paths, umask, and the mutex that guards changes to an existing lock. */
const PROLOGUE = `set -u
umask 077
dir="$HOME/${LOCK_DIR}"
lock="$dir/lock.json"
mutex="$dir/lock.mutex"
take_mutex() {
  n=0
  while ! mkdir "$mutex" 2>/dev/null; do
    # A mutex is held for milliseconds; one older than a minute belongs to a killed script.
    if [ -n "$(find "$mutex" -maxdepth 0 -mmin +1 2>/dev/null)" ]; then rmdir "$mutex" 2>/dev/null; continue; fi
    n=$((n + 1))
    [ "$n" -gt 50 ] && return 1
    sleep 0.2 2>/dev/null || sleep 1
  done
  trap 'rmdir "$mutex" 2>/dev/null' EXIT
}
current() { cat "$lock" 2>/dev/null; }
`;

/** Create the lock if no lock exists; print ACQUIRED, or HELD and the holder's lock. */
function createScript(content: string): string {
  return `${PROLOGUE}
mkdir -p "$dir" || exit 3
tmp="$dir/.lock.$$.tmp"
printf '%s\\n' ${quote(content)} > "$tmp" || exit 3
if ln "$tmp" "$lock" 2>/dev/null; then rm -f "$tmp"; echo ACQUIRED; exit 0; fi
rm -f "$tmp"
echo HELD
current
`;
}

/**
 * Compare-and-swap on an existing lock: if it still reads exactly `expected`, replace it with
 * `replacement` (or remove it when replacement is null). Prints SWAPPED, or CHANGED and what the lock is now.
 */
function swapScript(expected: string, replacement: string | null): string {
  const write =
    replacement === null
      ? `rm -f "$lock"
rmdir "$mutex" 2>/dev/null
trap - EXIT
rmdir "$dir" 2>/dev/null
echo SWAPPED`
      : `tmp="$dir/.lock.$$.tmp"
printf '%s\\n' ${quote(replacement)} > "$tmp" || exit 3
mv -f "$tmp" "$lock" || exit 3
echo SWAPPED`;
  return `${PROLOGUE}
[ -d "$dir" ] || { echo CHANGED; exit 0; }
take_mutex || { echo BUSY; exit 0; }
if [ "$(current)" != ${quote(expected)} ]; then echo CHANGED; current; exit 0; fi
${write}
`;
}

const READ_SCRIPT = `${PROLOGUE}
if [ -f "$lock" ]; then echo PRESENT; current; else echo ABSENT; fi
`;

interface ScriptAnswer {
  status: string;
  rest: string;
}

async function runScript(connection: Connection, script: string, timeoutMs: number): Promise<ScriptAnswer> {
  const result = await connection.run({ script }, { timeoutMs });
  const stdout = result.stdout.toString("utf8");
  if (result.exitCode !== 0) {
    const detail = (result.stderr.toString("utf8").trim() || stdout.trim()).split("\n").slice(-1)[0] ?? "";
    throw new Error(`${connection.host}: lock operation failed (exit ${result.exitCode ?? result.signal}): ${detail}`);
  }
  const newline = stdout.indexOf("\n");
  const status = (newline === -1 ? stdout : stdout.slice(0, newline)).trim();
  return { status, rest: newline === -1 ? "" : stdout.slice(newline + 1).trim() };
}

/** A held lock: renewed by the run's heartbeat, released at the end. */
export interface HostLease {
  readonly info: HostLockInfo;
  /** Extend the lease. False when the lock is no longer ours (someone reclaimed it). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export type AcquireResult =
  | { acquired: true; lease: HostLease; reclaimed: { holder: HostLockInfo; reason: string } | null }
  | { acquired: false; holder: HostLockInfo | null; reason: string };

export interface LockOptions {
  identity: RunIdentity;
  runId: string;
  ttlMs: number;
  clock: LockClock;
  pidAlive: PidAlive;
  /** Per lock round trip. */
  timeoutMs?: number;
}

const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
/** Creating can race with a release or a reclaim between our attempts; a few rounds settle it. */
const MAX_ACQUIRE_ROUNDS = 4;

class Lease implements HostLease {
  private content: string;

  constructor(
    private readonly connection: Connection,
    readonly info: HostLockInfo,
    private readonly options: LockOptions,
  ) {
    this.content = serializeLock(info);
  }

  get current(): HostLockInfo {
    return parseLock(this.content) as HostLockInfo;
  }

  async renew(): Promise<boolean> {
    const next = serializeLock({ ...this.current, expiresAt: new Date(this.options.clock.now().getTime() + this.options.ttlMs).toISOString() });
    const answer = await runScript(this.connection, swapScript(this.content, next), this.options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    if (answer.status === "SWAPPED") {
      this.content = next;
      return true;
    }
    if (answer.status === "BUSY") return true;
    return false;
  }

  /** Remove the lock if it is still ours; leaves the host as it was when the directory was ours alone. */
  async release(): Promise<void> {
    await runScript(this.connection, swapScript(this.content, null), this.options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  }
}

export async function acquireHostLock(connection: Connection, options: LockOptions): Promise<AcquireResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  let reclaimed: { holder: HostLockInfo; reason: string } | null = null;
  for (let round = 0; round < MAX_ACQUIRE_ROUNDS; round += 1) {
    const now = options.clock.now();
    const mine: HostLockInfo = {
      runId: options.runId,
      ...options.identity,
      startedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + options.ttlMs).toISOString(),
    };
    const created = await runScript(connection, createScript(serializeLock(mine)), timeoutMs);
    if (created.status === "ACQUIRED") return { acquired: true, lease: new Lease(connection, mine, options), reclaimed };
    if (created.status !== "HELD") throw new Error(`${connection.host}: unexpected answer from the lock script: ${created.status}`);
    if (created.rest === "") continue; // released between our link and our read
    const holder = parseLock(created.rest);
    if (!holder) {
      return { acquired: false, holder: null, reason: `${LOCK_FILE} is not a valid lock (${created.rest.slice(0, 120)}); inspect it and remove it with \`nemoclaw unlock --force\`` };
    }
    if (holder.runId === options.runId) {
      // Our own lock from an earlier round whose answer we lost.
      return { acquired: true, lease: new Lease(connection, holder, options), reclaimed };
    }
    const assessment = assessHolder(holder, options.identity, now, options.pidAlive);
    if (!assessment.reclaimable) return { acquired: false, holder, reason: assessment.reason };
    const swapped = await runScript(connection, swapScript(created.rest, serializeLock(mine)), timeoutMs);
    if (swapped.status === "SWAPPED") {
      return { acquired: true, lease: new Lease(connection, mine, options), reclaimed: { holder, reason: assessment.reason } };
    }
    // Someone else changed the lock first (another reclaimer won, or it was released): look again.
    reclaimed = null;
  }
  throw new Error(`${connection.host}: the lock kept changing while acquiring it; try again`);
}

export type ReadLockResult = { present: false } | { present: true; holder: HostLockInfo | null; raw: string };

export async function readHostLock(connection: Connection, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): Promise<ReadLockResult> {
  const answer = await runScript(connection, READ_SCRIPT, timeoutMs);
  if (answer.status === "ABSENT") return { present: false };
  return { present: true, holder: parseLock(answer.rest), raw: answer.rest };
}

/** Remove the lock only if it still reads `raw` (what the user was shown). */
export async function removeHostLock(connection: Connection, raw: string, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): Promise<boolean> {
  const answer = await runScript(connection, swapScript(raw, null), timeoutMs);
  return answer.status === "SWAPPED";
}
