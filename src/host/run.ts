/**
 * Commands a backup or restore runs on a sandbox's host, and how their failures read. NemoClaw's
 * own snapshot engine does the sandbox side (`nemoclaw <name> snapshot create|restore`), so its
 * layout, audit and sanitisation hold; this module only finds the snapshot it made, streams it,
 * and puts snapshots back in place.
 */
import type { Readable } from "node:stream";
import { snapshotCreate, snapshotRestore } from "./nemoclaw/commands.js";
import type { Connection, RemoteProcess } from "../transport/types.js";
import { isSnapshotTimestamp } from "./nemoclaw/snapshots.js";

export class HostCommandError extends Error {
  constructor(
    readonly host: string,
    readonly what: string,
    readonly detail: string,
  ) {
    super(`${host}: ${what}: ${detail}`);
    this.name = "HostCommandError";
  }
}

/** The last lines of a command's output: where CLIs put the reason they failed. */
function tail(text: string): string {
  const lines = text.replace(/\x1b\[[0-9;]*m/g, "").trim().split("\n").filter((line) => line.trim() !== "");
  return lines.slice(-3).join(" / ").slice(0, 400) || "(no output)";
}

export async function runChecked(connection: Connection, argv: string[], what: string, signal?: AbortSignal): Promise<string> {
  const result = await connection.run({ argv }, signal ? { signal } : {});
  if (result.exitCode !== 0) {
    const status = result.exitCode === null ? `killed by ${result.signal ?? "a signal"}` : `exit ${result.exitCode}`;
    throw new HostCommandError(connection.host, what, `${status}: ${tail(`${result.stdout.toString("utf8")}\n${result.stderr.toString("utf8")}`)}`);
  }
  return result.stdout.toString("utf8");
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

export function snapshotDir(snapshot: HostSnapshot): string {
  return `${nemoclawDir(snapshot.home)}/rebuild-backups/${snapshot.sandbox}/${snapshot.timestamp}`;
}

/** Home directory first, then the sandbox's snapshot directory names (none when it has none). */
const LIST_SNAPSHOTS = 'printf "%s\\n" "$HOME"; d="$HOME/.nemoclaw/rebuild-backups/$1"; if [ -d "$d" ]; then ls -1A -- "$d"; fi';

async function listSnapshots(connection: Connection, sandbox: string, signal?: AbortSignal): Promise<{ home: string; timestamps: Set<string> }> {
  const output = await runChecked(connection, ["sh", "-c", LIST_SNAPSHOTS, "sh", sandbox], "listing NemoClaw snapshots", signal);
  const [home = "", ...names] = output.split("\n");
  if (!home.startsWith("/")) throw new HostCommandError(connection.host, "finding the home directory", `HOME is ${JSON.stringify(home)}`);
  return { home, timestamps: new Set(names.filter(isSnapshotTimestamp)) };
}

/**
 * `nemoclaw <sandbox> snapshot create --name <label>`, then the directory it made: the one new
 * snapshot directory of that sandbox (NemoClaw picks the timestamp; its output format is not relied on).
 */
export async function createSnapshot(connection: Connection, sandbox: string, label: string, signal?: AbortSignal): Promise<HostSnapshot> {
  const before = await listSnapshots(connection, sandbox, signal);
  await runChecked(connection, snapshotCreate(sandbox, label).argv, `nemoclaw ${sandbox} snapshot create`, signal);
  const after = await listSnapshots(connection, sandbox, signal);
  const created = [...after.timestamps].filter((timestamp) => !before.timestamps.has(timestamp));
  if (created.length !== 1) {
    throw new HostCommandError(
      connection.host,
      `nemoclaw ${sandbox} snapshot create`,
      created.length === 0 ? "no new snapshot directory appeared" : `several snapshots appeared at once (${created.join(", ")}); retry`,
    );
  }
  return { home: after.home, sandbox, timestamp: created[0]! };
}

/** The snapshot as a tar stream in NemoClaw's layout (`rebuild-backups/<sandbox>/<timestamp>/…`). */
export async function streamSnapshot(connection: Connection, snapshot: HostSnapshot, signal?: AbortSignal): Promise<RemoteProcess> {
  const relative = `rebuild-backups/${snapshot.sandbox}/${snapshot.timestamp}`;
  return connection.spawn({ argv: ["tar", "-cf", "-", "-C", nemoclawDir(snapshot.home), "--", relative] }, signal ? { signal } : {});
}

/** Collect a stream's text, keeping only the last `limit` characters. */
export function collectTail(stream: Readable, limit = 4000): () => string {
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-limit);
  });
  return () => text;
}

/** Resolves once a spawned command exits 0; rejects with the tail of its stderr otherwise. */
export async function succeeded(connection: Connection, process: RemoteProcess, what: string): Promise<void> {
  const stderr = collectTail(process.stderr);
  const outcome = await process.done;
  if (outcome.exitCode !== 0) {
    const status = outcome.exitCode === null ? `killed by ${outcome.signal ?? "a signal"}` : `exit ${outcome.exitCode}`;
    throw new HostCommandError(connection.host, what, `${status}: ${tail(stderr())}`);
  }
}

export async function removeSnapshot(connection: Connection, snapshot: HostSnapshot): Promise<void> {
  await runChecked(connection, ["rm", "-rf", "--", snapshotDir(snapshot)], "removing the host copy of the snapshot");
}

export async function homeOf(connection: Connection, signal?: AbortSignal): Promise<string> {
  const output = await runChecked(connection, ["sh", "-c", 'printf "%s" "$HOME"'], "finding the home directory", signal);
  if (!output.startsWith("/") || output.includes("\n")) throw new HostCommandError(connection.host, "finding the home directory", `HOME is ${JSON.stringify(output)}`);
  return output;
}

export async function makePrivateDirectory(connection: Connection, path: string): Promise<void> {
  await runChecked(connection, ["mkdir", "-p", "-m", "700", "--", path], `creating ${path}`);
}

export async function extractArchive(connection: Connection, archive: string, into: string, signal?: AbortSignal): Promise<void> {
  await runChecked(connection, ["tar", "--no-same-owner", "-xf", archive, "-C", into], "unpacking the backup", signal);
}

/**
 * Atomically move a directory to a path that must not exist yet: -T never moves INTO an existing
 * directory, -n never replaces one (and then the source is still there to tell).
 */
export async function moveDirectory(connection: Connection, from: string, to: string): Promise<void> {
  await runChecked(connection, ["mv", "-T", "-n", "--", from, to], `moving ${from} to ${to}`);
  const stillThere = await connection.run({ argv: ["test", "-e", from] });
  if (stillThere.exitCode === 0) throw new HostCommandError(connection.host, `moving ${from}`, `${to} already exists`);
}

export async function removePath(connection: Connection, path: string): Promise<void> {
  await runChecked(connection, ["rm", "-rf", "--", path], `removing ${path}`);
}

export async function restoreSnapshot(connection: Connection, sandbox: string, timestamp: string, signal?: AbortSignal): Promise<void> {
  await runChecked(connection, snapshotRestore(sandbox, timestamp).argv, `nemoclaw ${sandbox} snapshot restore ${timestamp}`, signal);
}
