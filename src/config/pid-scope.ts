/**
 * Where a pid names a process: this kernel boot and pid namespace. "Is pid N still running?" is
 * only asked about a writer recorded with the same scope; a hostname alone would take two
 * controllers that share one (cloned VMs, containers run with the same --hostname) for one
 * machine, and let each judge the other's live run dead.
 */
import { readFileSync, readlinkSync } from "node:fs";

export interface PidScopeReader {
  readText(path: string): string;
  readLink(path: string): string;
}

const PROC: PidScopeReader = { readText: (path) => readFileSync(path, "utf8"), readLink: readlinkSync };

/** `<boot id>:<pid namespace inode>`, or null where /proc cannot tell (the pid is then never judged). */
export function currentPidScope(proc: PidScopeReader = PROC): string | null {
  try {
    const boot = proc.readText("/proc/sys/kernel/random/boot_id").trim();
    const namespace = /^pid:\[(\d+)\]$/.exec(proc.readLink("/proc/self/ns/pid"));
    return /^[0-9a-f-]{36}$/.test(boot) && namespace ? `${boot}:${namespace[1]}` : null;
  } catch {
    return null;
  }
}

/** Whether a pid recorded with `recorded` can be looked up here: both scopes known and equal. */
export function samePidScope(recorded: string | null | undefined, mine: string | null): boolean {
  return typeof recorded === "string" && mine !== null && recorded === mine;
}
