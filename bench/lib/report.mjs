// @ts-check
/**
 * The results table (Markdown, so docs/performance.md can show it as printed) and the machine's
 * busy share, read from /proc/stat.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/** Busy and total jiffies of all CPUs. */
function cpuTimes() {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/**
 * Share (0–1) of all CPUs that was busy over the next `ms` milliseconds (null off Linux).
 * @param {number} ms
 */
export async function cpuBusyShare(ms) {
  try {
    const before = cpuTimes();
    await sleep(ms);
    const after = cpuTimes();
    return (after.busy - before.busy) / Math.max(1, after.total - before.total);
  } catch {
    return NaN;
  }
}

/** @param {number | undefined} ms */
function seconds(ms) {
  if (ms === undefined) return "—";
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}

/**
 * @param {number | undefined} a
 * @param {number | undefined} b
 * @param {string} [suffix]
 */
function ratio(a, b, suffix = "") {
  if (a === undefined || b === undefined || b === 0) return "—";
  return `${(a / b).toFixed(2)}${suffix}`;
}

/**
 * @typedef {{ medianMs: number, medianCpuMs: number | null, runs: number, sessionsPerHost?: number | null, connectionsPerHost?: number | null, reportedSessionsPerHost?: number | null }} Stats
 * @typedef {{ work: string, tool: string, hosts?: number, fleet?: string, mib?: number, stepsPerHost?: number, stats?: Stats }} Entry
 */

/** In-process planning targets by fleet size (issue 14). */
const PLANNING_TARGETS = /** @type {Record<number, { ms: string, rss: string }>} */ ({ 1000: { ms: "< 1 s", rss: "< 300 MB" }, 10000: { ms: "< 5 s", rss: "< 1 GB" } });

/**
 * Least-squares line through (N, median time): the time each added host costs (slope) and the
 * fixed cost of a run (intercept). Null with fewer than two sizes.
 * @param {[number, number][]} points  (hosts, ms)
 */
function growthLine(points) {
  if (points.length < 2) return null;
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  if (sxx === 0) return null;
  const slope = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0) / sxx;
  return { slopeMs: slope, fixedMs: meanY - slope * meanX };
}

/** @param {number | null | undefined} value */
function count(value) {
  return value === null || value === undefined ? "—" : String(value);
}

/**
 * @param {{ results: Record<string, unknown>[] }} report
 */
