// @ts-check
/**
 * `npm run bench` (build, then this): nemoclaw against the physical floor and against Ansible.
 *
 *   start-up       `nemoclaw --version`, beside a bare `node -e 0`
 *   planning       planning 1,000 and 10,000 hosts × 10 sandboxes in process: time and peak RSS
 *   sim-calls      what one simulated CLI call costs in each simulator mode, beside a native program
 *   known-hosts    100 hosts' host key checks against a hashed known_hosts of 1,000 lines
 *   journals       apply's open-gate warning and the report's latest runs over 5,000 journals of 20 and 100 hosts
 *   stream         one 128 MiB sandbox streamed into the store, against `ssh host tar | sha256sum`
 *   bare fleets    N sshd hosts with nothing installed: plan and no-op apply measure the tool itself;
 *                  plan again with the fleet key encrypted (what its passphrase costs)
 *   sim fleets     N sshd hosts with the OpenShell/NemoClaw simulator: plan, an apply that
 *                  converges every host, the no-op apply after it, and `backup run` of N × 10 MiB
 *
 * Each fleet measurement is taken several times, the tools in turn within each round (so a busy
 * spell of the machine hits them alike), and the median counts; beside each time, the SSH
 * connections and commands per host that the hosts' sshd logged. The floor is the same work with
 * one OpenSSH `ssh` per host, all at once; Ansible runs playbooks doing the same work at forks = N
 * (at N ≥ 100 only with --full). Fleet sizes give the growth: time per host and its slope.
 * Prints tables of medians and ratios and writes everything to .bench-results/latest.json.
 * Every fleet, process and ControlPersist master it starts is stopped at the end, on failure and
 * on Ctrl-C. Speed is measured here, never asserted in tests.
 *
 *   node bench/run.mjs [--sizes 10,50,100] [--runs 3] [--only startup,planning,sim-calls,known-hosts,journals,stream,bare,sim]
 *                      [--no-ansible] [--full] [--dist DIR] [--out FILE]
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ansibleVersion, closeControlMasters, runPlaybook, VARIANTS } from "./lib/ansible.mjs";
import { hashFloor, scriptFloor, shellQuote, ssh2Floor } from "./lib/floor.mjs";
import { KEY_PASSPHRASE, KEY_PASSPHRASE_ENV, SANDBOX, startBenchFleet } from "./lib/hosts.mjs";
import { killRunningChildren, median, round, summarize, timed } from "./lib/measure.mjs";
import { cpuBusyShare, formatTable } from "./lib/report.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WORKSPACE_MIB = 10;
const STREAM_MIB = 128;
const STARTUP_RUNS = 21;
/** In-process planning: hosts, and the runs each size gets. */
const PLANNING = [
  { hosts: 1000, runs: 5 },
  { hosts: 10_000, runs: 3 },
];

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "10,50,100" },
    runs: { type: "string", default: "3" },
    only: { type: "string", default: "startup,planning,sim-calls,known-hosts,journals,stream,bare,sim" },
    "no-ansible": { type: "boolean", default: false },
    full: { type: "boolean", default: false },
    dist: { type: "string", default: join(ROOT, "dist") },
    out: { type: "string", default: join(ROOT, ".bench-results", "latest.json") },
  },
});
const SIZES = args.sizes.split(",").map(Number);
const RUNS = Number(args.runs);
const ONLY = new Set(args.only.split(","));
const DIST = resolve(args.dist);
const CLI = join(DIST, "cli", "main.js");
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run bench\` (it builds first) or \`npm run build\``);
if (SIZES.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(RUNS) || RUNS < 1) throw new Error("--sizes and --runs take positive whole numbers");

// ---- cleanup: everything started is stopped, also on Ctrl-C -----------------------------------

