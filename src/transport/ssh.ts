/**
 * One SSH connection per host for the whole run; every command is a channel on it. Commands are
 * supervised (see `renderSupervised`) so a timeout or cancel ends the remote process group, not
 * just the channel: TERM through a signal request and a `kill` on a second channel, then KILL.
 */
import { finished, PassThrough, Transform, type Readable, type TransformCallback } from "node:stream";
import { posix } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Client, ClientChannel } from "ssh2";
import { assertSucceeded, firstLine } from "./errors.js";
import { cancelledError, checkCommand, normalizeSignal, runToCompletion } from "./execution.js";
import { Limiter } from "./limiter.js";
import { endClient } from "./ssh-client.js";
import { encodeSecretLines, PROCESS_GROUP_MARKER, renderArgv, renderForLoginShell, renderKillProcessGroup, renderSecretPrelude, renderSupervised } from "./shell.js";
import { TransportError, type Connection, type RemoteCommand, type RemoteProcess, type RunOptions, type RunResult, type SpawnOptions, type UploadOptions } from "./types.js";
import { isUploadTemporaryName, UPLOAD_TEMPORARY_TEMPLATE_SUFFIX } from "./upload-temporary.js";

export interface SshConnectionOptions {
  /** Non-secret environment for every command (the host's `environment`). */
  environment?: Record<string, string>;
  /** Channels open at once on the connection; stay under sshd's MaxSessions (default 10). */
  maxChannels?: number;
  /** Time a command gets after TERM before KILL, and after KILL before it is abandoned. */
  killGraceMs?: number;
  /** Called by `close()`, e.g. to close jump connections this connection owns. */
  onClose?: () => Promise<void> | void;
}

/** The shell text and the stdin prefix for a command, built only through shell.ts. */
export function renderRemoteCommand(command: RemoteCommand, environment: Record<string, string>): { text: string; stdinPrefix: string } {
  const env = { ...environment, ...command.env };
  const argv = "argv" in command ? command.argv : ["sh", "-s"];
  const withEnv = Object.keys(env).length > 0 ? ["env", ...Object.entries(env).map(([name, value]) => `${name}=${value}`), ...argv] : argv;
  const secretNames = Object.keys(command.secretEnv ?? {});
  const text = secretNames.length > 0 ? renderSecretPrelude(secretNames, withEnv) : renderArgv(withEnv);
  const secrets = secretNames.length > 0 ? encodeSecretLines(secretNames.map((name) => command.secretEnv?.[name] ?? "")) : "";
  const script = "script" in command ? command.script : "";
  return { text, stdinPrefix: secrets + script };
}

/**
 * Removes the supervisor's marker line (see `renderSupervised`) from stdout or stderr, and with it
 * whatever came before: the login shell's startup files (`.bashrc`, `.zshenv`, `config.fish`)
 * print their banners ahead of the command, and they must not reach a parser or a backup's byte
 * stream. Reports the process group id the line carries. The supervisor prints the line before the
 * command starts, so all that comes before it is the startup files', however much: it is dropped
 * as it arrives, keeping only its start (for the message when the line never comes, see
 * `loginShellRefused`) and the few bytes at its end where the line may be beginning.
 */
class MarkerFilter extends Transform {
  private static readonly marker = Buffer.from(PROCESS_GROUP_MARKER);
  /** The marker line is the marker, a pid and a newline: a marker without its newline this far on is not ours. */
  private static readonly lineBytes = PROCESS_GROUP_MARKER.length + 24;
  private static readonly excerptBytes = 4096;
  private looking = true;
  private excerpt = Buffer.alloc(0);
  private tail = Buffer.alloc(0);

  constructor(private readonly onProcessGroup: (pgid: number) => void = () => undefined) {
    super();
  }

  /** Still looking for the marker line. */
  get waiting(): boolean {
    return this.looking;
  }

  /** The start of what came before the marker line, while it has not come. */
  get unmarked(): string {
    return this.kept().toString("utf8");
  }

