/** `nemoclaw history` and `nemoclaw unlock` as use cases, on injected streams and a temp journal directory / HOME. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventBus } from "../../../src/apply/events.js";
import { JournalWriter } from "../../../src/apply/journal.js";
import { Redactor } from "../../../src/apply/redact.js";
import { runHistoryCommand, runHistoryPrune } from "../../../src/cli/history.js";
import { listJournalFiles } from "../../../src/apply/journal.js";
import { runUnlockCommand } from "../../../src/cli/unlock.js";
import { ExitCode } from "../../../src/exit-codes.js";
import { TransportError } from "../../../src/transport/types.js";
import { serializeLock } from "../../../src/host/system/fleet-lock.js";
import { BackupRunEvents } from "../../../src/report/backup-run-events.js";
import { fleet as backupFleet } from "../backup/fixtures.js";
import { fleet } from "../apply/fixtures.js";
import { LocalShell } from "../apply/local-shell.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ncf-cli-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function streams() {
  let out = "";
  let err = "";
  return { stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (err += text) }, env: {}, out: () => out, err: () => err };
}

/** A backup run's journal, started for spark-01 under policy nightly; the caller records the rest and closes it. */
function startBackupRun(runId: string): { writer: JournalWriter; events: BackupRunEvents } {
  const now = () => new Date("2026-07-10T02:00:00Z");
  const writer = JournalWriter.open(dir, runId, new Redactor());
  const bus = new EventBus(runId, now);
  bus.subscribe((event) => writer.write(event));
  const events = new BackupRunEvents(bus, now);
  events.runStarted({ toolVersion: "0.1.0", identity: { user: "ops", machine: "ctl", pid: 1, pidScope: "boot-1:4026531836" }, fleet: backupFleet([], []), policies: ["nightly"], limit: null, hosts: ["spark-01"], sandboxes: [], concurrency: 1, journal: writer.path });
  events.onRunEvent({ type: "host-start", host: "spark-01" });
  return { writer, events };
}

function recordBackupRun(runId: string): void {
  const { writer, events } = startBackupRun(runId);
  events.onRunEvent({ type: "host-plan", host: "spark-01", steps: [{ id: "backup:alice@nightly", sandbox: "alice", gateway: "nemoclaw", policy: "nightly" }] });
  const outcome = { host: "spark-01", sandbox: "alice", gateway: "nemoclaw", policy: "nightly", status: "failed" as const, reason: "snapshot failed" };
  events.onRunEvent({ type: "sandbox-done", outcome });
  const host = { host: "spark-01", status: "failed" as const, problems: [], sandboxes: [outcome] };
  events.onRunEvent({ type: "host-done", outcome: host });
  events.runFinished({ runId, startedAt: "", finishedAt: "", policies: ["nightly"], hosts: [host], cleaned: [], storeProblems: [], unreachableStores: [], unmatchedSandboxes: { globs: [], available: [] } }, 5, false);
  writer.close();
}

/** A backup run Ctrl-C stopped while alice's backup was in flight, before bob's. */
function recordInterruptedBackupRun(runId: string): void {
  const { writer, events } = startBackupRun(runId);
  const steps = ["alice", "bob"].map((sandbox) => ({ id: `backup:${sandbox}@nightly`, sandbox, gateway: "nemoclaw", policy: "nightly" }));
  events.onRunEvent({ type: "host-plan", host: "spark-01", steps });
  events.onRunEvent({ type: "sandbox-start", host: "spark-01", sandbox: "alice", gateway: "nemoclaw", policy: "nightly" });
  const base = { host: "spark-01", gateway: "nemoclaw", policy: "nightly", status: "skipped" as const };
  const alice = { ...base, sandbox: "alice", reason: "interrupted: spark-01: cancelled: command cancelled" };
  const bob = { ...base, sandbox: "bob", reason: "interrupted" };
  events.onRunEvent({ type: "sandbox-done", outcome: alice });
  events.onRunEvent({ type: "sandbox-done", outcome: bob });
  const host = { host: "spark-01", status: "ok" as const, problems: [], sandboxes: [alice, bob] };
  events.onRunEvent({ type: "host-done", outcome: host });
  events.runFinished({ runId, startedAt: "", finishedAt: "", policies: ["nightly"], hosts: [host], cleaned: [], storeProblems: [], unreachableStores: [], unmatchedSandboxes: { globs: [], available: [] } }, 130, true);
  writer.close();
}

