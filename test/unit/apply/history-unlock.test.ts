import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findRun, listRuns, previousNoticeState } from "../../../src/apply/history.js";
import type { ApplyEvent, EventOf, NoticeState } from "../../../src/apply/events.js";
import { JournalWriter, listJournalFiles } from "../../../src/apply/journal.js";
import { formatUnlockOutcome } from "../../../src/report/recap-unlock.js";
import { createColors } from "../../../src/report/color.js";
import { formatRunList } from "../../../src/report/recap-history.js";
import { serializeLock } from "../../../src/host/system/fleet-lock.js";
import { unlockExitCode, unlockHost } from "../../../src/apply/unlock.js";
import { Redactor } from "../../../src/apply/redact.js";
import { hostPlan, plan, step } from "./fixtures.js";
import { harness } from "./harness.js";
import { LocalShell } from "./local-shell.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ncf-history-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function recordRun(runId: string, fail: boolean): Promise<void> {
  const h = harness({ hosts: ["a", "b"], respond: (call) => (fail && call.host === "b" ? { exitCode: 1 } : {}) });
  const writer = JournalWriter.open(dir, runId, new Redactor());
  h.deps.events.subscribe((event) => writer.write({ ...event, runId }));
  await h.run(plan([hostPlan("a", [step("x")]), hostPlan("b", [step("y")])]));
  writer.close();
}

/** A run with `--limit limit`, and the notice state it recorded (none: no notify:). */
async function recordJob(runId: string, limit: string | null, state: NoticeState | null): Promise<EventOf<"run-started">> {
  const h = harness({ hosts: ["a"] });
  const writer = JournalWriter.open(dir, runId, new Redactor());
  let header: EventOf<"run-started"> | null = null;
  h.deps.events.subscribe((event) => {
    const written = (event.type === "run-started" ? { ...event, runId, selection: { ...event.selection, limit } } : { ...event, runId }) as ApplyEvent;
    if (written.type === "run-started") header = written;
    writer.write(written);
  });
  await h.run(plan([hostPlan("a", [step("x")])]));
  if (state) writer.write({ type: "notify-finished", webhook: "env:HOOK", delivered: 1, problems: [], ...state, v: 1, runId, seq: 99, at: "2026-11-22T10:00:00.000Z" });
  writer.close();
  return header!;
}

