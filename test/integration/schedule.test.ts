/**
 * Unattended operation with the real programs: the units `nemoclaw schedule install` writes pass
 * `systemd-analyze verify`, their calendar events fire exactly when the policies' cron schedules
 * do (`systemd-analyze calendar`), and the apply unit's command line — run as systemd runs it:
 * its working directory, its environment and environment file — repairs a rebooted host of the
 * sshd test fleet on its own, holds a disruptive repair back as pending, and changes nothing the
 * next time. The runs of a fleet wait for each other on the unit's flock.
 */
import { execFile, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApplyEvent, EventOf } from "../../src/apply/events.js";
import { parseCron, previousFireTime } from "../../src/config/cron.js";
import { onCalendarOf } from "../../src/report/schedule-units.js";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { hostStateDigest, readSimState } from "../sim/index.mjs";
import { cliEnv, journalEvents, journalFiles, lockFile, runCli, sandboxYaml, SECRET, writeFleetFile } from "./apply-support.js";

let fleet: TestFleet;
let dir: string;
let env: NodeJS.ProcessEnv;
let fleetFile: string;
let units: string;

const home = (name: string) => fleet.hosts.find((host) => host.name === name)!.home;

function exec(program: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(program, args, { ...options, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * A unit's command line as systemd splits it: words, double quotes with backslash escapes, `%%`
 * and (in command lines, not in `Environment=`) `$$`.
 */
function systemdWords(line: string, dollars = true): string[] {
  const words: string[] = [];
  let word = "";
  let quoted = false;
  let inWord = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] as string;
    if (quoted && char === "\\") {
      word += line[++index];
      continue;
    }
    if (char === '"') {
      quoted = !quoted;
      inWord = true;
      continue;
    }
    if (!quoted && char === " ") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    word += char;
    inWord = true;
  }
  if (inWord) words.push(word);
  return words.map((text) => (dollars ? text.replace(/\$\$/g, "$") : text).replace(/%%/g, "%"));
}

/** A path setting as systemd reads it: the rest of the line, `%%` for `%`, no quotes removed. */
function systemdPath(value: string): string {
  return value.replace(/%%/g, "%");
}

interface Unit {
  execStart: string[];
  execStopPost: string[][];
  environment: NodeJS.ProcessEnv;
  workingDirectory: string;
}

/** The service as systemd would run it: Environment=, then the EnvironmentFile's NAME=value lines. */
function readService(name: string): Unit {
  const lines = readFileSync(join(units, name), "utf8").split("\n");
  const values = (key: string) => lines.filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1));
  // What the user's service manager adds; the code cache stays the test run's own (global-setup.ts).
  const environment: NodeJS.ProcessEnv = { HOME: process.env.HOME, USER: "root", LOGNAME: "root", XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
  for (const assignment of values("Environment").map((text) => systemdWords(text, false)[0] as string)) {
    const at = assignment.indexOf("=");
    environment[assignment.slice(0, at)] = assignment.slice(at + 1);
  }
  for (const line of readFileSync(systemdPath(values("EnvironmentFile")[0] as string), "utf8").split("\n")) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) environment[match[1] as string] = match[2];
  }
  return {
    execStart: systemdWords(values("ExecStart")[0] as string),
    execStopPost: values("ExecStopPost").map((line) => systemdWords(line)),
    environment,
    workingDirectory: systemdPath(values("WorkingDirectory")[0] as string),
  };
}

/** Run a unit's command exactly as it is written. */
function runUnitCommand(unit: Unit, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(argv[0] as string, argv.slice(1), { env: unit.environment, cwd: unit.workingDirectory });
}

