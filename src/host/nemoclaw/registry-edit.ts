/**
 * Snapshot and exact restore of a NemoClaw registry entry (`~/.nemoclaw/sandboxes.json`) around
 * stale-entry recovery (design scenario 5): if the recreate fails, the entry must be back exactly
 * as it was, so the operator can still rebuild, destroy or re-onboard it by hand.
 *
 * Writes honour NemoClaw's own lock protocol (`sandboxes.json.lock/` made with mkdir, `owner`
 * holding a live pid; stale when the owner is dead or the lock is older than 10 s; retried every
 * 100 ms up to 120 times) and are atomic and durable (temporary file in the same directory,
 * flushed with `sync FILE`, then rename, then the directory flushed: docs/backups.md on `sync`;
 * mode 0600), and are compare-and-swap: the file is replaced only if it still reads what the new
 * content was computed from.
 */

import { randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { quote } from "../../transport/shell.js";
import type { Connection } from "../../transport/types.js";
import { runChecked } from "../run.js";
import { parseRegistryDocument, type RegistryDocument } from "./registry.js";
import { parseShieldsFile } from "./shields.js";

const REGISTRY = "$HOME/.nemoclaw/sandboxes.json";
const SCRIPT_OPTIONS = { timeoutMs: 30_000 };

export interface RegistrySnapshot {
  /** The file's exact bytes, or null when it did not exist. */
  raw: string | null;
}

/** A marker line first, so an absent file and an empty file are told apart without trimming the content. */
function printFile(path: string): string {
  // A file that is there but cannot be read fails the whole read: an empty snapshot would pass for its content.
  return `f="${path}"\nif [ -f "$f" ]; then echo PRESENT; cat "$f" || exit 1; else echo ABSENT; fi\n`;
}

function readPrinted(out: string): string | null {
  return out.startsWith("ABSENT") ? null : out.slice("PRESENT\n".length);
}

export async function snapshotRegistry(connection: Connection): Promise<RegistrySnapshot> {
  return { raw: readPrinted(await runChecked(connection, { script: printFile(REGISTRY) }, "reading ~/.nemoclaw/sandboxes.json", SCRIPT_OPTIONS)) };
}

/**
 * The registry and a sandbox's shields state in one round trip (what a stale-entry recovery must
 * be able to put back), the two apart by a random boundary line no file can contain.
 */
export async function snapshotForRecovery(connection: Connection, name: string): Promise<{ registry: RegistrySnapshot; shields: ShieldsSnapshot }> {
  const boundary = `--nemoclaw-fleet-${randomBytes(12).toString("hex")}--`;
  const script = `${printFile(REGISTRY)}printf '\\n%s\\n' ${quote(boundary)}\n${printFile(shieldsPath(name))}`;
  const out = await runChecked(connection, { script }, `reading ~/.nemoclaw/sandboxes.json and the shields state of ${name}`, SCRIPT_OPTIONS);
  const at = out.indexOf(`\n${boundary}\n`);
  if (at < 0) throw new Error(`reading the registry and shields state of ${name}: the answer was cut short`);
  return { registry: { raw: readPrinted(out.slice(0, at)) }, shields: { raw: readPrinted(out.slice(at + boundary.length + 2)) } };
}

function registryDocument(raw: string): RegistryDocument {
  const parsed = parseRegistryDocument(raw, true);
  if ("problem" in parsed) throw new Error(`~/.nemoclaw/sandboxes.json: ${parsed.problem}`);
  return parsed.document;
}

function withoutEntry(document: RegistryDocument, name: string): RegistryDocument {
  const sandboxes = { ...(document.sandboxes ?? {}) };
  delete sandboxes[name];
  return { ...document, sandboxes, defaultSandbox: document.defaultSandbox === name ? null : (document.defaultSandbox ?? null) };
}

/**
 * The registry content that puts `name` back exactly as in the snapshot while keeping whatever
 * else changed meanwhile. When nothing else changed, the snapshot's own bytes — byte-identical.
 * Null when no write is needed.
 */
export function restoredRegistryContent(snapshot: string, current: string | null, name: string): string | null {
  if (current === snapshot) return null;
  const before = registryDocument(snapshot);
  if (current === null) return snapshot;
  const now = registryDocument(current);
  if (isDeepStrictEqual(withoutEntry(before, name), withoutEntry(now, name))) return snapshot;
  const merged: RegistryDocument = { ...now, sandboxes: { ...(now.sandboxes ?? {}) } };
  const entry = before.sandboxes?.[name];
  if (entry === undefined) delete merged.sandboxes?.[name];
  else (merged.sandboxes as Record<string, unknown>)[name] = entry;
  if (before.defaultSandbox === name && (now.defaultSandbox === null || now.defaultSandbox === undefined)) merged.defaultSandbox = name;
  return `${JSON.stringify(merged, null, 2)}\n`;
}

/** Replace the registry with `next` if it still reads `expected` (null: absent). */
function casScript(expected: string | null, next: string): string {
  const unchanged =
    expected === null ? `[ ! -e "$f" ]` : `[ -f "$f" ] && [ "$(cat "$f"; printf x)" = ${quote(`${expected}x`)} ]`;
  return `set -u
umask 077
f="${REGISTRY}"
lockdir="$f.lock"
mkdir -p "$(dirname "$f")" || exit 3
n=0
while ! mkdir "$lockdir" 2>/dev/null; do
  owner="$(cat "$lockdir/owner" 2>/dev/null || true)"
  now="$(date +%s)"; born="$(stat -c %Y "$lockdir" 2>/dev/null || echo "$now")"
  if { [ -n "$owner" ] && [ ! -d "/proc/$owner" ]; } || [ $((now - born)) -gt 10 ]; then
    rm -rf "$lockdir"; continue
  fi
  n=$((n + 1)); [ "$n" -ge 120 ] && { echo BUSY; exit 0; }
  sleep 0.1 2>/dev/null || sleep 1
done
trap 'rm -rf "$lockdir"' EXIT
printf '%s\\n' "$$" > "$lockdir/owner"
if ! ${unchanged}; then echo CHANGED; exit 0; fi
tmp="$f.tmp.$$"
printf '%s' ${quote(next)} > "$tmp" && chmod 600 "$tmp" && sync -- "$tmp" && mv -f "$tmp" "$f" || { rm -f "$tmp"; exit 3; }
# The entry is back either way; flushing the directory keeps the rename across a power cut.
sync -- "\${f%/*}" || true
echo WRITTEN
`;
}

/** Put `name` back as it was in the snapshot. Returns what happened, for the step's notes. */
export async function restoreRegistryEntry(connection: Connection, snapshot: RegistrySnapshot, name: string): Promise<string> {
  if (snapshot.raw === null) return "the registry did not exist before the step; nothing to restore";
  for (let round = 0; round < 3; round += 1) {
    const current = await snapshotRegistry(connection);
    const next = restoredRegistryContent(snapshot.raw, current.raw, name);
    if (next === null) return `registry entry ${name} is unchanged`;
    const answer = (await runChecked(connection, { script: casScript(current.raw, next) }, "restoring ~/.nemoclaw/sandboxes.json", SCRIPT_OPTIONS)).trim();
    if (answer === "WRITTEN") return `registry entry ${name} restored exactly as before the step`;
    if (answer === "BUSY") throw new Error("~/.nemoclaw/sandboxes.json.lock stayed held for 12 s; the registry entry was NOT restored");
  }
  throw new Error("~/.nemoclaw/sandboxes.json kept changing; the registry entry was NOT restored");
}

export interface ShieldsSnapshot {
  /** Raw `~/.nemoclaw/state/shields-<name>.json`, or null when absent. */
  raw: string | null;
}

function shieldsPath(name: string): string {
  return `$HOME/.nemoclaw/state/shields-${name}.json`;
}

export interface ShieldsClearing {
  note: string;
  /** Shields were up on the old sandbox: the new one starts without them. */
  mustReapply: boolean;
}

/**
 * After a recreate, shields state written for the OLD sandbox (same bytes as before the step) is
 * stale: remove it and its timer, and tell whether shields must be re-applied. Null when there was none.
 */
export async function clearStaleShields(connection: Connection, name: string, before: ShieldsSnapshot): Promise<ShieldsClearing | null> {
  if (before.raw === null) return null;
  const script = `set -u
f="${shieldsPath(name)}"
timer="$HOME/.nemoclaw/state/shields-timer-${name}.json"
if [ -f "$f" ] && [ "$(cat "$f"; printf x)" = ${quote(`${before.raw}x`)} ]; then rm -f "$f" "$timer"; echo CLEARED; else echo KEPT; fi
`;
  const answer = (await runChecked(connection, { script }, `clearing shields state of ${name}`, SCRIPT_OPTIONS)).trim();
  if (answer !== "CLEARED") return { note: `shields state of ${name} was rewritten by the recreate; left as is`, mustReapply: false };
  return parseShieldsFile(name, before.raw).mode === "locked"
    ? { note: `cleared stale shields state of ${name}; shields were up on the old sandbox and must be re-applied (\`nemoclaw ${name} shields up\`)`, mustReapply: true }
    : { note: `cleared stale shields state of ${name}; shields do not need to be re-applied`, mustReapply: false };
}
