/**
 * Making a new name in a directory durable on this machine. A file's own fsync does not make its
 * directory entry durable (fsync(2)): after a power cut, a file created or renamed in, or a
 * directory `mkdir -p` made, can be gone though its bytes were flushed. The callers flush the
 * directory that holds the new name, and the parent of each directory they made on the way.
 */
import * as nodeFs from "node:fs";
import { dirname, resolve } from "node:path";

/** The calls that flush a directory: the real ones, or a recording wrapper in tests. */
export type DirectorySyncFs = Pick<typeof nodeFs, "openSync" | "fsyncSync" | "closeSync">;

/**
 * Flush a directory. One we may write but not read (mode -wx) cannot be opened for that, and a file
 * system may have no flush for directories (fsync(2): EINVAL, "does not support synchronization",
 * as some network file systems answer); what was written in it stays written, so neither is a
 * failure (PostgreSQL's fsync_fname_ext passes over the same two).
 */
export function syncDirectory(directory: string, fs: DirectorySyncFs = nodeFs): void {
  let fd: number;
  try {
    fd = fs.openSync(directory, nodeFs.constants.O_RDONLY);
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EINVAL") throw error;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Flush the directory holding `path` (just created or renamed in) and, when `mkdirSync(…, {
 * recursive: true })` made directories on the way — `created` is the first it made, as it returns
 * it — every directory up to the parent of that first one, deepest first.
 */
export function syncNewName(path: string, created: string | undefined, fs: DirectorySyncFs = nodeFs): void {
  const last = created === undefined ? undefined : dirname(resolve(created));
  for (let directory = dirname(resolve(path)); ; directory = dirname(directory)) {
    syncDirectory(directory, fs);
    if (last === undefined || directory === last || directory === dirname(directory)) return;
  }
}
