/**
 * A backup store in a directory on the controller. Files are fsynced before the rename that makes
 * them visible, and the directory after it, so a power cut cannot leave a committed backup that
 * points at missing bytes.
 */
import { constants } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { addAbortSignal, type Readable } from "node:stream";
import { MANIFEST_FILE } from "./manifest.js";
import type { PartialEntry, StoreBackend, StoreScan, StoredDirectory } from "./store.js";

async function entriesOf(path: string): Promise<{ name: string; isDirectory: boolean }[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return [];
    throw error;
  }
}

async function readIfPresent(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class LocalStoreBackend implements StoreBackend {
  constructor(
    private readonly root: string,
    /** A fresh temporary (dot-prefixed) file name for atomic replacement. */
    private readonly temporaryName: () => string,
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
    const notePartial = async (path: string) => {
      const info = await stat(this.resolve(path)).catch(() => null);
      partials.push({ path, modifiedMs: info ? info.mtimeMs : null });
    };
    for (const host of await entriesOf(this.root)) {
      if (!host.isDirectory || host.name.startsWith(".")) continue;
      for (const sandbox of await entriesOf(this.resolve(host.name))) {
        if (!sandbox.isDirectory || sandbox.name.startsWith(".")) continue;
        for (const backup of await entriesOf(this.resolve(`${host.name}/${sandbox.name}`))) {
          const path = `${host.name}/${sandbox.name}/${backup.name}`;
          if (backup.name.startsWith(".partial-")) {
            await notePartial(path);
            continue;
          }
          if (!backup.isDirectory || backup.name.startsWith(".")) continue;
          directories.push({ path, manifestText: await readIfPresent(this.resolve(`${path}/${MANIFEST_FILE}`)) });
          for (const inner of await entriesOf(this.resolve(path))) {
            if (inner.name.startsWith(".partial-")) await notePartial(`${path}/${inner.name}`);
          }
        }
      }
    }
    return { directories, partials };
  }

  async makeDirectory(path: string): Promise<void> {
    await mkdir(this.resolve(path), { recursive: true, mode: 0o700 });
  }

  async writeStream(path: string, source: Readable, signal?: AbortSignal): Promise<void> {
    const handle = await open(this.resolve(path), "wx", 0o600);
    try {
      if (signal) addAbortSignal(signal, source);
      for await (const chunk of source) await handle.write(chunk as Buffer);
      await handle.sync();
    } finally {
      await handle.close();
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
    await syncDirectory(dirname(target));
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
    await syncDirectory(dirname(target));
  }

  async remove(path: string): Promise<void> {
    await rm(this.resolve(path), { recursive: true, force: true });
  }
}
