/**
 * Files the tool is asked to write (plan files, metrics files, the report page): checked before
 * any work starts, so a typo in a path fails at once and names the path, and written atomically —
 * a temporary file in the same directory, then one rename — so a reader (node_exporter's textfile
 * collector, a browser, `nemoclaw apply`) never sees half a file. A write killed before its rename
 * leaves its temporary file; the next write of the same file removes it.
 */
import { accessSync, closeSync, constants, fchmodSync, fsyncSync, linkSync, lstatSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { currentOwner, isAbandoned, isOwnedName, ownedName, type PartialOwner } from "../backup/owner.js";
import { localPidAlive } from "../host/system/process.js";
import { syncDirectory } from "../transport/directory-sync.js";

/** A path the tool cannot write, with why; the message names the path and the option it came from. */
export class OutputPathError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = "OutputPathError";
  }
}

/** A file the command reads, and how to name it to the user ("the fleet file", "the plan file"). */
export interface InputFile {
  path: string;
  what: string;
}

/**
 * Why `path` cannot be written as a file (its directory missing, not a directory, not writable, or
 * `path` a directory), or null. Whether it is one of the command's inputs is `inputClash`'s to say.
 */
export function outputPathProblem(path: string): string | null {
  // Where "-" means stdout (`report --html -`, `init -o -`, `inventory --output -`) it never gets here.
  if (path === "-") return `"-" is not stdout here: it would write a file named "-"; name a file (./- for one named so)`;
  const directory = dirname(resolve(path));
  let directoryStat;
  try {
    directoryStat = statSync(directory);
  } catch {
    return `directory ${directory} does not exist`;
  }
  if (!directoryStat.isDirectory()) return `${directory} is not a directory`;
  try {
    accessSync(directory, constants.W_OK | constants.X_OK);
  } catch {
    return `directory ${directory} is not writable`;
  }
  try {
    const target = statSync(path);
    if (target.isDirectory()) return "is a directory; name a file in it";
    if (!target.isFile()) return "exists and is not a regular file";
  } catch {
    // Not there yet: it will be created.
  }
  return null;
}

/**
 * Why writing `path` would overwrite one of `inputs` (the same file, whatever the spelling: a
 * relative path, a symbolic link or a hard link), or null. Inputs that cannot be examined are no
 * clash: reading them fails on its own.
 */
export function inputClash(path: string, inputs: readonly InputFile[]): string | null {
  let target;
  try {
    target = statSync(path);
  } catch {
    return null;
  }
  for (const input of inputs) {
    let info;
    try {
      info = statSync(input.path);
    } catch {
      continue;
    }
    if (info.dev === target.dev && info.ino === target.ino) {
      const shown = resolve(input.path) === resolve(path) ? "" : ` (${input.path})`;
      return `is ${input.what}${shown} this command reads; refusing to overwrite it — write to another file`;
    }
  }
  return null;
}

/**
 * Write `text` to `path` through a temporary file beside it (a dot name that no `*.prom` glob or
 * directory listing picks up, naming its writer), flushed to disk, then renamed over `path` and the rename flushed
 * too. `mode`, when given, is set whatever the umask (a metrics file must be readable by the
 * exporter's user). On any failure — a full disk included — `path` keeps its previous contents.
 * With `replace: false` an existing `path` is never replaced, not even one that appeared meanwhile
 * (link(2) refuses an existing name where rename(2) would not).
 */
export function writeFileAtomically(path: string, text: string, options: { mode?: number; replace?: boolean } = {}): void {
  const owner = currentOwner();
  const temporary = join(dirname(path), `${temporaryPrefix(path)}${ownedName(owner)}${TEMPORARY_SUFFIX}`);
  try {
    // Created with the mode already (less the umask, which fchmod then overrides): never readable by more than asked.
    const fd = openSync(temporary, "wx", options.mode ?? 0o666);
    try {
      if (options.mode !== undefined) fchmodSync(fd, options.mode);
      // writeFileSync writes until every byte is out: one write(2) stops short when the disk
      // fills up (or RLIMIT_FSIZE is reached) without an error, which would rename half a file in.
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.replace === false) {
      linkSync(temporary, path);
      rmSync(temporary);
    } else {
      renameSync(temporary, path);
    }
  } catch (error) {
    rmSync(temporary, { force: true });
    const problem = outputPathProblem(path);
    throw new OutputPathError(path, problem ?? `cannot be written (${(error as Error).message}); the previous file, if any, is unchanged`);
  }
  syncDirectory(dirname(path));
  removeKilledWrites(path, owner);
}

/** A temporary file is `.<name>.<owner>.tmp`: a dot name, and its writer (src/backup/owner.ts) told by its name. */
function temporaryPrefix(path: string): string {
  return `.${basename(path)}.`;
}

const TEMPORARY_SUFFIX = ".tmp";

/**
 * Remove the temporary files earlier writes of `path` left when they were killed (SIGKILL, a
 * power cut) before their rename, by the rule backup stores use for partial entries
 * (src/backup/owner.ts isAbandoned): one written in this pid scope once its process is gone; one
 * from another machine (a shared directory) once untouched for a day. The names of other files,
 * and of earlier releases' temporary files, never match. Best effort: what cannot be read or
 * removed stays, and the write has succeeded all the same.
 */
function removeKilledWrites(path: string, owner: PartialOwner): void {
  const directory = dirname(path);
  const prefix = temporaryPrefix(path);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return;
  }
  const check = { self: owner, now: () => new Date(), isAlive: localPidAlive };
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMPORARY_SUFFIX)) continue;
    const writer = name.slice(prefix.length, -TEMPORARY_SUFFIX.length);
    if (!isOwnedName(writer)) continue;
    try {
      const info = lstatSync(join(directory, name));
      if (info.isFile() && isAbandoned(writer, info.mtimeMs, check)) rmSync(join(directory, name));
    } catch {
      // Gone meanwhile (another write removed it first), or not ours to remove.
    }
  }
}
