#!/usr/bin/env node
// @ts-check
/**
 * `npm run demo`: the main job on a simulated fleet, on a machine with no DGX host.
 *
 * Brings up four simulated DGX hosts — real OpenSSH sshd test hosts (test/fleet) when sshd is
 * installed, otherwise `connection: local` hosts each with its own HOME and PATH — with the
 * OpenShell/NemoClaw simulator (test/sim) first on their PATH and a few field faults, writes a
 * fleet file for them, and runs the built CLI through validate → plan → apply → backup run →
 * plan, narrating each stage in a line and checking that each did what it should. Everything it
 * started is stopped at the end, on failure and on Ctrl-C.
 *
 *   node scripts/demo.mjs [--local]     (npm run demo builds first)
 *
 * Exit 0 when every stage did what was expected, 1 when one did not, 130 when interrupted.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist", "cli", "main.js");
const SSHD_CANDIDATES = ["/usr/sbin/sshd", "/usr/local/sbin/sshd", "/usr/bin/sshd"];
const STANDARD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** A provider key for the simulated hosts: the fleet file only ever names it (env:NVIDIA_API_KEY). */
const DEMO_KEY = "nvapi-demo-not-a-real-key";

/**
 * The fleet: one healthy host and one field fault per other host.
 * @type {{ name: string; model: string; story: string; groups: string[]; scenario: object }[]}
 */
const HOSTS = [
  {
    name: "spark-01",
    model: "DGX Spark",
    story: "healthy; the fleet file adds a second sandbox, coder",
    groups: ["spark"],
    scenario: { hostname: "spark-01", gateways: [{ port: 8080, sandboxes: [{ name: "assistant" }] }] },
  },
  {
    name: "spark-02",
    model: "DGX Spark",
    story: "rebooted: guard files gone, a stale gateway lock, the agent gateway down",
    groups: ["spark"],
    scenario: {
      hostname: "spark-02",
      gateways: [{ port: 8080, sandboxes: [{ name: "assistant", guards: { missing: "all" }, staleLock: true, agentGateway: "stopped" }] }],
    },
  },
  {
    name: "spark-03",
    model: "DGX Spark",
    story: "stale registry entry: assistant is registered but gone from its gateway",
    groups: ["spark"],
    scenario: { hostname: "spark-03", gateways: [{ port: 8080, sandboxes: [{ name: "assistant", live: false }] }] },
  },
  {
    name: "station-01",
    model: "DGX Station",
    story: "schema drift: OpenShell CLI 0.0.72, its gateway still runs a 0.0.71 binary",
    groups: ["station"],
    scenario: { hostname: "station-01", arch: "x86_64", gateways: [{ port: 8080, version: "0.0.71", sandboxes: [{ name: "assistant" }] }] },
  },
];

const DRIFTED = "station-01";

/** Sandboxes the backup run must have stored, per host. */
const EXPECTED_BACKUPS = { "spark-01": ["assistant", "coder"], "spark-02": ["assistant"], "spark-03": ["assistant"] };

const SANDBOXES = `sandboxes:
  - name: assistant                  # on every host
    hosts: all
    provider: build
    model: nvidia/nemotron-3-super-120b-a12b
    credential: env:NVIDIA_API_KEY   # a reference; the key itself never enters the file
  - name: coder                      # new: apply creates it
    host: spark-01
    provider: build
    model: nvidia/nemotron-3-super-120b-a12b
    credential: env:NVIDIA_API_KEY
    policy: { presets: [npm] }

backupPolicies:
  - name: nightly
    schedule: "0 2 * * *"
    retention: { keepDaily: 7, keepWeekly: 4 }
    destination: { path: ./backups }
`;

/**
 * @param {{ inventory?: string; localHosts?: { name: string; groups: string[]; home: string; binDir: string }[] }} where
 */
