/**
 * A minimal Connection that runs commands with the local `sh`, with HOME pointed at a temporary
 * directory: enough to exercise the lock and registry scripts for real in unit tests.
 */
import { spawn } from "node:child_process";
import type { Connection, RemoteCommand, RunResult } from "../../../src/transport/types.js";

export class LocalShell implements Pick<Connection, "host" | "run" | "close"> {
  readonly runs: RemoteCommand[] = [];

  constructor(
    readonly host: string,
    private readonly home: string,
  ) {}

  run(command: RemoteCommand): Promise<RunResult> {
    this.runs.push(command);
    const started = Date.now();
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: this.home, ...(command.env ?? {}), ...(command.secretEnv ?? {}) };
    const child =
      "script" in command
        ? spawn("sh", ["-s"], { env, stdio: ["pipe", "pipe", "pipe"] })
        : spawn(command.argv[0] as string, command.argv.slice(1), { env, stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.stdin.end("script" in command ? command.script : "");
    return new Promise((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) =>
        resolve({
          exitCode: code,
          signal,
          stdout: Buffer.concat(stdout),
          stderr: Buffer.concat(stderr),
          durationMs: Date.now() - started,
          timedOut: false,
        }),
      );
    });
  }

  async close(): Promise<void> {}

  asConnection(): Connection {
    return this as unknown as Connection;
  }
}
