/**
 * The backup store: `<destination>/<host>/<sandbox>/<timestamp>/{backup.tar, manifest.json}`, in a
 * local directory or a directory on a fleet host (see store-local.ts and store-ssh.ts for the two
 * backends). Nothing partial is ever visible: a backup is assembled in a `.partial-…` directory
 * beside its series and renamed into place only once the archive is complete, hashed, test-read
 * and its manifest written; deletions rename into a `.partial-…` name first. Dot names are never
 * listed; the next run, and `backup prune`, remove the ones whose writer is gone.
 */
import { posix } from "node:path";
import type { Readable } from "node:stream";
import { ArchiveInspector, inspectArchive, type ArchiveInspection } from "./inspect.js";
import { ARCHIVE_FILE, MANIFEST_FILE, ManifestError, parseManifest, serializeManifest, type BackupManifest } from "./manifest.js";
import { isSnapshotTimestamp } from "../host/nemoclaw/snapshots.js";
import { assertStoreComponent, isStoreComponent } from "./names.js";
import { isAbandoned, isOwnedName, ownedName, type PartialOwner } from "./owner.js";
import { recordOf, type BackupRecord } from "./record.js";
import { TarFormatError } from "./tar.js";
import { archiveProblems, layoutProblems } from "./verify.js";
import { byCodeUnits } from "../config/order.js";
import { terminalSafe } from "../transport/terminal-text.js";
import { isUploadTemporaryName } from "../transport/upload-temporary.js";

export interface StoredDirectory {
  /** `<host>/<sandbox>/<timestamp>` relative to the store root. */
  path: string;
  /** manifest.json's text, or null when the directory has none (or it could not be read: see manifestProblem). */
  manifestText: string | null;
  /** Why manifest.json is there but could not be read (not a regular file, too large, no permission). */
  manifestProblem?: string;
}

/** A directory in the store that could not be listed (the rest of the store still is). */
export interface UnreadableEntry {
  /** Relative to the store root. */
  path: string;
  problem: string;
}

export interface PartialEntry {
  /** Relative to the store root. */
  path: string;
  /**
   * The latest modification anywhere in it (ms since the epoch), when the backend can tell: a
   * writer streaming into its archive changes the file, not the directory holding it.
   */
  modifiedMs: number | null;
  /** Bytes of the files in it, when the backend can tell. */
  sizeBytes: number | null;
  /** The store host's clock when it was listed (ms), for a store on another machine: `modifiedMs` is on that clock. */
  clockMs?: number | null;
}

/** A partial entry whose writer is gone (owner.ts isAbandoned): what killed runs leave in a store. */
export interface Leftover {
  /** `<store label>/<path>`, terminal-safe. */
  location: string;
  /** Relative to the store root. */
  path: string;
  sizeBytes: number | null;
}

export interface StoreScan {
  directories: StoredDirectory[];
  partials: PartialEntry[];
  /** Directories below the root that could not be read; each is listed as an invalid entry. */
  unreadable?: UnreadableEntry[];
}

/** The file operations a store needs; all paths are relative to the store root. */
export interface StoreBackend {
  /** Shown to users and used in record locations: `/srv/backups` or `backup-01:/srv/backups`. */
  readonly label: string;
  scan(): Promise<StoreScan>;
  makeDirectory(path: string): Promise<void>;
  /** Write a new file from a stream, durably; rejects (leaving at most a partial file) on error or abort. */
  writeStream(path: string, source: Readable, signal?: AbortSignal): Promise<void>;
  /** Replace a small file atomically. */
  writeText(path: string, text: string): Promise<void>;
  readStream(path: string, signal?: AbortSignal): Promise<Readable>;
  /** Rename a directory; fails when the target already exists. */
  rename(from: string, to: string): Promise<void>;
  /** Remove a file or directory tree; missing is fine. */
  remove(path: string): Promise<void>;
}

const PARTIAL_PREFIX = ".partial-";

export function partialName(owner: PartialOwner): string {
  return `${PARTIAL_PREFIX}${ownedName(owner)}`;
}

export class BackupIntegrityError extends Error {
  constructor(
    readonly location: string,
    readonly problems: string[],
  ) {
    super(`${location}: ${problems.join("; ")}`);
    this.name = "BackupIntegrityError";
  }
}

export interface InvalidEntry {
  location: string;
  problem: string;
}

export interface StoreListing {
  records: BackupRecord[];
  invalid: InvalidEntry[];
  partials: PartialEntry[];
}

export interface WriteRequest {
  host: string;
  sandbox: string;
  timestamp: string;
  source: Readable;
  /** Settles when whatever produces `source` has finished; a rejection aborts the write. */
  sourceDone?: Promise<void>;
  /** Read the archive back from the store and check it before committing. */
  verify: boolean;
  now: () => Date;
  /** Build the manifest once the archive's size, hash and content are known. */
  manifestFor(archive: { sizeBytes: number; sha256: string }, inspection: ArchiveInspection): BackupManifest;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
}