  private kept(): Buffer {
    return this.looking ? Buffer.concat([this.excerpt, this.tail]) : Buffer.alloc(0);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.looking) {
      callback(null, chunk);
      return;
    }
    const data = Buffer.concat([this.tail, chunk]);
    const at = data.indexOf(MarkerFilter.marker);
    const lineEnd = at >= 0 ? data.indexOf(0x0a, at) : -1;
    if (lineEnd >= 0) {
      this.looking = false;
      this.excerpt = this.tail = Buffer.alloc(0);
      const pgid = Number(data.subarray(at + MarkerFilter.marker.length, lineEnd).toString("latin1"));
      if (Number.isInteger(pgid) && pgid > 1) this.onProcessGroup(pgid);
      const rest = data.subarray(lineEnd + 1);
      callback(null, rest.length > 0 ? rest : undefined);
      return;
    }
    const partialLine = at >= 0 && data.length - at <= MarkerFilter.lineBytes;
    const keep = partialLine ? at : Math.max(0, data.length - (MarkerFilter.marker.length - 1));
    if (this.excerpt.length < MarkerFilter.excerptBytes) {
      this.excerpt = Buffer.concat([this.excerpt, data.subarray(0, keep)], Math.min(this.excerpt.length + keep, MarkerFilter.excerptBytes));
    }
    this.tail = data.subarray(keep);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const kept = this.kept();
    callback(null, kept.length > 0 ? kept : undefined);
  }
}

/**
 * The command ended without the supervisor's first line: the login shell did not run it at all.
 * `/usr/sbin/nologin` and `/bin/false` exit 1 (nologin saying "This account is currently not
 * available."), and sshd's ForceCommand or a key's `command=` runs something else instead; nothing
 * of nemoclaw's ran, so the host is unreachable for it, and the message says why.
 */
function loginShellRefused(host: string, exitCode: number | null, signal: string | null, output: string): TransportError {
  const said = output.trim().split("\n").find((line) => line.trim() !== "");
  const status = exitCode === null ? `killed by ${signal ?? "a signal"}` : `exit ${exitCode}`;
  return new TransportError(
    "unreachable",
    host,
    `the host ran no command (${status}${said ? `: ${said.trim()}` : ", no output"}): the login user's shell must run commands (sh, bash, dash, zsh, ksh, fish or tcsh; not nologin or false), and no ForceCommand or command= key option may replace them`,
  );
}

export class SshConnection implements Connection {
  private readonly environment: Record<string, string>;
  private readonly channels: Limiter;
  private readonly killGraceMs: number;
  private client: Client | null;
  private redialing: Promise<Client> | null = null;
  private closing = false;

  /**
   * `client` is the connection dialled by `openConnection`; `redial` opens a fresh one when it
   * has dropped, before a new command (a command that was running when it dropped is never re-run).
   */
  constructor(
    readonly host: string,
    client: Client,
    private readonly redial: () => Promise<Client>,
    private readonly options: SshConnectionOptions = {},
  ) {
    this.environment = options.environment ?? {};
    this.channels = new Limiter(options.maxChannels ?? 8);
    this.killGraceMs = options.killGraceMs ?? 2000;
    this.client = null;
    this.adopt(client);
  }

  private adopt(client: Client): void {
    this.client = client;
    client.on("error", () => undefined); // reported through the channels and the close below
    client.on("close", () => {
      if (this.client === client) this.client = null;
    });
  }

  private async connected(): Promise<Client> {
    if (this.closing) throw new TransportError("cancelled", this.host, "the connection is closed");
    if (this.client) return this.client;
    // Commands waiting at once share one new connection.
    this.redialing ??= this.redial().finally(() => {
      this.redialing = null;
    });
    const client = await this.redialing;
    if (this.closing) {
      client.end();
      throw new TransportError("cancelled", this.host, "the connection is closed");
    }
    if (this.client !== client) this.adopt(client);
    return client;
  }

  async run(command: RemoteCommand, options: RunOptions = {}): Promise<RunResult> {
    checkCommand(this.host, command, options.stdin);
    return runToCompletion(this.host, (spawnOptions) => this.spawn(command, spawnOptions), options);
  }

  async spawn(command: RemoteCommand, options: SpawnOptions = {}): Promise<RemoteProcess> {
    checkCommand(this.host, command);
    const { text, stdinPrefix } = renderRemoteCommand(command, this.environment);
    if (options.signal?.aborted) throw cancelledError(this.host, options.signal);
    const release = await this.channels.acquire();
    let channel: ClientChannel;
    let client: Client;
    try {
      client = await this.connected();
      channel = await openExec(this.host, client, renderSupervised(text));
    } catch (error) {
      release();
      throw error;
    }
    // A script is the whole of the shell's input, so its stdin ends with it (unless an answer follows).
    return this.supervise(client, channel, stdinPrefix, "script" in command && options.scriptInputOpen !== true, options, release);
  }

