// @ts-check
/**
 * Timing a command the way a user runs it: a fresh process, wall time from spawn to exit, plus
 * the CPU time of the whole process tree (GNU time's user + system of every waited-for
 * descendant) and its peak RSS. The machine's load average is recorded beside every sample, so
 * the results say how busy the machine was while they were taken.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const GNU_TIME = "/usr/bin/time";

/** Children running right now, so an interrupted bench can stop exactly them. */
/** @type {Set<import("node:child_process").ChildProcess>} */
export const runningChildren = new Set();

/**
 * @typedef {object} Sample
 * @property {number} wallMs
 * @property {number | null} cpuMs    user + system of the command and its waited-for descendants
 * @property {number | null} maxRssKb  the largest RSS of any single process in the tree
 * @property {number} load1            1-minute load average when the sample ended
 * @property {number | null} code
 * @property {string} stdout
 * @property {string} stderr
 * @property {number} [sessionsPerHost]     SSH commands the hosts' sshd started, per host (bench/lib/hosts.mjs sshCounts)
 * @property {number} [connectionsPerHost]  SSH connections the hosts' sshd accepted, per host
 * @property {number | null} [reportedSessionsPerHost]  the sessions the tool itself reported, per host (null: it does not report them)
 */

/**
 * Run argv to completion and time it.
 * @param {string[]} argv
 * @param {{ cwd: string, env?: NodeJS.ProcessEnv, input?: string, scratch: string, keepOutput?: boolean }} options
 * @returns {Promise<Sample>}
 */
export function timed(argv, options) {
  const useTime = existsSync(GNU_TIME);
  const report = join(options.scratch, `time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const command = useTime ? [GNU_TIME, "-f", "%e %U %S %M", "-o", report, ...argv] : argv;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Its own process group, so an interrupted bench stops the command with everything it started.
    const child = spawn(/** @type {string} */ (command[0]), command.slice(1), { cwd: options.cwd, env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    runningChildren.add(child);
    /** @type {Buffer[]} */
    const out = [];
    /** @type {Buffer[]} */
    const err = [];
    child.stdout.on("data", (chunk) => out.push(chunk));
    child.stderr.on("data", (chunk) => err.push(chunk));
    child.on("error", (error) => {
      runningChildren.delete(child);
      reject(error);
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      runningChildren.delete(child);
      let cpuMs = null;
      let maxRssKb = null;
      if (useTime) {
        try {
          const line = readFileSync(report, "utf8").trim().split("\n").pop() ?? "";
          const [, user, system, rss] = line.split(" ").map(Number);
          if (user !== undefined && system !== undefined && Number.isFinite(user + system)) cpuMs = (user + system) * 1000;
          if (rss !== undefined && Number.isFinite(rss)) maxRssKb = rss;
        } catch {
          // no report: the command did not start
        }
        rmSync(report, { force: true });
      }
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      resolve({ wallMs, cpuMs, maxRssKb, load1: loadavg()[0] ?? 0, code, stdout: options.keepOutput ? stdout : stdout.slice(-2000), stderr: stderr.slice(-4000) });
    });
  });
}

/** @param {number[]} values */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? /** @type {number} */ (sorted[middle]) : (/** @type {number} */ (sorted[middle - 1]) + /** @type {number} */ (sorted[middle])) / 2;
}

/**
 * Median, spread and the samples of a series.
 * @param {Sample[]} samples
 */
export function summarize(samples) {
  const walls = samples.map((s) => s.wallMs);
  const cpus = samples.flatMap((s) => (s.cpuMs === null ? [] : [s.cpuMs]));
  /** The median of a per-host count, null when no sample has it. @param {(s: Sample) => number | null | undefined} of */
  const perHost = (of) => {
    const values = samples.flatMap((s) => {
      const value = of(s);
      return typeof value === "number" ? [value] : [];
    });
    return values.length > 0 ? round(median(values), 1) : null;
  };
  return {
    runs: samples.length,
    medianMs: round(median(walls)),
    minMs: round(Math.min(...walls)),
    maxMs: round(Math.max(...walls)),
    medianCpuMs: cpus.length > 0 ? round(median(cpus)) : null,
    sessionsPerHost: perHost((s) => s.sessionsPerHost),
    connectionsPerHost: perHost((s) => s.connectionsPerHost),
    reportedSessionsPerHost: perHost((s) => s.reportedSessionsPerHost),
    load1: samples.map((s) => round(s.load1, 2)),
    samplesMs: walls.map((w) => round(w)),
  };
}

/**
 * @param {number} value
 * @param {number} [digits]
 */
export function round(value, digits = 0) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Stop every command still running, with its process group (an interrupted bench). */
export function killRunningChildren() {
  for (const child of runningChildren) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}
