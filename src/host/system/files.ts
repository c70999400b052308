/**
 * Plain file operations on a host (coreutils and tar), for backups, restores and stores kept on a
 * fleet host. Every path is passed as one argument after `--`, never as shell text.
 */
import { randomBytes } from "node:crypto";
import type { Connection } from "../../transport/types.js";
import { isUploadTemporaryName } from "../../transport/upload-temporary.js";
import { HostCommandError, runChecked, type RunCheckedOptions } from "../run.js";

/** The login user's home directory (absolute). */
export async function homeOf(connection: Connection, options: RunCheckedOptions = {}): Promise<string> {
  const output = await runChecked(connection, { argv: ["sh", "-c", 'printf "%s" "$HOME"'] }, "finding the home directory", options);
  if (!output.startsWith("/") || output.includes("\n")) throw new HostCommandError(connection.host, "finding the home directory", `HOME is ${JSON.stringify(output)}`);
  return output;
}

export async function makePrivateDirectory(connection: Connection, path: string): Promise<void> {
  await runChecked(connection, { argv: ["mkdir", "-p", "-m", "700", "--", path] }, `creating ${path}`);
}

/**
 * Unpack `member` (and what lies beneath it) of a tar archive with GNU tar into `into`, which must be
 * an empty directory the caller just made. GNU tar's defaults keep everything inside it: leading `/`
 * is stripped and names with `..` are refused, and a link pointing up or out is only created once
 * every other entry is in place, so nothing is ever written through one; `--keep-old-files` makes a
 * name that occurs twice an error instead of a replacement; `--no-same-owner` keeps the files the
 * login user's.
 */
export async function extractArchive(connection: Connection, archive: string, into: string, member: string, options: RunCheckedOptions = {}): Promise<void> {
  await runChecked(
    connection,
    { argv: ["tar", "--extract", "--no-same-owner", "--keep-old-files", `--file=${archive}`, `--directory=${into}`, "--", member] },
    "unpacking the backup",
    options,
  );
}

export type TreeNodeType = "file" | "directory" | "symlink" | "other";

/** One path below a directory on a host, as `lstat` sees it. */
export interface TreeNode {
  type: TreeNodeType;
  /** Bytes, for regular files. */
  size: number;
  /** Target, for symbolic links. */
  link: string;
  /** Content digest, for regular files. */
  sha256: string | null;
}

/**
 * Every path below $1 (never following a link): NUL-separated type, path, size and link target per
 * entry; an empty field; then `<sha256>  ./<path>` for each regular file.
 */
const DESCRIBE_TREE_SCRIPT = `
cd -- "$1" || exit 1
find . -mindepth 1 -printf '%y\\0%P\\0%s\\0%l\\0' || exit 1
printf '\\0'
find . -mindepth 1 -type f -exec sha256sum -z -- {} + || exit 1
`;

const FIND_TYPES: Record<string, TreeNodeType> = { f: "file", d: "directory", l: "symlink" };

/** What lies below a directory on a host, keyed by path relative to it (one round trip). */
export async function describeTree(connection: Connection, dir: string, options: RunCheckedOptions = {}): Promise<Map<string, TreeNode>> {
  const output = await runChecked(connection, { argv: ["sh", "-c", DESCRIBE_TREE_SCRIPT, "sh", dir] }, `listing ${dir}`, options);
  const fields = output.split("\0");
  const tree = new Map<string, TreeNode>();
  let at = 0;
  for (; at + 3 < fields.length && fields[at] !== ""; at += 4) {
    const [type, path, size, link] = fields.slice(at, at + 4) as [string, string, string, string];
    tree.set(path, { type: FIND_TYPES[type] ?? "other", size: type === "f" ? Number(size) : 0, link: type === "l" ? link : "", sha256: null });
  }
  for (const line of fields.slice(at + 1)) {
    const match = /^([0-9a-f]{64}) {2}\.\/(.*)$/s.exec(line);
    const node = match ? tree.get(match[2]!) : undefined;
    if (node) node.sha256 = match![1]!;
  }
  return tree;
}

/**
 * The host's clock (ms since the epoch) from `date +%s`, read before the entries it dates: a file's
 * mtime is stamped by the host's clock, so its age is measured on that clock, never the controller's
 * (src/backup/owner.ts isAbandoned). Null when the output is no number.
 */
function hostClockMs(seconds: string): number | null {
  const value = Number(seconds);
  return seconds.trim() !== "" && Number.isFinite(value) ? value * 1000 : null;
}

