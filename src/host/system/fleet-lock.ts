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
 *   overwrite a lock someone else took over. "Exact" is byte for byte: the text a caller was
 *   shown is the file's whole content, untrimmed, so a lock file in any shape (empty after a power
 *   cut, edited by hand) can still be swapped or removed by whoever was shown it (docs/apply.md#locks).
 *
 * Each operation is one shell script, one round trip.
 */
import type { ProbeSection } from "../probe/sections.js";
import { quote } from "../../transport/shell.js";
import type { Connection } from "../../transport/types.js";
import type { Fact } from "../output.js";
import { known, unknown, withoutControlCharacters } from "../output.js";
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
  /** Where `pid` can be looked up (src/config/pid-scope.ts); absent in locks of older releases. */
  pidScope?: string;
}

/** The lock as one line of JSON, fields in a fixed order so content comparison is exact. */
export function serializeLock(info: HostLockInfo): string {
  const { runId, user, machine, pid, startedAt, expiresAt, pidScope } = info;
  return JSON.stringify({ runId, user, machine, pid, startedAt, expiresAt, ...(pidScope !== undefined ? { pidScope } : {}) });
}

/** The lock file's whole text as this module writes it: the line and its newline. */
export function lockText(info: HostLockInfo): string {
  return `${serializeLock(info)}\n`;
}

export function parseLock(text: string): HostLockInfo | null {
  try {
    // The holder's user and machine are shown to the operator: no control characters (output.ts).
    const value = withoutControlCharacters(JSON.parse(text)) as Partial<HostLockInfo>;
    const strings = [value.runId, value.user, value.machine, value.startedAt, value.expiresAt];
    if (strings.some((field) => typeof field !== "string") || typeof value.pid !== "number") return null;
    if (value.pidScope !== undefined && typeof value.pidScope !== "string") return null;
    return value as HostLockInfo;
  } catch {
    return null;
  }
}

