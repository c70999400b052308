// @ts-check
// One simulated command as its caller sees it: a process with a pid, a working directory, an
// environment, stdin/stdout/stderr and children. In the per-process mode that is the Node process
// itself (`entry.mjs`); in the resident mode (`server.mjs`) it is one connection of the native
// client, and many calls share the resident process. Code that needs "the process" (lock owners,
// waits, children on the caller's stdio) asks `currentCall()` instead of `process`.
//
// A caller killed mid-call (a `timeout`, `kill -- -pgid`) aborts its call: like a killed process,
// the call stops at its next wait — `sleep` and child waits never return — and no `finally` runs,
// so a lock it held stays behind for the next command to find stale.

import { AsyncLocalStorage } from "node:async_hooks";
import { spawn } from "node:child_process";
import { readSync } from "node:fs";
import { isatty } from "node:tty";

/**
 * @typedef {{ code: number | null; signal: NodeJS.Signals | null }} ChildExit
 *
 * @typedef {object} RunOptions
 * @property {Buffer | "inherit" | "ignore"} stdin
 * @property {NodeJS.ProcessEnv} [env] default: the call's environment
 * @property {{ uid: number; gid: number }} [credentials] run as this user (as root only)
 * @property {boolean} [killOnSignal] a SIGTERM/SIGINT/SIGHUP to the caller SIGKILLs the child and
 *   ends the call with 128+n (the child may ignore the signal, as `unshare` does while it waits)
 *
 * @typedef {object} Call
 * @property {number} pid the process the caller started (lock owners and calls.log name it)
 * @property {string} cwd
 * @property {NodeJS.ProcessEnv} env
 * @property {number} startedAtMs
 * @property {AbortSignal} signal aborted when the caller is gone
 * @property {boolean} stdinIsTerminal
 * @property {(data: string | Uint8Array) => void} out
 * @property {(data: string | Uint8Array) => void} err
 * @property {(limit: number) => Promise<Buffer | null>} readStdin all of stdin; null once more than `limit` bytes came
 * @property {(argv: string[], options: RunOptions) => Promise<ChildExit>} run a child on the caller's own stdout and stderr
 */

const storage = new AsyncLocalStorage();

/**
 * @template T
 * @param {Call} call
 * @param {() => Promise<T>} body
 * @returns {Promise<T>}
 */
export function runInCall(call, body) {
  return storage.run(call, body);
}

/** @type {Call | undefined} */
let processCall;

/** The call this code runs for; outside any (tests, the installer) the Node process itself. */
export function currentCall() {
  return /** @type {Call | undefined} */ (storage.getStore()) ?? (processCall ??= ownProcessCall());
}

/** @returns {Call} */
function ownProcessCall() {
  return {
    pid: process.pid,
    cwd: process.cwd(),
    env: process.env,
    startedAtMs: performance.timeOrigin,
    signal: new AbortController().signal,
    stdinIsTerminal: isatty(0),
    out: (data) => process.stdout.write(data),
    err: (data) => process.stderr.write(data),
    readStdin: async (limit) => readAllSync(0, limit),
    run: (argv, options) => runAttached(argv, options),
  };
}

/**
 * @param {number} fd
 * @param {number} limit
 */
function readAllSync(fd, limit) {
  /** @type {Buffer[]} */
  const chunks = [];
  let total = 0;
  const buffer = Buffer.alloc(65536);
  for (;;) {
    let n = 0;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      const code = /** @type {NodeJS.ErrnoException} */ (error).code;
      if (code === "EAGAIN") continue;
      if (code === "EOF" || code === "EBADF") break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
    total += n;
    if (total > limit) return null;
  }
  return Buffer.concat(chunks);
}

/**
 * A child of this Node process on its own stdout and stderr.
 * @param {string[]} argv
 * @param {RunOptions} options
 * @returns {Promise<ChildExit>}
 */
function runAttached(argv, options) {
  const { stdin } = options;
  const child = spawn(/** @type {string} */ (argv[0]), argv.slice(1), {
    stdio: [Buffer.isBuffer(stdin) ? "pipe" : stdin, "inherit", "inherit"],
    env: options.env ?? process.env,
    ...(options.credentials ?? {}),
  });
  if (Buffer.isBuffer(stdin) && child.stdin) {
    child.stdin.on("error", () => {});
    child.stdin.end(stdin);
  }
  if (options.killOnSignal) {
    for (const signal of /** @type {const} */ (["SIGTERM", "SIGINT", "SIGHUP"])) {
      process.once(signal, () => {
        child.kill("SIGKILL");
        process.exit(128 + signalNumber(signal));
      });
    }
  }
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
}

/**
 * How a child ended, as an exit code (128+n for a signal).
 * @param {ChildExit} exit
 */
export function exitCode(exit) {
  return exit.code ?? 128 + signalNumber(exit.signal);
}

/** @param {NodeJS.Signals | null} signal */
function signalNumber(signal) {
  const numbers = /** @type {Record<string, number>} */ ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 });
  return signal ? (numbers[signal] ?? 1) : 1;
}

/**
 * @typedef {object} HelperOptions
 * @property {"pipe" | "ignore"} [stdin]
 * @property {"pipe" | "ignore"} [stdout]
 * @property {"caller" | "ignore"} [stderr] default: the caller's stderr
 * @property {{ uid: number; gid: number }} [credentials]
 */

/**
 * Start a helper process of this call (a pipe end of an upload, a capture). It dies with the
 * call when the caller is killed (`helperExit`).
 * @param {string} command
 * @param {string[]} args
 * @param {HelperOptions} [options]
 */
export function spawnHelper(command, args, options = {}) {
  const call = currentCall();
  const child = spawn(command, args, {
    stdio: [options.stdin ?? "ignore", options.stdout ?? "ignore", options.stderr === "ignore" ? "ignore" : "pipe"],
    env: call.env,
    cwd: call.cwd,
    ...(options.credentials ?? {}),
  });
  child.stderr?.on("data", (chunk) => call.err(chunk));
  return child;
}

/**
 * The exit of a helper process; a call aborted meanwhile kills it and never returns.
 * @param {import("node:child_process").ChildProcess} child
 * @returns {Promise<number>}
 */
export function helperExit(child) {
  const { signal } = currentCall();
  return new Promise((resolve, reject) => {
    const kill = () => child.kill("SIGKILL");
    if (signal.aborted) return kill();
    signal.addEventListener("abort", kill, { once: true });
    child.on("error", (error) => {
      signal.removeEventListener("abort", kill);
      if (!signal.aborted) reject(error);
    });
    child.on("close", (code, exitSignal) => {
      signal.removeEventListener("abort", kill);
      if (!signal.aborted) resolve(exitCode({ code, signal: exitSignal }));
    });
  });
}
