/**
 * A backup store in a directory on the controller. Files are fsynced before the rename that makes
 * them visible, and the directory after it, and each directory made is flushed into its parent, so a
 * power cut cannot leave a committed backup that points at missing bytes, nor lose one.
 */
import { lstat, mkdir, open, readdir, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { addAbortSignal, type Readable } from "node:stream";
import { readRegularFile, SourceReadError } from "../config/source.js";
import * as nodeFs from "node:fs";
import { syncNewName, type DirectorySyncFs } from "../transport/directory-sync.js";
import { syncPath } from "../transport/local.js";
import { isUploadTemporaryName } from "../transport/upload-temporary.js";
import { MANIFEST_FILE, MAX_MANIFEST_BYTES } from "./manifest.js";
import type { PartialEntry, StoreBackend, StoreScan, StoredDirectory, UnreadableEntry } from "./store.js";

interface DirectoryEntry {
  name: string;
  isDirectory: boolean;
}

/** A directory's entries (none when it is gone or not a directory), or why it cannot be read. */
async function entriesOf(path: string): Promise<DirectoryEntry[] | { problem: string }> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    return { problem: `cannot be read (${code === "EACCES" ? "permission denied" : (code ?? (error as Error).message)})` };
  }
}

/**
 * A manifest's text, read as fleet files are (src/config/source.ts): opened without blocking and
 * refused unless it is a regular file of at most MAX_MANIFEST_BYTES — a FIFO, a device or a
 * directory named manifest.json is an invalid entry, not a listing that hangs or fails. Null text
 * when there is none.
 */
async function readManifest(path: string): Promise<{ manifestText: string | null; manifestProblem?: string }> {
  try {
    return { manifestText: (await readRegularFile(path, MAX_MANIFEST_BYTES)).toString("utf8") };
  } catch (error) {
    if (!(error instanceof SourceReadError)) throw error;
    if (error.code === "ENOENT") return { manifestText: null };
    return { manifestText: null, manifestProblem: error.message.startsWith("is ") ? error.message : `cannot be read (${error.message})` };
  }
}

/**
 * A partial entry's latest modification and the bytes of its files, walked without following
 * links; what cannot be read counts for nothing (the entry itself unreadable: both unknown).
 */
async function partialEntry(root: string, path: string): Promise<PartialEntry> {
  let modifiedMs: number | null = null;
  let sizeBytes = 0;
  const walk = async (at: string): Promise<boolean> => {
    const info = await lstat(at).catch(() => null);
    if (info === null) return false;
    modifiedMs = Math.max(modifiedMs ?? 0, info.mtimeMs);
    if (info.isFile()) sizeBytes += info.size;
    if (info.isDirectory()) for (const name of await readdir(at).catch(() => [])) await walk(join(at, name));
    return true;
  };
  return (await walk(join(root, path))) ? { path, modifiedMs, sizeBytes } : { path, modifiedMs: null, sizeBytes: null };
}

export class LocalStoreBackend implements StoreBackend {
  constructor(
    private readonly root: string,
    /** A fresh temporary (dot-prefixed) file name for atomic replacement. */
    private readonly temporaryName: () => string,
    /** How directories are flushed: the real calls, or a recording wrapper in tests. */
    private readonly syncFs: DirectorySyncFs = nodeFs,
  ) {}

  get label(): string {
    return this.root;
  }

  private resolve(path: string): string {
    return join(this.root, path);
  }