/**
 * The entries directly in a directory, each with the latest modification anywhere inside it (ms
 * since the epoch), and the host's clock when they were listed (`clockMs`, on which they were stamped).
 */
export async function listEntryAges(connection: Connection, dir: string, options: RunCheckedOptions = {}): Promise<Array<{ name: string; modifiedMs: number | null; clockMs: number | null }>> {
  const script = `[ -d "$1" ] || exit 0
cd -- "$1" || exit 1
printf 'clock %s\\0' "$(date +%s)"
find . -mindepth 1 -printf '%T@ %P\\0'`;
  const output = await runChecked(connection, { argv: ["sh", "-c", script, "sh", dir] }, `listing ${dir}`, options);
  const records = output.split("\0");
  const clockMs = records[0]?.startsWith("clock ") ? hostClockMs(records.shift()!.slice("clock ".length)) : null;
  const newest = new Map<string, number | null>();
  for (const record of records) {
    const space = record.indexOf(" ");
    if (space < 0) continue;
    const seconds = Number(record.slice(0, space));
    const name = record.slice(space + 1).split("/")[0]!;
    const previous = newest.get(name) ?? null;
    const modified = Number.isFinite(seconds) ? seconds * 1000 : null;
    newest.set(name, modified === null ? previous : Math.max(previous ?? 0, modified));
  }
  return [...newest].map(([name, modifiedMs]) => ({ name, modifiedMs, clockMs }));
}

/**
 * Atomically move a directory to a path that must not exist yet: -T never moves INTO an existing
 * directory, -n never replaces one (and then the source is still there to tell).
 */
export async function moveDirectory(connection: Connection, from: string, to: string): Promise<void> {
  await runChecked(connection, { argv: ["mv", "-T", "-n", "--", from, to] }, `moving ${from} to ${to}`);
  const stillThere = await connection.run({ argv: ["test", "-e", from] });
  if (stillThere.exitCode === 0) throw new HostCommandError(connection.host, `moving ${from}`, `${to} already exists`);
}

/**
 * Flush files or directories to disk, in one command (`sync FILE…`: fsync(2) of each, GNU
 * coreutils ≥ 8.24; older ones flush every file system instead, as docs/backups.md says).
 */
export async function flushPaths(connection: Connection, paths: readonly [...string[], string]): Promise<void> {
  await runChecked(connection, { argv: ["sync", "--", ...paths] }, `flushing ${paths.join(", ")} to disk`);
}

export async function removePath(connection: Connection, path: string): Promise<void> {
  await runChecked(connection, { argv: ["rm", "-rf", "--", path] }, `removing ${path}`);
}

export interface TreeListing {
  /**
   * Directories three levels down, with the content of their `marker` file when it exists, or why
   * it could not be read (not a regular file, no permission, larger than the limit).
   */
  directories: Array<{ path: string; markerText: string | null; markerProblem?: string }>;
  /**
   * Entries three or four levels down whose name starts with `.partial-` (not below another such
   * entry), one at the root (a write check's), and uploads' temporary files four levels down (in a
   * backup directory), with the latest mtime anywhere in them and the bytes of their files.
   */
  partials: Array<{ path: string; modifiedMs: number | null; sizeBytes: number | null; clockMs: number | null }>;
  /** Directories one or two levels down that cannot be read (what is below them is not listed). */
  unreadable: Array<{ path: string; problem: string }>;
}

/**
 * Prints `T <tab> seconds` (the host's clock, which stamps the mtimes: hostClockMs), then, relative to
 * the root ($1): `P <tab> mtime <tab> type <tab> size <tab> path` for each
 * partial entry and everything in it (summed up by the caller), for a `.partial-` entry at the
 * root, and for an upload's temporary file in a backup directory (partialRoot keeps just those),
 * `U <tab> path` for a directory one or two levels down that cannot be read, `M <tab> path <tab>
 * base64(marker)` for each directory with a readable regular marker file (at most $4 bytes of it),
 * `X <tab> path <tab> problem` for one whose marker cannot be read or is not a regular file (a FIFO
 * is never opened), `D <tab> path` for one without. Each record is framed by a per-call nonce ($2)
 * so no file content can forge one. One bad entry never fails the listing.
 */
