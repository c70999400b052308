/**
 * What both transports share: checking a command before it runs, and `run` expressed on top of
 * `spawn` (feed stdin, collect and stream output, wait for the end), so the two never drift.
 */
import type { Readable, Writable } from "node:stream";
import { firstLine } from "./errors.js";
import { assertEnvName } from "./shell.js";
import { TransportError, type Connection, type RemoteCommand, type RemoteProcess, type RunOptions, type RunResult, type SpawnOptions } from "./types.js";

/** Reject what can never run correctly, before anything is sent to a host. */
export function checkCommand(host: string, command: RemoteCommand, stdin?: RunOptions["stdin"]): void {
  for (const name of [...Object.keys(command.env ?? {}), ...Object.keys(command.secretEnv ?? {})]) {
    assertEnvName(name);
  }
  if ("argv" in command) {
    if (command.argv.length === 0 || command.argv[0] === "") {
      throw new TransportError("command-failed", host, "empty command");
    }
  } else if (stdin !== undefined) {
    // The script itself is the shell's stdin; extra input would be read as more script.
    throw new TransportError("command-failed", host, "a script command cannot take separate stdin");
  }
}

/** Node-style signal names (`SIGTERM`) whichever way the transport reported them. */
export function normalizeSignal(name: string | null | undefined): string | null {
  if (!name) return null;
  return name.startsWith("SIG") ? name : `SIG${name}`;
}

export function cancelledError(host: string, signal: AbortSignal | undefined): TransportError {
  const reason = signal?.reason instanceof Error ? `: ${signal.reason.message}` : "";
  return new TransportError("cancelled", host, `command cancelled${reason}`);
}

/**
 * Send `input` (if any) to a process's stdin and close it. A failing input stream must not look
 * like the end of input (the command would act on truncated data), so it is reported instead.
 */
export function feedStdin(stdin: Writable, input: RunOptions["stdin"], onInputError: (error: Error) => void): void {
  stdin.on("error", () => undefined); // a process that exits without reading its input is not an error here
  if (input === undefined) {
    stdin.end();
  } else if (typeof input === "string" || Buffer.isBuffer(input)) {
    stdin.end(input);
  } else {
    input.once("error", (error) => {
      input.unpipe(stdin);
      onInputError(error);
    });
    input.pipe(stdin);
  }
}

/**
 * The most output nemoclaw keeps from one command, stdout and stderr together. An observation of a
 * large host, or a step's installer log, prints a few megabytes; without a bound a host that
 * prints without end would fill the controller's memory and end the run for the whole fleet.
 */
export const MAX_COMMAND_OUTPUT_BYTES = 64 * 1024 * 1024;

/** What one command may still print before it is stopped (shared by its stdout and stderr). */
class OutputBudget {
  private used = 0;
  exceeded = false;

  constructor(
    private readonly limit: number,
    private readonly onExceeded: () => void,
  ) {}

  /** False once the command has printed more than the limit (it is then stopped, once). */
  take(bytes: number): boolean {
    if (this.exceeded) return false;
    this.used += bytes;
    if (this.used <= this.limit) return true;
    this.exceeded = true;
    this.onExceeded();
    return false;
  }

  check(host: string): void {
    if (this.exceeded) {
      throw new TransportError("command-failed", host, `the command printed more than ${this.limit / (1024 * 1024)} MiB, the most nemoclaw reads from one command, and was stopped`);
    }
  }
}

/** Collect a stream into one Buffer, passing each chunk to `onChunk` as it arrives; past the budget, chunks are dropped. */
function collect(stream: Readable, onChunk: ((chunk: Buffer) => void) | undefined, budget?: OutputBudget): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => {
      if (budget !== undefined && !budget.take(chunk.length)) return;
      chunks.push(chunk);
      onChunk?.(chunk);
    });
    stream.once("end", () => resolve(Buffer.concat(chunks)));
    stream.once("close", () => resolve(Buffer.concat(chunks)));
    stream.once("error", reject);
  });
}

/** `Connection.run` in terms of `Connection.spawn`. */
export async function runToCompletion(
  host: string,
  start: (options: SpawnOptions) => Promise<RemoteProcess>,
  options: RunOptions,
): Promise<RunResult> {
  const spawnOptions: SpawnOptions = {};
  if (options.timeoutMs !== undefined) spawnOptions.timeoutMs = options.timeoutMs;
  if (options.signal !== undefined) spawnOptions.signal = options.signal;
  const child = await start(spawnOptions);
  const budget = new OutputBudget(options.maxOutputBytes ?? MAX_COMMAND_OUTPUT_BYTES, () => child.kill());
  const stdout = collect(child.stdout, options.onStdout, budget);
  const stderr = collect(child.stderr, options.onStderr, budget);
  let inputError: Error | undefined;
  feedStdin(child.stdin, options.stdin, (error) => {
    inputError = error;
    child.kill();
  });
  const outcome = await child.done;
  const result = { ...outcome, stdout: await stdout, stderr: await stderr };
  budget.check(host);
  if (inputError) {
    throw new TransportError("command-failed", host, `reading the command's input failed: ${firstLine(inputError.message)}`, { cause: inputError });
  }
  return result;
}

/** A question a script asks its caller on stdout, answered with one line on its input. */
export interface ScriptQuestion {
  /** Text the script prints once it waits for the answer. */
  asked: string;
  /** The answer, from the output so far; one line without its newline. */
  answer: (stdoutSoFar: Buffer) => Promise<string>;
}

/**
 * `Connection.run` for a script that asks its caller one question (SpawnOptions.scriptInputOpen):
 * the answer is written once the question is on stdout, then the input is closed. A script that
 * ends without asking, or an answer that fails, closes the input with nothing written.
 */
export async function runAnswering(connection: Connection, command: RemoteCommand, options: SpawnOptions, question: ScriptQuestion): Promise<RunResult> {
  const child = await connection.spawn(command, { ...options, scriptInputOpen: true });
  const budget = new OutputBudget(MAX_COMMAND_OUTPUT_BYTES, () => child.kill());
  child.stdin.on("error", () => undefined); // a script killed before it asked
  const asked = Buffer.from(question.asked);
  const chunks: Buffer[] = [];
  let tail = Buffer.alloc(0);
  let answering: Promise<void> | null = null;
  const reply = async (): Promise<void> => {
    let line: string | null;
    try {
      line = await question.answer(Buffer.concat(chunks));
    } catch {
      line = null;
    }
    // No answer (or one that is not one line) closes the input with nothing written: the script reads none.
    if (line === null || /[\r\n]/.test(line)) child.stdin.end();
    else child.stdin.end(`${line}\n`);
  };
  const stdout = collect(child.stdout, (chunk) => {
    chunks.push(chunk);
    if (answering !== null) return;
    // The question may straddle chunks: look in the new chunk and the text just before it.
    const window = Buffer.concat([tail, chunk]);
    if (window.includes(asked)) answering = reply();
    else tail = window.subarray(Math.max(0, window.length - asked.length + 1));
  }, budget);
  const stderr = collect(child.stderr, undefined, budget);
  const outcome = await child.done.finally(() => {
    if (answering === null) child.stdin.end();
  });
  await answering;
  const result = { ...outcome, stdout: await stdout, stderr: await stderr };
  budget.check(connection.host);
  return result;
}
