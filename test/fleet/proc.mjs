// @ts-check
/**
 * Processes by id, read from /proc: a process is identified by its pid AND its start time, so a
 * recycled pid is never mistaken for one the fleet started.
 */
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";

export const execFileAsync = promisify(execFile);

/** @typedef {{ pid: number, start: string }} ProcessId */
/** @typedef {{ pid: number, ppid: number, start: string, uid: number }} ProcessInfo */

/**
 * @param {number} pid
 * @returns {Promise<{ ppid: number, start: string } | null>}
 */
async function readStat(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name (which may itself contain spaces and parens).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0];
    if (state === "Z" || state === "X") return null;
    return { ppid: Number(fields[1]), start: fields[19] ?? "" };
  } catch {
    return null;
  }
}

/**
 * @param {number} pid
 * @returns {Promise<ProcessId | null>}
 */
export async function processId(pid) {
  const stat = await readStat(pid);
  return stat ? { pid, start: stat.start } : null;
}

/**
 * @param {ProcessId} id
 * @returns {Promise<boolean>}
 */
export async function isRunning(id) {
  const stat = await readStat(id.pid);
  return stat !== null && stat.start === id.start;
}

/** @returns {Promise<ProcessInfo[]>} */
export async function listProcesses() {
  const entries = await readdir("/proc");
  const all = await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map(async (name) => {
        const pid = Number(name);
        const stat = await readStat(pid);
        if (!stat) return null;
        let uid = -1;
        try {
          const status = await readFile(`/proc/${pid}/status`, "utf8");
          uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
        } catch {
          return null;
        }
        return { pid, ppid: stat.ppid, start: stat.start, uid };
      }),
  );
  return /** @type {ProcessInfo[]} */ (all.filter((p) => p !== null));
}

/**
 * Every live descendant of the given processes (connection handlers forked by an sshd).
 * @param {ProcessId[]} roots
 * @returns {Promise<ProcessId[]>}
 */
export async function descendantsOf(roots) {
  const all = await listProcesses();
  const found = [];
  let frontier = roots.map((r) => r.pid);
  while (frontier.length > 0) {
    const children = all.filter((p) => frontier.includes(p.ppid));
    found.push(...children.map((p) => ({ pid: p.pid, start: p.start })));
    frontier = children.map((p) => p.pid);
  }
  return found;
}

/**
 * TERM each still-running process, wait for it to go, KILL what is left.
 * @param {ProcessId[]} ids
 * @param {number} [graceMs]
 */
export async function terminate(ids, graceMs = 2000) {
  const signal = async (/** @type {NodeJS.Signals} */ sig) => {
    for (const id of ids) {
      if (await isRunning(id)) {
        try {
          process.kill(id.pid, sig);
        } catch {
          // gone meanwhile
        }
      }
    }
  };
  await signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    const alive = await Promise.all(ids.map(isRunning));
    if (!alive.some(Boolean)) return;
    await sleep(25);
  }
  await signal("SIGKILL");
  for (let i = 0; i < 40; i++) {
    const alive = await Promise.all(ids.map(isRunning));
    if (!alive.some(Boolean)) return;
    await sleep(25);
  }
}

/**
 * Wait until `check` returns a value other than undefined.
 * @template T
 * @param {() => Promise<T | undefined>} check
 * @param {number} timeoutMs
 * @param {string} what
 * @returns {Promise<T>}
 */
export async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