export interface VerifyOutcome {
  record: BackupRecord;
  problems: string[];
  /** Why the result could not be written into the manifest (a full disk, say); the previous result stays there. */
  notRecorded?: string;
}

function isMissingFile(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
}

/** How to tell a writer is gone: the time, and whether a pid on this machine is alive. */
export interface Liveness {
  now: () => Date;
  isAlive: (pid: number) => boolean;
}

export class BackupStore {
  constructor(
    readonly backend: StoreBackend,
    private readonly owner: PartialOwner,
  ) {}

  get label(): string {
    return this.backend.label;
  }

  async list(): Promise<StoreListing> {
    const scan = await this.backend.scan();
    const records: BackupRecord[] = [];
    // Its name is the store's to choose (and any name there is someone else's to choose): shown terminal-safe.
    const invalid: InvalidEntry[] = (scan.unreadable ?? []).map((entry) => ({ location: terminalSafe(`${this.label}/${entry.path}`), problem: entry.problem }));
    for (const directory of scan.directories) {
      const location = `${this.label}/${directory.path}`;
      const [host, sandbox, timestamp, extra] = directory.path.split("/");
      if (extra !== undefined || !host || !sandbox || !timestamp || ![host, sandbox, timestamp].every(isStoreComponent)) continue;
      if (!isSnapshotTimestamp(timestamp)) {
        invalid.push({ location, problem: "directory name is not a snapshot timestamp" });
        continue;
      }
      if (directory.manifestProblem !== undefined) {
        invalid.push({ location, problem: `${MANIFEST_FILE} ${directory.manifestProblem}` });
        continue;
      }
      if (directory.manifestText === null) {
        invalid.push({ location, problem: `${MANIFEST_FILE} is missing` });
        continue;
      }
      try {
        const manifest = parseManifest(directory.manifestText, `${location}/${MANIFEST_FILE}`);
        if (manifest.id !== directory.path) {
          invalid.push({ location, problem: `manifest describes ${manifest.id}, not this directory` });
          continue;
        }
        records.push(recordOf(manifest, this.label));
      } catch (error) {
        if (!(error instanceof ManifestError)) throw error;
        invalid.push({ location, problem: error.problems.join("; ") });
      }
    }
    records.sort((a, b) => byCodeUnits(a.host, b.host) || byCodeUnits(a.sandbox, b.sandbox) || byCodeUnits(b.timestamp, a.timestamp));
    return { records, invalid, partials: scan.partials };
  }

  async write(request: WriteRequest): Promise<BackupRecord> {
    const host = assertStoreComponent("host name", request.host);
    const sandbox = assertStoreComponent("sandbox name", request.sandbox);
    if (!isSnapshotTimestamp(request.timestamp)) throw new Error(`not a snapshot timestamp: ${JSON.stringify(request.timestamp)}`);
    const finalPath = `${host}/${sandbox}/${request.timestamp}`;
    const partial = `${host}/${sandbox}/${partialName(this.owner)}`;
    // Attach the consumer before any await: a child process's unread output is discarded at exit.
    const inspector = new ArchiveInspector(request.onProgress);
    request.source.on("error", (error) => inspector.destroy(error));
    // Errors surface through the writer reading the inspector (an errored stream stays errored).
    inspector.on("error", () => undefined);
    request.source.pipe(inspector);
    let writing: Promise<void> = Promise.resolve();
    try {
      await this.backend.makeDirectory(partial);
      writing = this.backend.writeStream(`${partial}/${ARCHIVE_FILE}`, inspector, request.signal);
      await Promise.all([writing, request.sourceDone]);
      const inspection = inspector.inspection();
      const manifest = request.manifestFor({ sizeBytes: inspection.sizeBytes, sha256: inspection.sha256 }, inspection);
      if (manifest.id !== finalPath) throw new Error(`manifest id ${manifest.id} does not match ${finalPath}`);
      const problems = layoutProblems(manifest, inspection);
      if (problems.length > 0) throw new BackupIntegrityError(`${this.label}/${finalPath}`, problems);
      let committed = manifest;
      if (request.verify) {
        const reread = await inspectArchive(await this.backend.readStream(`${partial}/${ARCHIVE_FILE}`, request.signal), request.signal);
        const rereadProblems = archiveProblems(manifest, reread);
        if (rereadProblems.length > 0) throw new BackupIntegrityError(`${this.label}/${finalPath}`, rereadProblems);
        committed = { ...manifest, verified: { at: request.now().toISOString(), ok: true } };
      }
      await this.backend.writeText(`${partial}/${MANIFEST_FILE}`, serializeManifest(committed));
      await this.backend.rename(partial, finalPath);
      return recordOf(committed, this.label);
    } catch (error) {
      request.source.destroy();
      // With the error, so the backend's writer stops as for a failed source, not a finished one.
      inspector.destroy(error instanceof Error ? error : new Error(String(error)));
      await writing.catch(() => undefined);
      await this.backend.remove(partial).catch(() => undefined);
      throw error;
    }
  }

