/**
 * Locks and interruptions with the real CLI over real sshd: a second apply refuses the hosts the
 * first one holds (naming the holder); Ctrl-C drains or aborts and the journal says where the run
 * stopped; a SIGKILLed run's locks are reclaimed by the next run, which converges.
 */
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { CliProcess, cliEnv, journalEvents, journalFiles, lockFile, planOf, planSteps, runCli, sandboxYaml, writeFleetFile } from "./apply-support.js";

/** Every onboard on the hosts takes this long, so a run can be caught in the middle of one. */
const SLOW_ONBOARD_MS = 6_000;

let fleet: TestFleet;
let dir: string;
let env: NodeJS.ProcessEnv;
const sandboxes: { name: string; hosts: string }[] = [];

const home = (name: string) => fleet.hosts.find((host) => host.name === name)!.home;

/** A fleet file with every sandbox so far (so earlier ones stay managed) plus `added` on `hosts`. */
function fleetWith(added: string[], hosts = "h1"): string {
  sandboxes.push(...added.map((name) => ({ name, hosts })));
  const body = sandboxes.map((sandbox) => sandboxYaml(sandbox.name, `hosts: "${sandbox.hosts}"`)).join("");
  return writeFleetFile(dir, `fleet-${added.join("-")}.yaml`, fleet.inventoryPath, `sandboxes:\n${body}`);
}

function apply(fleetFile: string, extra: string[] = []): CliProcess {
  return new CliProcess(["apply", fleetFile, "--yes", "--json", ...extra], { cwd: dir, env });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-apply-int-"));
  chmodSync(dir, 0o755);
  // bob's onboard outlasts a second apply's planning (that apply must find the hosts locked), and
  // frank's never ends within the test: the run that creates it is killed while it runs.
  const scenario = {
    gateways: [{ port: 8080, sandboxes: [] }],
    faults: {
      slow: [
        { match: "^nemoclaw onboard .*--name bob\\b", delayMs: 20_000 },
        { match: "^nemoclaw onboard .*--name frank\\b", delayMs: 120_000 },
        { match: "^nemoclaw onboard", delayMs: SLOW_ONBOARD_MS },
      ],
    },
  };
  fleet = await startFleet({ dir: join(dir, "fleet"), hosts: [{ name: "h1", scenario }, { name: "h2", scenario }] });
  env = cliEnv(join(dir, "state"));
}, 180_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("overlapping applies", () => {
  it("the second refuses the hosts the first holds, naming the holder (exit 7); the first converges", async () => {
    const fleetFile = fleetWith(["bob"], "h1,h2");
    const firstRun = apply(fleetFile);
    await firstRun.waitFor("lock-acquired", (event) => event.host === "h1");
    await firstRun.waitFor("lock-acquired", (event) => event.host === "h2");
    const header = await firstRun.waitFor("run-started");
    const holderLock = JSON.parse(readFileSync(lockFile(home("h1")), "utf8"));
    expect(holderLock).toMatchObject({ runId: header.runId, pid: firstRun.child.pid, machine: hostname(), user: userInfo().username });

    const second = apply(fleetFile);
    const secondRun = await second.finished();
    expect(secondRun.code, secondRun.stderr).toBe(7);
    for (const host of ["h1", "h2"]) {
      const refused = second.ofType("host-finished").find((event) => event.host === host);
      expect(refused).toMatchObject({ status: "locked", holder: { runId: header.runId, pid: firstRun.child.pid, machine: hostname() } });
      expect(refused?.message).toContain(`locked by run ${header.runId} by ${userInfo().username}@${hostname()} (pid ${firstRun.child.pid})`);
    }
    expect(second.ofType("step-started")).toEqual([]);

    const done = await firstRun.finished();
    expect(done.code, done.stderr).toBe(0);
    expect(firstRun.ofType("host-finished").map((event) => event.status)).toEqual(["ok", "ok"]);
  });
});

