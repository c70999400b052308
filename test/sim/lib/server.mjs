// @ts-check
// The resident mode's process (README "Two modes"): one per simulated host, serving every
// simulated command of that host, so that a command costs the native client (client.c) and a turn
// of this event loop instead of a Node start. The client starts it — in its own session, as the
// home's owner, stderr on ~/.fleet-sim/server/log — when no process answers on
// ~/.fleet-sim/server/socket; it exits after FLEET_SIM_IDLE_MS (default 30 s) without a call, or
// on SIGTERM once its calls are done.
//
//   server.mjs <home>
//
// Frames (type byte, 4-byte big-endian length, payload) are described in client.c.

import { randomBytes } from "node:crypto";
import { linkSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { constants } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serverPidFile, simPaths } from "./paths.mjs";
import { runTool } from "./runtime.mjs";
import { processStartTime } from "./util.mjs";

const ENTRY = fileURLToPath(new URL("./entry.mjs", import.meta.url));
const IDLE_MS = Number(process.env.FLEET_SIM_IDLE_MS) || 30_000;
const SOCKET = "socket";
const EMPTY = Buffer.alloc(0);

const [home = ""] = process.argv.slice(2);
const paths = simPaths(home);
process.chdir(paths.serverDir);
const umask = process.umask();
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;
const pidFile = serverPidFile(paths, process.pid);

process.on("uncaughtException", (error) => process.stderr.write(`${new Date().toISOString()} ${error.stack ?? error}\n`));
process.on("unhandledRejection", (error) => process.stderr.write(`${new Date().toISOString()} ${error instanceof Error ? error.stack : String(error)}\n`));

let active = 0;
let closing = false;
/** @type {NodeJS.Timeout | undefined} */
let idleTimer;

const server = createServer(serve);
const temporary = `${SOCKET}-${process.pid}`;
rmSync(temporary, { force: true });
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(temporary, () => resolve(undefined));
});
const ownInode = statSync(temporary).ino;
const claimed = await claimSocket();
unlinkSync(temporary);
// Another resident process serves this home: the client that started this one talks to it.
if (!claimed) process.exit(0);
writeFileSync(pidFile, `${JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) })}\n`);
process.on("SIGTERM", shutdown);
idleTimer = setTimeout(shutdown, IDLE_MS);

/**
 * Take the socket name atomically (a hard link fails when the name exists). A name left by a
 * resident process that died is removed, unless it answers by now.
 */
async function claimSocket() {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      linkSync(temporary, SOCKET);
      return true;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== "EEXIST") throw error;
    }
    const probed = statSync(SOCKET, { throwIfNoEntry: false });
    if (await answers(SOCKET)) return false;
    if (probed && statSync(SOCKET, { throwIfNoEntry: false })?.ino === probed.ino) rmSync(SOCKET, { force: true });
  }
  return false;
}