describe("history", () => {
  it("lists runs newest first with who, outcome and exit code", async () => {
    await recordRun("20261122T080000Z-aaaaaa", false);
    await recordRun("20261122T090000Z-bbbbbb", true);
    const runs = listRuns(dir, 10);
    expect(runs.map((run) => [run.runId, run.exitCode, run.outcomes])).toEqual([
      ["20261122T090000Z-bbbbbb", 5, { ok: 1, failed: 1 }],
      ["20261122T080000Z-aaaaaa", 0, { ok: 2 }],
    ]);
    expect(runs[0]).toMatchObject({ user: "ops", machine: "ctl", fleet: "/fleet/fleet.yaml", complete: true, hosts: 2 });
    expect(listRuns(dir, 1)).toHaveLength(1);
  });

  it("gives a run what the webhook was told by the newest earlier run of the same job, and only of the same job", async () => {
    const failing = { trouble: "exit 5 a:failed", since: "2026-11-22T08:00:00.000Z", told: "2026-11-22T08:00:00.000Z" };
    await recordJob("20261122T080000Z-aaaaaa", null, failing);
    // A person's run of another selection in between is another job.
    await recordJob("20261122T081000Z-bbbbbb", "a", { trouble: null, since: null, told: null });
    const current = await recordJob("20261122T082000Z-cccccc", null, null);
    expect(previousNoticeState(dir, current)).toEqual(failing);
    // The run itself is never its own previous run; a job with no earlier run has nothing.
    expect(previousNoticeState(dir, { ...current, selection: { ...current.selection, limit: "b" } })).toBeNull();
  });

  it("looks past a run of the same job that was killed before it could tell the webhook anything", async () => {
    const failing = { trouble: "exit 5 a:failed", since: "2026-11-22T08:00:00.000Z", told: "2026-11-22T08:00:00.000Z" };
    await recordJob("20261122T080000Z-aaaaaa", null, failing);
    // The next scheduled run was killed (a reboot, systemd's stop timeout): no run-finished, no notice.
    await recordJob("20261122T080500Z-bbbbbb", null, null);
    const killed = join(dir, "20261122T080500Z-bbbbbb.jsonl");
    writeFileSync(killed, readFileSync(killed, "utf8").split("\n").filter((line) => !line.includes('"run-finished"')).join("\n"));
    const current = await recordJob("20261122T081000Z-cccccc", null, null);
    // The webhook still knows only the trouble: a good run now is told as recovered from it.
    expect(previousNoticeState(dir, current)).toEqual(failing);
  });

  it("finds the same job's previous run however many runs of other jobs came between", async () => {
    const failing = { trouble: "exit 5 a:failed", since: "2026-11-22T08:00:00.000Z", told: "2026-11-22T08:00:00.000Z" };
    await recordJob("20261122T080000Z-aaaaaa", null, failing);
    // A busy night: a hundred runs of another job (a backup policy, another --limit) since.
    await recordJob("20261122T080100Z-000000", "b", { trouble: null, since: null, told: null });
    const other = readFileSync(join(dir, "20261122T080100Z-000000.jsonl"), "utf8");
    for (let index = 1; index < 100; index += 1) {
      const runId = `20261122T08${String(2 + Math.floor(index / 60)).padStart(2, "0")}${String(index % 60).padStart(2, "0")}Z-${String(index).padStart(6, "0")}`;
      writeFileSync(join(dir, `${runId}.jsonl`), other.replaceAll("20261122T080100Z-000000", runId));
    }
    const current = await recordJob("20261122T090000Z-cccccc", null, null);
    // Without it, the trouble's end would be told to nobody.
    expect(previousNoticeState(dir, current)).toEqual(failing);
  });

  it("finds a run by id, unique prefix or `last`, and says why not otherwise", async () => {
    await recordRun("20261122T080000Z-aaaaaa", false);
    await recordRun("20261122T090000Z-bbbbbb", false);
    expect(findRun(dir, "last")).toEqual({ path: join(dir, "20261122T090000Z-bbbbbb.jsonl") });
    expect(findRun(dir, "20261122T08")).toEqual({ path: join(dir, "20261122T080000Z-aaaaaa.jsonl") });
    expect(findRun(dir, "20261122T")).toMatchObject({ problem: expect.stringContaining("matches 2 runs") });
    expect(findRun(dir, "nope")).toMatchObject({ problem: expect.stringContaining("no run") });
  });

  it("treats a journal without its end record as a run that did not finish", async () => {
    await recordRun("20261122T100000Z-cccccc", false);
    const path = join(dir, "20261122T100000Z-cccccc.jsonl");
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    const cut = lines.findIndex((line) => line.includes('"step-finished"'));
    // Killed right after the first step finished, mid-way through writing the next record.
    writeFileSync(path, `${lines.slice(0, cut + 1).join("\n")}\n{"v":1,"type":"host-fin`);
    expect(listRuns(dir, 5)[0]).toMatchObject({ complete: false, exitCode: 130 });
  });

  it("never names the kind of a run killed before its header was written: a backup run could be one too", async () => {
    await recordRun("20261122T100000Z-cccccc", false);
    const header = readFileSync(join(dir, "20261122T100000Z-cccccc.jsonl"), "utf8").split("\n")[0] as string;
    writeFileSync(join(dir, "20261122T110000Z-dddddd.jsonl"), header.slice(0, 40));
    writeFileSync(join(dir, "20261122T120000Z-eeeeee.jsonl"), "");
    const lines = formatRunList(listRuns(dir, 5), createColors(false));
    expect(lines[0]).toMatch(/^20261122T120000Z-eeeeee {2}\? +\? {2}\? {2}0 hosts {2}did not finish$/);
    expect(lines[1]).toMatch(/^20261122T110000Z-dddddd {2}\? +\? {2}\? {2}0 hosts {2}did not finish$/);
    expect(lines[2]).toMatch(/^20261122T100000Z-cccccc {2}apply /);
  });
});

