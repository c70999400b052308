/**
 * `nemoclaw backup …` as a use case, wired to fakes: a fleet the loader returns, observations and a
 * backup service the test scripts, a store in a temp directory, output and journal captured. Checks
 * what a user sees (output on the injected streams, exit codes) and that `backup run` is journaled
 * so `nemoclaw history` lists it with apply's events.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listRuns, summarizeJournal } from "../../../src/apply/history.js";
import { listJournalFiles, readJournal } from "../../../src/apply/journal.js";
import { BackupStores } from "../../../src/backup/destinations.js";
import { recordOf } from "../../../src/backup/record.js";
import type { BackupService } from "../../../src/backup/service.js";
import { BackupStore, partialName } from "../../../src/backup/store.js";
import { LocalStoreBackend } from "../../../src/backup/store-local.js";
import { type BackupSessionDeps, dueCommand, restoreCommand, runCommand, verifyCommand, withContext } from "../../../src/cli/backup-session.js";
import { DEFAULT_BACKUP_LOCK_TIMEOUT_MS } from "../../../src/cli/backup.js";
import type { DesiredFleet } from "../../../src/config/types.js";
import { ExitCode } from "../../../src/exit-codes.js";
import { FleetValidationError } from "../../../src/config/diagnostics.js";
import type { ObservedHost } from "../../../src/observe/types.js";
import { type HostLockInfo, lockText } from "../../../src/host/system/fleet-lock.js";
import { mapHosts } from "../../../src/transport/pool.js";
import type { Connection, RemoteCommand } from "../../../src/transport/types.js";
import { desiredHost, fleet, gateway, observedHost, policy, sandbox } from "../backup/fixtures.js";
import { diskFull, manifestFor, tarStream, TIMESTAMP, writeSnapshot } from "../backup/helpers.js";
import { parseExposition, stateOf, valueOf } from "../../support/exposition.js";

const owner = { machine: "ctl", pid: 4242, pidScope: "boot-1:4026531836" };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "backup-session-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Scripted {
  observed: Record<string, ObservedHost>;
  /** Resolves only when the run is aborted (to test Ctrl-C). */
  hang?: boolean;
  /** Hosts whose fleet lock another run holds, and that run. */
  lockedBy?: Record<string, HostLockInfo>;
  /** The holders give their locks back while a run that waits for them waits. */
  releasedWhileWaiting?: boolean;
}

