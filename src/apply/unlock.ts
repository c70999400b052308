/**
 * `nemoclaw unlock`: show a host's fleet lock and remove it. A live lease (its run may still be
 * working) is only removed with force; removal is compare-and-swap, so a lock that changed after
 * it was shown is left alone.
 */
import type { HostLockInfo } from "../observe/types.js";
import { ExitCode, mostSevere, type ExitCodeValue } from "../exit-codes.js";
import { TransportError, type Connection } from "../transport/types.js";
import type { RunIdentity } from "./events.js";
import { assessHolder, readHostLock, removeHostLock, type PidAlive } from "./lock.js";

export type UnlockOutcome =
  | { host: string; result: "no-lock" }
  | { host: string; result: "removed"; holder: HostLockInfo | null; raw: string; reason: string }
  | { host: string; result: "refused"; holder: HostLockInfo | null; reason: string }
  | { host: string; result: "changed"; holder: HostLockInfo | null; raw: string }
  | { host: string; result: "unreachable"; message: string };

export interface UnlockDeps {
  identity: RunIdentity;
  now(): Date;
  pidAlive: PidAlive;
}

/** Why the lock could not be read; a transport error without the "<host>: unreachable:" its view prints before it. */
function unreachableMessage(error: unknown): string {
  if (!(error instanceof TransportError)) return error instanceof Error ? error.message : String(error);
  return error.kind === "unreachable" ? error.cause_ : `${error.kind}: ${error.cause_}`;
}

export async function unlockHost(host: string, connect: () => Promise<Connection>, force: boolean, deps: UnlockDeps): Promise<UnlockOutcome> {
  let connection: Connection;
  let lock: Awaited<ReturnType<typeof readHostLock>>;
  try {
    connection = await connect();
    lock = await readHostLock(connection);
  } catch (error) {
    return { host, result: "unreachable", message: unreachableMessage(error) };
  }
  if (!lock.present) return { host, result: "no-lock" };
  let reason: string;
  if (lock.holder === null) {
    // No holder to judge: an empty file (a crash while a run took the lock) or one that is not a
    // lock at all. Removed only with --force; removal still compares the exact bytes shown.
    const what = lock.raw === "" ? "the lock file is empty" : `the lock file is not a valid lock (${JSON.stringify(lock.raw.slice(0, 120))})`;
    if (!force) return { host, result: "refused", holder: null, reason: `${what}; --force removes it` };
    reason = "--force";
  } else {
    const assessment = assessHolder(lock.holder, deps.identity, deps.now(), deps.pidAlive);
    if (!assessment.reclaimable && !force) {
      return { host, result: "refused", holder: lock.holder, reason: `${assessment.reason}; make sure that run is gone, then use --force` };
    }
    reason = assessment.reclaimable ? assessment.reason : `forced while ${assessment.reason}`;
  }
  const removed = await removeHostLock(connection, lock.raw);
  if (removed) return { host, result: "removed", holder: lock.holder, raw: lock.raw, reason };
  const now = await readHostLock(connection);
  return now.present ? { host, result: "changed", holder: now.holder, raw: now.raw } : { host, result: "no-lock" };
}

/** 7 when a lock was left in place, 4 when a host could not be reached, else 0. */
export function unlockExitCode(outcomes: readonly UnlockOutcome[]): ExitCodeValue {
  return mostSevere(
    outcomes.map((outcome) => {
      switch (outcome.result) {
        case "refused":
        case "changed":
          return ExitCode.LockHeld;
        case "unreachable":
          return ExitCode.Unreachable;
        case "no-lock":
        case "removed":
          return ExitCode.Ok;
      }
    }),
  );
}