describe("unlock", () => {
  const me = { identity: { user: "ops", machine: "ctl", pid: 1, pidScope: "boot-1:4026531836" }, now: () => new Date("2026-11-22T10:00:00Z"), pidAlive: () => true };
  const live = { runId: "r-live", user: "alice", machine: "other", pid: 5, startedAt: "2026-11-22T09:00:00Z", expiresAt: "2026-11-22T11:00:00Z" };
  const plant = (home: string, text: string) => {
    mkdirSync(join(home, ".nemoclaw-fleet"), { recursive: true });
    writeFileSync(join(home, ".nemoclaw-fleet", "lock.json"), `${text}\n`);
  };

  it("refuses a live lease without --force, naming the holder, and removes it with --force", async () => {
    plant(dir, serializeLock(live));
    const shell = new LocalShell("h", dir).asConnection();
    const refused = await unlockHost("h", async () => shell, false, me);
    expect(refused).toMatchObject({ result: "refused", holder: live });
    expect(unlockExitCode([refused])).toBe(7);
    expect(existsSync(join(dir, ".nemoclaw-fleet", "lock.json"))).toBe(true);
    const forced = await unlockHost("h", async () => shell, true, me);
    expect(forced).toMatchObject({ result: "removed", reason: expect.stringContaining("forced") });
    expect(existsSync(join(dir, ".nemoclaw-fleet", "lock.json"))).toBe(false);
  });

  it("removes an expired lease without --force and reports hosts without a lock", async () => {
    plant(dir, serializeLock({ ...live, expiresAt: "2026-11-22T09:30:00Z" }));
    const shell = new LocalShell("h", dir).asConnection();
    expect(await unlockHost("h", async () => shell, false, me)).toMatchObject({ result: "removed", reason: expect.stringContaining("expired") });
    const again = await unlockHost("h", async () => shell, false, me);
    expect(again).toEqual({ host: "h", result: "no-lock" });
    expect(unlockExitCode([again])).toBe(0);
  });

  it.each([
    ["an empty file", ""],
    ["a lease without its trailing newline", serializeLock(live)],
    ["a lease and a blank line", `${serializeLock(live)}\n\n`],
    ["a lease with a trailing space", `${serializeLock(live)} \n`],
    ["multi-line garbage", "{\"runId\":\nnot a lock\n\n"],
  ])("removes a lock file that is %s with --force", async (_shape, text) => {
    mkdirSync(join(dir, ".nemoclaw-fleet"), { recursive: true });
    writeFileSync(join(dir, ".nemoclaw-fleet", "lock.json"), text);
    const shell = new LocalShell("h", dir).asConnection();
    const forced = await unlockHost("h", async () => shell, true, me);
    expect(forced).toMatchObject({ result: "removed", raw: text });
    expect(existsSync(join(dir, ".nemoclaw-fleet", "lock.json"))).toBe(false);
    expect(unlockExitCode([forced])).toBe(0);
  });

  it.each([
    ["", "h: removed the empty lock file (--force)"],
    ["null", 'h: removed the lock file that is not a valid lock ("null") (--force)'],
  ])("says what it removed when the lock file %j names no holder", async (text, line) => {
    plant(dir, text);
    if (text === "") writeFileSync(join(dir, ".nemoclaw-fleet", "lock.json"), "");
    const shell = new LocalShell("h", dir).asConnection();
    const forced = await unlockHost("h", async () => shell, true, me);
    expect(formatUnlockOutcome(forced, createColors(false))).toBe(line);
  });

  it("refuses an empty lock file without --force, saying it is empty", async () => {
    mkdirSync(join(dir, ".nemoclaw-fleet"), { recursive: true });
    writeFileSync(join(dir, ".nemoclaw-fleet", "lock.json"), "");
    const shell = new LocalShell("h", dir).asConnection();
    expect(await unlockHost("h", async () => shell, false, me)).toMatchObject({ result: "refused", holder: null, reason: expect.stringMatching(/empty.*--force/) });
    expect(readFileSync(join(dir, ".nemoclaw-fleet", "lock.json"), "utf8")).toBe("");
  });

  it("reports an unreachable host apart", async () => {
    const outcome = await unlockHost("h", async () => Promise.reject(new Error("connect ECONNREFUSED")), false, me);
    expect(outcome).toEqual({ host: "h", result: "unreachable", message: "connect ECONNREFUSED" });
    expect(unlockExitCode([outcome])).toBe(4);
  });
});

describe("the journal directory", () => {
  it("named by an XDG_STATE_HOME that is a file is said to be so, naming the variable", () => {
    const file = join(dir, "state");
    writeFileSync(file, "");
    const runs = join(file, "nemoclaw-fleet", "runs");
    const expected = `XDG_STATE_HOME is ${file}, which is not a directory; point it at a directory (run journals are kept in $XDG_STATE_HOME/nemoclaw-fleet/runs)`;
    const saved = process.env.XDG_STATE_HOME;
    process.env.XDG_STATE_HOME = file;
    try {
      expect(() => JournalWriter.open(runs, "20261122T080000Z-aaaaaa", new Redactor())).toThrow(expected);
      expect(() => listJournalFiles(runs)).toThrow(expected);
    } finally {
      if (saved === undefined) delete process.env.XDG_STATE_HOME;
      else process.env.XDG_STATE_HOME = saved;
    }
    expect(() => listJournalFiles(runs)).toThrow(`${file} is not a directory, so run journals cannot be kept in ${runs}`);
  });
});
