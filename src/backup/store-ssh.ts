/**
 * A backup store in a directory on a fleet host, reached over the same Connection as everything
 * else: archives go up with the transport's atomic upload and come back with download; listing,
 * renames and removals are plain coreutils/findutils commands (a fleet host is a Linux machine).
 * Listing the whole store is one command, so `backup list` costs one round trip per store. As in
 * a local store, files are flushed to disk before the rename that makes them visible and
 * directories after it (durable uploads, `sync`), and each directory made into its parent, so a
 * power cut on the store host cannot leave a committed backup, or a rewritten manifest, pointing
 * at missing bytes, nor lose one.
 */
import { posix } from "node:path";
import { Readable } from "node:stream";
import type { Connection } from "../transport/types.js";
import { flushPaths, listTree, makePrivateDirectory, moveDirectory, removePath } from "../host/system/files.js";
import { MANIFEST_FILE, MAX_MANIFEST_BYTES } from "./manifest.js";
import type { StoreBackend, StoreScan } from "./store.js";

export class SshStoreBackend implements StoreBackend {
  constructor(
    private readonly connection: Connection,
    private readonly root: string,
  ) {}

  get label(): string {
    return `${this.connection.host}:${this.root}`;
  }

  private resolve(path: string): string {
    return posix.join(this.root, path);
  }

  async scan(): Promise<StoreScan> {
    const listing = await listTree(this.connection, this.root, MANIFEST_FILE, MAX_MANIFEST_BYTES);
    return {
      directories: listing.directories.map((directory) => ({
        path: directory.path,
        manifestText: directory.markerText,
        ...(directory.markerProblem === undefined ? {} : { manifestProblem: directory.markerProblem }),
      })),
      partials: listing.partials,
      unreadable: listing.unreadable,
    };
  }

  /**
   * `mkdir -p` may make a backup's host and sandbox directories: each name is flushed into its
   * parent, up to the store's root, or a power cut could take a committed backup away with them.
   */
  async makeDirectory(path: string): Promise<void> {
    await makePrivateDirectory(this.connection, this.resolve(path));
    const above = path.split("/").slice(0, -1);
    const parents = above.map((_, index) => this.resolve(above.slice(0, above.length - index).join("/")));
    await flushPaths(this.connection, [...parents, this.root] as const);
  }

  async writeStream(path: string, source: Readable, signal?: AbortSignal): Promise<void> {
    await this.connection.upload(source, this.resolve(path), { mode: 0o600, durable: true, ...(signal ? { signal } : {}) });
  }

  async writeText(path: string, text: string): Promise<void> {
    const data = Buffer.from(text, "utf8");
    // The size, so a manifest rewrite cut short (say by `backup verify` being killed) keeps the old one.
    await this.connection.upload(Readable.from([data]), this.resolve(path), { mode: 0o600, bytes: data.length, durable: true });
  }

  async readStream(path: string, signal?: AbortSignal): Promise<Readable> {
    return this.connection.download(this.resolve(path), signal ? { signal } : {});
  }

  async rename(from: string, to: string): Promise<void> {
    await moveDirectory(this.connection, this.resolve(from), this.resolve(to));
    await flushPaths(this.connection, [posix.dirname(this.resolve(to))]);
  }

  async remove(path: string): Promise<void> {
    await removePath(this.connection, this.resolve(path));
  }
}