function fleetFile(where) {
  const hosts = (where.localHosts ?? []).map(
    (host) => `  - name: ${host.name}
    groups: [${host.groups.join(", ")}]
    connection: local
    environment:                     # each simulated host has its own HOME and PATH
      HOME: ${JSON.stringify(host.home)}
      PATH: ${JSON.stringify(`${host.binDir}:${STANDARD_PATH}`)}
      XDG_CONFIG_HOME: ${JSON.stringify(join(host.home, ".config"))}
      XDG_STATE_HOME: ${JSON.stringify(join(host.home, ".local", "state"))}
`,
  );
  return [
    `# yaml-language-server: $schema=${join(ROOT, "schemas", "fleet.schema.json")}`,
    "apiVersion: nemoclaw.dev/v1",
    "kind: Fleet",
    "metadata: { name: demo, description: Four simulated DGX hosts with field faults. }",
    ...(where.inventory ? [`inventory: [${where.inventory}]`] : []),
    ...(hosts.length > 0 ? ["hosts:", ...hosts] : []),
    "defaults:",
    '  openshell: { version: "0.0.72" }',
    "gateways:",
    "  - port: 8080                       # the default gateway, named nemoclaw",
    SANDBOXES,
  ].join("\n");
}

// ---- output ---------------------------------------------------------------------------------

/** @type {import("../src/report/color.js").Colors} */
let colors;

/** @param {string} line */
function say(line) {
  process.stdout.write(`${line}\n`);
}

// ---- running the CLI ------------------------------------------------------------------------

/** @type {import("node:child_process").ChildProcess | null} */
let running = null;
let interrupted = false;

/**
 * Run the built CLI on this terminal (so apply shows its live view on a TTY) and return its exit code.
 * @param {string[]} args
 * @param {{ cwd: string; env: NodeJS.ProcessEnv }} options
 * @returns {Promise<number>}
 */
function nemoclaw(args, options) {
  return new Promise((resolve, reject) => {
    // Its own process group: a Ctrl-C reaches the demo, which passes on exactly one SIGINT per
    // Ctrl-C (apply: the first lets running steps finish, the second aborts them).
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env, stdio: ["ignore", "inherit", "inherit"], detached: true });
    running = child;
    child.on("error", reject);
    child.on("close", (code, signal) => {
      running = null;
      resolve(code ?? (signal === "SIGINT" ? 130 : 1));
    });
  });
}

class UnexpectedOutcome extends Error {}

/**
 * @param {boolean} condition
 * @param {string} message
 */
function expect(condition, message) {
  if (!condition) throw new UnexpectedOutcome(message);
}

/**
 * @param {number} step
 * @param {string[]} args
 * @param {string} why
 * @param {{ cwd: string; env: NodeJS.ProcessEnv }} options
 */
async function stage(step, args, why, options) {
  say("");
  say(`${colors.bold(`[${step}/5] nemoclaw ${args.join(" ")}`)}  ${colors.dim(`— ${why}`)}`);
  const code = await nemoclaw(args, options);
  if (interrupted) throw new UnexpectedOutcome("interrupted");
  return code;
}

/** @param {string} message */
function good(message) {
  say(`${colors.green("✓")} ${message}`);
}

// ---- checks ---------------------------------------------------------------------------------

/**
 * @param {string} path
 * @returns {import("../src/plan/types.js").Plan}
 */
