// @ts-check
/**
 * What one simulated CLI call costs, in each of the simulator's modes (test/sim/README.md, "Two
 * modes"), beside a native program behind the same kind of `#!/bin/sh` shim: the remaining cost
 * of the simulator on a simulated fleet. Each command runs `--calls` times in a shell loop on one
 * simulated host (a gateway and a sandbox); the CPU counted is the loop's whole process tree plus,
 * in the resident mode, the host's resident process.
 *
 *   node bench/sim-calls.bench.mjs [--calls 200] [--json]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { installSimulator, stopSimulator } from "../test/sim/index.mjs";

const { values: args } = parseArgs({ options: { calls: { type: "string", default: "200" }, json: { type: "boolean", default: false } } });
const CALLS = Number(args.calls);
if (!Number.isInteger(CALLS) || CALLS < 1) throw new Error("--calls takes a positive whole number");
/** /proc/<pid>/stat counts CPU time in clock ticks of 1/100 s on Linux. */
const TICK_MS = 10;
const SANDBOX = "assistant";
const COMMANDS = [["openshell", "--version"], ["openshell", "sandbox", "list"], ["nemoclaw", SANDBOX, "status"]];

/**
 * CPU of the resident processes serving a home (user + system, ms).
 * @param {string} home
 */
function residentCpuMs(home) {
  const dir = join(home, ".fleet-sim", "server");
  let total = 0;
  for (const entry of readdirSync(dir).filter((name) => /^pid-\d+\.json$/.test(name))) {
    const { pid } = JSON.parse(readFileSync(join(dir, entry), "utf8"));
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    total += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  }
  return total;
}

/**
 * `calls` runs of a command line in a shell loop: wall and CPU per call.
 * @param {string} commandLine
 * @param {Record<string, string>} env
 * @param {string} cwd
 * @param {() => number} otherCpuMs  CPU spent outside the loop's process tree (the resident process)
 */
function perCall(commandLine, env, cwd, otherCpuMs) {
  const report = join(cwd, "time.txt");
  const loop = `i=0; while [ $i -lt ${CALLS} ]; do ${commandLine} >/dev/null 2>&1; i=$((i+1)); done`;
  const otherBefore = otherCpuMs();
  execFileSync("/usr/bin/time", ["-f", "%e %U %S", "-o", report, "sh", "-c", loop], { env, cwd, stdio: "ignore" });
  const other = otherCpuMs() - otherBefore;
  const [wall = 0, user = 0, system = 0] = readFileSync(report, "utf8").trim().split("\n").pop()?.split(" ").map(Number) ?? [];
  const round = (/** @type {number} */ ms) => Math.round((ms / CALLS) * 100) / 100;
  return { wallMs: round(wall * 1000), cpuMs: round((user + system) * 1000 + other), residentCpuMs: round(other) };
}

const work = mkdtempSync(join(tmpdir(), "nemoclaw-bench-sim-calls-"));
/** @type {{ mode: string, command: string, wallMs: number, cpuMs: number, residentCpuMs: number }[]} */
const results = [];
try {
  const native = join(work, "native-true");
  writeFileSync(native, '#!/bin/sh\nexec /bin/true "$@"\n', { mode: 0o755 });
  results.push({ mode: "native", command: "a #!/bin/sh shim exec'ing /bin/true", ...perCall(native, { PATH: "/usr/bin:/bin" }, work, () => 0) });
  for (const mode of /** @type {const} */ (["process", "resident"])) {
    const home = join(work, mode);
    const { binDir } = await installSimulator({ home, mode, scenario: { gateways: [{ sandboxes: [{ name: SANDBOX }] }] } });
    const env = { HOME: home, PATH: `${binDir}:/usr/bin:/bin`, LANG: "C.UTF-8" };
    try {
      // The resident process starts with the first call; the loops measure calls, not its start.
      execFileSync("openshell", ["--version"], { env, cwd: home, stdio: "ignore" });
      for (const argv of COMMANDS) results.push({ mode, command: argv.join(" "), ...perCall(argv.join(" "), env, home, mode === "resident" ? () => residentCpuMs(home) : () => 0) });
    } finally {
      await stopSimulator({ home });
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (args.json) process.stdout.write(`${JSON.stringify({ calls: CALLS, results })}\n`);
else for (const line of results) process.stdout.write(`${line.mode.padEnd(9)} ${line.command.padEnd(40)} ${line.wallMs.toFixed(2).padStart(7)} ms wall  ${line.cpuMs.toFixed(2).padStart(7)} ms cpu per call (resident process ${line.residentCpuMs.toFixed(2)})\n`);