describe("Ctrl-C", () => {
  it("once: running steps finish, nothing new starts, the journal says where it stopped, exit 130; a re-run converges", async () => {
    // Two creates per host: they run one after the other, so the second is caught not started.
    const fleetFile = fleetWith(["carol", "carol2"]);
    const run = apply(fleetFile);
    await run.waitFor("step-started", (event) => event.step === "sandbox-create:carol" && event.host === "h1");
    run.child.kill("SIGINT");
    const ended = await run.finished();
    expect(ended.code, ended.stderr).toBe(130);
    expect(run.ofType("run-interrupting").map((event) => event.stage)).toEqual(["draining"]);
    expect(run.ofType("step-finished").find((event) => event.step === "sandbox-create:carol")?.status).toBe("ok");
    expect(run.ofType("step-started").some((event) => event.step === "sandbox-create:carol2")).toBe(false);
    expect(existsSync(lockFile(home("h1")))).toBe(false);
    const finished = run.ofType("run-finished")[0];
    expect(finished).toMatchObject({ interrupted: true, exitCode: 130 });
    expect(finished?.stoppedAt).toEqual([{ host: "h1", step: null, notStarted: ["sandbox-create:carol2"] }]);
    const journal = journalEvents(journalFiles(join(dir, "state")).at(-1)!);
    expect(journal.at(-1)).toEqual(finished);

    // Every step of the re-run is checked by re-planning its host: "ok" means nothing is left to do.
    const rerun = apply(fleetFile);
    expect((await rerun.finished()).code).toBe(0);
    expect(rerun.ofType("step-finished").filter((event) => event.step.startsWith("sandbox-create")).map((event) => `${event.host} ${event.step} ${event.status}`)).toEqual([
      "h1 sandbox-create:carol2 ok",
    ]);
  });

  it("twice: running steps are aborted (cancelled), locks released, exit 130; a re-run converges", async () => {
    const fleetFile = fleetWith(["dave"]);
    const run = apply(fleetFile);
    await run.waitFor("step-started", (event) => event.step === "sandbox-create:dave" && event.host === "h1");
    run.child.kill("SIGINT");
    await run.waitFor("run-interrupting", (event) => event.stage === "draining");
    run.child.kill("SIGINT");
    const ended = await run.finished();
    expect(ended.code, ended.stderr).toBe(130);
    expect(run.ofType("step-finished").find((event) => event.host === "h1" && event.step === "sandbox-create:dave")?.status).toBe("cancelled");
    const finished = run.ofType("run-finished")[0];
    expect(finished?.stoppedAt).toEqual([{ host: "h1", step: "sandbox-create:dave", notStarted: [] }]);
    expect(existsSync(lockFile(home("h1")))).toBe(false);

    const rerun = await runCli(["apply", fleetFile, "--yes"], { cwd: dir, env });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(planSteps(await planOf(fleetFile, { cwd: dir, env }, ["--limit", "h1"]))).toEqual({ h1: { status: "no-changes", steps: [] } });
  });

  it("a hangup (the terminal or SSH session went away) stops the run like SIGTERM: the step finishes, locks released, the journal ends, exit 130", async () => {
    const fleetFile = fleetWith(["gina"]);
    const run = apply(fleetFile);
    await run.waitFor("step-started", (event) => event.step === "sandbox-create:gina" && event.host === "h1");
    run.child.kill("SIGHUP");
    const ended = await run.finished();
    expect(ended.code, ended.stderr).toBe(130);
    expect(run.ofType("step-finished").find((event) => event.step === "sandbox-create:gina")?.status).toBe("ok");
    expect(existsSync(lockFile(home("h1")))).toBe(false);
    const journal = journalEvents(journalFiles(join(dir, "state")).at(-1)!);
    expect(journal.at(-1)).toMatchObject({ type: "run-finished", interrupted: true, exitCode: 130 });
  });
});

describe("a full disk under the journal", () => {
  it("stops the run as Ctrl-C does: the running step finishes, nothing new starts, locks released; exit 1 naming the journal", async () => {
    const fleetFile = fleetWith(["judy", "judy2"]);
    // Files the CLI writes may reach 32 KiB; once the journal is past that, its next record fails
    // as on a full disk. Blank lines are no records: readers skip them.
    const limit = 32 * 1024;
    const run = new CliProcess(["apply", fleetFile, "--yes", "--json"], { cwd: dir, env, fileSizeBlocks: limit / 512 });
    await run.waitFor("step-started", (event) => event.step === "sandbox-create:judy" && event.host === "h1");
    const journal = journalFiles(join(dir, "state")).at(-1)!;
    appendFileSync(journal, `${" ".repeat(limit)}\n`);

    const ended = await run.finished();
    expect(ended.code, ended.stderr).toBe(1);
    expect(ended.stderr).toContain(`nemoclaw apply: the run journal ${journal} cannot be written (EFBIG: file too large, write)`);
    expect(ended.stderr).toContain("the run was stopped for it (exit 1)");
    expect(ended.stderr).not.toMatch(/\n\s+at /);
    // The events --json printed: the step in flight finished, the next one never started.
    expect(run.ofType("step-finished").find((event) => event.step === "sandbox-create:judy")?.status).toBe("ok");
    expect(run.ofType("step-started").some((event) => event.step === "sandbox-create:judy2")).toBe(false);
    expect(existsSync(lockFile(home("h1")))).toBe(false);
    // The journal ends where it could no longer be written, with no record after a gap.
    expect(journalEvents(journal).at(-1)).toMatchObject({ type: "step-started", step: "sandbox-create:judy" });
    const shown = await runCli(["history", run.ofType("run-started")[0]!.runId], { cwd: dir, env });
    expect(shown.stdout).toContain("h1: during sandbox-create:judy");

    const rerun = apply(fleetFile);
    expect((await rerun.finished()).code).toBe(0);
    expect(planSteps(await planOf(fleetFile, { cwd: dir, env }, ["--limit", "h1"]))).toEqual({ h1: { status: "no-changes", steps: [] } });
  });
});