function eventsOfLatestRun(): ApplyEvent[] {
  const journals = journalFiles(join(dir, "state")).filter((path) => journalEvents(path)[0]?.type === "run-started" && (journalEvents(path)[0] as EventOf<"run-started">).source === "fleet");
  return journalEvents(journals.at(-1) as string);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-schedule-"));
  chmodSync(dir, 0o755);
  fleet = await startFleet({
    dir: join(dir, "fleet"),
    hosts: [
      // The morning after a reboot: the guards are gone, the gateway lock is stale, the agent is down.
      { name: "rebooted", scenario: { nemoclaw: { version: "0.0.124" }, gateways: [{ port: 8080, sandboxes: [{ name: "alpha", guards: { missing: "all" }, staleLock: true, agentGateway: "stopped" }] }] } },
      // A guard with the wrong mode beside a running agent: only a disruptive gateway restart repairs it.
      { name: "running", scenario: { nemoclaw: { version: "0.0.124" }, gateways: [{ port: 8080, sandboxes: [{ name: "alpha", guards: { wrongMode: ["/tmp/nemoclaw-proxy-env.sh"] } }] }] } },
    ],
  });
  env = { ...cliEnv(join(dir, "state")), HOME: join(dir, "home") };
  fleetFile = writeFleetFile(
    dir,
    "fleet.yaml",
    fleet.inventoryPath,
    [
      "hosts:",
      '  - { name: rebooted, nemoclaw: { version: "0.0.124" } }',
      '  - { name: running, nemoclaw: { version: "0.0.124" } }',
      "sandboxes:",
      sandboxYaml("alpha", 'hosts: "rebooted,running"').trimEnd(),
      "backupPolicies:",
      '  - { name: nightly, schedule: "0 2 * * *", destination: { path: ./backups } }',
      '  - { name: quarterly, schedule: "30 3 1,15 */3 sun", destination: { path: ./backups } }',
      "",
    ].join("\n"),
  );
  units = join(dir, "units");
  const installed = await runCli(["schedule", "install", fleetFile, "--no-enable", "--unit-dir", units], { cwd: dir, env });
  expect(installed.code, installed.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the units", () => {
  it("pass systemd-analyze verify without a word", async () => {
    const runtime = join(dir, "runtime");
    mkdirSync(runtime, { mode: 0o700 });
    const files = readdirSync(units).map((name) => join(units, name));
    expect(files.map((file) => file.slice(units.length + 1)).sort()).toEqual([
      "nemoclaw-it-apply.service",
      "nemoclaw-it-apply.timer",
      "nemoclaw-it-backup-nightly.service",
      "nemoclaw-it-backup-nightly.timer",
      "nemoclaw-it-backup-quarterly.service",
      "nemoclaw-it-backup-quarterly.timer",
    ]);
    const verified = await exec("systemd-analyze", ["verify", "--user", ...files], { env: { ...process.env, XDG_RUNTIME_DIR: runtime } });
    expect(verified, verified.stderr).toMatchObject({ code: 0, stderr: "" });
  });

  it("carry no secret and name only absolute paths", () => {
    for (const name of readdirSync(units)) {
      const text = readFileSync(join(units, name), "utf8");
      expect(text).not.toContain(SECRET);
      if (name.endsWith(".service")) expect(readService(name).execStart.filter((word) => word.includes("/")).every((word) => word.startsWith("/"))).toBe(true);
    }
  });

  it.each(["0 2 * * *", "30 3 1,15 */3 sun", "*/7 4-6 * 1,6 mon-fri", "0 0 29 2 *", "15 */3 * * *", "5-50/10 12 1-7 * 1"])(
    "the calendar events of %s fire exactly when the cron schedule does (systemd-analyze calendar)",
    async (text) => {
      const parsed = parseCron(text);
      if (!parsed.ok) throw new Error(parsed.message);
      const base = "2026-01-01 00:00:00 UTC";
      const result = await exec("systemd-analyze", ["calendar", "--iterations=12", `--base-time=${base}`, ...onCalendarOf(parsed.schedule)], { env: { ...process.env, TZ: "UTC" } });
      expect(result.code, result.stderr).toBe(0);
      const fires = [...new Set([...result.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map((match) => Date.parse(`${(match[1] as string).replace(" ", "T")}Z`)))].sort((a, b) => a - b).slice(0, 12);
      expect(fires.length).toBe(12);
      let previous = Date.parse("2026-01-01T00:00:00Z");
      for (const fire of fires) {
        // The cron schedule fires at this minute, and not at any minute since the last one.
        expect(previousFireTime(parsed.schedule, new Date(fire))?.getTime(), new Date(fire).toISOString()).toBe(fire);
        expect(previousFireTime(parsed.schedule, new Date(fire - 60_000))?.getTime() ?? 0).toBeLessThanOrEqual(previous);
        previous = fire;
      }
    },
  );
});

describe("the scheduled apply, run as the unit runs it", () => {
  const service = () => readService("nemoclaw-it-apply.service");

  it("repairs the rebooted host alone, holds the disruptive repair back as pending, and exits 2 (a success for the unit)", async () => {
    const agentsOf = (name: string) => readSimState({ home: home(name) }).processes.filter((process: { kind: string; alive: boolean }) => process.kind === "openclaw-gateway" && process.alive).map((process: { pid: number }) => process.pid);
    const runningAgents = agentsOf("running");
    expect(runningAgents).toHaveLength(1);
    const unit = service();
    expect(unit.execStart[0]).toMatch(/^\/.*\/flock$/);
    expect(unit.execStart.slice(-7)).toEqual(["apply", fleetFile, "--max-risk", "safe", "--yes", "--lock-timeout", "5m"]);
    const result = await runUnitCommand(unit, unit.execStart);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(2);
    expect(readFileSync(join(units, "nemoclaw-it-apply.service"), "utf8")).toMatch(/^SuccessExitStatus=2 75$/m);
    // The guards are back, the stale lock is gone and the agent runs again.
    const sandboxRoot = join(home("rebooted"), ".fleet-sim", "sandboxes", "nemoclaw", "alpha", "root");
    expect(existsSync(join(sandboxRoot, "tmp", "nemoclaw-proxy-env.sh"))).toBe(true);
    expect(readSimState({ home: home("rebooted") }).processes.some((process: { kind: string; alive: boolean }) => process.kind === "openclaw-gateway" && process.alive)).toBe(true);
    // The running agent was not relaunched: its disruptive repair is pending, not done.
    expect(agentsOf("running")).toEqual(runningAgents);
    expect(readSimState({ home: home("running") }).calls.filter((call: { tool: string; argv: string[] }) => call.tool === "nemoclaw" && call.argv.includes("restart"))).toEqual([]);
    const events = eventsOfLatestRun();
    expect((events[0] as EventOf<"run-started">).heldBack).toMatchObject({ running: [{ id: "sandbox-gateway-restart:alpha", risk: "disruptive", because: "disruptive is above --max-risk safe" }] });
    // The repair, and the backups the policies' schedules made due (safe steps too).
    expect(events.filter((event): event is EventOf<"step-finished"> => event.type === "step-finished").map((event) => `${event.host} ${event.step} ${event.status}`).sort()).toEqual([
      "rebooted backup:alpha@nightly ok",
      "rebooted backup:alpha@quarterly ok",
      "rebooted lock-clear:alpha ok",
      "rebooted preflight:rebooted ok",
      "rebooted sandbox-recover:alpha ok",
      "running backup:alpha@nightly ok",
      "running backup:alpha@quarterly ok",
      "running preflight:running ok",
    ]);
    expect(result.stdout).toContain("pending sandbox-gateway-restart:alpha [disruptive]: held back, disruptive is above --max-risk safe");
    // The host lock is released.
    expect(existsSync(lockFile(home("rebooted")))).toBe(false);
    // The unit's ExecStopPost bounds the journal.
    for (const argv of unit.execStopPost) expect((await runUnitCommand(unit, argv)).code).toBe(0);
  });

  it("the next scheduled run is a no-op: nothing runs anywhere, nothing changes", async () => {
    const before = { rebooted: await hostStateDigest({ home: home("rebooted") }), running: await hostStateDigest({ home: home("running") }) };
    const unit = service();
    const result = await runUnitCommand(unit, unit.execStart);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(2);
    const events = eventsOfLatestRun();
    expect(events.filter((event) => event.type === "step-started")).toEqual([]);
    expect(events.filter((event): event is EventOf<"host-finished"> => event.type === "host-finished").map((event) => `${event.host} ${event.status}`)).toEqual(["rebooted no-changes", "running no-changes"]);
    expect({ rebooted: await hostStateDigest({ home: home("rebooted") }), running: await hostStateDigest({ home: home("running") }) }).toEqual(before);
  });

  it("waits for another run of the fleet that holds the schedule's flock, and says how long it waited", async () => {
    const unit = service();
    const lock = unit.execStart[unit.execStart.indexOf("--conflict-exit-code") + 2] as string;
    // Another run holds the lock (it says so once it has it), and notes when it lets go.
    const released = join(dir, "released-at");
    const holder = spawn("flock", [lock, "sh", "-c", `echo locked; sleep 2; date +%s%3N > ${released}`], { stdio: ["ignore", "pipe", "ignore"] });
    const holderDone = new Promise((resolve) => holder.once("close", resolve));
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
    const result = await runUnitCommand(unit, unit.execStart);
    await holderDone;
    expect(result.code, result.stderr).toBe(2);
    // flock --verbose reports on stdout, which the service's journal keeps.
    expect(result.stdout).toMatch(/^flock: getting lock took \d+\.\d+ seconds$/m);
    // The scheduled run started only once the other had let go.
    expect(Date.parse(eventsOfLatestRun()[0]!.at)).toBeGreaterThanOrEqual(Number(readFileSync(released, "utf8")));
  });
});
