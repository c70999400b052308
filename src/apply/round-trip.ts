/**
 * One round trip per step (docs/performance.md): a step's commands, then the observation that
 * checks them (the whole host, or for a step that changes one sandbox only, that sandbox), in ONE exec — and, on the host's first round trip, the host lock taken before the
 * observation; on its last, the lock released after it once every command succeeded. Apply then
 * opens about one SSH session per step, plus one for the plan's observation and one to lock and
 * observe again right before the first change.
 */
import type { DesiredHost } from "../config/types.js";
import { commandBatch, ifBatchSucceeded, readCommandBatch } from "../host/batch.js";
import type { CommandOutcome, PlannedCommand, ResolvedSecrets } from "../host/command.js";
import {
  type CreateLockAnswer,
  createLockFragment,
  LOCK_CREATE_SECTION,
  LOCK_RELEASE_SECTION,
  readCreateLockSection,
  readReleaseLockSection,
  releaseLockFragment,
  type SwapLockAnswer,
} from "../host/system/fleet-lock.js";
import { known } from "../host/output.js";
import { checkSandboxWith, observeHostWith, type ObserveOptions, type RoundTrip } from "../observe/host.js";
import type { SandboxCheckTarget } from "../observe/probe.js";
import type { ObservedHost } from "../observe/types.js";
import type { Connection } from "../transport/types.js";

export interface RoundTripRequest {
  /** Run in order; the first that fails stops the rest. */
  commands: readonly PlannedCommand[];
  secrets: ResolvedSecrets;
  /** Take the host lock with this content before anything else. */
  createLock?: string;
  /** Remove the host lock (while it still reads this) after the observation, if every command succeeded. */
  releaseLock?: string;
  /**
   * With `createLock`: asked, in the same session, once the host is observed with the lock created;
   * true removes that lock again before the session ends (a host the plan has nothing to do on),
   * saving the session a release would otherwise open.
   */
  releaseLockIf?: (observed: ObservedHost) => Promise<boolean>;
  /** Time the commands may take (the observation has its own bound). */
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Check only this sandbox after the commands instead of observing the whole host: the answer's
   * observation is `previous` with the sandbox read again (src/observe/sandbox-check.ts).
   */
  check?: { previous: ObservedHost; target: SandboxCheckTarget };
  /** How the host is observed (backup run's look skips the sandbox guard checks: src/backup/service.ts BACKUP_OBSERVE). */
  observe?: ObserveOptions;
}

export interface RoundTripAnswer {
  /** One per command that ran, in order: the last is the one that failed, if one did. */
  outcomes: CommandOutcome[];
  observed: ObservedHost;
  /** Null when not asked for, or when the operation did not report. */
  lockCreated: CreateLockAnswer | null;
  lockReleased: SwapLockAnswer | null;
}

export type RunAndObserve = (host: DesiredHost, connection: Connection, request: RoundTripRequest) => Promise<RoundTripAnswer>;

export const runAndObserve: RunAndObserve = async (host, connection, request) => {
  // Commands after a lock that may be someone else's would run unlocked.
  if (request.createLock !== undefined && request.commands.length > 0) throw new Error("a round trip that takes the lock runs no commands");
  const batch = commandBatch(request.commands, request.secrets, request.timeoutMs);
  const before = `${request.createLock !== undefined ? createLockFragment(request.createLock) : ""}${batch.fragment}`;
  const after = request.releaseLock !== undefined ? ifBatchSucceeded(releaseLockFragment(request.releaseLock)) : undefined;
  const ask = request.createLock !== undefined && request.releaseLockIf !== undefined ? askToRelease(request.createLock, request.releaseLockIf) : undefined;
  const work = {
    before,
    ...(after !== undefined ? { after } : {}),
    ...(ask !== undefined ? { ask } : {}),
    secretEnv: batch.secretEnv,
    extraTimeoutMs: request.timeoutMs,
    ...(request.signal ? { signal: request.signal } : {}),
  };
  const trip = request.check
    ? await checkSandboxWith(host, connection, work, request.check.previous, request.check.target, request.observe)
    : await observeHostWith(host, connection, work, request.observe);
  const stopped = trip.stopped ?? { timedOut: false, error: null };
  const lockCreated = request.createLock !== undefined ? readCreateLockSection(trip.probe?.get(LOCK_CREATE_SECTION)) : null;
  return {
    outcomes: trip.probe === null ? failedBeforeRunning(request.commands, stopped) : readCommandBatch(trip.probe, request, stopped),
    observed: lockCreated?.created ? withoutOwnLock(trip.observed) : trip.observed,
    lockCreated,
    lockReleased: request.releaseLock !== undefined || ask !== undefined ? readReleaseLockSection(trip.probe?.get(LOCK_RELEASE_SECTION)) : null,
  };
};

/** Transport failures that come before anything is sent: no lock can have been created. */
const NEVER_CONNECTED = new Set(["unreachable", "auth-failed", "host-key-unknown", "host-key-changed"]);

/** A round trip that asked for the lock, whose answer was lost after its script was sent: the lock may exist all the same. */
export function lockUnconfirmed(answer: RoundTripAnswer): boolean {
  return answer.lockCreated === null && !NEVER_CONNECTED.has(answer.observed.unreachable?.kind ?? "");
}

/** The host as a round trip that created the lock found it: that lock was not there. */
function withoutOwnLock(observed: ObservedHost): ObservedHost {
  return observed.unreachable ? observed : { ...observed, fleetLock: known(null) };
}

/** The question that releases a lock just created when `releaseIf` says so; anything else keeps it. */
function askToRelease(content: string, releaseIf: (observed: ObservedHost) => Promise<boolean>): NonNullable<RoundTrip["ask"]> {
  return {
    then: `case $NCF_ANSWER in release) ${releaseLockFragment(content)};; esac`,
    answer: async (observed, probe) => {
      if (readCreateLockSection(probe.get(LOCK_CREATE_SECTION))?.created !== true || observed.unreachable) return "keep";
      return (await releaseIf(withoutOwnLock(observed))) ? "release" : "keep";
    },
  };
}

/** Nothing came back: the first command is reported as not run, with the transport's error. */
function failedBeforeRunning(commands: readonly PlannedCommand[], stopped: { timedOut: boolean; error: unknown }): CommandOutcome[] {
  return commands.length === 0 ? [] : [{ exitCode: null, ok: false, stdout: "", stderr: "", timedOut: stopped.timedOut, error: stopped.error }];
}