describe("a full disk under the journal, without --json", () => {
  it("the recap's exit line says 1, as the process exits, not the interruption's 130", async () => {
    const fleetFile = fleetWith(["judy3", "judy4"]);
    const limit = 32 * 1024;
    const journalsBefore = new Set(journalFiles(join(dir, "state")));
    const run = new CliProcess(["apply", fleetFile, "--yes"], { cwd: dir, env, fileSizeBlocks: limit / 512 });
    // No events on stdout here: the journal tells when the first onboard is under way.
    let journal: string | undefined;
    while (journal === undefined) {
      await new Promise((done) => setTimeout(done, 100));
      journal = journalFiles(join(dir, "state")).find((file) => !journalsBefore.has(file) && journalEvents(file).some((event) => event.type === "step-started" && event.step === "sandbox-create:judy3"));
    }
    appendFileSync(journal, `${" ".repeat(limit)}\n`);

    const ended = await run.finished();
    expect(ended.code, ended.stderr).toBe(1);
    expect(ended.stdout).toMatch(/\nexit 1 \(error\)/);
    expect(ended.stdout).not.toContain("exit 130");
  });
});

describe("a killed run", () => {
  it("leaves its lock, which the next run from this machine reclaims at once; that run converges", async () => {
    const fleetFile = fleetWith(["erin"]);
    const run = apply(fleetFile);
    await run.waitFor("step-started", (event) => event.step === "sandbox-create:erin" && event.host === "h1");
    const killedPid = run.child.pid;
    run.child.kill("SIGKILL");
    await run.finished();
    const left = JSON.parse(readFileSync(lockFile(home("h1")), "utf8"));
    expect(left).toMatchObject({ pid: killedPid, machine: hostname() });

    const killedJournal = journalFiles(join(dir, "state")).at(-1)!;
    expect(journalEvents(killedJournal).some((event) => event.type === "run-finished")).toBe(false);

    const rerun = apply(fleetFile);
    const done = await rerun.finished();
    expect(done.code, done.stderr).toBe(0);
    const reclaimed = rerun.ofType("lock-acquired").find((event) => event.host === "h1")?.reclaimed;
    expect(reclaimed).toMatchObject({ holder: { runId: left.runId, pid: killedPid }, reason: expect.stringContaining("no longer running") });
    expect(planSteps(await planOf(fleetFile, { cwd: dir, env }, ["--limit", "h1"]))).toEqual({ h1: { status: "no-changes", steps: [] } });

    const history = await runCli(["history", "--json"], { cwd: dir, env });
    const listed = (JSON.parse(history.stdout) as { runId: string; complete: boolean; exitCode: number }[]).find((entry) => entry.runId === left.runId);
    expect(listed).toMatchObject({ complete: false, exitCode: 130 });
    const shown = await runCli(["history", left.runId], { cwd: dir, env });
    expect(shown.stdout).toContain("the run ended without finishing (killed or crashed)");
    expect(shown.stdout).toContain("h1: during sandbox-create:erin");
  });
});

describe("nemoclaw unlock", () => {
  it("refuses a live lease without --force (exit 7), removes it with --force, and removes a dead run's lock without", async () => {
    const fleetFile = fleetWith(["frank"], "h1,h2");
    const run = apply(fleetFile);
    const header = await run.waitFor("run-started");
    await run.waitFor("lock-acquired", (event) => event.host === "h1");
    await run.waitFor("lock-acquired", (event) => event.host === "h2");
    const refused = await runCli(["unlock", "h1", "--fleet", fleetFile], { cwd: dir, env });
    expect(refused.code, refused.stderr).toBe(7);
    expect(refused.stdout).toContain(`h1: refused: held by run ${header.runId} by ${userInfo().username}@${hostname()} (pid ${run.child.pid})`);
    expect(existsSync(lockFile(home("h1")))).toBe(true);

    const forced = await runCli(["unlock", "h1", "--force", "--fleet", fleetFile], { cwd: dir, env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`h1: removed the lock of run ${header.runId}`);
    expect(existsSync(lockFile(home("h1")))).toBe(false);

    run.child.kill("SIGKILL");
    await run.finished();
    const dead = await runCli(["unlock", "h2", "--fleet", fleetFile, "--json"], { cwd: dir, env });
    expect(dead.code, dead.stderr).toBe(0);
    expect(JSON.parse(dead.stdout)).toMatchObject([{ host: "h2", result: "removed", reason: expect.stringContaining("no longer running") }]);
    expect(existsSync(lockFile(home("h2")))).toBe(false);
  });
});