  private supervise(
    client: Client,
    channel: ClientChannel,
    stdinPrefix: string,
    endInput: boolean,
    options: SpawnOptions,
    release: () => void,
  ): RemoteProcess {
    const started = Date.now();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let processGroup: number | null = null;
    let pendingSignal: "TERM" | "KILL" | null = null;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let timedOut = false;
    let cancelled = false;
    let terminating: Promise<void> | null = null;

    /** `kill` the whole process group on a second channel; resolves when that command is done. */
    const killGroup = async (signal: "TERM" | "KILL"): Promise<void> => {
      if (processGroup === null) {
        pendingSignal = signal; // sent as soon as the group id arrives
        return;
      }
      try {
        // Outside the channel limit: it must get through when every channel is busy.
        const killer = await openExec(this.host, client, renderKillProcessGroup(processGroup, signal));
        killer.resume();
        killer.stderr.resume();
        killer.end();
        await new Promise((resolve) => killer.once("close", resolve));
      } catch {
        // the connection is gone: then so is the process group (see renderSupervised)
      }
    };
    /**
     * sshd turns a signal request into kill() of the session leader only (and refuses it for
     * root logins), so the group is signalled with `kill` as well: background children too.
     */
    const signalRemote = (signal: "TERM" | "KILL"): Promise<void> => {
      try {
        channel.signal(signal);
      } catch {
        // the channel is already closing
      }
      return killGroup(signal);
    };

    const markerFilter = new MarkerFilter((pgid) => {
      processGroup = pgid;
      if (pendingSignal) void killGroup(pendingSignal);
    });
    const stdoutFilter = new MarkerFilter();
    channel.pipe(stdoutFilter).pipe(stdout);
    channel.stderr.pipe(markerFilter).pipe(stderr);
    let exitReported = false;
    // ssh2 emits 'close' with the exit status or signal (the 'exit' event itself may already have
    // fired while the channel was being handed over).
    const closed = new Promise<"closed">((resolve) => {
      channel.once("close", (code?: number | null, signal?: string) => {
        exitReported = code !== undefined;
        exitCode = typeof code === "number" ? code : null;
        exitSignal = normalizeSignal(signal);
        release();
        resolve("closed");
      });
    });
    let abandon: () => void = () => undefined;
    const abandoned = new Promise<"abandoned">((resolve) => {
      abandon = () => resolve("abandoned");
    });
    const closedWithin = async (ms: number): Promise<boolean> => {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      });
      const result = await Promise.race([closed.then(() => true), expired]);
      clearTimeout(timer);
      return result;
    };

    const terminate = (): Promise<void> => {
      terminating ??= (async () => {
        for (const signal of ["TERM", "KILL"] as const) {
          const killed = signalRemote(signal);
          const ended = await closedWithin(this.killGraceMs);
          await Promise.race([killed, sleep(this.killGraceMs)]);
          if (ended) return;
        }
        // sshd keeps a channel open until its process exits; stop waiting for this one.
        stdoutFilter.unpipe(stdout);
        markerFilter.unpipe(stderr);
        stdout.end();
        stderr.end();
        channel.close();
        release();
        abandon();
      })();
      return terminating;
    };

    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            void terminate();
          }, options.timeoutMs)
        : undefined;
    const onAbort = (): void => {
      cancelled = true;
      void terminate();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort(); // aborted while the channel was opening

    const done = Promise.race([closed, abandoned]).then(async (how) => {
      if (terminating) await terminating; // the group kill finishes before the caller hears "timed out"
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (cancelled) throw cancelledError(this.host, options.signal);
      if (how === "closed" && !terminating && !exitReported) {
        if (this.closing) throw new TransportError("cancelled", this.host, "the connection was closed while the command ran");
        // Not "unreachable": that kind promises nothing ran, and this command may have.
        throw new TransportError("command-failed", this.host, "the connection was lost while the command ran; it may or may not have completed");
      }
      if (how === "closed" && !terminating && markerFilter.waiting) {
        throw loginShellRefused(this.host, exitCode, exitSignal, `${stdoutFilter.unmarked}\n${markerFilter.unmarked}`);
      }
      // Abandoned (the channel outlived TERM and KILL): no exit status to report.
      return { exitCode, signal: exitSignal, durationMs: Date.now() - started, timedOut };
    });
    done.catch(() => undefined);

    if (endInput) channel.end(stdinPrefix);
    else if (stdinPrefix !== "") channel.write(stdinPrefix);
    return { stdin: channel, stdout, stderr, done, kill: () => void terminate() };
  }

  async upload(source: Readable, remotePath: string, options: UploadOptions = {}): Promise<void> {
    const child = await this.spawn(atomicWriteCommand(remotePath, options), options.signal ? { signal: options.signal } : {});
    const stderr = collectText(child.stderr);
    const announced = collectText(child.stdout);
    let sourceError: Error | undefined;
    const fail = (error: Error): void => {
      sourceError = error;
      source.unpipe(child.stdin);
      child.kill(); // never end stdin here: the script would rename a truncated file into place
    };
    // A source can fail (or be used up) while the channel opens; piping it then would wait forever.
    if (source.errored || source.destroyed || source.readableEnded) fail(source.errored ?? new Error("the source stream was already closed"));
    else {
      // A source destroyed without an error never ends stdin either: `finished` reports that
      // premature close like an error, where an error listener alone would wait forever.
      finished(source, { writable: false }, (error) => {
        if (error) fail(error);
      });
      source.pipe(child.stdin);
    }
    const outcome = await child.done;
    if (sourceError || outcome.exitCode !== 0) await this.removeUploadLeftover((await announced).split("\n")[0] ?? "");
    if (sourceError) {
      throw new TransportError("command-failed", this.host, `upload to ${remotePath}: reading the source failed: ${firstLine(sourceError.message)}`, { cause: sourceError });
    }
    assertSucceeded(this.host, `upload to ${remotePath}`, { ...outcome, stdout: Buffer.alloc(0), stderr: Buffer.from(await stderr) });
  }

  /**
   * A failed upload's temporary file, if it is still there: its script's EXIT trap removes it, but
   * not when the upload had to be killed (a TERM not honoured within the grace, as on a loaded host).
   * Best effort: the upload's own failure is what is reported.
   */
  private async removeUploadLeftover(temporary: string): Promise<void> {
    if (!isUploadTemporaryName(posix.basename(temporary))) return;
    try {
      await this.run({ argv: ["rm", "-f", "--", temporary] }, { timeoutMs: 10_000 });
    } catch {
      // the connection is gone too: nothing more can be done from here
    }
  }

  async download(remotePath: string, options: { signal?: AbortSignal } = {}): Promise<Readable> {
    const child = await this.spawn({ argv: ["cat", "--", remotePath] }, options.signal ? { signal: options.signal } : {});
    child.stdin.end();
    const stderr = collectText(child.stderr);
    const output = new PassThrough();
    const failure = (outcome: Omit<RunResult, "stdout" | "stderr">, text: string): TransportError | null => {
      try {
        assertSucceeded(this.host, `download of ${remotePath}`, { ...outcome, stdout: Buffer.alloc(0), stderr: Buffer.from(text) });
        return null;
      } catch (error) {
        return error as TransportError;
      }
    };
    // Hand the stream over once data flows or the command has ended, so a missing file is an
    // error from `download` itself rather than from the stream later.
    const firstData = new Promise<"data">((resolve) =>
      child.stdout.once("data", (chunk: Buffer) => {
        output.write(chunk);
        child.stdout.pipe(output, { end: false });
        resolve("data");
      }),
    );
    const settled = child.done.then(async (outcome) => failure(outcome, await stderr));
    const early = await Promise.race([firstData, settled]);
    if (early instanceof TransportError) throw early;
    const finish = (): void => {
      settled.then(
        (error) => (error ? output.destroy(error) : output.end()),
        (error: unknown) => output.destroy(error as Error),
      );
    };
    if (child.stdout.readableEnded) finish();
    else child.stdout.once("end", finish);
    return output;
  }

  async close(): Promise<void> {
    this.closing = true;
    const client = this.client;
    this.client = null;
    if (client) await endClient(client);
    await this.options.onClose?.();
  }
}

