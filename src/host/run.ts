/**
 * The one way adapters run a command on a host and turn a failure into an error a user can act
 * on: the host, what was being done, the exit status and the last lines of output (where CLIs say
 * why they failed), without colour codes.
 */
import type { Readable } from "node:stream";
import type { Connection, RemoteCommand, RemoteProcess } from "../transport/types.js";
import { type CommandOutcome, type PlannedCommand, remoteCommand } from "./command.js";
import { stripAnsi } from "./output.js";
import { TOOL_PATH } from "./batch.js";

export class HostCommandError extends Error {
  constructor(
    readonly host: string,
    readonly what: string,
    readonly detail: string,
  ) {
    super(`${host}: ${what}: ${detail}`);
    this.name = "HostCommandError";
  }
}

/** The last lines of a command's output, on one line. */
export function outputTail(text: string): string {
  const lines = stripAnsi(text).trim().split("\n").filter((line) => line.trim() !== "");
  return lines.slice(-3).join(" / ").slice(0, 400) || "(no output)";
}

function exitStatus(exitCode: number | null, signal: string | null): string {
  return exitCode === null ? `killed by ${signal ?? "a signal"}` : `exit ${exitCode}`;
}

export interface RunCheckedOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The tools NemoClaw may have installed only in ~/.local/bin (see TOOL_PATH). */
const INSTALLED_TOOLS = new Set(["nemoclaw", "openshell"]);

/** `nemoclaw …` / `openshell …` run with ~/.local/bin appended to PATH, as the observation finds them (TOOL_PATH). */
export function withToolPath(command: RemoteCommand): RemoteCommand {
  if (!("argv" in command) || !INSTALLED_TOOLS.has(command.argv[0] ?? "")) return command;
  return { ...command, argv: ["sh", "-c", `${TOOL_PATH}; exec "$@"`, "sh", ...command.argv] };
}

/** Run to completion; stdout when it exits 0, a HostCommandError otherwise. */
export async function runChecked(connection: Connection, command: RemoteCommand, what: string, options: RunCheckedOptions = {}): Promise<string> {
  const result = await connection.run(withToolPath(command), {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  if (result.exitCode !== 0) {
    const output = `${result.stdout.toString("utf8")}\n${result.stderr.toString("utf8")}`;
    throw new HostCommandError(connection.host, what, `${exitStatus(result.exitCode, result.signal)}: ${outputTail(output)}`);
  }
  return result.stdout.toString("utf8");
}

/**
 * Run one planned command that carries no secret in a session of its own, and give back its
 * outcome judged by the command's own exit codes; a transport failure is the outcome's error.
 */
export async function runForOutcome(connection: Connection, command: PlannedCommand, options: { timeoutMs: number; signal?: AbortSignal }): Promise<CommandOutcome> {
  try {
    const result = await connection.run(withToolPath(remoteCommand(command)), { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
    return {
      exitCode: result.exitCode,
      ok: !result.timedOut && result.exitCode !== null && (command.okExitCodes ?? [0]).includes(result.exitCode),
      stdout: result.stdout.toString("utf8"),
      stderr: result.stderr.toString("utf8"),
      timedOut: result.timedOut,
      error: null,
    };
  } catch (error) {
    return { exitCode: null, ok: false, stdout: "", stderr: "", timedOut: false, error };
  }
}

/** Collect a stream's text, keeping only the last `limit` characters. */
export function collectTail(stream: Readable, limit = 4000): () => string {
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-limit);
  });
  return () => text;
}

/** Resolves once a spawned command exits 0; rejects with the tail of its stderr otherwise. */
export async function succeeded(connection: Connection, process: RemoteProcess, what: string): Promise<void> {
  const stderr = collectTail(process.stderr);
  const outcome = await process.done;
  if (outcome.exitCode !== 0) throw new HostCommandError(connection.host, what, `${exitStatus(outcome.exitCode, outcome.signal)}: ${outputTail(stderr())}`);
}