describe("nemoclaw history", () => {
  it("shows where an interrupted backup run stopped: the backup in flight and the ones not started (docs/journal.md)", async () => {
    recordInterruptedBackupRun("20261122T090000Z-bbbbbb");
    const list = streams();
    expect(await runHistoryCommand(undefined, { json: false, last: 20, color: false }, { journalDir: dir, ...list })).toBe(ExitCode.Ok);
    expect(list.out()).toMatch(/1 host \(1 interrupted\) {2}exit 130/);
    const one = streams();
    expect(await runHistoryCommand("last", { json: false, last: 20, color: false }, { journalDir: dir, ...one })).toBe(ExitCode.Ok);
    expect(one.out()).toContain("interrupted; stopped at:\n  spark-01: during backup:alice@nightly; not started: backup:bob@nightly\n");
  });


  it("counts a host a killed run never finished as unfinished, so the totals add up to the run's hosts", async () => {
    // A backup run SIGKILLed while spark-01 was under way: no host-done, no end record.
    startBackupRun("20261122T070000Z-cccccc").writer.close();
    const list = streams();
    expect(await runHistoryCommand(undefined, { json: false, last: 20, color: false }, { journalDir: dir, ...list })).toBe(ExitCode.Ok);
    expect(list.out()).toMatch(/1 host \(1 unfinished\) {2}did not finish/);
    const one = streams();
    expect(await runHistoryCommand("last", { json: false, last: 20, color: false }, { journalDir: dir, ...one })).toBe(ExitCode.Ok);
    expect(one.out()).toContain("\nfleet: 1 host — 1 unfinished\n");
  });

  it("lists backup runs beside applies and shows one in full", async () => {
    recordBackupRun("20261122T080000Z-aaaaaa");
    const list = streams();
    expect(await runHistoryCommand(undefined, { json: false, last: 20, color: false }, { journalDir: dir, ...list })).toBe(ExitCode.Ok);
    expect(list.out()).toMatch(/^20261122T080000Z-aaaaaa {2}backup run {2}ops@ctl .* 1 host \(1 failed\) {2}exit 5/);
    const one = streams();
    expect(await runHistoryCommand("last", { json: false, last: 20, color: false }, { journalDir: dir, ...one })).toBe(ExitCode.Ok);
    expect(one.out()).toContain("RECAP 20261122T080000Z-aaaaaa (backup run)");
    expect(one.out()).toContain("✗ backup:alice@nightly: snapshot failed");
  });

  it("names the journal where it was read, not where its run wrote it, once journals are moved", async () => {
    recordBackupRun("20261122T080000Z-aaaaaa");
    const moved = join(dir, "moved");
    mkdirSync(moved);
    writeFileSync(join(moved, "20261122T080000Z-aaaaaa.jsonl"), readFileSync(join(dir, "20261122T080000Z-aaaaaa.jsonl")));
    rmSync(join(dir, "20261122T080000Z-aaaaaa.jsonl"));
    const one = streams();
    expect(await runHistoryCommand("last", { json: false, last: 20, color: false }, { journalDir: moved, ...one })).toBe(ExitCode.Ok);
    expect(one.out()).toContain(`journal: ${join(moved, "20261122T080000Z-aaaaaa.jsonl")}\n`);
    const json = streams();
    expect(await runHistoryCommand("last", { json: true, last: 20, color: false }, { journalDir: moved, ...json })).toBe(ExitCode.Ok);
    expect(JSON.parse(json.out()).header.journal).toBe(join(moved, "20261122T080000Z-aaaaaa.jsonl"));
  });

  it("lists a journal whose first line is damaged as damaged, and every other run as before", async () => {
    recordBackupRun("20261122T080000Z-aaaaaa");
    recordBackupRun("20261122T090000Z-bbbbbb");
    const damaged = join(dir, "20261122T090000Z-bbbbbb.jsonl");
    const [, ...rest] = readFileSync(damaged, "utf8").split("\n");
    writeFileSync(damaged, ["{\"type\":\"run-sta\u0000rted\"", ...rest].join("\n"));
    const list = streams();
    expect(await runHistoryCommand(undefined, { json: false, last: 20, color: false }, { journalDir: dir, ...list })).toBe(ExitCode.Ok);
    const lines = list.out().trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^20261122T090000Z-bbbbbb .*damaged journal: line 1 is not a readable event/);
    expect(lines[1]).toMatch(/^20261122T080000Z-aaaaaa {2}backup run {2}ops@ctl .* exit 5/);
    const one = streams();
    expect(await runHistoryCommand("20261122T090000Z-bbbbbb", { json: false, last: 20, color: false }, { journalDir: dir, ...one })).toBe(ExitCode.Ok);
    expect(one.err()).toContain("damaged journal: line 1 is not a readable event; the run is shown from the lines that could be read");
    expect(one.out()).toContain("✗ backup:alice@nightly: snapshot failed");
  });

  it.each([
    ["a run-started without its selection", (line: Record<string, unknown>) => ({ type: line.type, v: 1, runId: line.runId, seq: 1, at: line.at })],
    ["a run-started whose fleet is null", (line: Record<string, unknown>) => ({ ...line, fleet: null })],
  ])("lists a journal with %s as damaged and shows the run from the other lines (no JavaScript error)", async (_what, damage) => {
    recordBackupRun("20261122T080000Z-aaaaaa");
    const path = join(dir, "20261122T080000Z-aaaaaa.jsonl");
    const [first, ...rest] = readFileSync(path, "utf8").split("\n");
    writeFileSync(path, [JSON.stringify(damage(JSON.parse(first!) as Record<string, unknown>)), ...rest].join("\n"));
    const list = streams();
    expect(await runHistoryCommand(undefined, { json: false, last: 20, color: false }, { journalDir: dir, ...list })).toBe(ExitCode.Ok);
    expect(list.out()).toMatch(/^20261122T080000Z-aaaaaa .*damaged journal: line 1 is not a readable event/);
    expect(list.out()).not.toMatch(/Cannot read properties/);
    const one = streams();
    expect(await runHistoryCommand("last", { json: false, last: 20, color: false }, { journalDir: dir, ...one })).toBe(ExitCode.Ok);
    expect(one.err()).toContain("damaged journal: line 1 is not a readable event; the run is shown from the lines that could be read");
    expect(one.out()).toContain("✗ backup:alice@nightly: snapshot failed");
  });

  it.each([
    ["empty", ""],
    ["binary", "\u0000\u0001\u00ff\u0000garbage\u0000"],
  ])("never reports a run whose journal is %s as a success", async (_what, text) => {
    writeFileSync(join(dir, "20261122T080000Z-aaaaaa.jsonl"), text);
    const one = streams();
    expect(await runHistoryCommand("last", { json: false, last: 20, color: false }, { journalDir: dir, ...one })).toBe(ExitCode.Ok);
    expect(one.out()).not.toContain("exit 0 (success)");
    expect(one.out()).toContain("the run ended without finishing");
    const json = streams();
    expect(await runHistoryCommand("last", { json: true, last: 20, color: false }, { journalDir: dir, ...json })).toBe(ExitCode.Ok);
    const run = JSON.parse(json.out()) as { complete: boolean; exitCode: number };
    expect(run.complete).toBe(false);
    expect(run.exitCode).not.toBe(0);
    const list = streams();
    expect(await runHistoryCommand(undefined, { json: true, last: 20, color: false }, { journalDir: dir, ...list })).toBe(ExitCode.Ok);
    expect(JSON.parse(list.out())).toMatchObject([{ runId: "20261122T080000Z-aaaaaa", complete: false }]);
    expect((JSON.parse(list.out()) as { exitCode: number }[])[0]!.exitCode).not.toBe(0);
  });

  it("ignores files in the journal directory that are not named by a run id: never listed, never `last`", async () => {
    recordBackupRun("20261122T080000Z-aaaaaa");
    writeFileSync(join(dir, "not-a-run.jsonl"), "{}\n");
    writeFileSync(join(dir, "zz-notes.jsonl"), "");
    const list = streams();
    expect(await runHistoryCommand(undefined, { json: false, last: 20, color: false }, { journalDir: dir, ...list })).toBe(ExitCode.Ok);
    expect(list.out().trim().split("\n")).toEqual([expect.stringMatching(/^20261122T080000Z-aaaaaa {2}backup run/)]);
    const one = streams();
    expect(await runHistoryCommand("last", { json: false, last: 20, color: false }, { journalDir: dir, ...one })).toBe(ExitCode.Ok);
    expect(one.out()).toContain("RECAP 20261122T080000Z-aaaaaa (backup run)");
    const named = streams();
    expect(await runHistoryCommand("not-a-run", { json: false, last: 20, color: false }, { journalDir: dir, ...named })).toBe(ExitCode.Error);
    expect(named.err()).toContain('nemoclaw history: no run "not-a-run"');
  });

  it("names an unknown run on stderr and exits 1", async () => {
    const s = streams();
    expect(await runHistoryCommand("nope", { json: false, last: 20, color: false }, { journalDir: dir, ...s })).toBe(ExitCode.Error);
    expect(s.err()).toContain('nemoclaw history: no run "nope"');
  });
});

