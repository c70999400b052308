/**
 * The run journal: every event of a run as JSON Lines in
 * `${XDG_STATE_HOME:-~/.local/state}/nemoclaw-fleet/runs/<runId>.jsonl` (file 0600, dir 0700).
 * The directory is flushed once the file is made, and each record is appended and fsync'ed before
 * the run moves on, so a crash (even SIGKILL, or a power cut) loses at most the record being written; readers tolerate a torn last line. A record that cannot be
 * written (a full disk) ends the journal: nothing after it is written, so it never has a gap.
 */

import { randomBytes } from "node:crypto";
import * as nodeFs from "node:fs";
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { xdgBaseDir } from "../config/xdg.js";
import { syncNewName, type DirectorySyncFs } from "../transport/directory-sync.js";
import { isReadableEvent } from "./event-shape.js";
import type { ApplyEvent } from "./events.js";
import type { Redactor } from "./redact.js";

/** A run id: start time (UTC, sortable) and 6 random hex digits, e.g. `20261122T083000Z-3fa2c1`. */
export function newRunId(now: Date, random: () => string = () => randomBytes(3).toString("hex")): string {
  return `${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${random()}`;
}

export function journalDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return join(xdgBaseDir("XDG_STATE_HOME", env, home), "nemoclaw-fleet", "runs");
}

/**
 * ENOTDIR (or EEXIST from mkdir) on the journal directory, said as what is wrong: which path is a
 * file, and when it is XDG_STATE_HOME itself, that variable. Any other error is returned as it is.
 */
export function notADirectory(error: unknown, dir: string, env: NodeJS.ProcessEnv = process.env): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== "ENOTDIR" && code !== "EEXIST") return error;
  let blocker: string | undefined;
  for (let path = resolve(dir); ; path = dirname(path)) {
    try {
      if (!statSync(path).isDirectory()) blocker = path;
      break;
    } catch {
      if (dirname(path) === path) break;
    }
  }
  if (blocker === undefined) return error;
  const state = env.XDG_STATE_HOME;
  if (state !== undefined && resolve(state) === blocker) {
    return new Error(`XDG_STATE_HOME is ${state}, which is not a directory; point it at a directory (run journals are kept in $XDG_STATE_HOME/nemoclaw-fleet/runs)`);
  }
  return new Error(`${blocker} is not a directory, so run journals cannot be kept in ${dir}`);
}

export function journalPath(dir: string, runId: string): string {
  return join(dir, `${runId}.jsonl`);
}

/** The file-system calls a journal is written with: the real ones, or a recording wrapper in tests. */
export type JournalFs = DirectorySyncFs & Pick<typeof nodeFs, "mkdirSync" | "writeFileSync" | "rmSync">;

export class JournalWriter {
  private fd: number | null;
  private failed: Error | null = null;

  private constructor(
    readonly path: string,
    fd: number,
    private readonly redactor: Redactor,
    private readonly onFailure: (failure: Error) => void,
    private readonly fs: JournalFs,
  ) {
    this.fd = fd;
  }

  /**
   * `onFailure` is told, once, when a record cannot be written; a run should then stop starting
   * anything (its later events are not journaled) and end with an error that says so. Without
   * one, the failure is thrown to the writer of the event.
   */
  static open(
    dir: string,
    runId: string,
    redactor: Redactor,
    onFailure: (failure: Error) => void = (failure) => {
      throw failure;
    },
    fs: JournalFs = nodeFs,
  ): JournalWriter {
    let created: string | undefined;
    try {
      created = fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw notADirectory(error, dir);
    }
    const path = journalPath(dir, runId);
    // "ax": a run id is never reused; an existing file means something is badly wrong.
    const fd = fs.openSync(path, "ax", 0o600);
    // The records' fsyncs keep their bytes, not the file's name: without this, a power cut can lose the whole journal.
    try {
      syncNewName(path, created, fs);
    } catch (error) {
      // No run starts without its journal: the empty file would be listed as a run that never was.
      fs.closeSync(fd);
      fs.rmSync(path, { force: true });
      throw error;
    }
    return new JournalWriter(path, fd, redactor, onFailure, fs);
  }

