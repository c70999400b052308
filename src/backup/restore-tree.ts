/**
 * What a verified archive must become on disk, and how a tree found on a host differs from it: after
 * GNU tar unpacked a backup, the staged tree must hold exactly the approved entries — same names,
 * types, link targets, sizes and content — before anything is moved out of staging.
 */
import type { TreeNode } from "../host/system/files.js";
import type { TarEntry } from "./tar.js";

/** How many differences are listed before the rest are summarised. */
const MAX_DIFFERENCES = 5;

const directory = (): TreeNode => ({ type: "directory", size: 0, link: "", sha256: null });

/**
 * The tree unpacking `entries` (already approved by verify) makes, relative to the directory it is
 * unpacked in: the entries, the directories above them, and for a hard link a file with its
 * target's content.
 */
export function expectedTree(entries: readonly TarEntry[]): Map<string, TreeNode> {
  const tree = new Map<string, TreeNode>();
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  for (const entry of entries) {
    const parts = entry.name.split("/");
    for (let end = 1; end < parts.length; end += 1) {
      const parent = parts.slice(0, end).join("/");
      if (!tree.has(parent)) tree.set(parent, directory());
    }
    const content = entry.type === "hardlink" ? byName.get(entry.linkName) : entry;
    switch (entry.type) {
      case "directory":
        tree.set(entry.name, directory());
        break;
      case "symlink":
        tree.set(entry.name, { type: "symlink", size: 0, link: entry.linkName, sha256: null });
        break;
      default:
        tree.set(entry.name, { type: "file", size: content?.size ?? 0, link: "", sha256: content?.sha256 ?? null });
    }
  }
  return tree;
}

/** The part of a tree below `prefix`, relative to it. */
export function subtree(tree: ReadonlyMap<string, TreeNode>, prefix: string): Map<string, TreeNode> {
  const below = new Map<string, TreeNode>();
  for (const [path, node] of tree) if (path.startsWith(`${prefix}/`)) below.set(path.slice(prefix.length + 1), node);
  return below;
}

function describe(node: TreeNode): string {
  return node.type === "symlink" ? `a symbolic link to ${JSON.stringify(node.link)}` : `a ${node.type === "other" ? "special file" : node.type}`;
}

/** How `actual` differs from `expected` (empty when they hold the same paths with the same types, links and content). */
export function treeDifferences(expected: ReadonlyMap<string, TreeNode>, actual: ReadonlyMap<string, TreeNode>): string[] {
  const differences: string[] = [];
  for (const [path, want] of expected) {
    const have = actual.get(path);
    if (!have) differences.push(`${path} is missing`);
    else if (have.type !== want.type || (want.type === "symlink" && have.link !== want.link)) differences.push(`${path} is ${describe(have)}, not ${describe(want)}`);
    else if (want.type === "file" && (have.size !== want.size || have.sha256 !== want.sha256)) differences.push(`${path} has other content`);
  }
  for (const [path, have] of actual) if (!expected.has(path)) differences.push(`${path} (${describe(have)}) is not in the backup`);
  return differences.length > MAX_DIFFERENCES ? [...differences.slice(0, MAX_DIFFERENCES), `… and ${differences.length - MAX_DIFFERENCES} more`] : differences;
}
