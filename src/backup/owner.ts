/**
 * Who is writing a temporary entry — a partial backup in a store, a restore's staging directory
 * on a host — encoded in its name (`<pid>-<random>@<machine>`), so a later run can tell whether
 * the writer died: on this machine by asking whether its process still exists, elsewhere only
 * once nothing in the entry has changed for a day (that writer cannot be asked). An entry of a
 * live writer, here or on another controller, is therefore never taken for a leftover.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

export interface PartialOwner {
  machine: string;
  pid: number;
}

/** An entry from another machine (or of unknown origin) is only presumed abandoned after this long. */
export const FOREIGN_ENTRY_MAX_AGE_MS = 24 * 3_600_000;

const OWNED_NAME = /^(\d+)-[0-9a-f]+@(.+)$/;

export function currentOwner(): PartialOwner {
  return { machine: hostname(), pid: process.pid };
}

function machineTag(machine: string): string {
  return machine.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** A fresh name for an entry this owner writes. */
export function ownedName(owner: PartialOwner): string {
  return `${owner.pid}-${randomBytes(4).toString("hex")}@${machineTag(owner.machine)}`;
}

export function ownerOf(name: string): PartialOwner | null {
  const match = OWNED_NAME.exec(name);
  return match ? { pid: Number(match[1]), machine: match[2]! } : null;
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
 * is the entry's latest change, when known.
 */
export function isAbandoned(name: string, modifiedMs: number | null, check: AbandonedCheck): boolean {
  const owner = ownerOf(name);
  if (owner !== null && owner.machine === machineTag(check.self.machine)) return owner.pid !== check.self.pid && !check.isAlive(owner.pid);
  return modifiedMs !== null && check.now().getTime() - modifiedMs > FOREIGN_ENTRY_MAX_AGE_MS;
}
