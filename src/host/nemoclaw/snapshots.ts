/**
 * NemoClaw's snapshot store on a host, `~/.nemoclaw/rebuild-backups/<sandbox>/<timestamp>/`
 * (real-cli-2026-12 §7.1): snapshots, rebuilds, `backup-all` and pre-recreate backups all land
 * there, and a directory is a backup only once its `rebuild-manifest.json` is written. NemoClaw's
 * own engine (`nemoclaw <sandbox> snapshot create|restore`) does the sandbox side, so its layout,
 * audit and sanitisation hold; this module finds the snapshot it made, streams it, and puts
 * snapshots back.
 */
import { terminalSafe } from "../../transport/terminal-text.js";
import type { Connection, RemoteProcess } from "../../transport/types.js";
import type { Fact } from "../output.js";
import { extractJson, isRecord, known, stringOrNull, unknown } from "../output.js";
import { HostCommandError, runChecked, type RunCheckedOptions } from "../run.js";
import { remoteCommand } from "../command.js";
import { type Releases, snapshotCreate, snapshotRestore } from "./commands.js";
import { nemoclawHas } from "./releases.js";
import { runThenReleaseLock, type SwapLockAnswer } from "../system/fleet-lock.js";

export const SNAPSHOT_MANIFEST = "rebuild-manifest.json";

export interface HostBackup {
  sandbox: string;
  timestamp: string;
  /** The `--name` it was created with (the manifest's `name`, NC@d50338aa:src/lib/state/sandbox.ts:967-997); null without one. */
  name: string | null;
  path: string;
  agentType: string | null;
  agentVersion: string | null;
}

/** `directory` is the backup's absolute path; its last two segments are sandbox and timestamp. */
export function parseBackupManifest(text: string, directory: string): Fact<HostBackup> {
  const json = extractJson(text);
  if (!isRecord(json) || typeof json.version !== "number" || typeof json.sandboxName !== "string") {
    return unknown(`${directory}/${SNAPSHOT_MANIFEST} is not a NemoClaw backup manifest`, text);
  }
  const segments = directory.split("/");
  return known({
    sandbox: json.sandboxName,
    timestamp: stringOrNull(json.timestamp) ?? segments.at(-1) ?? "",
    name: stringOrNull(json.name),
    path: directory,
    agentType: stringOrNull(json.agentType),
    agentVersion: stringOrNull(json.agentVersion),
  });
}

const CONTROL = /[\u0000-\u001f\u007f\\]/;

/** A path below the snapshot (or below the sandbox's state directory): relative, in normal form, never climbing. */
function isSafeRelativePath(value: unknown): boolean {
  return typeof value === "string" && value !== "" && !CONTROL.test(value) && isCanonicalPath(value);
}

/** An absolute path in normal form (the sandbox's state directory, the snapshot's own path). */
function isSafeAbsolutePath(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("/") && !CONTROL.test(value) && (value === "/" || isCanonicalPath(value.slice(1)));
}

