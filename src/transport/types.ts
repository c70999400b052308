/**
 * The one interface everything that touches a host goes through. Implemented by the local
 * transport (execa) and the SSH transport (ssh2, one connection per host per run).
 */

import type { Readable, Writable } from "node:stream";
import { terminalSafe } from "./terminal-text.js";

/**
 * What to run. Commands are argument lists; a `script` is POSIX sh source sent on stdin to
 * `sh -s` (used by the probe so a host is observed in one round trip).
 *
 * `secretEnv` values reach the remote process through its environment, delivered on stdin
 * ahead of any other input; they never appear in argv, in `display`, or in error messages.
 */
export type RemoteCommand =
  | { argv: string[]; env?: Record<string, string>; secretEnv?: Record<string, string> }
  | { script: string; env?: Record<string, string>; secretEnv?: Record<string, string> };

export interface RunOptions {
  /** Kill the command after this many milliseconds (reported as a timeout). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Input for the command (after any secrets). */
  stdin?: string | Buffer | Readable;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Stop the command once it printed more than this (stdout and stderr together); default MAX_COMMAND_OUTPUT_BYTES. */
  maxOutputBytes?: number;
}

export interface SpawnOptions extends Omit<RunOptions, "stdin" | "onStdout" | "onStderr" | "maxOutputBytes"> {
  /**
   * For a script: keep the shell's input open after the script, for an answer the script reads
   * once it has asked (src/observe/host.ts); the caller writes it and ends the input. The answer
   * must be sent only after the script has printed its question, which it does only once the shell
   * has read the whole script, so the shell never takes the answer for more script.
   */
  scriptInputOpen?: boolean;
}

export interface RunResult {
  /** Null when the command ended by a signal or was killed. */
  exitCode: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
  durationMs: number;
  timedOut: boolean;
}

/** A command whose output is consumed as a stream (tar pipes for backups and restores). */
export interface RemoteProcess {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Resolves when the command ends; never rejects for a non-zero exit (check exitCode). */
  done: Promise<Omit<RunResult, "stdout" | "stderr">>;
  /** Terminate the remote command. */
  kill(): void;
}

export interface UploadOptions {
  mode?: number;
  signal?: AbortSignal;
  /**
   * The exact size the source delivers, when known: the old file stays unless that many bytes
   * arrived. Over SSH a dropped connection ends the remote input just as a finished upload does,
   * so without it a controller killed mid-upload can leave a truncated file in place.
   */
  bytes?: number;
  /**
   * Flush the file to disk before the rename that makes it visible, and its directory after, so
   * a power cut on the host cannot leave the name pointing at an empty or short file (fsync(2):
   * a rename alone is no such promise). A backup store's files ask for it; it costs a flush each.
   */
  durable?: boolean;
}

export interface Connection {
  readonly host: string;
  /** Run to completion, buffering stdout and stderr (they are also streamed to the callbacks). */
  run(command: RemoteCommand, options?: RunOptions): Promise<RunResult>;
  /** Start a command and hand back its streams. */
  spawn(command: RemoteCommand, options?: SpawnOptions): Promise<RemoteProcess>;
  /** Write a stream to a remote file atomically (temporary name, then rename). */
  upload(source: Readable, remotePath: string, options?: UploadOptions): Promise<void>;
  /** Read a remote file as a stream. */
  download(remotePath: string, options?: { signal?: AbortSignal }): Promise<Readable>;
  close(): Promise<void>;
}

/**
 * Why a host could not be reached or a command did not complete.
 * - `unreachable`: no connection, or a command could not be started; nothing ran, so trying
 *   again later is safe.
 * - `auth-failed`, `host-key-unknown`, `host-key-changed`: refused before anything ran; retrying
 *   will not help until the credentials or known_hosts change.
 * - `timeout`, `cancelled`: the command was started and then stopped (its process group killed).
 * - `command-failed`: the command did not succeed — including a connection lost while it ran, in
 *   which case it may or may not have completed and must not simply be run again.
 */
export type TransportErrorKind =
  | "unreachable"
  | "auth-failed"
  | "host-key-unknown"
  | "host-key-changed"
  | "timeout"
  | "command-failed"
  | "cancelled";

export class TransportError extends Error {
  /** One line a human can act on; never contains secret values. */
  readonly cause_: string;

  constructor(
    readonly kind: TransportErrorKind,
    readonly host: string,
    cause: string,
    options?: { cause?: unknown },
  ) {
    // Causes can carry what the other end sent (an SSH server's disconnect message, before its
    // key is even checked): nothing in them may act on the terminal that shows them.
    const safe = terminalSafe(cause);
    super(`${host}: ${kind}: ${safe}`, options);
    this.cause_ = safe;
    this.name = "TransportError";
  }
}