function session(desired: DesiredFleet, scripted: Scripted) {
  let out = "";
  let err = "";
  let interrupt: (() => void) | null = null;
  const backedUp: string[] = [];
  const locks: string[] = [];
  const service: BackupService = {
    async backupSandbox(request) {
      if (scripted.hang) {
        await new Promise<void>((_, reject) => request.signal?.addEventListener("abort", () => reject(new Error("cancelled"))));
      }
      backedUp.push(`${request.host.name}/${request.sandbox}`);
      return recordOf(manifestFor(request.host.name, request.sandbox, { sizeBytes: 10, sha256: "a".repeat(64) }, { policy: request.policy.name }), "/store");
    },
    async restoreSandbox() {
      throw new Error("not used");
    },
    async checkRestore() {
      throw new Error("not used");
    },
  };
  /** A host whose only commands are the lock's own: a release (compare-and-swap to nothing) is recorded. */
  const connectionTo = (host: string) =>
    ({
      host,
      run: async (command: RemoteCommand) => {
        if ("script" in command && command.script.includes('rm -f "$lock"')) locks.push(`released ${host}`);
        return { exitCode: 0, signal: null, stdout: Buffer.from("SWAPPED\n"), stderr: Buffer.alloc(0), durationMs: 0, timedOut: false };
      },
    }) as unknown as Connection;
  const deps: BackupSessionDeps = {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env: {},
    now: () => new Date("2026-07-10T02:00:00Z"),
    identity: { user: "ops", machine: "ctl", pid: 4242, pidScope: "boot-1:4026531836" },
    journalDir: join(dir, "runs"),
    postWebhook: () => Promise.reject(new Error("no webhook in these tests")),
    exit: () => undefined,
    onInterrupt: (handler) => {
      interrupt = handler;
      return () => (interrupt = null);
    },
    loadFleet: async () => ({ fleet: desired, warnings: [] }),
    selectHosts: (fleetValue) => fleetValue.hosts.map((host) => host.name),
    openPool: () => ({ get: async (host: string) => connectionTo(host), closeAll: async () => undefined }),
    openStores: (fleetValue, pool) => new BackupStores(fleetValue, pool),
    backupService: () => service,
    observeHost: async (host) => scripted.observed[host.name]!,
    mapHosts,
    pidAlive: () => false,
    acquireHostLock: async (connection, lockOptions) => {
      const holder = scripted.lockedBy?.[connection.host];
      if (holder !== undefined && lockOptions.wait !== undefined) {
        lockOptions.wait.onWait?.(holder);
        locks.push(`waited up to ${lockOptions.wait.timeoutMs} ms for ${connection.host}`);
      }
      if (holder !== undefined && !(lockOptions.wait !== undefined && scripted.releasedWhileWaiting)) return { acquired: false, holder, reason: "its lease runs until 02:10" };
      return { acquired: true, reclaimed: null, lease: { info: { user: "ops", machine: "ctl", pid: 4242, runId: lockOptions.runId, startedAt: "", expiresAt: "" }, content: "", renew: async () => true, release: async () => void locks.push(`released ${connection.host}`), released: () => undefined } };
    },
    // The look that takes the lock: refused by a holder, or created and kept or given back as the run answers.
    runAndObserve: async (host, _connection, request) => {
      const observed = scripted.observed[host.name]!;
      const holder = scripted.lockedBy?.[host.name];
      if (holder !== undefined) return { outcomes: [], observed, lockCreated: { created: false, current: { present: true, text: lockText(holder), aged: false } }, lockReleased: null };
      const giveBack = (await request.releaseLockIf?.(observed)) ?? false;
      locks.push(`${giveBack ? "locked and released" : "locked"} ${host.name} in its look`);
      return { outcomes: [], observed, lockCreated: { created: true }, lockReleased: giveBack ? "swapped" : null };
    },
  };
  const options = { inventory: [] as string[], json: false, policy: [] as string[], color: false, sandbox: [] as string[], strict: false, due: false, lockTimeout: 0 };
  return {
    deps,
    backedUp,
    locks,
    out: () => out,
    err: () => err,
    interrupt: () => interrupt?.(),
    run: (extra: Partial<typeof options & { metricsFile: string }> = {}) => withContext("fleet.yaml", { ...options, ...extra }, deps, (context) => runCommand(context, { ...options, ...extra })),
    due: () => withContext("fleet.yaml", options, deps, (context) => dueCommand(context, options)),
  };
}

describe("backup restore as a use case", () => {
  it("a target host the fleet does not have is refused before any store or host is read (exit 3), with the name meant", async () => {
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }])], [policy("nightly", { destination: { kind: "local", path: join(dir, "store") } })]);
    const s = session(desired, { observed: {} });
    s.deps.openStores = (fleetValue, pool) =>
      Object.assign(new BackupStores(fleetValue, pool), {
        open: () => {
          throw new Error("no store may be opened");
        },
      });
    const options = { inventory: [] as string[], json: false, policy: [] as string[], color: false };
    expect(await withContext("fleet.yaml", options, s.deps, (context) => restoreCommand(context, "spark-01/alice", { ...options, to: "sprak-01/alice" }))).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain('nemoclaw backup restore: sprak-01 is not a host of this fleet; did you mean "spark-01"?; nothing was restored');
  });
});

