/**
 * Plain file operations on a host (coreutils and tar), for backups, restores and stores kept on a
 * fleet host. Every path is passed as one argument after `--`, never as shell text.
 */
import { randomBytes } from "node:crypto";
import type { Connection } from "../../transport/types.js";
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

export async function extractArchive(connection: Connection, archive: string, into: string, options: RunCheckedOptions = {}): Promise<void> {
  await runChecked(connection, { argv: ["tar", "--no-same-owner", "-xf", archive, "-C", into] }, "unpacking the backup", options);
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

export async function removePath(connection: Connection, path: string): Promise<void> {
  await runChecked(connection, { argv: ["rm", "-rf", "--", path] }, `removing ${path}`);
}

export interface TreeListing {
  /** Directories three levels down, with the content of their `marker` file when it exists. */
  directories: Array<{ path: string; markerText: string | null }>;
  /** Entries three or four levels down whose name starts with `.partial-`, with their mtime. */
  partials: Array<{ path: string; modifiedMs: number | null }>;
}

/**
 * Prints, relative to the root ($1): `P <tab> mtime <tab> path` for each partial entry,
 * `M <tab> path <tab> base64(marker)` for each directory with a marker file, `D <tab> path` for one
 * without. Each record is framed by a per-call nonce ($2) so no file content can forge one.
 */
const LIST_TREE_SCRIPT = `
[ -d "$1" ] || exit 0
cd -- "$1" || exit 1
find . -mindepth 3 -maxdepth 4 -name '.partial-*' -printf "$2 P\\t%T@\\t%P\\n"
for d in */*/*/; do
  [ -d "$d" ] || continue
  if [ -f "\${d}$3" ]; then
    printf '%s M\\t%s\\t' "$2" "\${d%/}"
    base64 -w0 < "\${d}$3" || exit 1
    printf '\\n'
  else
    printf '%s D\\t%s\\n' "$2" "\${d%/}"
  fi
done
`;

/** One round trip listing a three-level tree (a backup store: host/sandbox/timestamp). */
export async function listTree(connection: Connection, root: string, marker: string): Promise<TreeListing> {
  const nonce = randomBytes(8).toString("hex");
  const output = await runChecked(connection, { argv: ["sh", "-c", LIST_TREE_SCRIPT, "sh", root, nonce, marker] }, `listing ${root}`);
  const listing: TreeListing = { directories: [], partials: [] };
  for (const line of output.split("\n")) {
    if (!line.startsWith(`${nonce} `)) continue;
    const [kind, first, second] = line.slice(nonce.length + 1).split("\t");
    if (kind === "P" && first !== undefined && second) {
      const seconds = Number(first);
      listing.partials.push({ path: second, modifiedMs: Number.isFinite(seconds) ? seconds * 1000 : null });
    } else if (kind === "M" && first && second !== undefined) {
      listing.directories.push({ path: first, markerText: Buffer.from(second, "base64").toString("utf8") });
    } else if (kind === "D" && first) {
      listing.directories.push({ path: first, markerText: null });
    }
  }
  return listing;
}
