// @ts-check
/**
 * Host key checks against a hashed known_hosts (`HashKnownHosts yes`, Debian's and Ubuntu's
 * default): each of --hosts fleet hosts is looked up as its dial does it (the key types to offer,
 * then the verdict on the presented key) in a known_hosts of --lines lines hashed by
 * `ssh-keygen -H`. A hashed line has its own salt, so every lookup costs one HMAC per line.
 *
 *   node bench/known-hosts.bench.mjs [--lines 1000] [--hosts 100] [--runs 5] [--json]
 *   (NCF_BENCH_DIST picks the build)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const DIST = process.env.NCF_BENCH_DIST ?? fileURLToPath(new URL("../dist", import.meta.url));
const { values: args } = parseArgs({ options: { lines: { type: "string", default: "1000" }, hosts: { type: "string", default: "100" }, runs: { type: "string", default: "5" }, json: { type: "boolean", default: false } } });
const LINES = Number(args.lines);
const HOSTS = Number(args.hosts);
const RUNS = Number(args.runs);
if ([LINES, HOSTS, RUNS].some((n) => !Number.isInteger(n) || n < 1) || HOSTS > LINES) throw new Error("--lines, --hosts and --runs take positive whole numbers, --hosts at most --lines");
const { keyTypeOfBlob, knownHostsName, knownKeyTypes, readKnownHostsFiles, verifyHostKey } = await import(join(DIST, "transport", "known-hosts.js"));

const work = mkdtempSync(join(tmpdir(), "nemoclaw-bench-known-hosts-"));
try {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(work, "host_key")]);
  const [type, base64] = readFileSync(join(work, "host_key.pub"), "utf8").trim().split(/\s+/);
  const file = join(work, "known_hosts");
  const names = Array.from({ length: LINES }, (_, i) => knownHostsName(`dgx-${String(i).padStart(4, "0")}.lab.example`, i % 2 === 0 ? 22 : 2222));
  writeFileSync(file, names.map((name) => `${name} ${type} ${base64}\n`).join(""));
  execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "ignore" });
  const presented = { type: keyTypeOfBlob(Buffer.from(base64 ?? "", "base64")), blob: Buffer.from(base64 ?? "", "base64") };
  const fleet = names.slice(0, HOSTS);
  /** @type {{ ms: number, cpuMs: number }[]} */
  const samples = [];
  for (let run = 0; run < RUNS; run += 1) {
    // Each run is a fresh process's first read of the file, as each nemoclaw run is.
    writeFileSync(file, `${readFileSync(file, "utf8").trimEnd()}\n${run % 2 === 0 ? "" : "\n"}`);
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (const name of fleet) {
      const entries = await readKnownHostsFiles([file]);
      knownKeyTypes(entries, name);
      const verdict = verifyHostKey(entries, name, presented);
      if (verdict.status !== "match") throw new Error(`${name}: ${verdict.status}`);
    }
    const used = process.cpuUsage(cpu);
    samples.push({ ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 });
  }
  const median = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const result = { lines: LINES, hosts: HOSTS, runs: RUNS, medianMs: median(samples.map((s) => s.ms)), medianCpuMs: median(samples.map((s) => s.cpuMs)) };
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${HOSTS} hosts checked against ${LINES} hashed lines: ${result.medianMs.toFixed(0)} ms (cpu ${result.medianCpuMs.toFixed(0)} ms), ${(result.medianMs / HOSTS).toFixed(2)} ms per host\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