/** @type {Set<import("./lib/hosts.mjs").BenchFleet>} */
const liveFleets = new Set();
const work = mkdtempSync(join(tmpdir(), "nemoclaw-bench-"));
chmodSync(work, 0o755); // as root each host is its own user, and sshd reads its authorized keys as that user
// The bench's own code cache (src/cli/code-cache.ts), empty at the start: results do not depend on
// what earlier runs on this machine left. The first run of each command fills it.
const CODE_CACHE_HOME = join(work, "cache");
let interrupted = false;
for (const signal of /** @type {NodeJS.Signals[]} */ (["SIGINT", "SIGTERM", "SIGHUP"])) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}: stopping everything it started…\n`);
    killRunningChildren();
    void cleanUp().finally(() => process.exit(130));
  });
}

/** @type {Promise<void> | undefined} */
let cleaning;
/** Stop every fleet still up and remove the work directory; once, whoever asks first. */
function cleanUp() {
  cleaning ??= (async () => {
    for (const bench of liveFleets) {
      await closeControlMasters(bench).catch(() => undefined);
      await bench.stop().catch((error) => process.stderr.write(`bench: stopping the ${bench.kind} fleet: ${error.message}\n`));
      liveFleets.delete(bench);
    }
    rmSync(work, { recursive: true, force: true });
  })();
  return cleaning;
}

// ---- output --------------------------------------------------------------------------------------

/** @param {string} line */
function say(line) {
  process.stdout.write(`${line}\n`);
}

/** @type {Record<string, unknown>[]} */
const results = [];
/** Busy share of the CPUs, sampled while the bench itself was idle. */
const otherWork = /** @type {number[]} */ ([]);

/**
 * @param {Record<string, unknown>} entry
 */
function record(entry) {
  results.push(entry);
  const s = /** @type {ReturnType<typeof summarize>} */ (entry.stats);
  const ssh = s.sessionsPerHost !== null ? `  ssh/host ${s.connectionsPerHost} conn, ${s.sessionsPerHost} cmd${s.reportedSessionsPerHost !== null ? ` (tool says ${s.reportedSessionsPerHost})` : ""}` : "";
  say(`  ${String(entry.work).padEnd(20)} N=${String(entry.hosts ?? "-").padEnd(3)} ${String(entry.tool).padEnd(24)} median ${fmtMs(s.medianMs)}  [${s.samplesMs.map(fmtMs).join(", ")}]${s.medianCpuMs !== null ? `  cpu ${fmtMs(s.medianCpuMs)}` : ""}${ssh}`);
}

/** @param {number} ms */
function fmtMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

// ---- the product, run as users run it -----------------------------------------------------------

/**
 * @param {import("./lib/hosts.mjs").BenchFleet} bench
 */
function cliEnv(bench) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, NVIDIA_API_KEY: "nvapi-bench-not-a-key", [KEY_PASSPHRASE_ENV]: KEY_PASSPHRASE, XDG_STATE_HOME: join(bench.dir, "state"), XDG_CACHE_HOME: CODE_CACHE_HOME, NO_COLOR: "1" };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  delete env.SSH_AUTH_SOCK;
  delete env.FORCE_COLOR;
  return env;
}

/**
 * @param {import("./lib/hosts.mjs").BenchFleet} bench
 * @param {string[]} args
 * @param {(sample: import("./lib/measure.mjs").Sample) => string | null} check  null when the run did its work
 */
async function nemoclaw(bench, args, check) {
  const sample = await timed(["node", CLI, ...args], { cwd: bench.dir, env: cliEnv(bench), scratch: bench.dir, keepOutput: true });
  const problem = sample.code === 0 ? check(sample) : `exit ${sample.code}`;
  if (problem) throw new Error(`nemoclaw ${args.join(" ")}: ${problem}\n${sample.stderr}\n${sample.stdout.slice(-3000)}`);
  return sample;
}

/** @param {import("./lib/measure.mjs").Sample} sample */
function planObservedEveryHost(sample) {
  const plan = JSON.parse(sample.stdout);
  const unreachable = plan.hosts.filter((/** @type {{ status: string }} */ host) => host.status === "unreachable");
  return unreachable.length > 0 ? `${unreachable.length} hosts unreachable` : null;
}

/** @param {string} stdout  JSON Lines events */
function hostsFinished(stdout) {
  const events = stdout.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
  return events.filter((event) => event.type === "host-finished");
}

/**
 * @param {string} stdout  JSON Lines events
 * @param {number} expectedOk  hosts that must end "ok" (with changes) — the others "no-changes"
 */
function applyOutcome(stdout, expectedOk) {
  const finished = hostsFinished(stdout);
  const ok = finished.filter((event) => event.status === "ok").length;
  const bad = finished.filter((event) => event.status !== "ok" && event.status !== "no-changes");
  if (bad.length > 0) return `${bad.length} hosts ended ${bad[0].status}: ${bad[0].message ?? ""}`;
  if (ok !== expectedOk) return `${ok} hosts changed, expected ${expectedOk}`;
  return null;
}

/**
 * The SSH sessions nemoclaw itself reports for an apply, per host: `sessions` in its
 * `host-finished` events (docs/json-output.md). Null for a build that does not report them: the
 * tables then show only the count the hosts' sshd logged.
 * @param {import("./lib/measure.mjs").Sample} sample  an `apply --json` run
 */
function reportedSessionsPerHost(sample) {
  const counts = hostsFinished(sample.stdout).map((event) => event.sessions);
  if (counts.length === 0 || !counts.every((count) => typeof count === "number")) return null;
  return counts.reduce((sum, count) => sum + count, 0) / counts.length;
}

/**
 * `nemoclaw apply --yes --json`, checked for the hosts it must have changed.
 * @param {import("./lib/hosts.mjs").BenchFleet} bench
 * @param {string} fleetFile
 * @param {number} expectedOk
 */
async function apply(bench, fleetFile, expectedOk) {
  const sample = await nemoclaw(bench, ["apply", fleetFile, "--yes", "--json"], (run) => applyOutcome(run.stdout, expectedOk));
  return { ...sample, reportedSessionsPerHost: reportedSessionsPerHost(sample) };
}

/**
 * Run each tool once per round, `rounds` times, and record the medians, with the SSH connections
 * and commands per host that the hosts' sshd logged during each run.
 * @param {import("./lib/hosts.mjs").BenchFleet} bench
 * @param {{ work: string, hosts: number, fleet: string, mib?: number, stepsPerHost?: number }} what
 * @param {number} rounds
 * @param {{ tool: string, once: () => Promise<import("./lib/measure.mjs").Sample>, prepare?: () => void | Promise<void>, rounds?: number }[]} tools
 */
async function rounds(bench, what, rounds, tools) {
  /** @type {Map<string, import("./lib/measure.mjs").Sample[]>} */
  const samples = new Map(tools.map((tool) => [tool.tool, []]));
  /** @type {Map<string, string[]>} */
  const failures = new Map(tools.map((tool) => [tool.tool, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const tool of tools) {
      if (interrupted || round >= (tool.rounds ?? rounds)) continue;
      await tool.prepare?.();
      try {
        const before = await bench.sshCounts();
        const sample = await tool.once();
        const after = await bench.sshCounts();
        samples.get(tool.tool)?.push({ ...sample, connectionsPerHost: (after.connections - before.connections) / bench.size, sessionsPerHost: (after.sessions - before.sessions) / bench.size });
      } catch (error) {
        // A run that did not do its work has no valid time; it is reported, and the others go on.
        if (interrupted) return;
        const message = error instanceof Error ? error.message : String(error);
        failures.get(tool.tool)?.push(message);
        say(`  ! ${what.work}, ${tool.tool}: ${message.split("\n")[0]}`);
      }
    }
  }
  for (const tool of tools) {
    const done = samples.get(tool.tool) ?? [];
    const failed = failures.get(tool.tool) ?? [];
    if (done.length > 0) record({ ...what, tool: tool.tool, stats: summarize(done), ...(failed.length > 0 ? { failures: failed } : {}) });
    else results.push({ ...what, tool: tool.tool, failures: failed });
  }
}

// ---- the fleet suites ----------------------------------------------------------------------------

/**
 * @typedef {object} Budget
 * @property {boolean} ansible
 * @property {readonly ("tuned" | "plain")[]} ansibleVariants
 * @property {Record<"tuned" | "plain", number>} ansibleRuns
 * @property {number} convergeRuns
 */

/**
 * How many samples each tool gets. The whole bench has to fit in about half an hour on two
 * cores: at 50 hosts one plain Ansible run takes a minute or two, so unless --full it runs once
 * there, and at 100 hosts (a growth point, where nemoclaw is compared with its floor only)
 * Ansible does not run.
 * @param {number} size
 * @returns {Budget}
 */
function budgetFor(size) {
  const large = size >= 50 && !args.full;
  return {
    ansible: useAnsible && (size < 100 || args.full),
    ansibleVariants: VARIANTS,
    ansibleRuns: { tuned: RUNS, plain: large ? 1 : RUNS },
    convergeRuns: RUNS,
  };
}

/**
 * @param {import("./lib/hosts.mjs").BenchFleet} bench
 * @param {import("./lib/floor.mjs").FloorScript} floor
 */
async function runFloor(bench, floor) {
  floor.clean();
  const sample = await timed(["sh", floor.file], { cwd: bench.dir, scratch: bench.dir });
  const failed = floor.failures();
  if (failed.length > 0) throw new Error(`floor ${floor.file}: no result from ${failed.join(", ")}`);
  return sample;
}

/** Probe output that reached its end. @param {string} output */
const probeFinished = (output) => /@@NCF [0-9a-f]+ END done rc=0/.test(output);

/**
 * Observe (plan) and the no-op apply: the floor is the probe, once per host.
 * @param {import("./lib/hosts.mjs").BenchFleet} bench
 * @param {Budget} budget
 */
async function observeSuite(bench, budget) {
  const what = { hosts: bench.size, fleet: bench.kind };
  const probe = readFileSync(bench.probeFile, "utf8");
  const floor = scriptFloor(bench, { name: "probe", input: probe, done: probeFinished });
  /** @type {{ tool: string, once: () => Promise<import("./lib/measure.mjs").Sample> }[]} */
  const bareFloors = [];
  if (bench.kind === "bare") {
    // OpenSSH's default key exchange (sntrup761x25519) costs its client ~0.1 s of CPU per
    // connection; ssh2 negotiates curve25519-sha256. The same floor with that key exchange shows
    // what is left once the crypto is equal. On bare hosts only: there the handshake is most of the work.
    const x25519 = scriptFloor(bench, { name: "probe-x25519", input: probe, extraOptions: ["-o", "KexAlgorithms=curve25519-sha256"], done: probeFinished });
    // The same probe from one Node process over ssh2: what that takes beyond x25519 is Node's and ssh2's, not ours.
    const stack = ssh2Floor(bench, { name: "probe-ssh2", input: probe, done: probeFinished });
    bareFloors.push({ tool: "floor (curve25519)", once: () => runFloor(bench, x25519) }, { tool: "floor (Node + ssh2)", once: () => runFloor(bench, stack) });
  }
  const ansible = budget.ansible ? budget.ansibleVariants : [];
  const nothingToConverge = { converge_argv: {} };
  // A simulated host's first CLI call starts its resident simulator (test/sim/README.md, "Two
  // modes"): one unmeasured probe of every host, over SSH as every tool calls, starts them all.
  if (bench.kind === "sim") await runFloor(bench, floor);
  await rounds(bench, { ...what, work: "plan" }, RUNS, [
    { tool: "nemoclaw", once: () => nemoclaw(bench, ["plan", "fleet.yaml", "--json"], planObservedEveryHost) },
    { tool: "floor", once: () => runFloor(bench, floor) },
    ...bareFloors,
    ...ansible.map((variant) => ({ tool: `ansible ${variant}`, rounds: budget.ansibleRuns[variant], once: () => runPlaybook(bench, { playbook: "observe", variant, extraVars: nothingToConverge }) })),
  ]);
  if (bench.kind === "bare") {
    // The same plan with the key encrypted: decrypting it is a fixed cost of the run, not one per host.
    await rounds(bench, { ...what, work: "plan, key passphrase" }, RUNS, [
      { tool: "nemoclaw", once: () => nemoclaw(bench, ["plan", bench.passphraseFleetFile, "--json"], planObservedEveryHost) },
    ]);
    // Its floor is the plan's (a no-op apply observes and plans), and beside it the same probe
    // with the host lock taken before and given back after, which an apply must also do.
    const lockedProbe = readFileSync(bench.lockedProbeFile, "utf8");
    const lockedFinished = (/** @type {string} */ output) => probeFinished(output) && /\nSWAPPED\n+@@NCF [0-9a-f]+ END lock-release rc=0/.test(output);
    const locked = scriptFloor(bench, { name: "locked-probe-x25519", input: lockedProbe, extraOptions: ["-o", "KexAlgorithms=curve25519-sha256"], done: lockedFinished });
    const lockedSsh2 = ssh2Floor(bench, { name: "locked-probe-ssh2", input: lockedProbe, done: lockedFinished });
    await rounds(bench, { ...what, work: "no-op apply" }, RUNS, [
      { tool: "nemoclaw", once: () => apply(bench, "fleet.yaml", 0) },
      { tool: "floor (curve25519) + lock", once: () => runFloor(bench, locked) },
      { tool: "floor (Node + ssh2) + lock", once: () => runFloor(bench, lockedSsh2) },
      ...ansible.map((variant) => ({ tool: `ansible ${variant}`, rounds: budget.ansibleRuns[variant], once: () => runPlaybook(bench, { playbook: "apply", variant, extraVars: nothingToConverge }) })),
    ]);
  }
}

/** What lost guard files plan on a sandbox whose agent gateway runs (besides the preflight). */
const CONVERGE_STEP = "sandbox-gateway-restart";

/**
 * The commands nemoclaw plans for each host of a fleet whose sandboxes lost their guard files,
 * checked to be the repair this suite measures (the preflight, then NemoClaw's gateway restart).
 * @param {import("./lib/hosts.mjs").BenchFleet} bench
 * @returns {Promise<{ argv: Record<string, string[][]>, stepsPerHost: number }>}
 */
async function convergeCommands(bench) {
  bench.breakGuards();
  const planned = await nemoclaw(bench, ["plan", "fleet.yaml", "--json"], planObservedEveryHost);
  /** @type {{ host: string, steps: { kind: string, commands: { argv: string[] }[] }[] }[]} */
  const hosts = JSON.parse(planned.stdout).hosts;
  const unexpected = hosts.filter((host) => !host.steps.some((step) => step.kind === CONVERGE_STEP) || host.steps.some((step) => step.kind !== CONVERGE_STEP && step.kind !== "preflight"));
  if (unexpected.length > 0) {
    throw new Error(`expected the preflight and ${CONVERGE_STEP} on every host; ${unexpected[0]?.host} has ${unexpected[0]?.steps.map((step) => step.kind).join(", ") || "none"}`);
  }
  return {
    argv: Object.fromEntries(hosts.map((host) => [host.host, host.steps.flatMap((step) => step.commands.map((command) => command.argv))])),
    stepsPerHost: hosts.reduce((sum, host) => sum + host.steps.length, 0) / hosts.length,
  };
}

/**
 * An apply that converges every host (guard files lost in every sandbox → NemoClaw relaunches
 * the agent gateway, re-emitting them), the no-op apply after it, and backups. Sim fleets only.
 * @param {import("./lib/hosts.mjs").BenchFleet} bench
 * @param {Budget} budget
 */
async function simSuite(bench, budget) {
  const what = { hosts: bench.size, fleet: bench.kind };
  const ansible = budget.ansible ? budget.ansibleVariants : [];

  // The commands exactly as the product plans them, host by host.
  const converge = await convergeCommands(bench);
  const probe = readFileSync(bench.probeFile, "utf8");
  const convergeFloor = scriptFloor(bench, {
    name: "converge",
    input: (host) => `${probe}\n${(converge.argv[host] ?? []).map((argv) => argv.map(shellQuote).join(" ")).join(" && ")} && echo BENCH-CONVERGED\n`,
    done: (output) => probeFinished(output) && output.includes("BENCH-CONVERGED"),
  });
  const vars = { converge_argv: converge.argv };
  // The last tool of a round leaves the fleet converged, so the no-op apply finds nothing to do.
  await rounds(bench, { ...what, work: "converge apply", stepsPerHost: converge.stepsPerHost }, budget.convergeRuns, [
    { tool: "floor", prepare: () => bench.breakGuards(), once: () => runFloor(bench, convergeFloor) },
    ...ansible.map((variant) => ({ tool: `ansible ${variant}`, rounds: budget.ansibleRuns[variant], prepare: () => bench.breakGuards(), once: () => runPlaybook(bench, { playbook: "apply", variant, extraVars: vars }) })),
    { tool: "nemoclaw", prepare: () => bench.breakGuards(), once: () => apply(bench, "fleet.yaml", bench.size) },
  ]);
  await rounds(bench, { ...what, work: "no-op apply" }, RUNS, [
    { tool: "nemoclaw", once: () => apply(bench, "fleet.yaml", 0) },
    ...ansible.map((variant) => ({ tool: `ansible ${variant}`, rounds: budget.ansibleRuns[variant], once: () => runPlaybook(bench, { playbook: "apply", variant, extraVars: vars }) })),
  ]);

  bench.fillWorkspaces(WORKSPACE_MIB);
  const store = join(bench.dir, "store");
  // Every tool starts with nothing left for the disk to write back: `backup run` fsyncs each
  // archive, so it would otherwise wait for what the tool before it wrote (Ansible's fetch, the
  // workspaces just filled), which the floors, writing nothing, never do.
  const settleDisk = () => execFileSync("sync");
  const emptyStore = () => {
    rmSync(store, { recursive: true, force: true });
    mkdirSync(store, { recursive: true });
    settleDisk();
  };
  // The floor streams the workspace itself; "floor + snapshot" first has NemoClaw snapshot it,
  // as `backup run` and the playbook do, then streams the snapshot and removes it.
  const backupFloor = hashFloor(bench, { name: "backup", command: (host) => ["tar", "-cf", "-", "-C", join(bench.sandboxRoot(host), "sandbox"), ".openclaw/workspace"] });
  const snapshotScript = [
    "set -e",
    `nemoclaw ${SANDBOX} snapshot create --name bench >/dev/null`,
    `d=$(ls -1d "$HOME/.nemoclaw/rebuild-backups/${SANDBOX}"/*/ | tail -n 1); t=$(basename "$d")`,
    `tar -cf - -C "$HOME/.nemoclaw" "rebuild-backups/${SANDBOX}/$t"`,
    'rm -rf "$d"',
    "",
  ].join("\n");
  const snapshotFloor = hashFloor(bench, {
    name: "backup-snapshot",
    command: () => ["sh", "-s"],
    input: snapshotScript,
  });
  // `backup run` also observes each host first (the schema preflight): the same probe, its
  // output discarded, before the snapshot.
  const preflightFloor = hashFloor(bench, {
    name: "backup-preflight",
    command: () => ["sh", "-s"],
    input: `{\n${readFileSync(bench.backupProbeFile, "utf8")}\n} >/dev/null 2>&1\n${snapshotScript}`,
  });
  await rounds(bench, { ...what, work: "backup", mib: bench.size * WORKSPACE_MIB }, RUNS, [
    {
      tool: "nemoclaw",
      prepare: emptyStore,
      once: () =>
        nemoclaw(bench, ["backup", "run", "fleet.yaml", "--json"], (sample) => {
          const report = JSON.parse(sample.stdout);
          const done = report.hosts.flatMap((/** @type {{ sandboxes: { status: string }[] }} */ host) => host.sandboxes).filter((/** @type {{ status: string }} */ s) => s.status === "backed-up");
          return done.length === bench.size ? null : `${done.length} of ${bench.size} sandboxes backed up`;
        }),
    },
    { tool: "floor", prepare: settleDisk, once: () => runFloor(bench, backupFloor) },
    { tool: "floor + snapshot", prepare: settleDisk, once: () => runFloor(bench, snapshotFloor) },
    { tool: "floor + preflight + snapshot", prepare: settleDisk, once: () => runFloor(bench, preflightFloor) },
    ...ansible.map((variant) => ({ tool: `ansible ${variant}`, rounds: budget.ansibleRuns[variant], prepare: emptyStore, once: () => runPlaybook(bench, { playbook: "backup", variant, extraVars: { sandbox: SANDBOX, store } }) })),
  ]);
  emptyStore();
}