/** @param {string} path */
function answers(path) {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

/** Stop taking calls; exit once the running ones are done. */
function shutdown() {
  if (closing) return;
  closing = true;
  if (statSync(SOCKET, { throwIfNoEntry: false })?.ino === ownInode) rmSync(SOCKET, { force: true });
  server.close();
  exitWhenDone();
}

function exitWhenDone() {
  if (active > 0) return;
  rmSync(pidFile, { force: true });
  process.exit(0);
}

/** @param {string} type @param {Buffer} payload */
function frame(type, payload) {
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

/** @param {string[]} fields */
function encodeFields(fields) {
  return Buffer.from(fields.map((field) => `${field}\0`).join(""));
}

/** @param {Buffer} payload */
function decodeFields(payload) {
  return payload.toString("utf8").split("\0").slice(0, -1);
}

/** @param {NodeJS.ProcessEnv} env */
function environment(env) {
  return Object.entries(env).flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${value}`]));
}

/**
 * One connection: one simulated command.
 * @param {import("node:net").Socket} socket
 */
function serve(socket) {
  active += 1;
  clearTimeout(idleTimer);
  const controller = new AbortController();
  let finished = false;
  /** @type {((payload: Buffer) => void) | null} */
  let onStdin = null;
  /** @type {((payload: Buffer) => void) | null} */
  let onChildEnd = null;
  /** Stdin payloads handed to children through a file, removed when the call ends. */
  const stdinFiles = /** @type {string[]} */ ([]);

  /** @param {string} type @param {Buffer} payload */
  const send = (type, payload) => {
    if (!socket.destroyed && !socket.writableEnded) socket.write(frame(type, payload));
  };
  /** @param {number} code */
  const exit = (code) => {
    finished = true;
    send("x", Buffer.from(String(code)));
    socket.end();
  };

  let pending = EMPTY;
  socket.on("data", (chunk) => {
    pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 5) {
      const length = pending.readUInt32BE(1);
      if (pending.length < 5 + length) break;
      const type = String.fromCharCode(/** @type {number} */ (pending[0]));
      const payload = Buffer.from(pending.subarray(5, 5 + length));
      pending = pending.subarray(5 + length);
      if (type === "q") start(payload);
      else if (type === "i") onStdin?.(payload);
      else if (type === "w") onChildEnd?.(payload);
    }
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    // A caller killed mid-call: its simulated process stops at its next wait (lib/call.mjs).
    if (!finished) controller.abort();
    for (const file of stdinFiles) rmSync(file, { force: true });
    active -= 1;
    if (closing) exitWhenDone();
    else if (active === 0) idleTimer = setTimeout(shutdown, IDLE_MS);
  });

  /** @param {Buffer} payload */
  function start(payload) {
    const [tool = "", version = "-", cwd = "/", pid = "0", callerUid = "0", callerUmask = "0", terminal = "0", argc = "0", ...rest] = decodeFields(payload);
    const args = rest.slice(0, Number(argc));
    // This process acts as the home's owner with one umask; another caller gets its own process.
    if ((Number(callerUid) !== uid && Number(callerUid) !== 0) || Number(callerUmask) !== umask) {
      finished = true;
      send("f", encodeFields([process.execPath, ENTRY, home, tool, version, ...args]));
      socket.end();
      return;
    }
    send("a", EMPTY);
    /** @type {NodeJS.ProcessEnv} */
    const env = {};
    for (const entry of rest.slice(Number(argc))) {
      const at = entry.indexOf("=");
      if (at > 0 && !(entry.slice(0, at) in env)) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    /** @type {import("./call.mjs").Call} */
    const call = {
      pid: Number(pid),
      cwd,
      env,
      startedAtMs: Date.now(),
      signal: controller.signal,
      stdinIsTerminal: terminal === "1",
      out: (data) => send("o", Buffer.from(data)),
      err: (data) => send("e", Buffer.from(data)),
      readStdin: (limit) =>
        new Promise((resolve) => {
          /** @type {Buffer[]} */
          const chunks = [];
          let total = 0;
          onStdin = (chunk) => {
            if (chunk.length === 0) {
              onStdin = null;
              resolve(Buffer.concat(chunks));
              return;
            }
            chunks.push(chunk);
            total += chunk.length;
            if (total > limit) {
              onStdin = () => {};
              resolve(null);
            }
          };
          send("i", EMPTY);
        }),
      run: (argv, options) =>
        new Promise((resolve, reject) => {
          let stdin = options.stdin === "inherit" ? "inherit" : "null";
          if (Buffer.isBuffer(options.stdin)) {
            const file = join(paths.serverDir, `stdin-${randomBytes(6).toString("hex")}`);
            writeFileSync(file, options.stdin, { mode: 0o600 });
            stdinFiles.push(file);
            stdin = `file:${file}`;
          }
          const credentials = options.credentials;
          onChildEnd = (ended) => {
            onChildEnd = null;
            const [kind, value = ""] = ended.toString("utf8").split(" ");
            if (kind === "exit") resolve({ code: Number(value), signal: null });
            else if (kind === "signal") resolve({ code: null, signal: signalName(Number(value)) });
            else reject(spawnError(/** @type {string} */ (argv[0]), Number(value)));
          };
          send(
            "r",
            encodeFields([
              stdin,
              options.killOnSignal ? "1" : "0",
              String(credentials?.uid ?? uid),
              String(credentials?.gid ?? gid),
              credentials ? "1" : "0",
              String(argv.length),
              ...argv,
              ...environment(options.env ?? env),
            ]),
          );
        }),
    };
    runTool({ home, tool, version, args }, call).then(exit, (error) => {
      // As an uncaught error ends a Node process: its stack on stderr, exit 1.
      call.err(`${error instanceof Error ? error.stack : String(error)}\n`);
      exit(1);
    });
  }
}

/** @param {number} number @returns {NodeJS.Signals} */
function signalName(number) {
  const entry = Object.entries(constants.signals).find(([, value]) => value === number);
  return /** @type {NodeJS.Signals} */ (entry?.[0] ?? "SIGKILL");
}

/**
 * The error Node's spawn reports for a program that could not be started.
 * @param {string} program
 * @param {number} errno
 */
function spawnError(program, errno) {
  const code = Object.entries(constants.errno).find(([, value]) => value === errno)?.[0] ?? "EIO";
  return Object.assign(new Error(`spawn ${program} ${code}`), { code, errno: -errno, syscall: `spawn ${program}`, path: program });
}
