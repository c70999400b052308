/**
 * Who is writing a temporary entry — a partial backup in a store, a restore's staging directory
 * on a host — encoded in its name (`<pid>-<random>@<machine>~<scope>`), so a later run can tell
 * whether the writer died: in this controller's pid scope (the same boot and pid namespace,
 * src/config/pid-scope.ts) by asking whether its process still exists, elsewhere only once nothing
 * in the entry has changed for a day (that writer cannot be asked), a day measured on the clock of
 * the machine the entry is on. An entry of a live writer, here or on another controller — even one
 * with the same hostname, even on a host whose clock is days off — is therefore never taken for a
 * leftover.
 */
import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { currentPidScope } from "../config/pid-scope.js";

export interface PartialOwner {
  machine: string;
  pid: number;
  /** Null when the controller cannot tell its pid scope: its entries are then judged by age only. */
  pidScope: string | null;
}

/** An entry from another machine (or of unknown origin) is only presumed abandoned after this long. */
export const FOREIGN_ENTRY_MAX_AGE_MS = 24 * 3_600_000;

const OWNED_NAME = /^(\d+)-[0-9a-f]+@(.+)$/;

export function currentOwner(): PartialOwner {
  return { machine: hostname(), pid: process.pid, pidScope: currentPidScope() };
}

/** The machine name, made safe for a file name, and a short digest of the pid scope. */
function ownerTag(owner: PartialOwner): string {
  const machine = owner.machine.replace(/[^A-Za-z0-9._-]/g, "_");
  return owner.pidScope === null ? machine : `${machine}~${createHash("sha256").update(owner.pidScope).digest("hex").slice(0, 12)}`;
}

/** A fresh name for an entry this owner writes. */
export function ownedName(owner: PartialOwner): string {
  return `${owner.pid}-${randomBytes(4).toString("hex")}@${ownerTag(owner)}`;
}

/** Whether a name is one `ownedName` makes. */
export function isOwnedName(name: string): boolean {
  return OWNED_NAME.test(name);
}

export interface AbandonedCheck {
  /** This run. */
  self: PartialOwner;
  now: () => Date;
  /** Liveness of a pid on this machine. */
  isAlive: (pid: number) => boolean;
}

/**
 * Whether an entry named `name` (without any prefix) was left by a writer that is gone. `modifiedMs`
 * is the entry's latest change, when known; `clockMs` the clock of the machine that stamped it, read
 * when the entry was listed (a host's own `date`), when that is not this controller. Its age is taken
 * on that clock: on the controller's, a host whose clock lags a day would make a live run's entry
 * look a day old, and it would be deleted under that run.
 */
export function isAbandoned(name: string, modifiedMs: number | null, check: AbandonedCheck, clockMs: number | null = null): boolean {
  const owned = OWNED_NAME.exec(name);
  if (owned !== null && check.self.pidScope !== null && owned[2] === ownerTag(check.self)) {
    const pid = Number(owned[1]);
    return pid !== check.self.pid && !check.isAlive(pid);
  }
  return modifiedMs !== null && (clockMs ?? check.now().getTime()) - modifiedMs > FOREIGN_ENTRY_MAX_AGE_MS;
}