export function formatTable(report) {
  const entries = /** @type {Entry[]} */ (report.results);
  const lines = [];
  /** @type {Map<string, FleetRow>} */
  const fleetRows = new Map();
  for (const entry of entries) {
    if (entry.hosts === undefined || !entry.stats) continue;
    const key = `${entry.fleet}|${entry.hosts}|${entry.work}`;
    const row = fleetRows.get(key) ?? { fleet: entry.fleet ?? "", hosts: entry.hosts, work: entry.work, mib: entry.mib, stepsPerHost: entry.stepsPerHost, tools: new Map() };
    row.tools.set(entry.tool, entry.stats);
    fleetRows.set(key, row);
  }
  if (fleetRows.size > 0) {
    lines.push(
      "| work | fleet | N | nemoclaw | floor | ours ÷ floor | floor, curve25519 | ours ÷ it | Ansible tuned | tuned ÷ ours | Ansible plain | plain ÷ ours | runs |",
      "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    );
    for (const row of fleetRows.values()) {
      // A no-op apply observes and plans, nothing more: its floor is the plan's.
      const planRow = fleetRows.get(`${row.fleet}|${row.hosts}|plan`);
      const get = (/** @type {string} */ tool) => (row.tools.get(tool) ?? (row.work === "no-op apply" && tool.startsWith("floor") ? planRow?.tools.get(tool) : undefined))?.medianMs;
      const ours = get("nemoclaw");
      const floor = get("floor");
      const x25519 = get(X25519_FLOOR);
      const runs = [...row.tools.values()].map((stats) => stats.runs);
      lines.push(
        `| ${row.work} | ${row.fleet} | ${row.hosts} | ${seconds(ours)} | ${seconds(floor)} | ${ratio(ours, floor)} | ${seconds(x25519)} | ${ratio(ours, x25519)} | ${seconds(get("ansible tuned"))} | ${ratio(get("ansible tuned"), ours, "×")} | ${seconds(get("ansible plain"))} | ${ratio(get("ansible plain"), ours, "×")} | ${Math.min(...runs)}–${Math.max(...runs)} |`,
      );
    }
    lines.push(...lockedFloorTable([...fleetRows.values()]), ...stackFloorTable([...fleetRows.values()]), ...sessionsTable([...fleetRows.values()]), ...growthTable([...fleetRows.values()]));
    const backups = [...fleetRows.values()].filter((row) => row.mib !== undefined);
    if (backups.length > 0) {
      lines.push(
        "",
        "| backup throughput | N | MiB | nemoclaw | floor | ours ÷ floor | floor + snapshot | ours ÷ it | floor + preflight + snapshot | ours ÷ it | Ansible tuned | Ansible plain |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
      );
      for (const row of backups) {
        const rate = (/** @type {string} */ tool) => {
          const ms = row.tools.get(tool)?.medianMs;
          return ms === undefined ? undefined : (row.mib ?? 0) / (ms / 1000);
        };
        const mibs = (/** @type {number | undefined} */ value) => (value === undefined ? "—" : `${value.toFixed(1)} MiB/s`);
        lines.push(
          `| ${row.fleet} | ${row.hosts} | ${row.mib} | ${mibs(rate("nemoclaw"))} | ${mibs(rate("floor"))} | ${ratio(rate("nemoclaw"), rate("floor"))} | ${mibs(rate("floor + snapshot"))} | ${ratio(rate("nemoclaw"), rate("floor + snapshot"))} | ${mibs(rate("floor + preflight + snapshot"))} | ${ratio(rate("nemoclaw"), rate("floor + preflight + snapshot"))} | ${mibs(rate("ansible tuned"))} | ${mibs(rate("ansible plain"))} |`,
        );
      }
    }
  }
  const failed = /** @type {(Entry & { failures?: string[] })[]} */ (entries).filter((entry) => (entry.failures?.length ?? 0) > 0);
  if (failed.length > 0) {
    lines.push("", "Runs that did not do their work (left out of the medians):");
    for (const entry of failed) lines.push(`- ${entry.work}, ${entry.fleet} N=${entry.hosts}, ${entry.tool}: ${entry.failures?.length} × ${entry.failures?.[0]?.split("\n")[0]}`);
  }
  const startup = entries.filter((entry) => entry.work === "start-up" && entry.stats);
  const planning = /** @type {Record<string, number>[]} */ (/** @type {unknown} */ (entries.filter((entry) => entry.work === "plan in process")));
  const stream = /** @type {{ results?: { label: string, mibPerSecond: number }[] } | undefined} */ (/** @type {unknown} */ (entries.find((entry) => entry.work === "backup stream")));
  const checks = /** @type {{ hosts: number, lines: number, medianMs: number, medianCpuMs: number } | undefined} */ (/** @type {unknown} */ (entries.find((entry) => entry.work === "known_hosts checks")));
  const calls = /** @type {{ results?: { mode: string, command: string, wallMs: number, cpuMs: number }[] } | undefined} */ (/** @type {unknown} */ (entries.find((entry) => entry.work === "simulated call")));
  if (calls?.results) {
    const native = calls.results.find((line) => line.mode === "native");
    const commands = [...new Set(calls.results.filter((line) => line.mode !== "native").map((line) => line.command))];
    const cost = (/** @type {string} */ mode, /** @type {string} */ command) => {
      const line = calls.results?.find((candidate) => candidate.mode === mode && candidate.command === command);
      return line ? `${line.cpuMs.toFixed(1)} ms (${line.wallMs.toFixed(1)} ms)` : "—";
    };
    lines.push(
      "",
      "| one simulated call: CPU (wall) | per process | resident | a native program behind a sh shim |",
      "|---|--:|--:|--:|",
      ...commands.map((command) => `| \`${command}\` | ${cost("process", command)} | ${cost("resident", command)} | ${native ? `${native.cpuMs.toFixed(1)} ms (${native.wallMs.toFixed(1)} ms)` : "—"} |`),
    );
  }
  if (startup.length > 0 || planning.length > 0 || stream?.results || checks) {
    lines.push("", "| measure | result | target |", "|---|--:|--:|");
    for (const entry of startup) lines.push(`| ${entry.tool} (median of ${entry.stats?.runs}; CPU) | ${Math.round(entry.stats?.medianMs ?? 0)} ms; ${Math.round(entry.stats?.medianCpuMs ?? 0)} ms | ${entry.tool === "nemoclaw --version" ? "< 150 ms" : ""} |`);
    for (const plan of planning) {
      const hosts = plan.hosts ?? 0;
      const target = PLANNING_TARGETS[hosts];
      lines.push(`| plan ${hosts.toLocaleString("en")} hosts × 10 sandboxes, ${plan.steps} steps (median; CPU) | ${Math.round(plan.planMs ?? 0)} ms; ${Math.round(plan.planCpuMs ?? 0)} ms | ${target?.ms ?? ""} |`);
      lines.push(`| … rendered for people / as JSON | ${Math.round(plan.renderHumanMs ?? 0)} / ${Math.round(plan.renderJsonMs ?? 0)} ms | |`);
      lines.push(`| … peak RSS | ${plan.peakRssMb} MB | ${target?.rss ?? ""} |`);
    }
    if (checks) lines.push(`| host key checks: ${checks.hosts} hosts against ${checks.lines.toLocaleString("en")} hashed known_hosts lines (median; CPU) | ${Math.round(checks.medianMs)} ms; ${Math.round(checks.medianCpuMs)} ms | |`);
    if (stream?.results) {
      // The first two lines are the floors: OpenSSH's defaults, and the same cipher and hash as ours.
      const [floor, fair] = stream.results.map((line) => line.mibPerSecond);
      lines.push(`| stream, floors: OpenSSH defaults / AES-GCM + OpenSSL | ${floor?.toFixed(0)} / ${fair?.toFixed(0)} MiB/s | |`);
      for (const line of stream.results.slice(2)) {
        const share = (/** @type {number | undefined} */ of) => `${Math.round((line.mibPerSecond / (of ?? NaN)) * 100)}%`;
        lines.push(`| stream, ${line.label} | ${line.mibPerSecond.toFixed(0)} MiB/s (${share(floor)} / ${share(fair)} of the floors) | ≥ 90% |`);
      }
    }
  }
  return lines.join("\n");
}

/**
 * @typedef {{ fleet: string, hosts: number, work: string, mib?: number, stepsPerHost?: number, tools: Map<string, Stats> }} FleetRow
 */

/**
 * The no-op apply against the floor that also does what an apply must: the probe with the host
 * lock created before it and given back after it (bench/run.mjs observeSuite).
 * @param {FleetRow[]} rows
 */
function lockedFloorTable(rows) {
  const locked = rows.filter((row) => row.tools.has(LOCKED_FLOOR));
  if (locked.length === 0) return [];
  return [
    "",
    "| no-op apply against the probe with the lock taken and given back | fleet | N | nemoclaw | that floor, curve25519 | ours ÷ it |",
    "|---|---|--:|--:|--:|--:|",
    ...locked.map((row) => {
      const ours = row.tools.get("nemoclaw")?.medianMs;
      const floor = row.tools.get(LOCKED_FLOOR)?.medianMs;
      return `| ${row.work} | ${row.fleet} | ${row.hosts} | ${seconds(ours)} | ${seconds(floor)} | ${ratio(ours, floor)} |`;
    }),
  ];
}

/** The floors of bench/run.mjs observeSuite that use curve25519, as ssh2 does. */
const X25519_FLOOR = "floor (curve25519)";
const SSH2_FLOOR = "floor (Node + ssh2)";
/** The no-op apply's own floor (bench/run.mjs). */
const LOCKED_FLOOR = `${X25519_FLOOR} + lock`;

/**
 * The same work split in two: what Node and ssh2 cost over OpenSSH (one Node process doing only
 * the SSH part, bench/lib/ssh2-floor.mjs), and what nemoclaw costs over that.
 * @param {FleetRow[]} rows
 */
function stackFloorTable(rows) {
  const measured = rows.flatMap((row) => {
    const [openssh, ssh2] = row.work === "no-op apply" ? [LOCKED_FLOOR, `${SSH2_FLOOR} + lock`] : [X25519_FLOOR, SSH2_FLOOR];
    const stack = row.tools.get(ssh2)?.medianMs;
    return stack === undefined ? [] : [{ row, stack, openssh: row.tools.get(openssh)?.medianMs, ours: row.tools.get("nemoclaw")?.medianMs }];
  });
  if (measured.length === 0) return [];
  return [
    "",
    "| against a floor of Node + ssh2 | fleet | N | nemoclaw | OpenSSH floor, curve25519 | Node + ssh2 floor | its ÷ OpenSSH's | ours ÷ Node + ssh2 |",
    "|---|---|--:|--:|--:|--:|--:|--:|",
    ...measured.map(({ row, stack, openssh, ours }) => `| ${row.work} | ${row.fleet} | ${row.hosts} | ${seconds(ours)} | ${seconds(openssh)} | ${seconds(stack)} | ${ratio(stack, openssh)} | ${ratio(ours, stack)} |`),
  ];
}

/**
 * SSH per host as the hosts' sshd counted it (commands started / connections accepted), and the
 * count nemoclaw's own apply events give once they do (bench/run.mjs reportedSessionsPerHost).
 * @param {FleetRow[]} rows
 */
function sessionsTable(rows) {
  const counted = rows.filter((row) => row.mib === undefined && [...row.tools.values()].some((stats) => typeof stats.sessionsPerHost === "number"));
  if (counted.length === 0) return [];
  const ssh = (/** @type {FleetRow} */ row, /** @type {string} */ tool) => {
    const stats = row.tools.get(tool);
    return typeof stats?.sessionsPerHost === "number" ? `${stats.sessionsPerHost} / ${stats.connectionsPerHost}` : "—";
  };
  return [
    "",
    "| SSH per host (sshd's count) | fleet | N | steps | nemoclaw: commands / connections | reported by nemoclaw | floor | Ansible tuned | Ansible plain |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ...counted.map(
      (row) =>
        `| ${row.work} | ${row.fleet} | ${row.hosts} | ${count(row.stepsPerHost)} | ${ssh(row, "nemoclaw")} | ${count(row.tools.get("nemoclaw")?.reportedSessionsPerHost)} | ${ssh(row, "floor")} | ${ssh(row, "ansible tuned")} | ${ssh(row, "ansible plain")} |`,
    ),
  ];
}