describe("backup run as a use case", () => {
  it("backs up, prints the report on its own stdout, and journals the run so history lists it as a backup run", async () => {
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }])], [policy("nightly", { destination: { kind: "local", path: join(dir, "store") } })]);
    const s = session(desired, { observed: { "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]) } });
    expect(await s.run()).toBe(ExitCode.Ok);
    expect(s.backedUp).toEqual(["spark-01/alice"]);
    expect(s.out()).toContain("spark-01: ok, 1 backed up, 0 skipped, 0 failed");

    const [journal] = listJournalFiles(join(dir, "runs"));
    const types = readJournal(journal!).events.map((event) => event.type);
    expect(types).toEqual(["run-started", "lock-acquired", "host-started", "step-started", "step-finished", "host-finished", "run-finished"]);
    const [run] = listRuns(join(dir, "runs"), 10);
    expect(run).toMatchObject({ source: "backup", hosts: 1, outcomes: { ok: 1 }, exitCode: 0, complete: true });
    const summary = summarizeJournal(journal!);
    expect(summary.hosts[0]?.steps.map((step) => [step.id, step.kind, step.status])).toEqual([["backup:alice@nightly", "backup", "ok"]]);
  });

  it("holds each host's fleet lock while it backs up there; a host another run holds is journaled as locked (exit 7), the others are backed up", async () => {
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }]), desiredHost("spark-02", [{ name: "bob" }])], [policy("nightly", { destination: { kind: "local", path: join(dir, "store") } })]);
    const holder: HostLockInfo = { runId: "20260710T015500Z-9b0e11", user: "alice", machine: "ctl-02", pid: 5120, startedAt: "2026-07-10T01:55:00.000Z", expiresAt: "2026-07-10T02:10:00.000Z" };
    const s = session(desired, {
      observed: { "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]), "spark-02": observedHost("spark-02", [gateway("nemoclaw", [sandbox("bob")])]) },
      lockedBy: { "spark-02": holder },
    });
    expect(await s.run()).toBe(ExitCode.LockHeld);
    expect(s.backedUp).toEqual(["spark-01/alice"]);
    expect(s.locks).toEqual(["locked spark-01 in its look", "released spark-01"]);
    const summary = summarizeJournal(listJournalFiles(join(dir, "runs"))[0]!);
    expect(summary.hosts.map((host) => [host.host, host.status])).toEqual([["spark-01", "ok"], ["spark-02", "locked"]]);
    expect(summary.hosts[1]?.message).toBe("run 20260710T015500Z-9b0e11 by alice@ctl-02 (pid 5120), started 2026-07-10T01:55:00.000Z, lease until 2026-07-10T02:10:00.000Z (its lease runs until 02:10)");
    expect(s.err()).toContain("✗ spark-02: locked, nothing backed up: run 20260710T015500Z-9b0e11 by alice@ctl-02");
    expect(s.out()).toContain("  spark-02: locked\n");
  });

  it("takes each host's lock in the round trip of its look: kept where a sandbox is Ready (no second look), given back in it where none is", async () => {
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }]), desiredHost("spark-02", [{ name: "bob" }])], [policy("nightly", { destination: { kind: "local", path: join(dir, "store") } })]);
    const s = session(desired, {
      observed: { "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]), "spark-02": observedHost("spark-02", [gateway("nemoclaw", [sandbox("bob", "Provisioning")])]) },
    });
    s.deps.observeHost = async (host) => {
      throw new Error(`${host.name} was looked at a second time`);
    };
    s.deps.acquireHostLock = async (connection) => {
      throw new Error(`${connection.host}'s lock was taken in a round trip of its own`);
    };
    const looks: unknown[] = [];
    const look = s.deps.runAndObserve;
    s.deps.runAndObserve = (host, connection, request) => {
      looks.push(request.observe);
      return look(host, connection, request);
    };
    expect(await s.run()).toBe(ExitCode.Ok);
    // The backup probe: no guard checks inside the sandboxes (observeForBackup's).
    expect(looks).toEqual([{ sandboxGuards: false }, { sandboxGuards: false }]);
    expect(s.backedUp).toEqual(["spark-01/alice"]);
    expect(s.locks).toEqual(["locked spark-01 in its look", "locked and released spark-02 in its look", "released spark-01"]);
    const { events } = readJournal(listJournalFiles(join(dir, "runs"))[0]!);
    expect(events.filter((event) => event.type === "lock-acquired").map((event) => "host" in event && event.host)).toEqual(["spark-01"]);
  });

  it("waits for a host lock another run holds, saying so, and backs the host up once it is given back (--lock-timeout, default 5m)", async () => {
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }])], [policy("nightly", { destination: { kind: "local", path: join(dir, "store") } })]);
    const holder: HostLockInfo = { runId: "20260710T020000Z-5c0a7e", user: "ops", machine: "ctl", pid: 5120, startedAt: "2026-07-10T02:00:00.000Z", expiresAt: "2026-07-10T02:15:00.000Z" };
    const s = session(desired, { observed: { "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]) }, lockedBy: { "spark-01": holder }, releasedWhileWaiting: true });
    expect(await s.run({ lockTimeout: DEFAULT_BACKUP_LOCK_TIMEOUT_MS })).toBe(ExitCode.Ok);
    expect(s.backedUp).toEqual(["spark-01/alice"]);
    expect(s.locks).toEqual(["waited up to 300000 ms for spark-01", "released spark-01"]);
    expect(s.err()).toContain("spark-01: waiting up to 5m for the host lock of run 20260710T020000Z-5c0a7e by ops@ctl (pid 5120)");
  });

  it("journals the wait for a host lock, also with --json, so history shows whose lock the host waits for", async () => {
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }])], [policy("nightly", { destination: { kind: "local", path: join(dir, "store") } })]);
    const holder: HostLockInfo = { runId: "20260710T020000Z-5c0a7e", user: "ops", machine: "ctl", pid: 5120, startedAt: "2026-07-10T02:00:00.000Z", expiresAt: "2026-07-10T02:15:00.000Z" };
    const s = session(desired, { observed: { "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]) }, lockedBy: { "spark-01": holder }, releasedWhileWaiting: true });
    expect(await s.run({ json: true, lockTimeout: DEFAULT_BACKUP_LOCK_TIMEOUT_MS })).toBe(ExitCode.Ok);
    const { events } = readJournal(listJournalFiles(join(dir, "runs"))[0]!);
    const lockEvents = events.filter((event) => event.type.startsWith("lock-"));
    expect(lockEvents).toMatchObject([
      { type: "lock-waiting", host: "spark-01", holder, timeoutMs: DEFAULT_BACKUP_LOCK_TIMEOUT_MS },
      { type: "lock-acquired", host: "spark-01", reclaimed: null },
    ]);
    expect(summarizeJournal(listJournalFiles(join(dir, "runs"))[0]!).hosts[0]).toMatchObject({ status: "ok", waitingForLock: null });
  });

  it("journals a host the schema preflight refuses as blocked, with NemoClaw's block, and exits 8", async () => {
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }])], [policy("nightly", { destination: { kind: "local", path: join(dir, "store") } })]);
    const drifted = observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")], "0.0.43")]);
    const s = session(desired, { observed: { "spark-01": drifted } });
    expect(await s.run()).toBe(ExitCode.PreflightRefused);
    expect(s.backedUp).toEqual([]);
    const summary = summarizeJournal(listJournalFiles(join(dir, "runs"))[0]!);
    expect(summary.hosts[0]?.status).toBe("blocked");
    expect(summary.hosts[0]?.block).toContain("  OpenShell gateway schema preflight failed before backing up sandboxes.");
    expect(summary.exitCode).toBe(ExitCode.PreflightRefused);
  });

  it("stops on Ctrl-C: exit 130, and the journal says the run was interrupted", async () => {
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }])], [policy("nightly", { destination: { kind: "local", path: join(dir, "store") } })]);
    const s = session(desired, { observed: { "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]) }, hang: true });
    const running = s.run();
    await new Promise((resolve) => setTimeout(resolve, 50));
    s.interrupt();
    expect(await running).toBe(ExitCode.Interrupted);
    const summary = summarizeJournal(listJournalFiles(join(dir, "runs"))[0]!);
    expect(summary.interrupted).toBe(true);
    // Cancelled in flight, not failed: the host was interrupted there (docs/journal.md).
    expect(summary.hosts[0]?.steps[0]).toMatchObject({ id: "backup:alice@nightly", status: "cancelled", error: "interrupted: cancelled" });
    expect(summary.hosts[0]?.status).toBe("interrupted");
    expect(summary.stoppedAt).toEqual([{ host: "spark-01", step: "backup:alice@nightly", notStarted: [] }]);
  });

  it("refuses an unknown policy on its own stderr with the validation exit code, writing no journal", async () => {
    const desired = fleet([desiredHost("spark-01")], [policy("nightly")]);
    const s = session(desired, { observed: {} });
    expect(await s.run({ policy: ["weekly"] })).toBe(ExitCode.ValidationError);
    expect(s.err()).toBe("nemoclaw backup: no backup policy named weekly (policies: nightly)\n");
    expect(listJournalFiles(join(dir, "runs"))).toEqual([]);
  });

  it("says a policy is due (exit 2) when its store has no backup since the schedule fired", async () => {
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }])], [policy("nightly", { schedule: "0 2 * * *", destination: { kind: "local", path: join(dir, "store") } })]);
    const s = session(desired, { observed: {} });
    expect(await s.due()).toBe(ExitCode.Changes);
    expect(s.out()).toContain("nightly");
  });
});