// ---- in-process and single-host benches ---------------------------------------------------------

async function startupSuite() {
  /** @type {import("./lib/measure.mjs").Sample[]} */
  const ours = [];
  /** @type {import("./lib/measure.mjs").Sample[]} */
  const bare = [];
  for (let run = 0; run < STARTUP_RUNS; run += 1) {
    ours.push(await timed(["node", CLI, "--version"], { cwd: ROOT, scratch: work }));
    bare.push(await timed(["node", "-e", "0"], { cwd: ROOT, scratch: work }));
  }
  record({ work: "start-up", tool: "nemoclaw --version", stats: summarize(ours) });
  record({ work: "start-up", tool: "node -e 0", stats: summarize(bare) });
  await codeCacheSuite();
}

/**
 * What the code cache saves a whole run, on a plan of one local host: with no cache, on a run that
 * finds the cache empty (and fills it: a run after an install or an upgrade), and on one that finds it full.
 */
async function codeCacheSuite() {
  const dir = join(work, "code-cache-suite");
  const cacheHome = join(dir, "cache");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "fleet.yaml"), "apiVersion: nemoclaw.dev/v1\nkind: Fleet\nmetadata: { name: one-local-host }\nhosts:\n  - name: local\n    connection: local\n");
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, XDG_STATE_HOME: join(dir, "state"), XDG_CACHE_HOME: cacheHome, NO_COLOR: "1" };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  const plan = (/** @type {NodeJS.ProcessEnv} */ runEnv) => timed(["node", CLI, "plan", "fleet.yaml"], { cwd: dir, env: runEnv, scratch: work });
  /** @type {import("./lib/measure.mjs").Sample[]} */
  const off = [];
  /** @type {import("./lib/measure.mjs").Sample[]} */
  const empty = [];
  /** @type {import("./lib/measure.mjs").Sample[]} */
  const full = [];
  await plan(env);
  for (let run = 0; run < STARTUP_RUNS; run += 1) {
    off.push(await plan({ ...env, NODE_DISABLE_COMPILE_CACHE: "1" }));
    full.push(await plan(env));
    rmSync(cacheHome, { recursive: true, force: true });
    empty.push(await plan(env));
  }
  record({ work: "start-up", tool: "nemoclaw plan, one local host, code cache off", stats: summarize(off) });
  record({ work: "start-up", tool: "nemoclaw plan, one local host, code cache empty (filled by the run)", stats: summarize(empty) });
  record({ work: "start-up", tool: "nemoclaw plan, one local host, code cache full", stats: summarize(full) });
}

