/**
 * `nemoclaw apply` as a use case, wired to fakes: the fleet the loader returns, an observation the
 * test scripts (and changes once the command that fixes it has run), a connection that runs the
 * lock scripts for real in a temp HOME and records every other command. Checks what a user sees
 * and what reaches the host.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listRuns } from "../../../src/apply/history.js";
import { FleetValidationError } from "../../../src/config/diagnostics.js";
import { listJournalFiles } from "../../../src/apply/journal.js";
import { createLockFile, serializeLock } from "../../../src/host/system/fleet-lock.js";
import { runApplySession, type ApplySessionOptions, type SessionDeps } from "../../../src/cli/apply-session.js";
import { loadFleetFrom } from "../../../src/cli/fleet-input.js";
import { ExitCode } from "../../../src/exit-codes.js";
import type { HostLockInfo, ObservedHost } from "../../../src/observe/types.js";
import type { Connection, RemoteCommand, RunResult } from "../../../src/transport/types.js";
import { planFleet } from "../../../src/plan/planner.js";
import type { Plan } from "../../../src/plan/types.js";
import { writePlanFile } from "../../../src/report/plan-file.js";
import { LocalShell } from "../apply/local-shell.js";
import { commandsThenObserve } from "../apply/harness.js";
import { converged, desiredSandbox, gateway, NOW, observedSandbox, planOf, policy, registryEntries, registryEntry, type Scenario } from "../plan/builders.js";
import { secretRefsOf } from "../../../src/apply/command.js";
import { BackupStores } from "../../../src/backup/destinations.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "apply-session-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const OPTIONS: ApplySessionOptions = { inventory: [], json: false, yes: false, prune: false, color: false };

/** One host whose sandbox lacks the preset the fleet file asks for: one policy-add to do. */
function session(answers: { stdinIsTTY?: boolean; answer?: string | null; ask?: () => Promise<string | null>; locking?: boolean } = {}, setup: (scenario: Scenario) => void = () => {}) {
  const scenario = converged();
  scenario.host.sandboxes[0]!.policy.presets = ["npm"];
  setup(scenario);
  let catalogueReads = 0;
  let out = "";
  let err = "";
  const ran: string[][] = [];
  const shell = new LocalShell("spark-01", dir);
  const connection = {
    host: "spark-01",
    async run(command: RemoteCommand): Promise<RunResult> {
      if ("script" in command) return shell.run(command);
      ran.push(command.argv);
      return { exitCode: 0, signal: null, stdout: Buffer.from(""), stderr: Buffer.from(""), durationMs: 1, timedOut: false };
    },
  } as unknown as Connection;
  const observe = (): ObservedHost => {
    const observed = structuredClone(scenario.observed);
    if (ran.some((argv) => argv.includes("policy-add"))) registryEntries(observed)[0]!.policies = ["npm"];
    return observed;
  };
  const interrupts: (() => void)[] = [];
  let exited: (code: number) => void = () => undefined;
  const exitCode = new Promise<number>((resolve) => (exited = resolve));
  const observeOnly = commandsThenObserve(() => observe());
  const deps: SessionDeps = {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env: {},
    now: () => NOW,
    identity: { user: "ops", machine: "ctl", pid: process.pid, pidScope: "boot-1:4026531836" },
    journalDir: join(dir, "runs"),
    postWebhook: () => Promise.reject(new Error("no webhook in these tests")),
    onInterrupt: (handler) => {
      interrupts.push(handler);
      return () => void interrupts.splice(interrupts.indexOf(handler), 1);
    },
    exit: (code) => exited(code),
    loadFleet: async () => ({ fleet: scenario.fleet, warnings: [] }),
    selectHosts: (fleet) => fleet.hosts.map((host) => host.name),
    openPool: () => ({ get: async () => connection, closeAll: async () => undefined }),
    readCatalogue: async () => {
      catalogueReads += 1;
      return {};
    },
    observeHost: async () => observe(),
    // With `locking`, the lock part of a round trip runs for real (the same script), in the test's HOME.
    runAndObserve: async (host, conn, request) => {
      const answer = await observeOnly(host, conn, request);
      return answers.locking && request.createLock !== undefined ? { ...answer, lockCreated: await createLockFile(conn, request.createLock, 10_000) } : answer;
    },
    backupService: () => ({
      backupSandbox: async () => {
        throw new Error("no backups in this test");
      },
      restoreSandbox: async () => ({ previous: null }),
      checkRestore: async () => {
        throw new Error("no restores in this test");
      },
    }),
    resolveSecret: async () => "nvapi-secret",
    unwritableStores: async (fleet, pool, policies) => await new BackupStores(fleet, pool).writable(policies),
    ask: answers.ask ?? (async () => (answers.answer === undefined ? "" : answers.answer)),
    stdinIsTTY: answers.stdinIsTTY ?? false,
  };
  const interrupt = () => [...interrupts].forEach((handler) => handler());
  return { deps, ran, scenario, out: () => out, err: () => err, catalogueReads: () => catalogueReads, interrupt, exitCode };
}