function readPlan(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

/**
 * @param {import("../src/plan/types.js").Plan} plan
 * @param {string} host
 */
function hostPlan(plan, host) {
  const found = plan.hosts.find((candidate) => candidate.host === host);
  if (!found) throw new UnexpectedOutcome(`the plan has no entry for ${host}`);
  return found;
}

/** @param {import("../src/plan/types.js").Plan} plan */
function checkFirstPlan(plan) {
  const ids = (/** @type {string} */ host) => hostPlan(plan, host).steps.map((step) => step.id);
  expect(ids("spark-01").includes("sandbox-create:coder"), "spark-01: no step creates the sandbox coder");
  const spark02 = ids("spark-02");
  for (const id of ["lock-clear:assistant", "sandbox-recover:assistant"]) expect(spark02.includes(id), `spark-02: ${id} is not planned`);
  // NemoClaw's recover restores the guards before it relaunches; the stale lock goes first.
  expect(spark02.indexOf("lock-clear:assistant") < spark02.indexOf("sandbox-recover:assistant"), "spark-02: the relaunch is not planned after the stale lock is cleared");
  expect(ids("spark-03").includes("sandbox-stale-recover:assistant"), "spark-03: the stale registry entry is not planned for recovery");
  const drifted = hostPlan(plan, DRIFTED);
  expect(drifted.status === "blocked" && drifted.steps.length === 0, `${DRIFTED}: expected blocked with no steps, got ${drifted.status} with ${drifted.steps.length} steps`);
  good(`as expected: coder created on spark-01, the stale lock cleared before NemoClaw's guarded relaunch on spark-02, a stale-entry recovery on spark-03, ${DRIFTED} refused`);
}

/** @param {string} stateDir */
function checkApplyJournal(stateDir) {
  const runs = join(stateDir, "nemoclaw-fleet", "runs");
  const journals = existsSync(runs) ? readdirSync(runs).filter((name) => name.endsWith(".jsonl")) : [];
  expect(journals.length === 1, `expected one run journal in ${runs}, found ${journals.length}`);
  const events = readFileSync(join(runs, /** @type {string} */ (journals[0])), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
  /** @type {Record<string, string>} */
  const statuses = Object.fromEntries(events.filter((event) => event.type === "host-finished").map((event) => [event.host, event.status]));
  const expected = { "spark-01": "ok", "spark-02": "ok", "spark-03": "ok", [DRIFTED]: "blocked" };
  for (const [host, status] of Object.entries(expected)) expect(statuses[host] === status, `apply: ${host} finished ${statuses[host] ?? "never"}, expected ${status}`);
  expect(!readFileSync(join(runs, /** @type {string} */ (journals[0])), "utf8").includes(DEMO_KEY), "the journal contains the provider key");
  good(`as expected: three hosts converged, ${DRIFTED} refused and untouched; the run is journaled (nemoclaw history)`);
}

/** @param {string} dir */
function checkBackups(dir) {
  for (const [host, sandboxes] of Object.entries(EXPECTED_BACKUPS)) {
    for (const sandbox of sandboxes) {
      const series = join(dir, "backups", host, sandbox);
      const stored = existsSync(series) ? readdirSync(series).filter((name) => !name.startsWith(".") && existsSync(join(series, name, "manifest.json"))) : [];
      expect(stored.length > 0, `no backup of ${host}/${sandbox} in ${series}`);
    }
  }
  expect(!existsSync(join(dir, "backups", DRIFTED)), `backups were written for ${DRIFTED} although its preflight refused`);
  good(`as expected: every sandbox on the converged hosts is in ./backups, verified; nothing for ${DRIFTED}`);
}

/** @param {import("../src/plan/types.js").Plan} plan */
function checkFinalPlan(plan) {
  for (const host of HOSTS.map((h) => h.name)) {
    const entry = hostPlan(plan, host);
    if (host === DRIFTED) expect(entry.status === "blocked", `${host}: expected still blocked, got ${entry.status}`);
    else expect(entry.status === "no-changes", `${host}: expected nothing to do, got ${entry.status} (${entry.steps.map((step) => step.id).join(", ")})`);
  }
  good(`as expected: nothing left to do; ${DRIFTED} waits for \`nemoclaw onboard --resume\` on the host`);
}

// ---- the fleet --------------------------------------------------------------------------------

function sshdInstalled() {
  return SSHD_CANDIDATES.some((path) => existsSync(path));
}

/**
 * @param {string} dir
 * @param {boolean} local
 * @returns {Promise<{ description: string; fleetYaml: string; stop: () => Promise<void> }>}
 */
async function startHosts(dir, local) {
  if (!local) {
    const { startFleet } = await import("../test/fleet/index.mjs");
    const fleet = await startFleet({
      dir: join(dir, "fleet"),
      hosts: HOSTS.map((host) => ({ name: host.name, groups: host.groups, scenario: host.scenario })),
    });
    return {
      description: "real OpenSSH sshd hosts on 127.0.0.1",
      fleetYaml: fleetFile({ inventory: "fleet/inventory.yml" }),
      stop: () => fleet.stop(),
    };
  }
  const { installSimulator, stopSimulator } = await import("../test/sim/index.mjs");
  /** @type {{ name: string; groups: string[]; home: string; binDir: string }[]} */
  const installed = [];
  const stop = async () => {
    for (const host of installed) await stopSimulator({ home: host.home });
  };
  try {
    for (const host of HOSTS) {
      const home = join(dir, "homes", host.name);
      const { binDir } = await installSimulator({ home, scenario: host.scenario });
      installed.push({ name: host.name, groups: host.groups, home, binDir });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { description: "local hosts (connection: local), each with its own HOME and PATH", fleetYaml: fleetFile({ localHosts: installed }), stop };
}

// ---- main -----------------------------------------------------------------------------------

async function main() {
  const { values } = parseArgs({ options: { local: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } } });
  if (values.help) {
    say("usage: node scripts/demo.mjs [--local]   (npm run demo builds first)\n  --local  simulated hosts on this machine (connection: local) even when sshd is installed");
    return 0;
  }
  if (!existsSync(CLI)) {
    process.stderr.write("demo: dist/cli/main.js is missing; run `npm run demo` (it builds first) or `npm run build`\n");
    return 1;
  }
  // The CLI's own colour rules (--no-color aside): FORCE_COLOR, NO_COLOR, TERM=dumb, a TTY.
  const { colorsFor } = await import(pathToFileURL(join(ROOT, "dist", "report", "color.js")).href);
  colors = colorsFor(process.stdout);
  const local = values.local || !sshdInstalled();

  const onSignal = (/** @type {NodeJS.Signals} */ signal) => {
    if (!interrupted) say(`\n${colors.yellow("Interrupted")}: stopping the demo and everything it started…`);
    interrupted = true;
    running?.kill(signal);
  };
  for (const signal of /** @type {NodeJS.Signals[]} */ (["SIGINT", "SIGTERM", "SIGHUP"])) process.on(signal, onSignal);

  const dir = await mkdtemp(join(tmpdir(), "nemoclaw-demo-"));
  await chmod(dir, 0o755); // as root, each host's own user must reach its home inside
  /** @type {(() => Promise<void>) | null} */
  let stopHosts = null;
  try {
    say(colors.bold("nemoclaw demo: the real CLI on a simulated fleet of four DGX hosts"));
    say("");
    for (const host of HOSTS) say(`  ${host.name.padEnd(11)} ${host.model.padEnd(12)} ${host.story}`);
    say("");
    say(`Starting the hosts (${local ? "local hosts" : "real OpenSSH sshd hosts"}, with the OpenShell/NemoClaw simulator first on their PATH)…`);
    const hosts = await startHosts(dir, local);
    stopHosts = hosts.stop;
    if (interrupted) throw new UnexpectedOutcome("interrupted");
    await writeFile(join(dir, "fleet.yaml"), hosts.fleetYaml);
    say(`${hosts.description}; the fleet file is ${join(dir, "fleet.yaml")}`);

    /** @type {NodeJS.ProcessEnv} */
    const env = { ...process.env, NVIDIA_API_KEY: DEMO_KEY, XDG_STATE_HOME: join(dir, "state") };
    // The hosts take the key named in the fleet file; a developer's agent keys are not needed.
    delete env.SSH_AUTH_SOCK;
    const options = { cwd: dir, env };

    let code = await stage(1, ["validate", "fleet.yaml"], "check the fleet file and its inventory; contacts no host", options);
    expect(code === 0, `validate exited ${code}, expected 0`);

    code = await stage(2, ["plan", "fleet.yaml", "-o", "plan.json"], "observe each host in one round trip; show what would change, in order, and why", options);
    expect(code === 8, `plan exited ${code}, expected 8 (${DRIFTED} blocked by the schema preflight)`);
    checkFirstPlan(readPlan(join(dir, "plan.json")));

    code = await stage(3, ["apply", "plan.json"], "carry out exactly the reviewed plan: hosts in parallel, locked, journaled", options);
    expect(code === 8, `apply exited ${code}, expected 8 (every host done except ${DRIFTED}, refused)`);
    checkApplyJournal(join(dir, "state"));

    code = await stage(4, ["backup", "run", "fleet.yaml"], "verified backups of every sandbox, on every gateway of every host", options);
    expect(code === 8, `backup run exited ${code}, expected 8 (${DRIFTED} refused by the schema preflight)`);
    checkBackups(dir);

    code = await stage(5, ["plan", "fleet.yaml", "-o", "plan-after.json"], "plan again: the fleet converged", options);
    expect(code === 8, `the second plan exited ${code}, expected 8 (${DRIFTED} still blocked)`);
    checkFinalPlan(readPlan(join(dir, "plan-after.json")));

    say("");
    say(colors.bold("Done. Next: npm test runs the test suite; docs/getting-started.md takes you to your own fleet."));
    return 0;
  } catch (error) {
    if (interrupted) return 130;
    if (error instanceof UnexpectedOutcome) {
      say(`${colors.red("✗")} unexpected: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    say(`Stopping the hosts and removing ${dir}…`);
    await stopHosts?.();
    await rm(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
