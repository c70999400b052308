/**
 * Looking at an archive while it flows: sha256, byte count and a tar listing in one pass, so a
 * backup is hashed and test-read on its way into the store, and a restore is vetted on its way to
 * the host, without ever holding the archive in memory or reading it twice.
 */
import { createHash } from "node:crypto";
import { Transform, Writable, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { SNAPSHOT_MANIFEST } from "../host/nemoclaw/snapshots.js";
import { TarReader, type TarEntry } from "./tar.js";

export interface ArchiveInspection {
  sha256: string;
  sizeBytes: number;
  entries: TarEntry[];
  /** rebuild-manifest.json files found in the archive, by entry name. */
  nemoclawManifests: Map<string, Buffer>;
}

export class ArchiveInspector extends Transform {
  private readonly hash = createHash("sha256");
  private readonly reader = new TarReader((name) => name.endsWith(`/${SNAPSHOT_MANIFEST}`));
  private bytes = 0;
  private result: ArchiveInspection | null = null;

  constructor(private readonly onProgress?: (bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    try {
      this.hash.update(chunk);
      this.bytes += chunk.length;
      this.reader.write(chunk);
      this.onProgress?.(this.bytes);
      callback(null, chunk);
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: (error?: Error | null) => void): void {
    try {
      this.reader.end();
      this.result = {
        sha256: this.hash.digest("hex"),
        sizeBytes: this.bytes,
        entries: this.reader.entries,
        nemoclawManifests: this.reader.captured,
      };
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  /** Available once the stream has ended without error. */
  inspection(): ArchiveInspection {
    if (!this.result) throw new Error("archive inspection is not complete");
    return this.result;
  }
}

/** Read a whole archive only to inspect it (verification). */
export async function inspectArchive(source: Readable, signal?: AbortSignal): Promise<ArchiveInspection> {
  const inspector = new ArchiveInspector();
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  await pipeline(source, inspector, sink, signal ? { signal } : {});
  return inspector.inspection();
}
