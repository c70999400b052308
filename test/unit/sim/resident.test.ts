// The resident mode (test/sim/README.md, "Two modes") behaves as the per-process mode does, and as
// processes do: the same outputs and exit codes, stdin read only by commands that read it, callers'
// signals and timeouts obeyed (a killed command has no effect, its children die with it), concurrent
// commands, each caller's umask, and a resident process that exits when idle or stopped.

import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { hostStateDigest, stopSimulator } from "../../sim/index.mjs";
import { type RunResult, type Scenario, type SimHost, type SimMode, startHost, stripAnsi } from "./harness.js";

const hosts: SimHost[] = [];
async function use(scenario: Scenario, mode: SimMode = "resident") {
  const host = await startHost(scenario, undefined, { mode });
  hosts.push(host);
  return host;
}
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.stop()));
});

const CREATED = "2026-04-20T10:00:00Z";

/** Pids of the resident processes serving a home. */
function residentPids(home: string): number[] {
  try {
    return readdirSync(join(home, ".fleet-sim", "server")).flatMap((entry) => (/^pid-\d+\.json$/.test(entry) ? [JSON.parse(readFileSync(join(home, ".fleet-sim", "server", entry), "utf8")).pid as number] : []));
  } catch {
    return [];
  }
}

/** Running (an exited process its parent has not reaped yet is not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

/** Processes whose argv is exactly `argv`. */
function processesRunning(argv: string[]): number[] {
  const wanted = `${argv.join("\0")}\0`;
  return readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      return readFileSync(`/proc/${entry}/cmdline`, "utf8") === wanted ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (check()) return;
    await sleep(50);
  }
  throw new Error(`still not true after 10 s: ${what}`);
}

function withoutHome(result: RunResult, home: string) {
  return { code: result.code, stdout: result.stdout.replaceAll(home, "~"), stderr: result.stderr.replaceAll(home, "~") };
}