describe("nemoclaw history prune", () => {
  /** A run that never wrote its end record, by this machine's pid 4242. */
  function recordUnfinished(runId: string): void {
    const writer = JournalWriter.open(dir, runId, new Redactor());
    const bus = new EventBus(runId, () => new Date("2026-11-22T10:00:00Z"));
    bus.subscribe((event) => writer.write(event));
    new BackupRunEvents(bus, () => new Date()).runStarted({ toolVersion: "0.1.0", identity: { user: "ops", machine: "ctl", pid: 4242, pidScope: "boot-1:4026531836" }, fleet: backupFleet([], []), policies: [], limit: null, hosts: [], sandboxes: [], concurrency: 1, journal: writer.path });
    writer.close();
  }
  const runs = () => listJournalFiles(dir).map((path) => path.slice(dir.length + 1, -".jsonl".length));
  const prune = (options: Partial<Parameters<typeof runHistoryPrune>[0]>, alive: number[] = []) => {
    const s = streams();
    const deps = { journalDir: dir, ...s, now: () => new Date("2026-11-22T12:00:00Z"), identity: { user: "ops", machine: "ctl", pid: 1, pidScope: "boot-1:4026531836" }, pidAlive: (pid: number) => alive.includes(pid) };
    return runHistoryPrune({ dryRun: false, json: false, ...options }, deps).then((code) => ({ code, out: s.out(), err: s.err() }));
  };

  it("keeps the newest runs, removes the older ones, and says which", async () => {
    for (const id of ["20261120T080000Z-aaaaaa", "20261121T080000Z-bbbbbb", "20261122T080000Z-cccccc"]) recordBackupRun(id);
    const dry = await prune({ keep: 1, dryRun: true });
    expect(dry.out).toBe(`Would remove 2 run journals (20261120T080000Z-aaaaaa … 20261121T080000Z-bbbbbb); 1 run journal kept in ${dir}.\n`);
    expect(runs()).toHaveLength(3);
    expect((await prune({ keep: 1 })).code).toBe(ExitCode.Ok);
    expect(runs()).toEqual(["20261122T080000Z-cccccc"]);
  });

  it("removes runs older than an age; with both bounds either one removes", async () => {
    for (const id of ["20261101T080000Z-aaaaaa", "20261121T080000Z-bbbbbb", "20261122T080000Z-cccccc", "20261122T090000Z-dddddd"]) recordBackupRun(id);
    await prune({ olderThan: 7 * 86_400_000 });
    expect(runs()).toEqual(["20261121T080000Z-bbbbbb", "20261122T080000Z-cccccc", "20261122T090000Z-dddddd"]);
    await prune({ olderThan: 7 * 86_400_000, keep: 2 });
    expect(runs()).toEqual(["20261122T080000Z-cccccc", "20261122T090000Z-dddddd"]);
  });

  it("never removes a run that may still be writing its journal; a crashed one goes", async () => {
    recordUnfinished("20261101T080000Z-aaaaaa");
    recordBackupRun("20261122T080000Z-cccccc");
    const kept = await prune({ keep: 0 }, [4242]);
    expect(kept.out).toContain("Kept 1 run journal of runs that may still be going: 20261101T080000Z-aaaaaa");
    expect(runs()).toEqual(["20261101T080000Z-aaaaaa"]);
    const json = await prune({ keep: 0, json: true });
    expect(JSON.parse(json.out)).toMatchObject({ dryRun: false, removed: [{ runId: "20261101T080000Z-aaaaaa" }], running: [], kept: 0 });
    expect(runs()).toEqual([]);
  });

  it("keeps a run of another boot, machine or pid namespace while its journal was written in the last day", async () => {
    recordUnfinished("20261101T080000Z-aaaaaa");
    const elsewhere = (now: Date) => {
      const s = streams();
      const identity = { user: "ops", machine: "ctl", pid: 1, pidScope: "boot-2:4026531836" };
      return runHistoryPrune({ dryRun: false, json: false, keep: 0 }, { journalDir: dir, ...s, now: () => now, identity, pidAlive: () => false });
    };
    const written = statSync(join(dir, "20261101T080000Z-aaaaaa.jsonl")).mtime.getTime();
    await elsewhere(new Date(written + 3_600_000));
    expect(runs()).toEqual(["20261101T080000Z-aaaaaa"]);
    await elsewhere(new Date(written + 25 * 3_600_000));
    expect(runs()).toEqual([]);
  });

  it("keeps a journal whose run has not written its first record yet, unless it has not been touched for an hour", async () => {
    const starting = JournalWriter.open(dir, "20261122T115900Z-eeeeee", new Redactor());
    starting.close();
    const pruneAt = (now: string) => {
      const s = streams();
      return runHistoryPrune({ dryRun: false, json: false, keep: 0 }, { journalDir: dir, ...s, now: () => new Date(now), identity: { user: "ops", machine: "ctl", pid: 1, pidScope: "boot-1:4026531836" }, pidAlive: () => false });
    };
    const written = statSync(starting.path).mtime;
    await pruneAt(new Date(written.getTime() + 60_000).toISOString());
    expect(runs()).toEqual(["20261122T115900Z-eeeeee"]);
    await pruneAt(new Date(written.getTime() + 2 * 3_600_000).toISOString());
    expect(runs()).toEqual([]);
  });

  it("asks for a bound", async () => {
    const result = await prune({});
    expect(result.code).toBe(ExitCode.Error);
    expect(result.err).toBe("nemoclaw history prune: say what to keep: --keep <count>, --older-than <age>, or both\n");
  });
});