  /** Re-hash and test-read a backup, and record the result in its manifest. */
  async verify(record: BackupRecord, options: { now: () => Date; signal?: AbortSignal }): Promise<VerifyOutcome> {
    // Kept in the manifest, whose text may hold no control character (manifest.ts): one line each.
    const problems = (await this.storedArchiveProblems(record, options.signal)).map((problem) => terminalSafe(problem).replace(/[\t\r\n]+/g, " "));
    const verified = { at: options.now().toISOString(), ok: problems.length === 0, ...(problems.length > 0 ? { problem: problems.join("; ") } : {}) };
    const manifest: BackupManifest = { ...record.manifest, verified };
    try {
      await this.backend.writeText(`${record.id}/${MANIFEST_FILE}`, serializeManifest(manifest));
    } catch (error) {
      if (options.signal?.aborted) throw error;
      // The verification itself stands; only recording it failed.
      return { record: recordOf(manifest, this.label), problems, notRecorded: `the result could not be recorded in ${MANIFEST_FILE}: ${(error as Error).message}` };
    }
    return { record: recordOf(manifest, this.label), problems };
  }

  private async storedArchiveProblems(record: BackupRecord, signal?: AbortSignal): Promise<string[]> {
    let source: Readable;
    try {
      source = await this.backend.readStream(`${record.id}/${ARCHIVE_FILE}`, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      return [isMissingFile(error) ? `${ARCHIVE_FILE} is missing` : `${ARCHIVE_FILE} cannot be read: ${(error as Error).message}`];
    }
    try {
      return archiveProblems(record.manifest, await inspectArchive(source, signal));
    } catch (error) {
      if (!(error instanceof TarFormatError)) throw error;
      return [`archive unreadable: ${error.message}`];
    }
  }

  async openArchive(record: BackupRecord, signal?: AbortSignal): Promise<Readable> {
    return this.backend.readStream(`${record.id}/${ARCHIVE_FILE}`, signal);
  }

  /** Delete a backup: first out of sight (one rename), then its files. */
  async remove(record: BackupRecord): Promise<void> {
    const trash = `${record.host}/${record.sandbox}/${partialName(this.owner)}`;
    await this.backend.rename(record.id, trash);
    await this.backend.remove(trash);
  }

  /**
   * Make and remove an empty partial entry at the store's root: a store this run cannot write to
   * (a path through a file, no permission, a read-only mount) is known before any sandbox is
   * snapshotted for it. A run killed in between leaves it for `leftovers` to sweep.
   */
  async checkWritable(): Promise<void> {
    const probe = partialName(this.owner);
    await this.backend.makeDirectory(probe);
    await this.backend.remove(probe);
  }

  /**
   * The partial entries whose writer is gone: on this machine, when its process no longer exists;
   * from elsewhere, once nothing in it has changed for a day (that writer cannot be asked). A live
   * run's entry, here or on another controller, is never one. Partial entries are a series'
   * `.partial-…` entries, a write check's at the root, and the temporary files of manifest
   * rewrites killed mid-upload (no writer named: a day unchanged).
   */
  leftovers(partials: readonly PartialEntry[], liveness: Liveness): Leftover[] {
    return partials.flatMap((partial) => {
      const name = posix.basename(partial.path);
      const owned = name.startsWith(PARTIAL_PREFIX) ? name.slice(PARTIAL_PREFIX.length) : null;
      if (owned === null ? !isUploadTemporaryName(name) : !isOwnedName(owned)) return [];
      // An upload's temporary names no writer: like another controller's entry, it goes by age alone.
      if (!isAbandoned(owned ?? name, partial.modifiedMs, { self: this.owner, ...liveness }, partial.clockMs ?? null)) return [];
      // Names in the store are anyone's to choose: the location is shown terminal-safe.
      return [{ location: terminalSafe(`${this.label}/${partial.path}`), path: partial.path, sizeBytes: partial.sizeBytes }];
    });
  }

  async removeLeftover(leftover: Leftover): Promise<void> {
    await this.backend.remove(leftover.path);
  }

  /** Remove the leftovers of killed runs (see `leftovers`); their locations. */
  async cleanPartials(liveness: Liveness): Promise<string[]> {
    const removed: string[] = [];
    for (const leftover of this.leftovers((await this.backend.scan()).partials, liveness)) {
      await this.removeLeftover(leftover);
      removed.push(leftover.location);
    }
    return removed;
  }
}
