/**
 * Planning N hosts × 10 sandboxes (1,000 by default), with a realistic mix of work (lost guards,
 * preset changes, missing sandboxes, one drifted host in fifty, scheduled backups), then rendering
 * it for people and as JSON. The planner is pure, so this is the whole cost of `nemoclaw plan`
 * after observation.
 *
 *   node --expose-gc bench/plan.bench.mjs [--hosts N] [--runs R] [--json]   (bench/run.mjs runs
 *   it in its own process, so the peak RSS it reports is planning's own; NCF_BENCH_DIST picks the build)
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const DIST = process.env.NCF_BENCH_DIST ?? fileURLToPath(new URL("../dist", import.meta.url));
const { values: args } = parseArgs({ options: { hosts: { type: "string", default: "1000" }, runs: { type: "string", default: "5" }, json: { type: "boolean", default: false } } });
const JSON_OUTPUT = args.json;
const { planFleet } = await import(join(DIST, "plan", "planner.js"));
const { renderPlanHuman } = await import(join(DIST, "report", "plan-human.js"));
const { renderPlanJson } = await import(join(DIST, "report", "plan-json.js"));
const { createColors } = await import(join(DIST, "report", "color.js"));

const HOSTS = Number(args.hosts);
const SANDBOXES = 10;
const RUNS = Number(args.runs);
if (!Number.isInteger(HOSTS) || HOSTS < 1 || !Number.isInteger(RUNS) || RUNS < 1) throw new Error("--hosts and --runs take positive whole numbers");
const known = (value) => ({ state: "known", value });
const source = (path) => ({ file: "/srv/fleet/fleet.yaml", line: 1, column: 1, path });
const guardFile = (path, present = true) => ({ path, present, owner: "root", group: "root", mode: "444", type: "regular file" });
const GUARDS = ["/tmp/nemoclaw-proxy-env.sh", "/tmp/nemoclaw-sandbox-safety-net.js", "/tmp/nemoclaw-ciao-network-guard.js"];

function desiredHost(index) {
  const name = `spark-${String(index).padStart(4, "0")}`;
  const sandboxes = Array.from({ length: SANDBOXES }, (_, s) => ({
    name: `agent-${s}`,
    host: name,
    gateway: "nemoclaw",
    agent: "openclaw",
    provider: "build",
    model: "nvidia/nemotron-3-super-120b-a12b",
    credential: { kind: "env", name: "NVIDIA_API_KEY" },
    policy: { presets: index % 7 === 0 && s === 0 ? ["pypi", "npm"] : ["pypi"] },
    gpu: "auto",
    protect: false,
    imageRefWorkaround: false,
    source: source(`sandboxes[${s}]`),
  }));
  return {
    name,
    connection: { kind: "local" },
    groups: ["spark", `rack_${index % 20}`],
    labels: {},
    vars: {},
    environment: {},
    gateways: [{ name: "nemoclaw", port: 8080, bind: "127.0.0.1", source: source("gateways[0]") }],
    sandboxes,
    source: source(`hosts[${index}]`),
  };
}

function observedHost(index) {
  const name = `spark-${String(index).padStart(4, "0")}`;
  const live = Array.from({ length: SANDBOXES }, (_, s) => s).filter((s) => !(index % 11 === 0 && s === 9));
  const sandboxes = live.map((s) => ({
    name: `agent-${s}`,
    phase: "Ready",
    createdAt: "2026-11-01 08:00:00",
    guards: known({
      files: GUARDS.map((path, g) => guardFile(path, !(index % 10 === 0 && s === 1 && g === 0))),
      locks: index % 10 === 0 && s === 1 ? [{ path: "/tmp/openclaw-1000/gateway.1.lock", pid: null, stale: true }] : [],
      agentGatewayPids: index % 10 === 0 && s === 1 ? [] : [300 + s],
    }),
  }));
  const entries = live.map((s) => ({
    name: `agent-${s}`, gatewayName: "nemoclaw", gatewayPort: 8080, agent: "openclaw", agentVersion: "2026.6.10",
    provider: "nvidia-prod", model: "nvidia/nemotron-3-super-120b-a12b", endpointUrl: null, credentialEnv: "NVIDIA_INFERENCE_API_KEY",
    policyTier: "balanced", policies: ["pypi"], gpuMode: "auto", fromDockerfile: null, imageTag: null, openshellVersion: "0.0.72",
    openshellDriver: "docker", nemoclawVersion: "0.0.76", createdAt: null,
  }));
  return {
    host: name,
    unreachable: null,
    observedAt: "2026-11-22T09:29:58.000Z",
    durationMs: 800,
    system: known({ hostname: name, os: null, arch: "aarch64", kernel: "6.11", dgxModel: "DGX Spark" }),
    gpus: known([]),
    docker: known({ reachable: true, serverVersion: "28.3.2", error: null }),
    openshell: known({ installed: true, version: "0.0.72", path: "/usr/bin/openshell" }),
    gatewayBinary: known({ installed: true, version: "0.0.72", path: "/usr/bin/openshell-gateway" }),
    nemoclaw: known({ installed: true, version: "0.0.76", path: "/usr/bin/nemoclaw" }),
    activeGateway: known("nemoclaw"),
    gateways: known([{
      name: "nemoclaw", port: 8080, endpoint: "http://127.0.0.1:8080", driver: "host-process", registered: true,
      runningVersion: known(index % 50 === 0 ? "0.0.71" : "0.0.72"), image: null, binary: "/usr/bin/openshell-gateway", pid: 4242,
      health: { status: "healthy", reason: "Status: Connected", fatalMigration: null, protobufMismatch: null },
      sandboxes: known(sandboxes),
    }]),
    registry: known({ defaultSandbox: "agent-0", entries, locked: false }),
    shields: known([]),
    hostBackups: known([]),
    fleetLock: known(null),
  };
}

const hosts = Array.from({ length: HOSTS }, (_, i) => desiredHost(i + 1));
const fleet = {
  apiVersion: "nemoclaw.dev/v1", name: "bench", sourceFile: "/srv/fleet/fleet.yaml", sourceDigest: "sha256:0",
  hosts,
  backupPolicies: [{
    name: "nightly", hosts: { kind: "pattern", pattern: "spark" }, sandboxNames: ["agent-*"], schedule: "0 2 * * *",
    retention: { keepLast: 7 }, destination: { kind: "local", path: "/backups" }, verify: true, beforeDisruptive: true, strict: false,
    source: source("backupPolicies[0]"),
  }],
  apply: { concurrency: 32, waves: [], maxFailPercentage: 0, stepTimeoutMs: 900_000, pruneUnmanaged: false, lockTtlMs: 3_600_000 },
};
const observed = { hosts: Array.from({ length: HOSTS }, (_, i) => observedHost(i + 1)) };
const catalogue = { nightly: Object.fromEntries(hosts.map((host, i) => [host.name, Object.fromEntries(host.sandboxes.map((s) => [s.name, i % 3 === 0 ? "2026-11-20T02:00:00Z" : "2026-11-22T02:05:00Z"]))])) };
const options = { limit: null, hosts: hosts.map((host) => host.name), pruneUnmanaged: false, now: new Date("2026-11-22T09:30:00Z"), toolVersion: "bench", backupCatalogue: catalogue };

/** Wall time and this process's CPU time (the latter is what a busy machine distorts least). */
function time(label, fn, runs = RUNS) {
  fn();
  const wall = [];
  const cpu = [];
  let result;
  for (let run = 0; run < runs; run += 1) {
    // The previous run's result is garbage before the next run starts, as in one `nemoclaw plan`.
    result = undefined;
    globalThis.gc?.();
    const start = performance.now();
    const startCpu = process.cpuUsage();
    result = fn();
    const used = process.cpuUsage(startCpu);
    wall.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (samples) => samples.sort((a, b) => a - b)[Math.floor(runs / 2)];
  if (!JSON_OUTPUT) process.stdout.write(`${label.padEnd(44)} median ${median(wall).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms cpu  (${runs} runs)\n`);
  return { result, wallMs: median(wall), cpuMs: median(cpu) };
}

const planned = time(`planFleet ${HOSTS} hosts × ${SANDBOXES} sandboxes`, () => planFleet(fleet, observed, options));
const { summary } = planned.result;
if (!JSON_OUTPUT) process.stdout.write(`  → ${summary.steps} steps on ${summary.hostsWithChanges} hosts, ${summary.blocked} blocked\n`);
const human = time("renderPlanHuman (grouped)", () => renderPlanHuman(planned.result, { colors: createColors(false) }));
const json = time("renderPlanJson", () => renderPlanJson(planned.result));
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
if (JSON_OUTPUT) {
  const round = (ms) => Math.round(ms * 10) / 10;
  const result = { hosts: HOSTS, sandboxes: SANDBOXES, steps: summary.steps, planMs: round(planned.wallMs), planCpuMs: round(planned.cpuMs), renderHumanMs: round(human.wallMs), renderJsonMs: round(json.wallMs), peakRssMb };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else process.stdout.write(`peak RSS ${peakRssMb} MB (node itself included)\n`);