/**
 * nemoclaw's time per host at each fleet size, and the lines through them: what each added host
 * costs in time and in nemoclaw's own CPU (which other work on the machine distorts least), and
 * what a run costs however small the fleet.
 * @param {FleetRow[]} rows
 */
function growthTable(rows) {
  /** @type {Map<string, { work: string, fleet: string, points: [number, number][], cpuPoints: [number, number][] }>} */
  const growth = new Map();
  for (const row of rows) {
    const stats = row.tools.get("nemoclaw");
    if (stats === undefined || row.mib !== undefined) continue;
    const key = `${row.work}|${row.fleet}`;
    const entry = growth.get(key) ?? { work: row.work, fleet: row.fleet, points: [], cpuPoints: [] };
    entry.points.push([row.hosts, stats.medianMs]);
    if (stats.medianCpuMs !== null) entry.cpuPoints.push([row.hosts, stats.medianCpuMs]);
    growth.set(key, entry);
  }
  const grown = [...growth.values()].filter((entry) => entry.points.length >= 2);
  if (grown.length === 0) return [];
  const sizes = [...new Set(rows.map((row) => row.hosts))].sort((a, b) => a - b);
  return [
    "",
    `| growth (nemoclaw) | fleet | ${sizes.map((size) => `per host at N = ${size}`).join(" | ")} | each added host | fixed cost | CPU: each added host |`,
    `|---|---|${sizes.map(() => "--:|").join("")}--:|--:|--:|`,
    ...grown.map((entry) => {
      const line = growthLine(entry.points);
      const cpu = growthLine(entry.cpuPoints);
      const perHost = sizes.map((size) => {
        const ms = entry.points.find(([hosts]) => hosts === size)?.[1];
        return ms === undefined ? "—" : `${Math.round(ms / size)} ms`;
      });
      return `| ${entry.work} | ${entry.fleet} | ${perHost.join(" | ")} | ${line ? `${Math.round(line.slopeMs)} ms` : "—"} | ${line ? seconds(line.fixedMs) : "—"} | ${cpu ? `${cpu.slopeMs.toFixed(1)} ms` : "—"} |`;
    }),
  ];
}