/** What `nemoclaw plan` makes of the session's fleet and host. */
function runPlanForTest(s: ReturnType<typeof session>): Plan {
  return planFleet(s.scenario.fleet, { hosts: [structuredClone(s.scenario.observed)] }, { limit: null, hosts: ["spark-01"], pruneUnmanaged: false, now: NOW, toolVersion: "0.1.0" });
}

describe("apply with a plan file that is not a regular file", () => {
  it("a FIFO named .json is refused as a plan file (exit 3) instead of waiting on it; nothing is loaded or contacted", async () => {
    const fifo = join(dir, "fifo.json");
    execFileSync("mkfifo", [fifo]);
    const s = session();
    const loaded: (string | undefined)[] = [];
    s.deps.loadFleet = async (file) => {
      loaded.push(file);
      throw new Error("the fleet must not be loaded");
    };
    expect(await runApplySession(fifo, { ...OPTIONS, yes: true }, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain(`${fifo}: not a usable plan file:\n  is not a regular file (a FIFO); refusing to read it`);
    expect(loaded).toEqual([]);
  });

  it("a device is refused by the fleet loader's own check (exit 3), not read", async () => {
    const s = session();
    s.deps.loadFleet = loadFleetFrom;
    expect(await runApplySession("/dev/zero", { ...OPTIONS, yes: true }, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toMatch(/\/dev\/zero.*is not a regular file \(a character device\); refusing to read it/);
  });
});

describe("apply as a use case", () => {
  it("a secret its steps need that cannot be read refuses the run before the question (exit 3); a run whose steps do not need it goes on", async () => {
    const credentialSource = { file: "fleet.yaml", line: 14, column: 17, path: "sandboxes[1].credential" };
    const s = session({ stdinIsTTY: true, answer: "yes" }, (scenario) => scenario.host.sandboxes.push(desiredSandbox("coder", { credentialSource })));
    const asked: string[] = [];
    s.deps.ask = async (question) => (asked.push(question), "yes");
    s.deps.resolveSecret = async () => {
      throw new Error("secret env:NVIDIA_KEY: environment variable NVIDIA_KEY is not set");
    };
    expect(await runApplySession("fleet.yaml", OPTIONS, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain("fleet.yaml:14:17: sandboxes[1].credential: secret env:NVIDIA_KEY: environment variable NVIDIA_KEY is not set; needed by sandbox-create:coder on spark-01");
    expect(asked).toEqual([]);
    expect(s.ran).toEqual([]);
    expect(listJournalFiles(join(dir, "runs"))).toEqual([]);
    // --target leaves the create out: the other sandbox's step runs without the secret.
    expect(await runApplySession("fleet.yaml", { ...OPTIONS, target: ["assistant@spark-01"] }, s.deps)).toBe(ExitCode.Ok);
    expect(s.ran.some((argv) => argv.includes("policy-add"))).toBe(true);
  });

  it("without a terminal and without --yes shows the plan, refuses, and touches nothing (exit 1)", async () => {
    const s = session();
    expect(await runApplySession("fleet.yaml", OPTIONS, s.deps)).toBe(ExitCode.Error);
    expect(s.out()).toContain("policy-add");
    expect(s.err()).toContain("refusing to apply 2 steps without confirmation: stdin is not a terminal");
    expect(s.ran).toEqual([]);
    expect(listJournalFiles(join(dir, "runs"))).toEqual([]);
  });

  it("asks on a terminal and takes only 'yes'", async () => {
    const s = session({ stdinIsTTY: true, answer: "y" });
    expect(await runApplySession("fleet.yaml", OPTIONS, s.deps)).toBe(ExitCode.Error);
    expect(s.err()).toContain("Apply cancelled; nothing was changed.");
    expect(s.ran).toEqual([]);
  });

  it("Ctrl-C at the prompt cancels at once, saying nothing was changed (exit 130)", async () => {
    const s = session({ stdinIsTTY: true, answer: null });
    expect(await runApplySession("fleet.yaml", OPTIONS, s.deps)).toBe(ExitCode.Interrupted);
    expect(s.err()).toContain("Interrupted; nothing was changed.");
    expect(s.ran).toEqual([]);
  });

  it("holds the host's lock from the plan's observation through the question, and gives it back when the answer is no", async () => {
    const lock = join(dir, ".nemoclaw-fleet", "lock.json");
    let lockedWhileAsking = false;
    const s = session({ stdinIsTTY: true, locking: true, ask: async () => ((lockedWhileAsking = existsSync(lock)), "no") });
    expect(await runApplySession("fleet.yaml", OPTIONS, s.deps)).toBe(ExitCode.Error);
    expect(lockedWhileAsking).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it("Ctrl-C or SIGTERM while the plan waits for its answer gives the host locks back, then ends (exit 130)", async () => {
    const lock = join(dir, ".nemoclaw-fleet", "lock.json");
    let s: ReturnType<typeof session>;
    const asked = new Promise<void>((resolve) => {
      s = session({ stdinIsTTY: true, locking: true, ask: () => (resolve(), new Promise(() => undefined)) });
    });
    void runApplySession("fleet.yaml", OPTIONS, s!.deps);
    await asked;
    expect(existsSync(lock)).toBe(true);
    s!.interrupt();
    expect(await s!.exitCode).toBe(ExitCode.Interrupted);
    expect(existsSync(lock)).toBe(false);
    expect(s!.err()).toContain("Interrupted; nothing was changed. Giving the host locks back");
    expect(s!.ran).toEqual([]);
  });

  it("with --yes --json runs the step, prints the event stream and journals the run", async () => {
    const s = session();
    expect(await runApplySession("fleet.yaml", { ...OPTIONS, yes: true, json: true }, s.deps)).toBe(ExitCode.Ok);
    expect(s.ran).toEqual([["nemoclaw", "assistant", "policy-add", "npm", "--yes"]]);
    const events = s.out().trim().split("\n").map((line) => JSON.parse(line) as { type: string });
    expect(events[0]?.type).toBe("run-started");
    expect(events.at(-1)).toMatchObject({ type: "run-finished", exitCode: 0 });
    expect(listRuns(join(dir, "runs"), 5)).toMatchObject([{ source: "fleet", outcomes: { ok: 1 }, exitCode: 0 }]);
  });
});

describe("apply --target and --replace", () => {
  it("--target runs only that sandbox's steps, and says what it left out", async () => {
    const s = session();
    s.scenario.host.sandboxes.push(desiredSandbox("coder"));
    expect(await runApplySession("fleet.yaml", { ...OPTIONS, yes: true, target: ["assistant@spark-01"] }, s.deps)).toBe(ExitCode.Ok);
    expect(s.ran).toEqual([["nemoclaw", "assistant", "policy-add", "npm", "--yes"]]);
    expect(s.out()).toContain("--target: 1 step for other sandboxes or the host is left out of this plan");
  });

  it("refuses an address that is not a sandbox of the fleet file (exit 3), and says it has no effect on a saved plan", async () => {
    const s = session();
    expect(await runApplySession("fleet.yaml", { ...OPTIONS, yes: true, replace: ["ghost@spark-01"] }, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain("nemoclaw apply: --replace ghost@spark-01: the fleet file puts no sandbox ghost on spark-01");
    expect(s.ran).toEqual([]);
  });
});

describe("a lock a crashed run of this machine left", () => {
  /** A host with nothing to do whose lock file names `holder`, as the plan's observation saw it. */
  function convergedHostLockedBy(holder: HostLockInfo) {
    const s = session({}, (scenario) => {
      scenario.host.sandboxes[0]!.policy.presets = [];
      scenario.observed.fleetLock = { state: "known", value: holder };
    });
    mkdirSync(join(dir, ".nemoclaw-fleet"), { mode: 0o700 });
    writeFileSync(join(dir, ".nemoclaw-fleet", "lock.json"), `${serializeLock(holder)}\n`);
    return s;
  }


  it("is removed on a host that has nothing to do, so it locks no other controller out", async () => {
    // A pid no process has: the run that took the lock was killed.
    const holder = { runId: "20261122T090000Z-dead00", user: "ops", machine: "ctl", pid: 2 ** 22 + 17, startedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(), pidScope: "boot-1:4026531836" };
    const s = convergedHostLockedBy(holder);
    expect(await runApplySession("fleet.yaml", { ...OPTIONS, yes: true, json: true }, { ...s.deps, now: () => new Date() })).toBe(ExitCode.Ok);
    expect(s.ran).toEqual([]);
    expect(existsSync(join(dir, ".nemoclaw-fleet", "lock.json"))).toBe(false);
    const notes = s.out().trim().split("\n").map((line) => JSON.parse(line) as { type: string; message?: string }).filter((event) => event.type === "host-note");
    expect(notes).toEqual([expect.objectContaining({ message: expect.stringMatching(/^removed the lock run 20261122T090000Z-dead00 left: its run \(pid \d+ on ctl\) is no longer running$/) })]);
  });

  it("is left alone when it was taken by another controller with the same hostname", async () => {
    const holder = { runId: "20261122T090000Z-clone0", user: "ops", machine: "ctl", pid: 2 ** 22 + 17, startedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(), pidScope: "boot-2:4026531836" };
    const s = convergedHostLockedBy(holder);
    await runApplySession("fleet.yaml", { ...OPTIONS, yes: true, json: true }, { ...s.deps, now: () => new Date() });
    expect(s.ran).toEqual([]);
    expect(existsSync(join(dir, ".nemoclaw-fleet", "lock.json"))).toBe(true);
  });

  it("is left alone when its run is still alive", async () => {
    const holder = { runId: "20261122T090000Z-live00", user: "ops", machine: "ctl", pid: process.pid, startedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(), pidScope: "boot-1:4026531836" };
    const s = convergedHostLockedBy(holder);
    expect(await runApplySession("fleet.yaml", { ...OPTIONS, yes: true, json: true }, { ...s.deps, now: () => new Date() })).toBe(ExitCode.Ok);
    expect(existsSync(join(dir, ".nemoclaw-fleet", "lock.json"))).toBe(true);
  });
});

describe("apply --lock-timeout", () => {
  it("waits for a lock another run holds on the host, then carries on once it is released", async () => {
    const s = session();
    const holder = { runId: "20261122T090000Z-aaaaaa", user: "alice", machine: "ops-box", pid: 4711, startedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    mkdirSync(join(dir, ".nemoclaw-fleet"), { mode: 0o700 });
    writeFileSync(join(dir, ".nemoclaw-fleet", "lock.json"), `${serializeLock(holder)}\n`);
    setTimeout(() => rmSync(join(dir, ".nemoclaw-fleet", "lock.json")), 300);
    const code = await runApplySession("fleet.yaml", { ...OPTIONS, yes: true, json: true, lockTimeout: 30_000 }, { ...s.deps, now: () => new Date() });
    expect(code, s.err()).toBe(ExitCode.Ok);
    const events = s.out().trim().split("\n").map((line) => JSON.parse(line) as { type: string });
    expect(events.filter((event) => event.type === "lock-waiting")).toEqual([expect.objectContaining({ host: "spark-01", holder, timeoutMs: 30_000 })]);
    expect(s.ran).toEqual([["nemoclaw", "assistant", "policy-add", "npm", "--yes"]]);
  });
});

describe("apply of a saved plan file", () => {
  it("a stale host is explained field by field, and a backup the schedule made due is not said to be dropped", async () => {
    const s = session({}, (scenario) => scenario.fleet.backupPolicies.push(policy("nightly", { schedule: "0 2 * * *" })));
    const file = join(dir, "due.json");
    const saved = planOf(s.scenario, { backupCatalogue: {} });
    expect(saved.hosts[0]!.steps.map((step) => step.id)).toContain("backup:assistant@nightly");
    writePlanFile(file, saved);
    registryEntries(s.scenario.observed)[0]!.policies = ["pypi"];
    expect(await runApplySession(file, { ...OPTIONS, json: true }, s.deps)).toBe(ExitCode.StalePlan);
    const events = s.out().trim().split("\n").map((line) => JSON.parse(line) as { type: string; status?: string; changedFacts?: unknown; stepDrift?: { removed: unknown[]; added: { id: string }[] } });
    const stale = events.find((event) => event.type === "host-finished");
    expect(stale).toMatchObject({ status: "stale", changedFacts: [{ key: "registry:assistant", fields: [{ field: "policies", before: "[]", after: '["pypi"]' }] }] });
    expect(stale?.stepDrift?.removed).toEqual([]);
    expect(stale?.stepDrift?.added.map((step) => step.id)).toEqual(["policy-remove:assistant"]);
    expect(s.catalogueReads()).toBe(1);
    expect(s.ran).toEqual([]);
  });

  it("a secret its steps need that cannot be read refuses the run up front (exit 3), where the fleet file writes it; nothing is run", async () => {
    const credentialSource = { file: "fleet.yaml", line: 14, column: 17, path: "sandboxes[1].credential" };
    const s = session({}, (scenario) => scenario.host.sandboxes.push(desiredSandbox("coder", { credentialSource })));
    const file = join(dir, "secret.json");
    const saved = planOf(s.scenario);
    expect(secretRefsOf(saved.hosts[0]!.steps)).toEqual([{ kind: "env", name: "NVIDIA_KEY" }]);
    writePlanFile(file, saved);
    s.deps.resolveSecret = async () => {
      throw new Error("secret env:NVIDIA_KEY: environment variable NVIDIA_KEY is not set");
    };
    expect(await runApplySession(file, { ...OPTIONS, json: true }, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain(
      "fleet.yaml:14:17: sandboxes[1].credential: secret env:NVIDIA_KEY: environment variable NVIDIA_KEY is not set; needed by sandbox-create:coder on spark-01",
    );
    expect(s.err()).toContain("nothing was changed");
    // A fleet file that no longer writes the reference: the plan file is named instead.
    delete s.scenario.host.sandboxes[1]!.credential;
    expect(await runApplySession(file, { ...OPTIONS, json: true }, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain(`${file}: secret env:NVIDIA_KEY: environment variable NVIDIA_KEY is not set; needed by sandbox-create:coder on spark-01`);
    expect(s.out()).toBe("");
    expect(s.ran).toEqual([]);
    expect(listJournalFiles(join(dir, "runs"))).toEqual([]);
  });

  it("explains a stale host of a plan narrowed by --max-risk with the same ceiling: a held-back step is not said to be added", async () => {
    // Besides the policy-add, a second sandbox that --replace recreates (disruptive).
    const s = session({}, (scenario) => {
      scenario.host.sandboxes.push(desiredSandbox("coder"));
      registryEntries(scenario.observed).push(registryEntry("coder"));
      const live = gateway(scenario.observed).sandboxes;
      if (live.state === "known") live.value.push(observedSandbox("coder"));
    });
    const file = join(dir, "narrowed.json");
    const saved = planOf(s.scenario, { replace: [{ host: "spark-01", sandbox: "coder" }] });
    const recreate = saved.hosts[0]!.steps.find((step) => step.risk === "disruptive");
    expect(recreate?.id).toBeDefined();
    writePlanFile(file, saved);
    registryEntries(s.scenario.observed)[0]!.policies = ["pypi"];
    expect(await runApplySession(file, { ...OPTIONS, json: true, maxRisk: "safe" }, s.deps)).toBe(ExitCode.StalePlan);
    const events = s.out().trim().split("\n").map((line) => JSON.parse(line) as { type: string; stepDrift?: { removed: { id: string }[]; added: { id: string }[] } });
    const drift = events.find((event) => event.type === "host-finished")?.stepDrift;
    expect(drift?.added.map((step) => step.id)).not.toContain(recreate!.id);
    expect(drift?.removed.map((step) => step.id)).toEqual([]);
    expect(s.ran).toEqual([]);
  });

  /** A saved plan of the session's fleet with a backup step to policy nightly first; no host may be observed for it. */
  function savedPlanWithBackupStep(s: ReturnType<typeof session>, name: string): string {
    const file = join(dir, name);
    const saved = planOf(s.scenario);
    const first = saved.hosts[0]!.steps[0]!;
    saved.hosts[0]!.steps.unshift({ ...first, id: "backup:assistant@nightly", kind: "backup", commands: [], dependsOn: [], params: { policy: "nightly" } });
    writePlanFile(file, saved);
    s.deps.observeHost = async () => {
      throw new Error("no host may be contacted");
    };
    return file;
  }

  it("a backup step whose store cannot be written refuses the plan before any host is touched (exit 1)", async () => {
    writeFileSync(join(dir, "a-file"), "");
    const store = join(dir, "a-file", "store");
    const s = session({}, (scenario) => scenario.fleet.backupPolicies.push(policy("nightly", { destination: { kind: "local", path: store } })));
    const file = savedPlanWithBackupStep(s, "unwritable.json");
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.Error);
    expect(s.err()).toContain(`nemoclaw apply: backup store ${store} of policy "nightly" cannot be written: ENOTDIR`);
    expect(s.err()).toContain("nothing was changed");
    expect(s.ran).toEqual([]);
    expect(listJournalFiles(join(dir, "runs"))).toEqual([]);
  });

  it("a backup step whose store is on a host that cannot be reached refuses the plan before any host is touched (exit 4, as backup run)", async () => {
    const s = session({}, (scenario) => scenario.fleet.backupPolicies.push(policy("nightly", { destination: { kind: "ssh", host: "vault-01", path: "/srv/backups" } })));
    const file = savedPlanWithBackupStep(s, "unreachable-store.json");
    s.deps.unwritableStores = async () => ({ problems: [], unreachable: ['backup store vault-01:/srv/backups of policy "nightly" could not be reached: connect ECONNREFUSED'] });
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.Unreachable);
    expect(s.err()).toContain('nemoclaw apply: backup store vault-01:/srv/backups of policy "nightly" could not be reached: connect ECONNREFUSED\n');
    expect(s.err()).toContain("nemoclaw apply: the plan backs up to a store that cannot be reached; nothing was changed\n");
    expect(s.ran).toEqual([]);
  });

  it("a backup step whose policy the fleet file no longer defines refuses the plan before any host is touched (exit 3)", async () => {
    const s = session();
    const file = savedPlanWithBackupStep(s, "renamed.json");
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain(`${file}: not a usable plan file:\n  backs up to policies`);
    expect(s.err()).toContain("(it has: none): backup:assistant@nightly on spark-01 (policy nightly); re-run `nemoclaw plan`; nothing was applied");
    expect(s.ran).toEqual([]);
  });

  it("a --limit that selects none of a saved plan's hosts names nothing to apply: exit 3, as a --limit matching no host", async () => {
    const s = session();
    const file = join(dir, "plan.json");
    writePlanFile(file, planOf(s.scenario));
    s.deps.selectHosts = () => ["spark-09"];
    expect(await runApplySession(file, { ...OPTIONS, limit: "spark-09" }, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain("nemoclaw apply: --limit 'spark-09' selects none of the plan's hosts (spark-01)");
    expect(s.ran).toEqual([]);
  });

  it("refuses a file that is not a usable plan as a validation error (exit 3), naming the problem", async () => {
    const s = session();
    const file = join(dir, "plan.json");
    writeFileSync(file, JSON.stringify({ kind: "nemoclaw-fleet-plan", formatVersion: 99 }));
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain(`${file}: not a usable plan file:`);
    expect(s.err()).toContain("formatVersion 99 is not supported");
  });

  /** The session's plan, saved as `plan -o` saves it, with `edit` applied to the plan first. */
  async function savedPlan(edit: (plan: Plan) => void = () => undefined): Promise<string> {
    const s = session();
    const file = join(dir, "saved.json");
    const planned = runPlanForTest(s);
    edit(planned);
    writePlanFile(file, planned);
    return file;
  }

  it("reports a damaged plan file as a broken plan file (exit 3), not as a fleet file", async () => {
    const file = await savedPlan();
    writeFileSync(file, readFileSync(file, "utf8").slice(0, 200));
    const s = session();
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain(`${file}: not a usable plan file:\n  is not JSON (damaged or cut short?)`);
    expect(s.err()).not.toMatch(/YAML|fleet file/);
    expect(s.ran).toEqual([]);
  });

  it("says which plan a missing fleet file comes from", async () => {
    const file = await savedPlan();
    const s = session();
    s.deps.loadFleet = async () => {
      throw new FleetValidationError([{ file: "fleet.yaml", line: 1, column: 1, path: "", message: "fleet file does not exist", severity: "error" }]);
    };
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain(`${file}: the plan was made from `);
    expect(s.err()).toContain(" (fleet.file), which apply reads for the hosts' settings:\nfleet.yaml:1:1: fleet file does not exist");
    expect(s.ran).toEqual([]);
  });

  it("a plan made from inventories alone needs them again: without -i it says so (exit 3), with them it runs", async () => {
    const file = await savedPlan((plan) => (plan.fleet.file = "<inventory>"));
    const s = session();
    let loaded = 0;
    const load = s.deps.loadFleet;
    s.deps.loadFleet = async (...args) => {
      loaded += 1;
      return load(...args);
    };
    expect(await runApplySession(file, { ...OPTIONS, yes: true }, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toBe(
      `${file}: the plan was made from inventories alone (no fleet file), and apply reads them again for the hosts' settings: give them with -i, as in \`nemoclaw apply ${file} -i <inventory>\`; nothing was applied\n`,
    );
    expect(loaded).toBe(0);
    expect(s.ran).toEqual([]);

    const given = session();
    expect(await runApplySession(file, { ...OPTIONS, yes: true, inventory: ["hosts.ini"] }, given.deps)).toBe(ExitCode.Ok);
    expect(given.ran.some((argv) => argv.includes("policy-add"))).toBe(true);
  });

  it("refuses, as a whole and before anything runs, a plan naming a host that is not in the fleet (exit 3)", async () => {
    const file = await savedPlan((plan) => {
      const other = structuredClone(plan.hosts[0]!);
      other.host = "spark-99";
      plan.hosts.push(other);
      plan.selection.hosts.push("spark-99");
    });
    const s = session();
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain("names host(s) that are not in");
    expect(s.err()).toContain("spark-99; nothing was applied");
    expect(s.ran).toEqual([]);
    expect(listJournalFiles(join(dir, "runs"))).toEqual([]);
  });

  it("refuses a plan whose command was edited after it was saved (exit 3), and runs the reviewed one otherwise", async () => {
    const file = await savedPlan();
    const saved = JSON.parse(readFileSync(file, "utf8")) as Plan;
    const step = saved.hosts[0]!.steps.find((candidate) => candidate.kind === "policy-add")!;
    step.commands[0]!.argv = ["nemoclaw", "assistant", "destroy", "--yes"];
    writeFileSync(file, JSON.stringify(saved));
    const s = session();
    expect(await runApplySession(file, OPTIONS, s.deps)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain("does not match its planDigest");
    expect(s.ran).toEqual([]);

    const good = await savedPlan();
    const again = session();
    expect(await runApplySession(good, OPTIONS, again.deps)).toBe(ExitCode.Ok);
    expect(again.ran).toEqual([["nemoclaw", "assistant", "policy-add", "npm", "--yes"]]);
  });
});
