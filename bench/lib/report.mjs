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
 * @typedef {{ work: string, tool: string, hosts?: number, fleet?: string, mib?: number, stats?: { medianMs: number, medianCpuMs: number | null, runs: number } }} Entry
 */

/**
 * @param {{ results: Record<string, unknown>[] }} report
 */
export function formatTable(report) {
  const entries = /** @type {Entry[]} */ (report.results);
  const lines = [];
  const fleetRows = new Map();
  for (const entry of entries) {
    if (entry.hosts === undefined || !entry.stats) continue;
    const key = `${entry.fleet}|${entry.hosts}|${entry.work}`;
    if (!fleetRows.has(key)) fleetRows.set(key, { fleet: entry.fleet, hosts: entry.hosts, work: entry.work, mib: entry.mib, tools: new Map() });
    fleetRows.get(key).tools.set(entry.tool, entry.stats);
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
      const x25519 = get("floor (curve25519)");
      const runs = [...row.tools.values()].map((stats) => stats.runs);
      lines.push(
        `| ${row.work} | ${row.fleet} | ${row.hosts} | ${seconds(ours)} | ${seconds(floor)} | ${ratio(ours, floor)} | ${seconds(x25519)} | ${ratio(ours, x25519)} | ${seconds(get("ansible tuned"))} | ${ratio(get("ansible tuned"), ours, "×")} | ${seconds(get("ansible plain"))} | ${ratio(get("ansible plain"), ours, "×")} | ${Math.min(...runs)}–${Math.max(...runs)} |`,
      );
    }
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
          return ms === undefined ? undefined : row.mib / (ms / 1000);
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
  const plan1000 = /** @type {Record<string, number> | undefined} */ (/** @type {unknown} */ (entries.find((entry) => entry.work === "plan 1,000 hosts")));
  const stream = /** @type {{ results?: { label: string, mibPerSecond: number }[] } | undefined} */ (/** @type {unknown} */ (entries.find((entry) => entry.work === "backup stream")));
  if (startup.length > 0 || plan1000 || stream?.results) {
    lines.push("", "| measure | result | target |", "|---|--:|--:|");
    for (const entry of startup) lines.push(`| ${entry.tool} (median of ${entry.stats?.runs}) | ${Math.round(entry.stats?.medianMs ?? 0)} ms | ${entry.tool.startsWith("nemoclaw") ? "< 150 ms" : ""} |`);
    if (plan1000) {
      lines.push(`| plan 1,000 hosts × 10 sandboxes (median) | ${Math.round(plan1000.planMs ?? 0)} ms | < 1 s |`);
      lines.push(`| … peak RSS | ${plan1000.peakRssMb} MB | < 300 MB |`);
    }
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
