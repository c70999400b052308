/**
 * NemoClaw's rule for a safe guard file (reference §5): present, a regular file (not a symlink),
 * owned by root:root, mode 0444. Its guard recovery refuses anything else, and so should a report.
 */
import type { GuardFile, SandboxGuards } from "./guards.js";

/** What is wrong with one guard file, or null when it is safe. */
export function guardFileProblem(file: GuardFile): string | null {
  if (!file.present) return `${file.path} is missing`;
  if (file.type === "regular empty file") return `${file.path} is empty`;
  if (file.type !== "regular file") return `${file.path} is a ${file.type ?? "file of unknown type"}, not a regular file`;
  if (file.owner !== "root" || file.group !== "root") return `${file.path} is owned by ${file.owner ?? "?"}:${file.group ?? "?"}, not root:root`;
  if (file.mode?.replace(/^0+(?=\d)/, "") !== "444") return `${file.path} has mode ${file.mode ?? "?"}, not 0444`;
  return null;
}

/** Every guard problem of a sandbox, one phrase each: unsafe files, stale locks, unlisted lock dirs. */
export function sandboxGuardProblems(guards: SandboxGuards): string[] {
  return [
    ...guards.files.flatMap((file) => guardFileProblem(file) ?? []),
    ...guards.locks.filter((lock) => lock.stale).map((lock) => `stale gateway lock ${lock.path}${lock.pid !== null ? ` (pid ${lock.pid} is gone)` : ""}`),
    ...(guards.unreadableLockDirs ?? []).map((dir) => `lock directory ${dir} could not be listed`),
  ];
}
