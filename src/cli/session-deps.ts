/**
 * What every command that works on hosts is given by its caller, so each use case can be run in a
 * test with fakes: where output goes, the clock, who runs it, where journals live, how Ctrl-C
 * reaches it. `processDeps()` wires them to this process.
 */
import { hostname, userInfo } from "node:os";
import { currentPidScope } from "../config/pid-scope.js";
import type { RunIdentity } from "../apply/events.js";
import { journalDir } from "../apply/journal.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import type { Connection } from "../transport/types.js";

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  /** The terminal's height, when it is one. */
  rows?: number;
}

export interface HostPool {
  get(host: string): Promise<Connection>;
  /** SSH sessions opened on the host so far (absent where they are not counted). */
  sessionsOpened?(host: string): number;
  closeAll(): Promise<void>;
}

/** POST a JSON body; resolves to the HTTP status, throws when there is no answer. */
export type PostJson = (url: string, body: string) => Promise<number>;

/** A webhook POST with Node's fetch: 10 s at most, no redirects (a webhook URL is exact). */
export const postWithFetch: PostJson = async (url, body) => {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(10_000), redirect: "error" });
  await response.arrayBuffer().catch(() => undefined);
  return response.status;
};

export interface ProcessDeps {
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  now(): Date;
  identity: RunIdentity;
  journalDir: string;
  /** Call `handler` on SIGINT/SIGTERM/SIGHUP until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  /** How a run's notice reaches the fleet file's webhook. */
  postWebhook: PostJson;
  /** End the process now (an interruption before a run starts, once its locks are given back). */
  exit(code: number): void;
}

export function processDeps(): ProcessDeps {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => new Date(),
    identity: { user: userInfo().username, machine: hostname(), pid: process.pid, pidScope: currentPidScope() },
    journalDir: journalDir(),
    postWebhook: postWithFetch,
    exit: (code) => process.exit(code),
    onInterrupt(handler) {
      // A hangup (the terminal or the SSH session to this machine went away) would otherwise end
      // the process on the spot, mid-step, leaving host locks and a journal without its end. It
      // stops the run like SIGTERM; output the gone terminal can no longer take is dropped
      // (src/cli/standard-streams.ts), and the journal is a file and keeps everything.
      process.on("SIGINT", handler);
      process.on("SIGTERM", handler);
      process.on("SIGHUP", handler);
      return () => {
        process.off("SIGINT", handler);
        process.off("SIGTERM", handler);
        process.off("SIGHUP", handler);
      };
    },
  };
}

/**
 * A run whose journal could not be written to the end was stopped for it: exit 1, an I/O error on
 * the controller (docs/exit-codes.md), whatever its recap says, and the reason said again last.
 */
export function journalFailed(failure: Error, command: string, stderr: Output): ExitCodeValue {
  stderr.write(`nemoclaw ${command}: ${failure.message}; the run was stopped for it (exit 1). Free space there; \`nemoclaw history\` shows the run as far as its journal got\n`);
  return ExitCode.Error;
}