export function parseFleetLock(text: string): Fact<HostLockInfo> {
  if (text.trim() === "") return unknown("lock.json is empty (a crash while a run took the lock?)", text);
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
# Whether the bytes of the lock file are exactly $1; the x keeps trailing newlines, which a
# command substitution would drop.
is_current() {
  [ -f "$lock" ] || return 1
  text=$(cat "$lock" 2>/dev/null && printf x) || return 1
  [ "$text" = "$1x" ]
}
# The lock as it is now: ABSENT, UNREADABLE, or PRESENT and then its exact bytes, an empty file
# included; PRESENT AGED when it was last written more than $1 minutes ago.
show() {
  if text=$(cat "$lock" 2>/dev/null && printf x); then
    aged=""
    [ -n "\${1:-}" ] && [ -n "$(find "$lock" -maxdepth 0 -mmin +"$1" 2>/dev/null)" ] && aged=" AGED"
    printf 'PRESENT%s\n%s' "$aged" "\${text%x}"
  elif [ -e "$lock" ]; then echo UNREADABLE
  else echo ABSENT
  fi
}
`;

/** Minutes (rounded up) after which a lock file counts as aged; "" asks for no age. */
function agedMinutes(agedAfterMs: number | undefined): string {
  return agedAfterMs === undefined ? "" : String(Math.max(1, Math.ceil(agedAfterMs / 60_000)));
}

/** Create the lock (its whole text) if no lock exists; print ACQUIRED, or HELD and what `show` says. */
function createScript(text: string, agedAfterMs?: number): string {
  return `${PROLOGUE}
mkdir -p "$dir" || exit 3
tmp="$dir/.lock.$$.tmp"
printf '%s' ${quote(text)} > "$tmp" || exit 3
if ln "$tmp" "$lock" 2>/dev/null; then rm -f "$tmp"; echo ACQUIRED; exit 0; fi
rm -f "$tmp"
echo HELD
show ${quote(agedMinutes(agedAfterMs))}
`;
}

/**
 * Compare-and-swap on an existing lock: if its bytes are still exactly `expected`, replace them with
 * `replacement` (or remove the lock when replacement is null). Prints SWAPPED, CHANGED or BUSY.
 */
function swapScript(expected: string, replacement: string | null): string {
  const write =
    replacement === null
      ? `rm -f "$lock"
rmdir "$mutex" "$dir" 2>/dev/null
trap - EXIT
echo SWAPPED`
      : `tmp="$dir/.lock.$$.tmp"
printf '%s' ${quote(replacement)} > "$tmp" || exit 3
mv -f "$tmp" "$lock" || exit 3
echo SWAPPED`;
  return `${PROLOGUE}
[ -d "$dir" ] || { echo CHANGED; exit 0; }
take_mutex || { echo BUSY; exit 0; }
is_current ${quote(expected)} || { echo CHANGED; exit 0; }
${write}
`;
}

const READ_SCRIPT = `${PROLOGUE}
show
`;

interface ScriptAnswer {
  status: string;
  rest: string;
}

async function runScript(connection: Connection, script: string, timeoutMs: number): Promise<ScriptAnswer> {
  return splitAnswer(await runChecked(connection, { script }, "lock operation", { timeoutMs }));
}

/** The status word on the first line; everything after it, byte for byte (the lock's text is never trimmed). */
function splitAnswer(stdout: string): ScriptAnswer {
  const newline = stdout.indexOf("\n");
  const status = (newline === -1 ? stdout : stdout.slice(0, newline)).trim();
  return { status, rest: newline === -1 ? "" : stdout.slice(newline + 1) };
}

/**
 * The lock file as a script found it. `text` is its exact content — "" for an empty file, which is
 * not the same as no file; `aged`: last written longer ago than the age the caller asked about.
 */
export type LockFileState = { present: false } | { present: true; text: string; aged: boolean };

/** What `show` printed; null when the file exists but cannot be read (or the answer is not one). */
function readShown(output: string): LockFileState | null {
  const answer = splitAnswer(output);
  if (answer.status === "ABSENT") return { present: false };
  if (answer.status === "PRESENT" || answer.status === "PRESENT AGED") return { present: true, text: answer.rest, aged: answer.status === "PRESENT AGED" };
  return null;
}

function shownOrThrow(connection: Connection, output: string): LockFileState {
  const shown = readShown(output);
  if (shown === null) throw new Error(`${connection.host}: ~/${LOCK_FILE} exists but cannot be read: ${output.trim().slice(0, 120)}`);
  return shown;
}

export type CreateLockAnswer = { created: true } | { created: false; current: LockFileState };

/**
 * Write `text` as the lock unless one exists; otherwise the existing lock as found (absent if it
 * vanished meanwhile), aged when last written more than `agedAfterMs` ago.
 */
export async function createLockFile(connection: Connection, text: string, timeoutMs: number, agedAfterMs?: number): Promise<CreateLockAnswer> {
  const answer = await runScript(connection, createScript(text, agedAfterMs), timeoutMs);
  if (answer.status === "ACQUIRED") return { created: true };
  if (answer.status !== "HELD") throw new Error(`${connection.host}: unexpected answer from the lock script: ${answer.status}`);
  return { created: false, current: shownOrThrow(connection, answer.rest) };
}

export type SwapLockAnswer = "swapped" | "busy" | "changed";

/** Compare-and-swap: replace (or, with null, remove) the lock only while its bytes are still exactly `expected`. */
export async function swapLockFile(connection: Connection, expected: string, replacement: string | null, timeoutMs: number): Promise<SwapLockAnswer> {
  const answer = await runScript(connection, swapScript(expected, replacement), timeoutMs);
  return answer.status === "SWAPPED" ? "swapped" : answer.status === "BUSY" ? "busy" : "changed";
}

/**
 * The same lock operations as fragments of a round trip that also observes the host (the probe's
 * framework, ncf_emit): each runs in a subshell, so its `exit` ends only the operation, and reports
 * its answer as one section. The x keeps the substitution from dropping the lock text's trailing
 * newlines, which the compare-and-swap needs byte for byte.
 */
function lockFragment(section: string, script: string): string {
  return `ncf_lk_out=$( ( ${script} ) 2>/dev/null; ncf_lk_rc=$?; printf x; exit "$ncf_lk_rc" ); ncf_emit ${section} '' "$?" "\${ncf_lk_out%x}"\n`;
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
  const current = answer.status === "HELD" ? readShown(answer.rest) : null;
  return current === null ? null : { created: false, current };
}

/** What a lock-release section answered; null when it did not report. */
export function readReleaseLockSection(section: ProbeSection | undefined): SwapLockAnswer | null {
  if (section === undefined || !section.complete || section.exitCode !== 0) return null;
  return releaseAnswer(section.body);
}

function releaseAnswer(output: string): SwapLockAnswer | null {
  const { status } = splitAnswer(output);
  return status === "SWAPPED" ? "swapped" : status === "BUSY" ? "busy" : status === "CHANGED" ? "changed" : null;
}

/**
 * Run `argv` and, once it succeeded, remove the lock while it still reads `expected`, in one
 * session: a run's last command on a host gives the lock back with it (docs/performance.md). The
 * command's output goes to stderr, so stdout is the release's answer alone; a command that fails
 * fails as `what`, and leaves the lock to a release of its own.
 */
export async function runThenReleaseLock(connection: Connection, argv: readonly string[], expected: string, what: string): Promise<SwapLockAnswer | null> {
  const script = `"$@" >&2 || exit\n( ${swapScript(expected, null)} ) 2>/dev/null\n`;
  return releaseAnswer(await runChecked(connection, { argv: ["sh", "-c", script, "sh", ...argv] }, what));
}

/** The lock file's exact content ("" when empty), or null when there is none. */
export async function readLockFile(connection: Connection, timeoutMs: number): Promise<string | null> {
  const shown = shownOrThrow(connection, await runChecked(connection, { script: READ_SCRIPT }, "lock operation", { timeoutMs }));
  return shown.present ? shown.text : null;
}