describe("the resident mode", { timeout: 60_000 }, () => {
  it("answers every command as the per-process mode does: stdout, stderr and exit code", async () => {
    const scenario: Scenario = { gateways: [{ sandboxes: [{ name: "alpha", createdAt: CREATED }] }] };
    const resident = await use(scenario, "resident");
    const perProcess = await use(scenario, "process");
    const commands = [
      ["openshell", "--version"],
      ["openshell", "sandbox", "list"],
      ["openshell", "sandbox", "get", "nosuch"],
      ["openshell", "sandbox", "lisst"],
      ["openshell", "status"],
      ["nemoclaw", "--version"],
      ["nemoclaw", "alpha", "status", "--json"],
      ["nemoclaw", "nosuch", "status"],
      ["docker", "info", "--format", "{{.ServerVersion}}"],
      ["docker", "exec", "openshell-cluster-nemoclaw", "true"],
      ["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
      ["uname", "-m", "-r"],
      ["curl", "-fsS", "https://example.com/"],
      ["openshell", "sandbox", "exec", "-n", "alpha", "--", "sh", "-c", "echo out; echo err >&2; exit 3"],
    ];
    for (const [program, ...args] of commands) {
      const ours = withoutHome(await resident.run(program as string, args), resident.home);
      const theirs = withoutHome(await perProcess.run(program as string, args), perProcess.home);
      expect(ours, `${program} ${args.join(" ")}`).toEqual(theirs);
    }
    expect(residentPids(resident.home)).toHaveLength(1);
    expect(residentPids(perProcess.home)).toEqual([]);
  });

  it("reads stdin only for a command that reads it", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    const script = await h.sh("openshell --version; nemoclaw alpha status >/dev/null; cat", { input: "left for cat\n" });
    expect(script.stdout).toBe("openshell 0.0.72\nleft for cat\n");
    const piped = await h.run("openshell", ["sandbox", "exec", "-n", "alpha", "--", "sh", "-c", "cat; echo ."], { input: "into the sandbox\n" });
    expect(piped).toMatchObject({ code: 0, stdout: "into the sandbox\n.\n" });
  });

  it("leaves the host as it was when a timeout kills a command during its delay", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha", agentGateway: "stopped" }] }], faults: { slow: [{ match: "^openshell sandbox delete", delayMs: 1500 }] } });
    const before = await hostStateDigest({ home: h.home });
    expect((await h.sh("timeout 0.3 openshell sandbox delete alpha")).code).toBe(124);
    // Past the delay the killed command would have deleted the sandbox.
    await sleep(2500);
    expect(await hostStateDigest({ home: h.home })).toBe(before);
    expect((await h.run("openshell", ["sandbox", "get", "alpha"])).code).toBe(0);
  });

  it("takes a command inside the sandbox down with its caller (timeout, and kill of the process group)", async () => {
    const h = await use({ gateways: [{ sandboxes: [{ name: "alpha" }] }] });
    const timedOut = await h.sh("timeout 1 openshell sandbox exec -n alpha -- sleep 417");
    expect(timedOut.code).toBe(124);
    await eventually(() => processesRunning(["sleep", "417"]).length === 0, "sleep 417 ended");

    const caller = spawn("openshell", ["sandbox", "exec", "-n", "alpha", "--", "sleep", "418"], {
      env: { HOME: h.home, PATH: `${h.binDir}:/usr/bin:/bin` },
      cwd: h.home,
      detached: true,
      stdio: "ignore",
    });
    await eventually(() => processesRunning(["sleep", "418"]).length === 1, "sleep 418 started");
    const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => caller.on("exit", (code, signal) => resolve([code, signal])));
    process.kill(-(caller.pid as number), "SIGTERM");
    expect(await ended).toEqual([143, null]);
    await eventually(() => processesRunning(["sleep", "418"]).length === 0, "sleep 418 ended");
  });

  it("serves concurrent commands, each with its own output and changes", async () => {
    const names = ["s1", "s2", "s3", "s4", "s5", "s6"];
    const h = await use({ gateways: [{ sandboxes: names.map((name) => ({ name, agentGateway: "stopped" as const })) }] });
    const results = await Promise.all(names.map((name) => h.run("openshell", ["sandbox", "delete", name])));
    expect(results.map((result) => [result.code, stripAnsi(result.stdout)])).toEqual(names.map((name) => [0, `✓ Deleted sandbox ${name}\n`]));
    expect((await h.run("openshell", ["sandbox", "list"])).stdout).toBe("No sandboxes found.\n");
  });

  it("keeps each caller's working directory and umask", async () => {
    const h = await use({ gateways: [{}] });
    const url = "https://raw.githubusercontent.com/NVIDIA/OpenShell/main/install.sh";
    const strict = await h.sh(`mkdir -p a && cd a && umask 077 && curl -fsSL -o fetched ${url} && stat -c %a fetched`);
    const usual = await h.sh(`mkdir -p b && cd b && umask 022 && curl -fsSL -o fetched ${url} && stat -c %a fetched`);
    expect([strict.stdout, usual.stdout]).toEqual(["600\n", "644\n"]);
  });

  it("exits when idle and when stopped; the next command starts it again", async () => {
    const h = await use({ gateways: [{}] });
    expect((await h.run("openshell", ["--version"], { env: { FLEET_SIM_IDLE_MS: "200" } })).code).toBe(0);
    const [first] = residentPids(h.home);
    expect(first).toBeDefined();
    await eventually(() => !alive(first as number), "the idle resident process exited");
    expect(residentPids(h.home)).toEqual([]);

    expect((await h.run("openshell", ["--version"])).stdout).toBe("openshell 0.0.72\n");
    const [second] = residentPids(h.home);
    expect(second).not.toBe(first);
    await stopSimulator({ home: h.home });
    expect(alive(second as number)).toBe(false);
  });
});
