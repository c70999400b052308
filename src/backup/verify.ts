/**
 * What makes an archive a good backup of what its manifest claims: the bytes hash to the recorded
 * sha256 and size, it is a complete tar, and unpacking it can only ever create the one NemoClaw
 * snapshot directory — every name canonical and inside it, each name once, nothing beneath a link
 * or a file, hard links only to earlier files of the snapshot, symbolic links that stay inside it
 * however the links they pass through resolve, no devices — and NemoClaw's own
 * rebuild-manifest.json is there, names the same sandbox, timestamp and agent, and points only
 * inside the snapshot and the sandbox.
 */
import type { BackupManifest } from "./manifest.js";
import { SNAPSHOT_MANIFEST, snapshotManifestProblems } from "../host/nemoclaw/snapshots.js";
import type { ArchiveInspection } from "./inspect.js";
import type { TarEntry } from "./tar.js";
import { parseBackupManifest } from "../host/nemoclaw/snapshots.js";

/** How many problems with entries are listed before the rest are summarised. */
const MAX_ENTRY_PROBLEMS = 5;
/** Symbolic links followed while resolving one target (Linux gives up after 40 too). */
const MAX_LINK_HOPS = 40;

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/** A relative name without empty, `.` or `..` components: the one spelling of its path. */
function isCanonical(name: string): boolean {
  return name !== "" && !name.startsWith("/") && name.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

/**
 * Whether a symbolic link at `link` pointing to `target` ends up inside `root` on disk, resolving
 * every component the way the kernel would: through the archive's other symbolic links, and never
 * passing above `root` on the way.
 */
function linkStaysInside(root: string, link: string, target: string, symlinks: ReadonlyMap<string, string>): boolean {
  const depth = root.split("/").length;
  const resolved = link.split("/").slice(0, -1);
  let pending = target.split("/");
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (resolved.length <= depth) return false;
      resolved.pop();
      continue;
    }
    resolved.push(part);
    const next = symlinks.get(resolved.join("/"));
    if (next === undefined) continue;
    hops += 1;
    if (hops > MAX_LINK_HOPS || next.startsWith("/")) return false;
    resolved.pop();
    pending = [...next.split("/"), ...pending];
  }
  return resolved.length >= depth;
}

/** Problems with the entries themselves: names, types and links (not the content). */
export function entryProblems(root: string, entries: readonly TarEntry[]): string[] {
  const problems: string[] = [];
  const all = new Map<string, TarEntry>();
  for (const entry of entries) if (!all.has(entry.name)) all.set(entry.name, entry);
  const earlier = new Map<string, TarEntry>();
  const symlinks = new Map(entries.filter((entry) => entry.type === "symlink").map((entry) => [entry.name, entry.linkName]));
  for (const entry of entries) {
    const shown = JSON.stringify(entry.name);
    const problem = ((): string | null => {
      if (!isCanonical(entry.name)) return `unsafe entry name ${shown}`;
      if (!inside(root, entry.name)) return `entry ${shown} lies outside ${root}/`;
      if (earlier.has(entry.name)) return `entry ${shown} appears more than once`;
      if (entry.type === "other") return `entry ${shown} is not a file, directory or link`;
      if (entry.name === root && entry.type !== "directory") return `${root} is not a directory`;
      for (let end = entry.name.lastIndexOf("/"); end > root.length; end = entry.name.lastIndexOf("/", end - 1)) {
        const ancestor = all.get(entry.name.slice(0, end));
        if (ancestor && ancestor.type !== "directory") return `entry ${shown} lies beneath ${JSON.stringify(ancestor.name)}, which is not a directory`;
      }
      if (entry.type === "hardlink") {
        if (!isCanonical(entry.linkName) || !inside(root, entry.linkName)) return `hard link ${shown} points outside the snapshot (${entry.linkName})`;
        if (earlier.get(entry.linkName)?.type !== "file") return `hard link ${shown} does not point to an earlier file of the snapshot (${entry.linkName})`;
      }
      if (entry.type === "symlink" && (entry.linkName.startsWith("/") || !linkStaysInside(root, entry.name, entry.linkName, symlinks))) {
        return `symbolic link ${shown} points outside the snapshot (${entry.linkName})`;
      }
      return null;
    })();
    if (!earlier.has(entry.name)) earlier.set(entry.name, entry);
    if (problem === null) continue;
    if (problems.length === MAX_ENTRY_PROBLEMS) {
      problems.push("… and more");
      break;
    }
    problems.push(problem);
  }
  return problems;
}

/** Problems with the archive's layout and NemoClaw manifest (not its hash). */
export function layoutProblems(manifest: BackupManifest, inspection: ArchiveInspection): string[] {
  const root = manifest.snapshot.path;
  const problems = entryProblems(root, inspection.entries);
  const nemoclawManifest = inspection.nemoclawManifests.get(`${root}/${SNAPSHOT_MANIFEST}`);
  if (!nemoclawManifest || !inspection.entries.some((entry) => entry.name === `${root}/${SNAPSHOT_MANIFEST}` && entry.type === "file")) {
    problems.push(`${root}/${SNAPSHOT_MANIFEST} is missing from the archive`);
    return problems;
  }
  const text = nemoclawManifest.toString("utf8");
  const pathProblems = snapshotManifestProblems(text, root);
  if (pathProblems.length > 0) return [...problems, ...pathProblems];
  const snapshot = parseBackupManifest(text, root);
  if (snapshot.state === "unknown") {
    problems.push(snapshot.reason);
    return problems;
  }
  const { sandbox, timestamp, agentType } = snapshot.value;
  if (sandbox !== manifest.sandbox) problems.push(`NemoClaw manifest names sandbox ${sandbox}, not ${manifest.sandbox}`);
  if (timestamp !== manifest.snapshot.timestamp) {
    problems.push(`NemoClaw manifest timestamp ${timestamp} differs from ${manifest.snapshot.timestamp}`);
  }
  if (agentType !== manifest.agent.type) problems.push(`NemoClaw manifest agent ${agentType ?? "(none)"} differs from ${manifest.agent.type}`);
  return problems;
}

/** Everything wrong with an archive read back from the store, or [] when it is a good backup. */
export function archiveProblems(manifest: BackupManifest, inspection: ArchiveInspection): string[] {
  const problems: string[] = [];
  if (inspection.sha256 !== manifest.archive.sha256) {
    problems.push(`sha256 ${inspection.sha256} does not match the manifest (${manifest.archive.sha256})`);
  }
  if (inspection.sizeBytes !== manifest.archive.sizeBytes) {
    problems.push(`size ${inspection.sizeBytes} bytes does not match the manifest (${manifest.archive.sizeBytes})`);
  }
  return [...problems, ...layoutProblems(manifest, inspection)];
}