function isCanonicalPath(value: string): boolean {
  return value.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

/**
 * Every path NemoClaw's restore takes from a snapshot's rebuild-manifest.json (src/lib/state/sandbox.ts
 * RebuildManifest at NC@d50338aa): the directories and files it copies back (`stateDirs`,
 * `backedUpDirs`, `stateFiles[].path`, per-instance `stateDirs`/`backedUpDirs`) must stay below the
 * snapshot; where it copies them to (`dir`, `writableDir`, `instances[].dataDir`) must be plain
 * absolute paths in the sandbox; and `backupPath` must be the snapshot itself. Releases before NemoClaw
 * checked these itself would follow a `../` out of the snapshot on the host. The text must be
 * exactly JSON, as restore rewrites it.
 */
export function snapshotManifestProblems(text: string, relativeDir: string): string[] {
  const where = `${relativeDir}/${SNAPSHOT_MANIFEST}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // V8 quotes the text it could not parse, as the archive spelled it.
    return [`${where} is not JSON (${terminalSafe((error as Error).message)})`];
  }
  if (!isRecord(json)) return [`${where} is not a NemoClaw backup manifest`];
  const problems: string[] = [];
  const relative = (value: unknown, field: string): void => {
    if (!isSafeRelativePath(value)) problems.push(`${where}: ${field} ${JSON.stringify(value)} is not a path inside the snapshot`);
  };
  const relativeList = (value: unknown, field: string): void => {
    if (value === undefined) return;
    if (!Array.isArray(value)) problems.push(`${where}: ${field} is not a list`);
    else value.forEach((item, index) => relative(item, `${field}[${index}]`));
  };
  const absolute = (value: unknown, field: string): void => {
    if (value !== undefined && !isSafeAbsolutePath(value)) problems.push(`${where}: ${field} ${JSON.stringify(value)} is not a plain absolute path`);
  };
  relativeList(json.stateDirs, "stateDirs");
  relativeList(json.backedUpDirs, "backedUpDirs");
  if (json.stateFiles !== undefined) {
    if (!Array.isArray(json.stateFiles)) problems.push(`${where}: stateFiles is not a list`);
    else json.stateFiles.forEach((spec: unknown, index) => relative(isRecord(spec) ? spec.path : undefined, `stateFiles[${index}].path`));
  }
  absolute(json.dir, "dir");
  absolute(json.writableDir, "writableDir");
  if (json.instances !== undefined) {
    if (!Array.isArray(json.instances)) problems.push(`${where}: instances is not a list`);
    else {
      json.instances.forEach((instance: unknown, index) => {
        const record = isRecord(instance) ? instance : {};
        relativeList(record.stateDirs, `instances[${index}].stateDirs`);
        relativeList(record.backedUpDirs, `instances[${index}].backedUpDirs`);
        absolute(record.dataDir, `instances[${index}].dataDir`);
      });
    }
  }
  if (!isSafeAbsolutePath(json.backupPath) || !json.backupPath.endsWith(`/${relativeDir}`)) {
    problems.push(`${where}: backupPath ${JSON.stringify(json.backupPath)} is not this snapshot's directory`);
  }
  return problems;
}

/** NemoClaw's snapshot timestamp: `new Date().toISOString().replace(/[:.]/g, "-")`. */
const SNAPSHOT_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

export function isSnapshotTimestamp(value: string): boolean {
  return SNAPSHOT_TIMESTAMP.test(value);
}

export function formatSnapshotTimestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, "-");
}

/**
 * The same snapshot as seen by the target: NemoClaw checks a snapshot's sandboxName and backupPath.
 * Its restore also makes the target's policy presets the snapshot's `policyPresets` (adding and
 * removing) and its custom policies the snapshot's `customPolicies`, on every supported release
 * (#2328, 09bcd0af, before the v0.0.25 release prep; custom policies from #5104;
 * NC@d50338aa:src/lib/actions/sandbox/snapshot.ts reconcileSnapshotPolicyPresets and
 * reconcileSnapshotCustomPolicies), while it leaves them alone for a snapshot that records neither.
 * Both are left out, so a restore puts back the workspace and never the network policy of another
 * sandbox or another time: the fleet file's `presets` stay authoritative (docs/backups.md#restore).
 */
export function retargetSnapshotManifest(text: string, target: SnapshotTarget): string {
  const { policyPresets: _presets, customPolicies: _custom, ...raw } = JSON.parse(text) as Record<string, unknown>;
  return manifestText(raw, target);
}

export interface SnapshotTarget {
  sandboxName: string;
  backupPath: string;
}

/**
 * The manifest builds of this tool before 2026-12-07 placed for the same target: re-targeted, the
 * backup's `policyPresets` and `customPolicies` kept. A restore they placed and were stopped in
 * before NemoClaw's restore ran is this backup still, once this manifest is rewritten.
 */
export function policyKeepingSnapshotManifest(text: string, target: SnapshotTarget): string {
  return manifestText(JSON.parse(text) as Record<string, unknown>, target);
}

function manifestText(raw: Record<string, unknown>, target: SnapshotTarget): string {
  return `${JSON.stringify({ ...raw, sandboxName: target.sandboxName, backupPath: target.backupPath }, null, 2)}\n`;
}

/**
 * Why a NemoClaw release cannot restore this snapshot, or null: before v0.0.32 NemoClaw only reads
 * manifests that name `writableDir`, which later releases no longer write (NEMOCLAW_SINCE.snapshotDir).
 */
export function snapshotRestoreProblem(text: string, nemoclaw: string): string | null {
  if (nemoclawHas(nemoclaw, "snapshotDir")) return null;
  const json = JSON.parse(text) as Record<string, unknown>;
  if (typeof json.writableDir === "string") return null;
  return `it was taken by NemoClaw v0.0.32 or later (its ${SNAPSHOT_MANIFEST} names \`dir\`, not \`writableDir\`), which NemoClaw v${nemoclaw} cannot read`;
}

