// @ts-check
// Small helpers shared by every simulated tool. Node builtins only: every shim
// invocation loads this, so it must stay cheap.

import { createHash, randomBytes, randomUUID } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { currentCall } from "./call.mjs";

/** Thrown by a tool to end with a given exit code after printing what it wanted. */
export class SimExit extends Error {
  /** @param {number} code */
  constructor(code) {
    super(`exit ${code}`);
    this.code = code;
  }
}

/** @param {string | Buffer} data */
export function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}

/** @param {number} bytes */
export function randomHex(bytes) {
  return randomBytes(bytes).toString("hex");
}

export function uuid() {
  return randomUUID();
}

/**
 * Write a file atomically: a temporary name in the same directory, then rename, so a reader
 * (or a crash) never sees a half-written file.
 * @param {string} path
 * @param {string | Buffer} data
 * @param {number} [mode]
 */
export function writeFileAtomic(path, data, mode = 0o644) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${randomHex(6)}.tmp`);
  const fd = openSync(tmp, "w", mode);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/**
 * JSON with object keys sorted, the way serde_json without `preserve_order` prints them.
 * @param {unknown} value
 * @param {number} [indent]
 */
export function sortedJson(value, indent = 2) {
  return JSON.stringify(sortKeys(value), null, indent);
}

/** @param {unknown} value @returns {unknown} */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(/** @type {any} */ (value)[key]);
    return out;
  }
  return value;
}

/**
 * Wait for `ms`, unless the call is aborted (its caller was killed): then never, as the
 * simulated process is gone.
 * @param {number} ms
 * @returns {Promise<void>}
 */
export function sleep(ms) {
  const { signal } = currentCall();
  return new Promise((resolve) => {
    if (signal.aborted) return;
    const stop = () => clearTimeout(timer);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve();
    }, ms);
    signal.addEventListener("abort", stop, { once: true });
  });
}

/**
 * `YYYY-MM-DD HH:MM:SS` in UTC, OpenShell's `format_epoch_ms`.
 * @param {number} ms
 */
export function formatEpochMs(ms) {
  if (!(ms > 0)) return "-";
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** @param {string} path */
export function readJson(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** @param {string} path */
export function readJsonIfExists(path) {
  return existsSync(path) ? readJson(path) : null;
}

/**
 * The kernel's start time of a process (clock ticks since boot), or null when it is gone.
 * Together with the pid it identifies a process even after pid reuse.
 * @param {number} pid
 */
export function processStartTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (comm) may contain spaces and parentheses; fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") return null;
    return Number(fields[19]);
  } catch {
    return null;
  }
}

/** @param {number} pid */
export function processCmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((part, i, all) => i < all.length - 1 || part !== "");
  } catch {
    return null;
  }
}

/**
 * A live process that is still the one we started (same start time).
 * @param {{ pid: number; startTime: number } | null | undefined} record
 */
export function isRecordedProcessAlive(record) {
  if (!record) return false;
  return processStartTime(record.pid) === record.startTime;
}

/** @param {number} pid */
export function isPidAlive(pid) {
  return processStartTime(pid) !== null;
}

/**
 * Children of a process (by scanning /proc: `task/<tid>/children` is not always compiled in).
 * @param {number} parentPid
 */
export function childPids(parentPid) {
  /** @type {number[]} */
  const children = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === parentPid) children.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return children;
}

/**
 * The pid of a process as seen inside its own (innermost) pid namespace.
 * @param {number} pid
 */
export function namespacePid(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const line = status.split("\n").find((l) => l.startsWith("NSpid:"));
  const pids = (line ?? "").split(/\s+/).slice(1).filter(Boolean);
  return Number(pids[pids.length - 1] ?? pid);
}

/**
 * A pid that certainly belongs to no live process: a real process that already exited.
 * (Stale lock files and crashed gateways point at such pids.)
 */
export function deadPid() {
  for (let candidate = 4_000_000; candidate > 300_000; candidate -= 7919) {
    if (!existsSync(`/proc/${candidate}`)) return candidate;
  }
  return 999_999;
}

/** @param {string} text */
export function collapseWhitespace(text) {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * Docker's `units.HumanDuration`, used in `Up 2 hours` / `Exited (0) 3 minutes ago`.
 * @param {number} ms
 */
export function humanDuration(ms) {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}