describe("nemoclaw unlock", () => {
  const deps = (s: ReturnType<typeof streams>) => ({
    ...s,
    loadFleet: async () => ({ fleet: fleet(["a"]), warnings: [] }),
    openPool: () => ({ get: async () => new LocalShell("a", dir).asConnection(), closeAll: async () => undefined }),
    identity: { user: "ops", machine: "ctl", pid: 1, pidScope: "boot-1:4026531836" },
    now: () => new Date("2026-11-22T10:00:00Z"),
    pidAlive: () => false,
  });

  it("removes a dead run's lock and says whose it was", async () => {
    mkdirSync(join(dir, ".nemoclaw-fleet"));
    const lock = join(dir, ".nemoclaw-fleet", "lock.json");
    writeFileSync(lock, `${serializeLock({ runId: "r-old", user: "ops", machine: "ctl", pid: 999, startedAt: "2026-11-22T09:00:00Z", expiresAt: "2026-11-22T11:00:00Z", pidScope: "boot-1:4026531836" })}\n`);
    const s = streams();
    expect(await runUnlockCommand(["a"], { inventory: [], force: false, json: false, color: false }, deps(s))).toBe(ExitCode.Ok);
    expect(existsSync(lock)).toBe(false);
    expect(s.out()).toContain("r-old");
  });

  it("opens its connections knowing every fleet host, so a jump through a fleet host uses that host's settings", async () => {
    mkdirSync(join(dir, ".nemoclaw-fleet"), { recursive: true });
    const s = streams();
    const given: string[][] = [];
    const withBastion = {
      ...deps(s),
      loadFleet: async () => ({ fleet: fleet(["a", "bastion"]), warnings: [] }),
      openPool: (hosts: { name: string }[]) => {
        given.push(hosts.map((host) => host.name));
        return deps(s).openPool();
      },
    };
    expect(await runUnlockCommand(["a"], { inventory: [], force: false, json: false, color: false }, withBastion)).toBe(ExitCode.Ok);
    expect(given).toEqual([["a", "bastion"]]);
  });

  it("says a host is unreachable once, with the transport's cause (exit 4)", async () => {
    const s = streams();
    const down = { ...deps(s), openPool: () => ({ get: async () => Promise.reject(new TransportError("unreachable", "a", "ops@10.0.0.1:22: connection refused")), closeAll: async () => undefined }) };
    expect(await runUnlockCommand(["a"], { inventory: [], force: false, json: false, color: false }, down)).toBe(ExitCode.Unreachable);
    expect(s.out()).toBe("a: unreachable: ops@10.0.0.1:22: connection refused\n");
  });

  it("refuses a host that is not in the fleet (exit 3)", async () => {
    const s = streams();
    expect(await runUnlockCommand(["zz"], { inventory: [], force: false, json: false, color: false }, deps(s))).toBe(ExitCode.ValidationError);
    expect(s.err()).toBe("nemoclaw unlock: not in /fleet/fleet.yaml: zz\n");
  });

  it("says to name a fleet file with --fleet when one is given as an argument, as other commands take it", async () => {
    const s = streams();
    expect(await runUnlockCommand(["a", "lab.yaml"], { inventory: [], force: false, json: false, color: false }, deps(s))).toBe(ExitCode.ValidationError);
    expect(s.err()).toBe("nemoclaw unlock: not in /fleet/fleet.yaml: lab.yaml; unlock's arguments are hosts: name the fleet file with --fleet (nemoclaw unlock a --fleet lab.yaml)\n");
  });
});