/**
 * Write stdin to a temporary file beside the target, then rename it into place. The temporary file
 * is made by mktemp (a fresh random name, created exclusively, 0600), so nothing planted beside the
 * target can redirect the write; `mv -T` renames over the target itself, so a symbolic link or a
 * directory at the target is replaced or refused, never written through. Durable (UploadOptions),
 * `sync FILE` fsyncs the file before the rename and the directory after: GNU coreutils ≥ 8.24 and
 * BusyBox's sync take operands; older ones warn that they ignore them and flush every file system
 * instead — still durable, only slower. With a mode the file stays
 * private until chmod, so a secret is never briefly world-readable; without one it gets the
 * umask's usual mode. With a size, a file that did not receive exactly that many bytes (the
 * input ended early because the controller or its connection went away) is not renamed. The traps
 * are set before mktemp: a TERM (a cancelled upload) that arrived between mktemp and the traps
 * would kill the shell without removing the file; trapped, it waits for the assignment and the
 * EXIT trap removes it. SIGPIPE is ignored: when the controller is killed mid-upload, sshd leaves
 * the script running with its input ended and nobody reading its output, and the message about
 * the short input would otherwise kill the shell with SIGPIPE before the EXIT trap could run; now
 * that write fails and the script exits through the trap. The temporary file's name is printed
 * on stdout: a cancelled upload that had to be killed (no trap runs then) removes it by name
 * afterwards; one left where nobody could (the host lost power) is a store's leftover to sweep.
 */
