// @ts-check
// Every long-lived process the simulator starts (host-process gateways, sandbox namespaces,
// in-sandbox OpenClaw gateways, registry lock holders) is recorded by pid and start time, so
// stopSimulator kills exactly those and never a recycled pid.

import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serverPidFile } from "./paths.mjs";
import { isRecordedProcessAlive, processStartTime, sleep } from "./util.mjs";

/**
 * @typedef {{ pid: number; startTime: number; kind: string; label: string }} PidRecord
 */

/**
 * @param {{ pidsDir: string }} paths
 * @param {number} pid
 * @param {string} kind
 * @param {string} label
 * @returns {PidRecord}
 */
export function recordPid(paths, pid, kind, label) {
  const startTime = processStartTime(pid);
  if (startTime === null) throw new Error(`fleet-sim: ${kind} (${label}) exited right after it started`);
  const record = { pid, startTime, kind, label };
  mkdirSync(paths.pidsDir, { recursive: true });
  writeFileSync(join(paths.pidsDir, `${pid}.json`), `${JSON.stringify(record)}\n`);
  return record;
}

/** @param {{ pidsDir: string }} paths @returns {PidRecord[]} */
export function recordedPids(paths) {
  /** @type {PidRecord[]} */
  const records = [];
  let entries = [];
  try {
    entries = readdirSync(paths.pidsDir);
  } catch {
    return records;
  }
  for (const entry of entries) {
    try {
      records.push(JSON.parse(readFileSync(join(paths.pidsDir, entry), "utf8")));
    } catch {
      // A record being written right now; the next stop sees it.
    }
  }
  return records;
}

/**
 * Start a detached long-lived process (it outlives the simulated command that started it).
 * @param {{ pidsDir: string }} paths
 * @param {string} command
 * @param {string[]} args
 * @param {{ argv0?: string; kind: string; label: string; env?: NodeJS.ProcessEnv }} options
 */
export function startDaemon(paths, command, args, options) {
  const child = spawn(command, args, {
    argv0: options.argv0,
    detached: true,
    stdio: "ignore",
    env: options.env ?? {},
  });
  child.unref();
  return recordPid(paths, /** @type {number} */ (child.pid), options.kind, options.label);
}

/**
 * Kill the recorded processes that are still the ones we started, then forget them all.
 * @param {{ pidsDir: string }} paths
 */
export async function killRecorded(paths) {
  await terminate(recordedPids(paths));
  rmSync(paths.pidsDir, { recursive: true, force: true });
}

/**
 * Stop the host's resident processes (lib/server.mjs): SIGTERM lets them finish the calls they
 * serve, what still runs 2 s later is killed.
 * @param {import("./paths.mjs").SimPaths} paths
 */
export async function stopResidentProcesses(paths) {
  /** @type {string[]} */
  let entries = [];
  try {
    entries = readdirSync(paths.serverDir).filter((entry) => /^pid-\d+\.json$/.test(entry));
  } catch {
    return;
  }
  /** @type {{ pid: number; startTime: number }[]} */
  const records = [];
  for (const entry of entries) {
    try {
      records.push(JSON.parse(readFileSync(join(paths.serverDir, entry), "utf8")));
    } catch {
      // Removed by its process as it exited.
    }
  }
  await terminate(records);
  for (const record of records) rmSync(serverPidFile(paths, record.pid), { force: true });
}

/**
 * SIGTERM first (a gateway shuts down), SIGKILL for what is left (pid-namespace init).
 * @param {{ pid: number; startTime: number }[]} records
 */
async function terminate(records) {
  const alive = records.filter((record) => isRecordedProcessAlive(record));
  for (const record of alive) signal(record.pid, "SIGTERM");
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline && alive.some((record) => isRecordedProcessAlive(record))) await sleep(20);
  for (const record of alive) if (isRecordedProcessAlive(record)) signal(record.pid, "SIGKILL");
  const killDeadline = Date.now() + 5000;
  while (Date.now() < killDeadline && alive.some((record) => isRecordedProcessAlive(record))) await sleep(10);
}

/** @param {number} pid @param {NodeJS.Signals} name */
function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // Exited in between.
  }
}