/**
 * A bench script in its own process (so its peak RSS is its own), reporting JSON on stdout.
 * @param {string} script
 * @param {string[]} scriptArgs
 * @param {NodeJS.ProcessEnv} env
 */
async function childBench(script, scriptArgs, env) {
  const sample = await timed(["node", "--expose-gc", join(ROOT, "bench", script), ...scriptArgs, "--json"], { cwd: ROOT, env: { ...process.env, NCF_BENCH_DIST: DIST, ...env }, scratch: work, keepOutput: true });
  if (sample.code !== 0) throw new Error(`${script} exited ${sample.code}:\n${sample.stderr}`);
  return JSON.parse(sample.stdout.trim().split("\n").pop() ?? "{}");
}

// ---- main ----------------------------------------------------------------------------------------

const started = new Date();
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryGiB: round(totalmem() / 2 ** 30, 1),
  kernel: release(),
  node: process.version,
  openssh: execFileSync("ssh", ["-V"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim() || "unknown",
  ansible: await ansibleVersion(),
  loadAtStart: loadavg().map((value) => round(value, 2)),
  /** Share of both cores busy over 3 s before the bench started: other work on the machine. */
  busyBeforeStart: round(await cpuBusyShare(3000), 2),
};
// `ssh -V` prints on stderr.
if (machine.openssh === "unknown") machine.openssh = execFileSync("sh", ["-c", "ssh -V 2>&1"], { encoding: "utf8" }).trim();
say(`nemoclaw bench: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.node}, ${machine.openssh}, ${machine.ansible ?? "no Ansible"}`);
say(`load average ${machine.loadAtStart.join(" ")}; ${Math.round(machine.busyBeforeStart * 100)}% of the CPUs busy with other work before the start`);
const useAnsible = !args["no-ansible"] && machine.ansible !== null;

try {
  if (ONLY.has("startup")) {
    say("\n## start-up");
    await startupSuite();
  }
  if (ONLY.has("planning")) {
    for (const { hosts, runs } of PLANNING) {
      say(`\n## planning ${hosts.toLocaleString("en")} hosts × 10 sandboxes in process`);
      const plan = await childBench("plan.bench.mjs", ["--hosts", String(hosts), "--runs", String(runs)], {});
      results.push({ work: "plan in process", tool: "nemoclaw (in process)", ...plan });
      say(`  planFleet median ${fmtMs(plan.planMs)} (cpu ${fmtMs(plan.planCpuMs)}) for ${plan.steps} steps, render ${fmtMs(plan.renderHumanMs)} human / ${fmtMs(plan.renderJsonMs)} JSON, peak RSS ${plan.peakRssMb} MB`);
    }
  }
  if (ONLY.has("sim-calls")) {
    say("\n## one simulated CLI call");
    const calls = await childBench("sim-calls.bench.mjs", [], {});
    results.push({ work: "simulated call", ...calls });
    for (const line of calls.results) say(`  ${line.mode.padEnd(9)} ${line.command.padEnd(40)} ${fmtMs(line.wallMs)} wall, ${fmtMs(line.cpuMs)} cpu per call`);
  }
  if (ONLY.has("known-hosts")) {
    say("\n## host key checks against a hashed known_hosts");
    const checks = await childBench("known-hosts.bench.mjs", [], {});
    results.push({ work: "known_hosts checks", ...checks });
    say(`  ${checks.hosts} hosts against ${checks.lines} hashed lines: median ${fmtMs(checks.medianMs)} (cpu ${fmtMs(checks.medianCpuMs)})`);
  }
  if (ONLY.has("journals")) {
    say("\n## lookbacks over 5,000 journals");
    for (const hosts of [20, 100]) {
      const lookback = await childBench("journal-lookback.bench.mjs", ["--hosts", String(hosts)], {});
      results.push({ work: "journal lookback", ...lookback });
      for (const name of ["openHealthGates", "latestRunOfEachKind", "everyJournalInFull"]) {
        say(`  ${hosts} hosts, ${name.padEnd(20)} median ${fmtMs(lookback[name].medianMs)} (cpu ${fmtMs(lookback[name].medianCpuMs)})`);
      }
    }
  }
  if (ONLY.has("stream")) {
    say(`\n## one ${STREAM_MIB} MiB sandbox stream`);
    const stream = await childBench("backup-throughput.bench.mjs", [], { NCF_BENCH_BACKUP_MIB: String(STREAM_MIB) });
    results.push({ work: "backup stream", ...stream });
    for (const line of stream.results) say(`  ${line.label.padEnd(40)} ${fmtMs(line.ms).padStart(9)}  ${line.mibPerSecond.toFixed(1).padStart(7)} MiB/s  ${Math.round((line.mibPerSecond / stream.results[0].mibPerSecond) * 100)}% of floor`);
  }
  for (const kind of /** @type {const} */ (["bare", "sim"])) {
    if (!ONLY.has(kind)) continue;
    for (const size of SIZES) {
      if (interrupted) break;
      say(`\n## ${kind} fleet, ${size} hosts`);
      const budget = budgetFor(size);
      // Nothing of the bench runs now: whatever keeps the CPUs busy is other work on the machine.
      const busy = round(await cpuBusyShare(2000), 2);
      otherWork.push(busy);
      say(`  (${Math.round(busy * 100)}% of the CPUs busy with other work before this suite)`);
      const setupStarted = Date.now();
      const bench = await startBenchFleet({ kind, size, dir: join(work, `${kind}-${size}`), dist: DIST });
      liveFleets.add(bench);
      say(`  (fleet up in ${fmtMs(Date.now() - setupStarted)})`);
      try {
        await observeSuite(bench, budget);
        if (kind === "sim") await simSuite(bench, budget);
      } finally {
        if (!interrupted) {
          await bench.stop();
          liveFleets.delete(bench);
        }
      }
    }
  }
} finally {
  await cleanUp();
  // Interrupted: the signal handler reports and exits once the cleanup is done.
  if (interrupted) await new Promise(() => undefined);
}

const finished = new Date();
const report = {
  startedAt: started.toISOString(),
  finishedAt: finished.toISOString(),
  durationS: round((finished.getTime() - started.getTime()) / 1000),
  options: { sizes: SIZES, runs: RUNS, only: [...ONLY], ansible: useAnsible, full: args.full, dist: DIST },
  machine: { ...machine, loadAtEnd: loadavg().map((value) => round(value, 2)), load1DuringSamples: loadSummary(results), busyBetweenSuites: otherWork },
  results,
};
mkdirSync(join(args.out, ".."), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
say(`\n${formatTable(report)}`);
say(`\nResults: ${args.out} (${report.durationS} s)`);

/** @param {Record<string, unknown>[]} entries */
function loadSummary(entries) {
  const loads = entries.flatMap((entry) => /** @type {{ load1?: number[] } | undefined} */ (entry.stats)?.load1 ?? []);
  return loads.length > 0 ? { min: Math.min(...loads), median: round(median(loads), 2), max: Math.max(...loads) } : null;
}

