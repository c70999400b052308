/**
 * What makes an archive a good backup of what its manifest claims: the bytes hash to the recorded
 * sha256 and size, it is a complete tar, every entry lies inside the one NemoClaw snapshot
 * directory (nothing absolute, no `..`, no links pointing out, no devices), and NemoClaw's own
 * rebuild-manifest.json is there and names the same sandbox, timestamp and agent.
 */
import { posix } from "node:path";
import type { BackupManifest } from "./manifest.js";
import { SNAPSHOT_MANIFEST } from "../host/nemoclaw/snapshots.js";
import type { ArchiveInspection } from "./inspect.js";
import type { TarEntry } from "./tar.js";
import { parseBackupManifest } from "../host/nemoclaw/snapshots.js";

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

function entryProblem(root: string, entry: TarEntry): string | null {
  const name = entry.name.replace(/\/+$/, "");
  if (name.startsWith("/") || name.split("/").includes("..")) return `unsafe entry name ${JSON.stringify(entry.name)}`;
  if (!inside(root, name)) return `entry ${JSON.stringify(entry.name)} lies outside ${root}/`;
  if (entry.type === "other") return `entry ${JSON.stringify(entry.name)} is not a file, directory or link`;
  if (entry.type === "hardlink" && !inside(root, posix.normalize(entry.linkName))) {
    return `hard link ${JSON.stringify(entry.name)} points outside the snapshot`;
  }
  if (entry.type === "symlink") {
    const target = entry.linkName.startsWith("/") ? entry.linkName : posix.normalize(posix.join(posix.dirname(name), entry.linkName));
    if (!inside(root, target)) return `symbolic link ${JSON.stringify(entry.name)} points outside the snapshot (${entry.linkName})`;
  }
  return null;
}

/** Problems with the archive's layout and NemoClaw manifest (not its hash). */
export function layoutProblems(manifest: BackupManifest, inspection: ArchiveInspection): string[] {
  const root = manifest.snapshot.path;
  const problems: string[] = [];
  for (const entry of inspection.entries) {
    const problem = entryProblem(root, entry);
    if (problem) problems.push(problem);
    if (problems.length >= 5) break;
  }
  const nemoclawManifest = inspection.nemoclawManifests.get(`${root}/${SNAPSHOT_MANIFEST}`);
  if (!nemoclawManifest) {
    problems.push(`${root}/${SNAPSHOT_MANIFEST} is missing from the archive`);
    return problems;
  }
  const snapshot = parseBackupManifest(nemoclawManifest.toString("utf8"), root);
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