const ATOMIC_WRITE_SCRIPT = [
  "set -e",
  'target=$1; mode=$2; size=$3; durable=$4; tmp=',
  "trap 'if [ -n \"$tmp\" ]; then rm -f -- \"$tmp\"; fi' EXIT",
  "trap 'exit 143' TERM",
  "trap 'exit 130' INT",
  "trap '' PIPE",
  'case $target in */*) dir=${target%/*}/ ;; *) dir= ;; esac',
  'if [ -z "$mode" ]; then mode=$(printf %o $(( 0666 & ~0$(umask) ))); fi',
  `tmp=$(mktemp -- "\${dir}.\${target##*/}${UPLOAD_TEMPORARY_TEMPLATE_SUFFIX}")`,
  'printf \'%s\\n\' "$tmp"',
  'cat > "$tmp"',
  'got=$(wc -c < "$tmp")',
  'if [ -n "$size" ] && [ $((got)) -ne "$size" ]; then echo "only $((got)) of $size bytes arrived; the old file is kept" >&2; exit 1; fi',
  'chmod "$mode" "$tmp"',
  'if [ -n "$durable" ]; then sync -- "$tmp"; fi',
  'mv -f -T -- "$tmp" "$target"',
  "trap - EXIT",
  'if [ -n "$durable" ]; then sync -- "${dir:-.}"; fi',
].join("\n");

/** The command an upload runs on the host: ATOMIC_WRITE_SCRIPT with the target and the options it honours. */
export function atomicWriteCommand(remotePath: string, options: Pick<UploadOptions, "mode" | "bytes" | "durable">): { argv: string[] } {
  const mode = options.mode === undefined ? "" : options.mode.toString(8);
  const bytes = options.bytes === undefined ? "" : String(options.bytes);
  return { argv: ["sh", "-c", ATOMIC_WRITE_SCRIPT, "sh", remotePath, mode, bytes, options.durable ? "1" : ""] };
}

/**
 * Open a session channel and exec `text`. sshd frees a closed session's slot a moment after the
 * close, so a busy connection can briefly see "open failed" (MaxSessions); the command has not
 * started then, so opening again is safe.
 */
async function openExec(host: string, client: Client, text: string): Promise<ClientChannel> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await execOnce(client, text);
    } catch (error) {
      const openRefused = typeof (error as { reason?: unknown }).reason === "number";
      if (!openRefused || attempt >= 10) {
        throw new TransportError("unreachable", host, `cannot start a command: ${firstLine((error as Error).message)}`, { cause: error });
      }
      await sleep(Math.min(20 * 2 ** attempt, 1000));
    }
  }
}

function execOnce(client: Client, text: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(renderForLoginShell(text), (error, channel) => (error ? reject(error) : resolve(channel)));
    } catch (error) {
      reject(error as Error);
    }
  });
}

function collectText(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.once("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}