  /** Why the journal stopped short of the run (a record could not be written), or null. */
  get failure(): Error | null {
    return this.failed;
  }

  /** Append one event and make it durable before returning. */
  write(event: ApplyEvent): void {
    if (this.fd === null || this.failed !== null) return;
    const line = `${JSON.stringify(this.redactor.scrubValue(event))}\n`;
    try {
      // writeFileSync writes on until the line is out: one write(2) can stop short on a full disk.
      this.fs.writeFileSync(this.fd, line);
      this.fs.fsyncSync(this.fd);
    } catch (error) {
      this.failed = new Error(`the run journal ${this.path} cannot be written (${(error as Error).message}); it ends before this run does`, { cause: error });
      this.onFailure(this.failed);
    }
  }

  close(): void {
    if (this.fd === null) return;
    this.fs.closeSync(this.fd);
    this.fd = null;
  }
}

export interface JournalContents {
  events: ApplyEvent[];
  /** The last line was cut short (the run died while writing it). */
  torn: boolean;
  /** 1-based numbers of other lines that are not readable events (a damaged journal); they are skipped. */
  damagedLines: number[];
}

function isEvent(value: unknown): value is ApplyEvent {
  return isReadableEvent(value);
}

/**
 * The events of a journal. A damaged line (edited, or hit by a disk fault) is skipped and
 * counted, so the rest of the run — and every other run — can still be read.
 */
export function parseJournal(text: string): JournalContents {
  const lines = text.split("\n");
  const events: ApplyEvent[] = [];
  const damagedLines: number[] = [];
  let torn = false;
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (index === lines.length - 1) torn = true;
      else damagedLines.push(index + 1);
      return;
    }
    if (isEvent(value)) events.push(value);
    else damagedLines.push(index + 1);
  });
  return { events, torn, damagedLines };
}

/**
 * A journal's first record — a run's `run-started`, which says what job it is — read without the
 * rest of the file, so that finding one job's runs among many costs a line per journal. Null when
 * the first line is not a readable event (a run killed while writing it, a damaged file).
 */
export function readJournalHead(path: string): ApplyEvent | null {
  const fd = openSync(path, "r");
  try {
    const chunks: Buffer[] = [];
    for (;;) {
      // Uninitialised: only the bytes read are looked at, and zeroing 64 KiB for a head of a few KiB costs about as
      // much as reading it (apply reads every journal's head for its health-gate warning: docs/apply.md#health-gates).
      const chunk = Buffer.allocUnsafe(HEAD_CHUNK_BYTES);
      const read = readSync(fd, chunk, 0, chunk.length, null);
      const end = chunk.subarray(0, read).indexOf(0x0a);
      chunks.push(chunk.subarray(0, end === -1 ? read : end));
      if (end !== -1 || read === 0) break;
    }
    let value: unknown;
    try {
      value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return null;
    }
    return isEvent(value) ? value : null;
  } finally {
    closeSync(fd);
  }
}

/** A run-started record names every host's steps: a large fleet's takes more than one read. */
const HEAD_CHUNK_BYTES = 65_536;

export function readJournal(path: string): JournalContents {
  try {
    return parseJournal(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** A run id as newRunId makes them (`20261122T083000Z-3fa2c1`): only such names are journals. */
export function isRunId(name: string): boolean {
  return /^\d{8}T\d{6}Z-[0-9a-f]+$/.test(name);
}

/**
 * Journal files in the directory, oldest first (run ids sort by start time). A file not named by a
 * run id (`notes.jsonl`, an editor's backup) is not a journal: it is never listed, picked as
 * `last`, or pruned.
 */
export function listJournalFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw notADirectory(error, dir);
  }
  return names
    .filter((name) => name.endsWith(".jsonl") && isRunId(name.slice(0, -".jsonl".length)))
    .sort()
    .map((name) => join(dir, name));
}
