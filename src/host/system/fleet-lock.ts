/**
 * The fleet's own host lock, `~/.nemoclaw-fleet/lock.json`, kept ON the host so every controller
 * that could touch the host sees the same lock. This module is the lock file's one reader and
 * writer; what a lease means (who may take one over, heartbeats) is apply's (src/apply/lock.ts).
 *
 * - create: the lease is written to a temporary file and hard-linked to `lock.json`; `ln` fails
 *   when the name exists, so exactly one creator wins (noclobber semantics, no partial file);
 * - swap (renew, release, reclaim) changes an existing lock only while holding a small mutex
 *   (`mkdir lock.mutex`, atomic) and only if the lock still has the exact content the caller
 *   expects — a compare-and-swap, so two reclaimers can never both win and a heartbeat can never
 *   overwrite a lock someone else took over.
 *
 * Each operation is one shell script, one round trip.
 */
import type { ProbeSection } from "../probe/sections.js";
import { quote } from "../../transport/shell.js";
import type { Connection } from "../../transport/types.js";
import type { Fact } from "../output.js";
import { known, unknown } from "../output.js";
import { runChecked } from "../run.js";

export const LOCK_DIR = ".nemoclaw-fleet";
export const LOCK_FILE = `${LOCK_DIR}/lock.json`;

export interface HostLockInfo {
  runId: string;
  user: string;
  machine: string;
  pid: number;
  startedAt: string;
  expiresAt: string;
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

export function parseFleetLock(text: string): Fact<HostLockInfo> {
  const lock = parseLock(text.trim());
  return lock ? known(lock) : unknown("lock.json is not a fleet lock {runId,user,machine,pid,startedAt,expiresAt}", text);
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
# Whether the lock is exactly the one line $1, read by the shell itself (no process started).
is_current() {
  [ -f "$lock" ] || return 1
  { IFS= read -r first && ! IFS= read -r more && [ -z "$more" ] && [ "$first" = "$1" ]; } < "$lock" 2>/dev/null
}
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
rmdir "$mutex" "$dir" 2>/dev/null
trap - EXIT
echo SWAPPED`
      : `tmp="$dir/.lock.$$.tmp"
printf '%s\\n' ${quote(replacement)} > "$tmp" || exit 3
mv -f "$tmp" "$lock" || exit 3
echo SWAPPED`;
  return `${PROLOGUE}
[ -d "$dir" ] || { echo CHANGED; exit 0; }
take_mutex || { echo BUSY; exit 0; }
is_current ${quote(expected)} || { echo CHANGED; current; exit 0; }
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
  return splitAnswer(await runChecked(connection, { script }, "lock operation", { timeoutMs }));
}

/** The status word on the first line, the lock's text after it. */
function splitAnswer(stdout: string): ScriptAnswer {
  const newline = stdout.indexOf("\n");
  const status = (newline === -1 ? stdout : stdout.slice(0, newline)).trim();
  return { status, rest: newline === -1 ? "" : stdout.slice(newline + 1).trim() };
}

export type CreateLockAnswer = { created: true } | { created: false; current: string };

/** Write `content` as the lock unless one exists; otherwise what the existing lock reads ("" if it vanished meanwhile). */
export async function createLockFile(connection: Connection, content: string, timeoutMs: number): Promise<CreateLockAnswer> {
  const answer = await runScript(connection, createScript(content), timeoutMs);
  if (answer.status === "ACQUIRED") return { created: true };
  if (answer.status !== "HELD") throw new Error(`${connection.host}: unexpected answer from the lock script: ${answer.status}`);
  return { created: false, current: answer.rest };
}

export type SwapLockAnswer = "swapped" | "busy" | "changed";

/** Compare-and-swap: replace (or, with null, remove) the lock only while it still reads `expected`. */
export async function swapLockFile(connection: Connection, expected: string, replacement: string | null, timeoutMs: number): Promise<SwapLockAnswer> {
  const answer = await runScript(connection, swapScript(expected, replacement), timeoutMs);
  return answer.status === "SWAPPED" ? "swapped" : answer.status === "BUSY" ? "busy" : "changed";
}

/**
 * The same lock operations as fragments of a round trip that also observes the host (the probe's
 * framework, ncf_emit): each runs in a subshell, so its `exit` ends only the operation, and reports
 * its answer as one section.
 */
function lockFragment(section: string, script: string): string {
  return `ncf_lk_out=$( ( ${script} ) 2>/dev/null ); ncf_emit ${section} '' "$?" "$ncf_lk_out"\n`;
}

export const LOCK_CREATE_SECTION = "lock-create";
export const LOCK_RELEASE_SECTION = "lock-release";

/** `createLockFile` as a fragment (section lock-create). */
export function createLockFragment(content: string): string {
  return lockFragment(LOCK_CREATE_SECTION, createScript(content));
}

/** Removing the lock while it still reads `expected`, as a fragment (section lock-release). */
export function releaseLockFragment(expected: string): string {
  return lockFragment(LOCK_RELEASE_SECTION, swapScript(expected, null));
}

/** What a lock-create section answered; null when the operation did not report (it failed, or never ran). */
export function readCreateLockSection(section: ProbeSection | undefined): CreateLockAnswer | null {
  if (section === undefined || !section.complete || section.exitCode !== 0) return null;
  const answer = splitAnswer(section.body);
  if (answer.status === "ACQUIRED") return { created: true };
  return answer.status === "HELD" ? { created: false, current: answer.rest } : null;
}

/** What a lock-release section answered; null when it did not report. */
export function readReleaseLockSection(section: ProbeSection | undefined): SwapLockAnswer | null {
  if (section === undefined || !section.complete || section.exitCode !== 0) return null;
  const { status } = splitAnswer(section.body);
  return status === "SWAPPED" ? "swapped" : status === "BUSY" ? "busy" : status === "CHANGED" ? "changed" : null;
}

/** The lock file's content, or null when there is none. */
export async function readLockFile(connection: Connection, timeoutMs: number): Promise<string | null> {
  const answer = await runScript(connection, READ_SCRIPT, timeoutMs);
  return answer.status === "ABSENT" ? null : answer.rest;
}