export interface HostSnapshot {
  /** The host user's home directory (absolute). */
  home: string;
  sandbox: string;
  timestamp: string;
}

export function nemoclawDir(home: string): string {
  return `${home}/.nemoclaw`;
}

/** Where a snapshot lives relative to `~/.nemoclaw` (also its path inside our archives). */
export function snapshotRelativePath(sandbox: string, timestamp: string): string {
  return `rebuild-backups/${sandbox}/${timestamp}`;
}

/** The directory holding every snapshot of one sandbox. */
export function sandboxSnapshotsDir(home: string, sandbox: string): string {
  return `${nemoclawDir(home)}/rebuild-backups/${sandbox}`;
}

export function snapshotDir(snapshot: HostSnapshot): string {
  return `${nemoclawDir(snapshot.home)}/${snapshotRelativePath(snapshot.sandbox, snapshot.timestamp)}`;
}

/**
 * Prints the home directory first, then the sandbox's ($1) snapshot directory names (none when it
 * has none). A script of its own, so another read can share its session (src/host/snapshot-create.ts).
 */
export const SNAPSHOT_LISTING_SCRIPT = 'printf "%s\\n" "$HOME"; d="$HOME/.nemoclaw/rebuild-backups/$1"; if [ -d "$d" ]; then ls -1A -- "$d"; fi';

/** A sandbox's snapshot directories at one moment, and the home they are under. */
export interface SnapshotListing {
  home: string;
  timestamps: Set<string>;
}

export function parseSnapshotListing(host: string, output: string): SnapshotListing {
  const [home = "", ...names] = output.split("\n");
  if (!home.startsWith("/")) throw new HostCommandError(host, "finding the home directory", `HOME is ${JSON.stringify(home)}`);
  return { home, timestamps: new Set(names.filter(isSnapshotTimestamp)) };
}

/**
 * `nemoclaw <sandbox> snapshot create --name <label>` with the sandbox's gateway pinned in
 * `OPENSHELL_GATEWAY` (real-cli-2026-12 §14.4, §14.8). NemoClaw picks the timestamp and its output
 * format is not relied on: the snapshot is told by `newSnapshot` from listings before and after.
 */
export async function runSnapshotCreate(connection: Connection, sandbox: string, gateway: string, label: string, options: RunCheckedOptions = {}): Promise<void> {
  await runChecked(connection, remoteCommand(snapshotCreate(sandbox, label, gateway)), `nemoclaw ${sandbox} snapshot create`, options);
}

/** The one snapshot directory of the sandbox that `after` has and `before` had not. */
export function newSnapshot(host: string, sandbox: string, before: SnapshotListing, after: SnapshotListing): HostSnapshot {
  const created = [...after.timestamps].filter((timestamp) => !before.timestamps.has(timestamp));
  if (created.length !== 1) {
    throw new HostCommandError(
      host,
      `nemoclaw ${sandbox} snapshot create`,
      created.length === 0 ? "no new snapshot directory appeared" : `several snapshots appeared at once (${created.join(", ")}); retry`,
    );
  }
  return { home: after.home, sandbox, timestamp: created[0]! };
}

/** Per snapshot directory of a sandbox: `<timestamp>\t<file count>\t<manifest on one line>`. */
const DESCRIBE_SNAPSHOTS = [
  'd="$HOME/.nemoclaw/rebuild-backups/$1"',
  '[ -d "$d" ] || exit 0',
  'for s in "$d"/*/; do',
  '  m="$s/rebuild-manifest.json"; [ -f "$m" ] || continue',
  '  printf "%s\\t%s\\t" "$(basename "$s")" "$(find "$s" -type f | wc -l | tr -d " ")"; tr -d "\\n" < "$m"; printf "\\n"',
  "done",
].join("\n");

export interface CheckedSnapshot {
  timestamp: string;
  files: number;
}

/**
 * Check, after `snapshot create --name <label>`, that NemoClaw finished the snapshot: a directory
 * whose manifest (written last, §7.1) names this sandbox and label, holding files besides it.
 */