const LIST_TREE_SCRIPT = `
[ -d "$1" ] || exit 0
cd -- "$1" || exit 1
printf '%s T\\t%s\\n' "$2" "$(date +%s)"
find . -mindepth 1 -maxdepth 5 \\( -path './*/*/.partial-*' -o -path './.partial-*' -o -path './*/*/*/.*.nemoclaw-tmp.*' \\) -printf "$2 P\\t%T@\\t%y\\t%s\\t%P\\n" 2>/dev/null
for d in */ */*/; do
  [ -d "$d" ] || continue
  [ -r "$d" ] && [ -x "$d" ] || printf '%s U\\t%s\\n' "$2" "\${d%/}"
done
for d in */*/*/; do
  [ -d "$d" ] || continue
  f="\${d}$3"
  if [ ! -x "$d" ]; then
    printf '%s X\\t%s\\t%s\\n' "$2" "\${d%/}" "cannot be read (permission denied)"
  elif [ -f "$f" ]; then
    if [ -r "$f" ]; then
      printf '%s M\\t%s\\t' "$2" "\${d%/}"
      head -c "$4" < "$f" | base64 -w0
      printf '\\n'
    else
      printf '%s X\\t%s\\t%s\\n' "$2" "\${d%/}" "cannot be read (permission denied)"
    fi
  elif [ -e "$f" ] || [ -h "$f" ]; then
    printf '%s X\\t%s\\t%s\\n' "$2" "\${d%/}" "is not a regular file; refusing to read it"
  else
    printf '%s D\\t%s\\n' "$2" "\${d%/}"
  fi
done
`;

/**
 * One round trip listing a three-level tree (a backup store: host/sandbox/timestamp). A marker
 * file over `maxMarkerBytes` is reported, not read whole.
 */
export async function listTree(connection: Connection, root: string, marker: string, maxMarkerBytes: number): Promise<TreeListing> {
  const nonce = randomBytes(8).toString("hex");
  const output = await runChecked(connection, { argv: ["sh", "-c", LIST_TREE_SCRIPT, "sh", root, nonce, marker, String(maxMarkerBytes + 1)] }, `listing ${root}`);
  const listing: TreeListing = { directories: [], partials: [], unreadable: [] };
  const partials = new Map<string, { path: string; modifiedMs: number | null; sizeBytes: number | null; clockMs: number | null }>();
  let clockMs: number | null = null;
  for (const line of output.split("\n")) {
    if (!line.startsWith(`${nonce} `)) continue;
    const [kind, first, second, ...rest] = line.slice(nonce.length + 1).split("\t");
    if (kind === "T" && first !== undefined) {
      clockMs = hostClockMs(first);
    } else if (kind === "P" && first !== undefined && rest.length >= 2) {
      const path = partialRoot(rest.slice(1).join("\t"));
      if (path === null) continue;
      const seconds = Number(first);
      const size = Number(rest[0]);
      const entry = partials.get(path) ?? { path, modifiedMs: null, sizeBytes: 0, clockMs };
      if (Number.isFinite(seconds)) entry.modifiedMs = Math.max(entry.modifiedMs ?? 0, seconds * 1000);
      if (second === "f" && entry.sizeBytes !== null) entry.sizeBytes = Number.isFinite(size) ? entry.sizeBytes + size : null;
      partials.set(path, entry);
    } else if (kind === "M" && first && second !== undefined) {
      const bytes = Buffer.from(second, "base64");
      listing.directories.push(
        bytes.length > maxMarkerBytes
          ? { path: first, markerText: null, markerProblem: `is larger than ${maxMarkerBytes} bytes; refusing to read it` }
          : { path: first, markerText: bytes.toString("utf8") },
      );
    } else if (kind === "X" && first && second) {
      listing.directories.push({ path: first, markerText: null, markerProblem: second });
    } else if (kind === "U" && first) {
      listing.unreadable.push({ path: first, problem: "cannot be read (permission denied)" });
    } else if (kind === "D" && first) {
      listing.directories.push({ path: first, markerText: null });
    }
  }
  listing.partials.push(...partials.values());
  return listing;
}

/**
 * The partial entry a listed path is or lies in: `.partial-…` at the root, `host/sandbox/.partial-…`,
 * or `host/sandbox/<backup>/.partial-…` or an upload's temporary file there, under host and sandbox
 * directories that are not dot names themselves (as the local store lists them); null for anything else.
 */
function partialRoot(path: string): string | null {
  const parts = path.split("/");
  if (parts.length === 1) return parts[0]!.startsWith(".partial-") ? path : null;
  if (parts.length < 3 || parts[0]!.startsWith(".") || parts[1]!.startsWith(".")) return null;
  const inBackup = parts[3] !== undefined && !parts[2]!.startsWith(".") && (parts[3].startsWith(".partial-") || isUploadTemporaryName(parts[3]));
  const at = parts[2]!.startsWith(".partial-") ? 3 : inBackup ? 4 : 0;
  return at === 0 ? null : parts.slice(0, at).join("/");
}
