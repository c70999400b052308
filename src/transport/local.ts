/**
 * Commands on the controller itself (`connection: local`). argv runs directly, without a shell;
 * each command gets its own process group so a timeout or cancel ends everything it started.
 *
 * A command gets the environment a login on the host would need, not the controller's: the
 * variables below, taken from the nemoclaw process, then the host's `environment:` from the fleet
 * file, then the command's own (and the one secret its step needs). Whatever else the controller's
 * shell holds — cloud credentials, tokens, other API keys — never reaches a command.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { execa } from "execa";
import { firstLine } from "./errors.js";
import { cancelledError, checkCommand, normalizeSignal, runToCompletion } from "./execution.js";
import { uploadTemporaryName } from "./upload-temporary.js";
import { TransportError, type Connection, type RemoteCommand, type RemoteProcess, type RunOptions, type RunResult, type SpawnOptions, type UploadOptions } from "./types.js";

export interface LocalConnectionOptions {
  /** Non-secret environment for every command (the host's `environment`). */
  environment?: Record<string, string>;
  /** How long a timed-out or cancelled command gets after SIGTERM before SIGKILL. */
  killGraceMs?: number;
}

/**
 * What a local command inherits: where programs and the user's files are, who the user is, the
 * locale and terminal, the temporary directory, and the XDG base directories (where OpenShell and
 * NemoClaw keep their configuration and state, and rootless Docker its socket).
 */
const INHERITED = new Set(["PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TERM", "TMPDIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"]);

export function inheritedEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (INHERITED.has(name) || name.startsWith("LC_"))) kept[name] = value;
  }
  return kept;
}

export class LocalConnection implements Connection {
  private readonly environment: Record<string, string>;
  private readonly killGraceMs: number;

  constructor(
    readonly host: string,
    options: LocalConnectionOptions = {},
  ) {
    this.environment = options.environment ?? {};
    this.killGraceMs = options.killGraceMs ?? 2000;
  }

  async run(command: RemoteCommand, options: RunOptions = {}): Promise<RunResult> {
    checkCommand(this.host, command, options.stdin);
    return runToCompletion(this.host, (spawnOptions) => this.spawn(command, spawnOptions), options);
  }

  async spawn(command: RemoteCommand, options: SpawnOptions = {}): Promise<RemoteProcess> {
    checkCommand(this.host, command);
    if (options.signal?.aborted) throw cancelledError(this.host, options.signal);
    const [file, ...args] = "argv" in command ? command.argv : ["sh", "-s"];
    const started = Date.now();
    const child = execa(file as string, args, {
      env: { ...inheritedEnvironment(process.env), ...this.environment, ...command.env, ...command.secretEnv },
      extendEnv: false,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      buffer: false,
      reject: false,
      stripFinalNewline: false,
      detached: true,
    });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    child.stdout.pipe(stdout);
    // Ended by hand below: a missing command gets a shell-like message first.
    child.stderr.pipe(stderr, { end: false });
    const stderrDrained = finished(child.stderr).catch(() => undefined);
    if ("script" in command) {
      if (options.scriptInputOpen === true) child.stdin.write(command.script);
      else child.stdin.end(command.script);
    }

    let timedOut = false;
    let cancelled = false;
    let exited = false;
    const killGroup = (signal: NodeJS.Signals): void => {
      if (exited || child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is already gone
      }
    };
    const terminate = (): void => {
      killGroup("SIGTERM");
      setTimeout(() => killGroup("SIGKILL"), this.killGraceMs).unref();
    };
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            terminate();
          }, options.timeoutMs)
        : undefined;
    const onAbort = (): void => {
      cancelled = true;
      terminate();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const done = child.then(async (result) => {
      exited = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      const notFound = (result as { code?: string }).code === "ENOENT";
      await stderrDrained;
      if (notFound) stderr.write(`${file}: command not found\n`);
      stderr.end();
      if (cancelled) throw cancelledError(this.host, options.signal);
      return {
        exitCode: notFound ? 127 : (result.exitCode ?? null),
        signal: normalizeSignal(result.signal),
        durationMs: Date.now() - started,
        timedOut,
      };
    });
    done.catch(() => undefined);
    return { stdin: child.stdin, stdout, stderr, done, kill: terminate };
  }

  async upload(source: Readable, remotePath: string, options: UploadOptions = {}): Promise<void> {
    const temporary = join(dirname(remotePath), uploadTemporaryName(basename(remotePath)));
    const sink = createWriteStream(temporary, { flags: "wx", mode: options.mode ?? 0o666 });
    try {
      await pipeline(source, sink, {
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (options.bytes !== undefined && sink.bytesWritten !== options.bytes) throw new Error(`only ${sink.bytesWritten} of ${options.bytes} bytes arrived; the old file is kept`);
      if (options.mode !== undefined) await chmod(temporary, options.mode);
      if (options.durable) await syncPath(temporary);
      await rename(temporary, remotePath);
      if (options.durable) await syncPath(dirname(remotePath));
    } catch (error) {
      // A source that fails at once can stop the copy while the file is still being opened: the
      // file appears when the open completes, so it is removed only once the stream has closed.
      await finished(sink).catch(() => undefined);
      await rm(temporary, { force: true });
      if (options.signal?.aborted) throw cancelledError(this.host, options.signal);
      throw new TransportError("command-failed", this.host, `upload to ${remotePath} failed: ${firstLine(String((error as Error).message))}`, { cause: error });
    }
  }

  async download(remotePath: string, options: { signal?: AbortSignal } = {}): Promise<Readable> {
    if (options.signal?.aborted) throw cancelledError(this.host, options.signal);
    const stream = createReadStream(remotePath, options.signal ? { signal: options.signal } : {});
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", (error) =>
        reject(new TransportError("command-failed", this.host, `download of ${remotePath} failed: ${firstLine(error.message)}`, { cause: error })),
      );
    });
    return stream;
  }

  async close(): Promise<void> {
    // Nothing is held open between commands.
  }
}

/**
 * fsync(2) a file or a directory by its path: a descriptor opened for this flushes what was
 * written through another, and a directory's own flush makes a rename into it durable.
 */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
