// @ts-check
/**
 * Lookbacks over a long journal directory: --journals runs of a fleet of --hosts hosts, the oldest
 * an apply whose health gate failed on one host, every later one a scheduled apply that did
 * nothing (as `nemoclaw schedule` writes them every 5 minutes). Measures what apply's open-gate
 * warning (`openHealthGates`, which must look at every journal here) and the report's latest run
 * of each kind (`latestRunOfEachKind`: no backup run, so it too looks at every one) cost, beside
 * reading every journal in full.
 *
 *   node bench/journal-lookback.bench.mjs [--journals 5000] [--hosts 20] [--runs 5] [--json]
 *   (NCF_BENCH_DIST picks the build)
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const DIST = process.env.NCF_BENCH_DIST ?? fileURLToPath(new URL("../dist", import.meta.url));
const { values: args } = parseArgs({ options: { journals: { type: "string", default: "5000" }, hosts: { type: "string", default: "20" }, runs: { type: "string", default: "5" }, json: { type: "boolean", default: false } } });
const JOURNALS = Number(args.journals);
const HOSTS = Number(args.hosts);
const RUNS = Number(args.runs);
if ([JOURNALS, HOSTS, RUNS].some((n) => !Number.isInteger(n) || n < 1) || HOSTS < 2) throw new Error("--journals, --hosts and --runs take positive whole numbers, --hosts at least 2");
const { latestRunOfEachKind, openHealthGates, readRun } = await import(join(DIST, "apply", "history.js"));
const { listJournalFiles } = await import(join(DIST, "apply", "journal.js"));

const hosts = Array.from({ length: HOSTS }, (_, i) => `spark-${String(i + 1).padStart(3, "0")}`);
const FAILED_HOST = hosts[1];
const runIdOf = (/** @type {number} */ index) => `${new Date(Date.UTC(2026, 10, 1) + index * 300_000).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}-${index.toString(16).padStart(6, "0")}`;

/** One apply's journal, as the executor writes it: the failed gate's (with a step) or a no-op one. */
function journal(/** @type {string} */ runId, /** @type {boolean} */ failed) {
  let seq = 0;
  const event = (/** @type {object} */ fields) => JSON.stringify({ v: 1, runId, seq: seq++, at: "2026-11-01T00:00:00.000Z", ...fields });
  const step = "sandbox-rebuild:nemoclaw/coder";
  const lines = [
    event({
      type: "run-started",
      toolVersion: "0.1.0",
      identity: { user: "ops", machine: "ctl", pid: 4242, pidScope: "boot:0/pid:4026531836" },
      fleet: { name: "lab", file: "/srv/fleet/fleet.yaml", digest: "a".repeat(64) },
      planHash: "b".repeat(64),
      source: "fleet",
      selection: { limit: null, hosts },
      waves: [hosts],
      concurrency: 16,
      maxFailPercentage: 0,
      journal: `/state/nemoclaw-fleet/runs/${runId}.jsonl`,
      steps: Object.fromEntries(hosts.map((host) => [host, failed && host === FAILED_HOST ? [step] : []])),
      maxRisk: "safe",
      heldBack: {},
    }),
  ];
  for (const host of hosts) {
    lines.push(event({ type: "host-started", host, steps: failed && host === FAILED_HOST ? 1 : 0 }));
    if (failed && host === FAILED_HOST) {
      lines.push(event({ type: "step-started", host, step, kind: "sandbox-rebuild", commands: ["nemoclaw coder rebuild --yes"], attempt: 1 }));
      lines.push(event({ type: "step-finished", host, step, kind: "sandbox-rebuild", status: "ok", durationMs: 9000, attempts: 1 }));
      const sandbox = { sandbox: "coder", gateway: "nemoclaw", healthy: false, check: "`nemoclaw coder status --json`", detail: "inference unreachable", output: "x".repeat(2000) };
      lines.push(event({ type: "health-gate-finished", host, status: "unhealthy", durationMs: 300_000, attempts: 14, backups: [], sandboxes: [sandbox] }));
    }
    const status = failed && host === FAILED_HOST ? "failed" : "no-changes";
    lines.push(event({ type: "host-finished", host, status, durationMs: 800, sessions: 1, message: null, block: null, changedFacts: null }));
  }
  lines.push(event({ type: "run-finished", exitCode: failed ? 5 : 0, durationMs: 2000, interrupted: false, stoppedAt: [], hosts: {} }));
  return `${lines.join("\n")}\n`;
}

const work = mkdtempSync(join(tmpdir(), "nemoclaw-bench-journals-"));
try {
  for (let index = 0; index < JOURNALS; index += 1) writeFileSync(join(work, `${runIdOf(index)}.jsonl`), journal(runIdOf(index), index === 0));
  const measure = (/** @type {() => unknown} */ work) => {
    /** @type {{ ms: number, cpuMs: number }[]} */
    const samples = [];
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      work();
      const used = process.cpuUsage(cpu);
      samples.push({ ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 });
    }
    const median = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
    return { medianMs: median(samples.map((s) => s.ms)), medianCpuMs: median(samples.map((s) => s.cpuMs)) };
  };
  const open = openHealthGates(work, hosts);
  if (open.length !== 1 || open[0].host !== FAILED_HOST) throw new Error(`the failed gate was not found: ${JSON.stringify(open)}`);
  const result = {
    journals: JOURNALS,
    hosts: HOSTS,
    runs: RUNS,
    openHealthGates: measure(() => openHealthGates(work, hosts)),
    latestRunOfEachKind: measure(() => latestRunOfEachKind(work)),
    everyJournalInFull: measure(() => listJournalFiles(work).map((/** @type {string} */ path) => readRun(path))),
  };
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(`${JOURNALS} journals of ${HOSTS} hosts:\n`);
    for (const name of /** @type {const} */ (["openHealthGates", "latestRunOfEachKind", "everyJournalInFull"])) {
      process.stdout.write(`  ${name.padEnd(20)} ${result[name].medianMs.toFixed(0)} ms (cpu ${result[name].medianCpuMs.toFixed(0)} ms)\n`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