describe("the fleet file a backup command reads", () => {
  const missing = async (fleetFile: string) => {
    throw new FleetValidationError([{ file: fleetFile, line: 1, column: 1, path: "", message: "fleet file does not exist", severity: "error" }]);
  };
  const options = { inventory: ["hosts.ini"], json: false, policy: [] as string[], color: false };

  it("when none was named and ./fleet.yaml is missing, says that backup policies come from a fleet file", async () => {
    const s = session(fleet([], []), { observed: {} });
    s.deps.loadFleet = missing;
    expect(await withContext(undefined, options, s.deps, async () => ExitCode.Ok)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain("fleet.yaml:1:1: fleet file does not exist");
    expect(s.err()).toContain("(no fleet file was named, so ./fleet.yaml was read; backup commands take their policies from a fleet file: name it, as in `nemoclaw backup list lab.yaml`)");
  });

  it("a named one that is missing is only reported", async () => {
    const s = session(fleet([], []), { observed: {} });
    s.deps.loadFleet = missing;
    expect(await withContext("lab.yaml", options, s.deps, async () => ExitCode.Ok)).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain("lab.yaml:1:1: fleet file does not exist");
    expect(s.err()).not.toContain("no fleet file was named");
  });
});

describe("backup verify as a use case", () => {
  it("on a store whose disk is full reports every backup, keeps the results and exits 5", async () => {
    const storeDir = join(dir, "store");
    const desired = fleet([desiredHost("spark-01")], [policy("nightly", { destination: { kind: "local", path: storeDir } })]);
    const writer = new BackupStore(new LocalStoreBackend(storeDir, () => partialName(owner)), owner);
    const nemoclaw = join(dir, "home/.nemoclaw");
    for (const sandboxName of ["alice", "bob"]) {
      writeSnapshot(nemoclaw, sandboxName);
      const { stream, done } = tarStream(nemoclaw, sandboxName);
      await writer.write({ host: "spark-01", sandbox: sandboxName, timestamp: TIMESTAMP, source: stream, sourceDone: done, verify: true, now: () => new Date(), manifestFor: (archive) => manifestFor("spark-01", sandboxName, archive) });
    }
    const s = session(desired, { observed: {} });
    const full = new BackupStore(diskFull(new LocalStoreBackend(storeDir, () => partialName(owner))), owner);
    const real = new BackupStores(desired, { get: async () => ({}) as Connection });
    s.deps.openStores = () => ({ open: async () => full, storeOf: async () => full, destinationsOf: (policies: never) => real.destinationsOf(policies) }) as unknown as BackupStores;
    const options = { inventory: [] as string[], json: true, policy: [] as string[], color: false, host: [] as string[], sandbox: [] as string[], latest: false };
    expect(await withContext("fleet.yaml", options, s.deps, (context) => verifyCommand(context, options))).toBe(ExitCode.Failed);
    const results = (JSON.parse(s.out()) as { results: { id: string; ok: boolean; recorded: boolean; notRecorded?: string }[] }).results;
    expect(results.map((result) => [result.id, result.ok, result.recorded])).toEqual([
      [`spark-01/alice/${TIMESTAMP}`, true, false],
      [`spark-01/bob/${TIMESTAMP}`, true, false],
    ]);
    expect(results[0]?.notRecorded).toMatch(/ENOSPC: no space left on device/);

    const human = session(desired, { observed: {} });
    human.deps.openStores = s.deps.openStores;
    expect(await withContext("fleet.yaml", { ...options, json: false }, human.deps, (context) => verifyCommand(context, { ...options, json: false }))).toBe(ExitCode.Failed);
    expect(human.err()).toContain("! the result could not be recorded in manifest.json: ENOSPC");
    expect(human.out()).toBe("2 of 2 backup(s) verified; 2 result(s) could not be recorded in the store\n");
  });
});

describe("--metrics-file", () => {
  it("backup run writes the run's outcome, each host's status and its duration", async () => {
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }])], [policy("nightly", { destination: { kind: "local", path: join(dir, "store") } })]);
    const s = session(desired, { observed: { "spark-01": observedHost("spark-01", [gateway("nemoclaw", [sandbox("alice")])]) } });
    expect(await s.run({ metricsFile: join(dir, "backup-run.prom") })).toBe(ExitCode.Ok);
    const families = parseExposition(readFileSync(join(dir, "backup-run.prom"), "utf8"));
    expect(valueOf(families, "nemoclaw_run_exit_code", { command: "backup run" })).toBe(0);
    expect(stateOf(families, "nemoclaw_run_host_status", { command: "backup run", host: "spark-01" }, "status")).toBe("ok");
    expect(valueOf(families, "nemoclaw_run_steps", { command: "backup run", status: "ok" })).toBe(1);
    const [journal] = listJournalFiles(join(dir, "runs"));
    expect(valueOf(families, "nemoclaw_run_info", { command: "backup run" })).toBe(1);
    expect(families.get("nemoclaw_run_info")!.samples[0]!.labels.run_id).toBe(basename(journal!, ".jsonl"));
  });

  it("backup due writes each sandbox's backups against the policy, also when a store cannot be read", async () => {
    const store = join(dir, "store");
    const desired = fleet([desiredHost("spark-01", [{ name: "alice" }])], [policy("nightly", { schedule: "0 2 * * *", destination: { kind: "local", path: store } })]);
    const s = session(desired, { observed: {} });
    const path = join(dir, "backups.prom");
    const options = { inventory: [] as string[], json: false, policy: [] as string[], color: false, metricsFile: path };
    expect(await withContext("fleet.yaml", options, s.deps, (context) => dueCommand(context, options))).toBe(ExitCode.Changes);
    let families = parseExposition(readFileSync(path, "utf8"));
    expect(stateOf(families, "nemoclaw_backup_state", { policy: "nightly", host: "spark-01", sandbox: "alice" })).toBe("never");
    expect(valueOf(families, "nemoclaw_backup_policy_interval_seconds", { policy: "nightly" })).toBe(86_400);

    const real = new BackupStores(desired, { get: async () => ({}) as Connection });
    s.deps.openStores = () =>
      ({
        open: async () => Promise.reject(new Error("EACCES: permission denied")),
        destinationsOf: (policies: never) => real.destinationsOf(policies),
      }) as unknown as BackupStores;
    expect(await withContext("fleet.yaml", options, s.deps, (context) => dueCommand(context, options))).toBe(ExitCode.Unreachable);
    families = parseExposition(readFileSync(path, "utf8"));
    expect(valueOf(families, "nemoclaw_backup_store_up", { store })).toBe(0);
    expect(stateOf(families, "nemoclaw_backup_state", { policy: "nightly", sandbox: "alice" })).toBe("unknown");
  });

  it("refuses a path it cannot write before reading the fleet file, naming the path", async () => {
    const desired = fleet([desiredHost("spark-01")], [policy("nightly")]);
    const s = session(desired, { observed: {} });
    let loaded = false;
    s.deps.loadFleet = async () => {
      loaded = true;
      return { fleet: desired, warnings: [] };
    };
    const missing = join(dir, "no-such-dir", "backups.prom");
    const options = { inventory: [] as string[], json: false, policy: [] as string[], color: false, metricsFile: missing };
    expect(await withContext("fleet.yaml", options, s.deps, (context) => dueCommand(context, options))).toBe(ExitCode.Error);
    expect(s.err()).toBe(`nemoclaw backup: --metrics-file ${missing}: directory ${join(dir, "no-such-dir")} does not exist\n`);
    const directory = { ...options, metricsFile: dir };
    expect(await withContext("fleet.yaml", directory, s.deps, (context) => dueCommand(context, directory))).toBe(ExitCode.Error);
    expect(s.err()).toContain(`--metrics-file ${dir}: is a directory; name a file in it`);
    expect(loaded).toBe(false);
  });
});