  async scan(): Promise<StoreScan> {
    const directories: StoredDirectory[] = [];
    const partials: PartialEntry[] = [];
    const unreadable: UnreadableEntry[] = [];
    const notePartial = async (path: string) => void partials.push(await partialEntry(this.root, path));
    // One directory that cannot be read is reported and skipped; only the root itself failing fails the listing.
    const listed = async (path: string): Promise<DirectoryEntry[]> => {
      const entries = await entriesOf(this.resolve(path));
      if (!("problem" in entries)) return entries;
      unreadable.push({ path, problem: entries.problem });
      return [];
    };
    const hosts = await entriesOf(this.root);
    if ("problem" in hosts) throw new Error(`${this.root} ${hosts.problem}`);
    for (const host of hosts) {
      // A write check's probe (store.ts checkWritable) that a killed run left.
      if (host.name.startsWith(".partial-")) await notePartial(host.name);
      if (!host.isDirectory || host.name.startsWith(".")) continue;
      for (const sandbox of await listed(host.name)) {
        if (!sandbox.isDirectory || sandbox.name.startsWith(".")) continue;
        for (const backup of await listed(`${host.name}/${sandbox.name}`)) {
          const path = `${host.name}/${sandbox.name}/${backup.name}`;
          if (backup.name.startsWith(".partial-")) {
            await notePartial(path);
            continue;
          }
          if (!backup.isDirectory || backup.name.startsWith(".")) continue;
          directories.push({ path, ...(await readManifest(this.resolve(`${path}/${MANIFEST_FILE}`))) });
          // A backup directory that cannot be listed is already reported through its manifest.
          const inner = await entriesOf(this.resolve(path));
          // A manifest rewrite's temporary file (ours, or an upload's into a store shared with a host).
          for (const entry of "problem" in inner ? [] : inner) {
            if (entry.name.startsWith(".partial-") || isUploadTemporaryName(entry.name)) await notePartial(`${path}/${entry.name}`);
          }
        }
      }
    }
    return { directories, partials, unreadable };
  }

  /**
   * A backup's first directories (its host's, its sandbox's) are made here: their names are flushed
   * too, or a power cut could take a committed backup away with the directory that holds it.
   */
  async makeDirectory(path: string): Promise<void> {
    const target = this.resolve(path);
    const created = await mkdir(target, { recursive: true, mode: 0o700 });
    if (created !== undefined) syncNewName(target, created, this.syncFs);
  }

  async writeStream(path: string, source: Readable, signal?: AbortSignal): Promise<void> {
    const handle = await open(this.resolve(path), "wx", 0o600);
    try {
      if (signal) addAbortSignal(signal, source);
      for await (const chunk of source) await this.writeAll(handle, chunk as Buffer, path);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /**
   * One write(2) may take only part of a chunk, without an error, when the disk fills up (or
   * RLIMIT_FSIZE is reached): a last chunk cut short so would commit a truncated archive under a
   * manifest hashed from the stream. So write on until the chunk is out; the write after a short
   * one fails with the reason (ENOSPC), named with the store and the file.
   */
  private async writeAll(handle: FileHandle, chunk: Buffer, path: string): Promise<void> {
    try {
      for (let offset = 0; offset < chunk.length; ) offset += (await handle.write(chunk, offset)).bytesWritten;
    } catch (error) {
      throw new Error(`${this.root}: cannot write ${path} (${(error as Error).message})`, { cause: error });
    }
  }

  async writeText(path: string, text: string): Promise<void> {
    const target = this.resolve(path);
    const temporary = join(dirname(target), this.temporaryName());
    const handle = await open(temporary, "wx", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    try {
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    await syncPath(dirname(target));
  }

  async readStream(path: string): Promise<Readable> {
    // Opening first makes a missing file reject here rather than later on the stream.
    const handle = await open(this.resolve(path), "r");
    return handle.createReadStream();
  }

  async rename(from: string, to: string): Promise<void> {
    const target = this.resolve(to);
    // rename(2) would silently replace an empty directory; a backup never overwrites anything.
    if (await stat(target).then(() => true, () => false)) throw new Error(`${target} already exists`);
    await rename(this.resolve(from), target);
    await syncPath(dirname(target));
  }

  async remove(path: string): Promise<void> {
    await rm(this.resolve(path), { recursive: true, force: true });
  }
}