export async function checkLabelledSnapshot(connection: Connection, sandbox: string, label: string, options: RunCheckedOptions = {}): Promise<CheckedSnapshot> {
  const output = await runChecked(connection, { argv: ["sh", "-c", DESCRIBE_SNAPSHOTS, "sh", sandbox] }, `reading NemoClaw's snapshots of ${sandbox}`, options);
  for (const line of output.split("\n")) {
    const [timestamp = "", count = "", manifest = ""] = line.split("\t");
    const json = extractJson(manifest);
    if (!isSnapshotTimestamp(timestamp) || !isRecord(json) || json.name !== label) continue;
    if (json.sandboxName !== sandbox) throw new HostCommandError(connection.host, `checking snapshot ${label}`, `its manifest names sandbox ${String(json.sandboxName)}, not ${sandbox}`);
    const files = Number(count);
    if (!(files > 1)) throw new HostCommandError(connection.host, `checking snapshot ${label}`, `${timestamp} holds no files besides its manifest`);
    return { timestamp, files };
  }
  throw new HostCommandError(connection.host, `checking snapshot ${label}`, `no snapshot of ${sandbox} with a manifest naming ${label} was found`);
}

/** The snapshot as a tar stream in NemoClaw's layout (`rebuild-backups/<sandbox>/<timestamp>/…`). */
export async function streamSnapshot(connection: Connection, snapshot: HostSnapshot, signal?: AbortSignal): Promise<RemoteProcess> {
  const relative = snapshotRelativePath(snapshot.sandbox, snapshot.timestamp);
  return connection.spawn({ argv: ["tar", "-cf", "-", "-C", nemoclawDir(snapshot.home), "--", relative] }, signal ? { signal } : {});
}

/**
 * Remove the host's copy of a snapshot; with `releaseLock` (the host lock's text), give the lock
 * back in the same session, as the run's last command there (null: not released).
 */
export async function removeSnapshot(connection: Connection, snapshot: HostSnapshot, releaseLock?: string): Promise<SwapLockAnswer | null> {
  const argv = ["rm", "-rf", "--", snapshotDir(snapshot)];
  const what = "removing the host copy of the snapshot";
  if (releaseLock !== undefined) return runThenReleaseLock(connection, argv, releaseLock, what);
  await runChecked(connection, { argv }, what);
  return null;
}

/**
 * Moves a snapshot directory into NemoClaw's store in one rename, creating the sandbox's snapshot
 * directory (0700) when needed. Like NemoClaw itself, it refuses a store reached through a symbolic
 * link; `mv -T -n` renames onto the target path itself and never replaces anything there.
 * Every file and directory of the snapshot is flushed to disk first and the directory it lands in
 * after (`sync FILE…`, as a store on a host flushes: docs/backups.md#the-store), so a power cut
 * right after a restore cannot leave NemoClaw a snapshot of empty or truncated files under its
 * name. Prints `placed`, or `exists` when the target path is already taken (the source is then left).
 */
const PLACE_SNAPSHOT = `
set -e
from=$1; to=$2; shift 2
for p in "$@"; do
  if [ -L "$p" ]; then echo "$p is a symbolic link" >&2; exit 3; fi
  [ -e "$p" ] || mkdir -m 700 -- "$p"
  if [ ! -d "$p" ]; then echo "$p is not a directory" >&2; exit 3; fi
done
if [ -e "$to" ] || [ -L "$to" ]; then echo exists; exit 0; fi
find "$from" \\( -type f -o -type d \\) -exec sync -- {} +
mv -T -n -- "$from" "$to" || :
if [ ! -e "$from" ]; then sync -- "\${to%/*}"; echo placed
elif [ -e "$to" ] || [ -L "$to" ]; then echo exists
else echo "cannot move $from to $to" >&2; exit 1
fi
`;

export async function placeSnapshot(connection: Connection, from: string, snapshot: HostSnapshot, options: RunCheckedOptions = {}): Promise<"placed" | "exists"> {
  const nemoclaw = nemoclawDir(snapshot.home);
  const parents = [nemoclaw, `${nemoclaw}/rebuild-backups`, sandboxSnapshotsDir(snapshot.home, snapshot.sandbox)];
  const output = await runChecked(connection, { argv: ["sh", "-c", PLACE_SNAPSHOT, "sh", from, snapshotDir(snapshot), ...parents] }, `placing the snapshot in ${parents[2]}`, options);
  return output.trim() === "placed" ? "placed" : "exists";
}

export async function restoreSnapshot(connection: Connection, sandbox: string, timestamp: string, release: Releases, gateway: string, options: RunCheckedOptions = {}): Promise<void> {
  await runChecked(connection, remoteCommand(snapshotRestore(sandbox, timestamp, release, gateway)), `nemoclaw ${sandbox} snapshot restore ${timestamp}`, options);
}
