/**
 * Lookbacks over this machine's journals that must not stop at a fixed depth: the open health
 * gates apply warns of (and `history prune` keeps), and the report's latest run of each kind.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listJournalFiles } from "../../../src/apply/journal.js";
import { latestRunOfEachKind, openHealthGates, pruneRuns, summarizeJournal, type PruneRequest } from "../../../src/apply/history.js";
import { runHistoryPrune } from "../../../src/cli/history.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ncf-open-gates-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const HOSTS = ["a", "b"];
type Gate = "healthy" | "unhealthy" | "interrupted";

/** A run id `minutes` after 2026-12-07T00:00:00Z, as a schedule every few minutes writes them. */
function runIdAt(minutes: number, source = "apply"): string {
  const at = new Date(Date.UTC(2026, 11, 7) + minutes * 60_000).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${at}-${(source === "backup" ? 0xb00000 + minutes : minutes).toString(16).padStart(6, "0")}`;
}

/** One run's journal lines: per host, the steps it ran and its gate's verdict (none: no steps, a no-op run there). */
function journalLines(runId: string, work: Record<string, Gate | "steps">, source: "fleet" | "backup" = "fleet"): string[] {
  const event = (seq: number, fields: object) => JSON.stringify({ v: 1, runId, seq, at: "2026-12-07T00:00:00.000Z", ...fields });
  const steps = Object.fromEntries(HOSTS.map((host) => [host, host in work ? [`${host}-step`] : []]));
  const lines = [
    event(0, {
      type: "run-started",
      toolVersion: "0.1.0",
      identity: { user: "ops", machine: "ctl", pid: 1, pidScope: null },
      fleet: { name: "lab", file: "/fleet/fleet.yaml", digest: "d" },
      planHash: "p",
      source,
      selection: { limit: null, hosts: HOSTS },
      waves: [HOSTS],
      concurrency: 4,
      maxFailPercentage: 0,
      journal: null,
      steps,
      maxRisk: "safe",
    }),
  ];
  for (const [host, outcome] of Object.entries(work)) {
    lines.push(event(lines.length, { type: "host-started", host, steps: 1 }));
    lines.push(event(lines.length, { type: "step-started", host, step: `${host}-step`, kind: "sandbox-rebuild", commands: [], attempt: 1 }));
    lines.push(event(lines.length, { type: "step-finished", host, step: `${host}-step`, kind: "sandbox-rebuild", status: "ok", durationMs: 1, attempts: 1 }));
    if (outcome !== "steps") {
      const healthy = outcome === "healthy";
      lines.push(event(lines.length, { type: "health-gate-finished", host, status: outcome, durationMs: 1, attempts: 1, backups: [], sandboxes: [{ sandbox: "coder", gateway: "nemoclaw", healthy, check: "status", detail: "", output: "" }] }));
    }
    lines.push(event(lines.length, { type: "host-finished", host, status: outcome === "healthy" || outcome === "steps" ? "ok" : "failed", durationMs: 1, sessions: 1, message: null, block: null, changedFacts: null }));
  }
  lines.push(event(lines.length, { type: "run-finished", exitCode: 0, durationMs: 1, interrupted: false, stoppedAt: [], hosts: {} }));
  return lines;
}

function record(runId: string, lines: string[]): void {
  writeFileSync(join(dir, `${runId}.jsonl`), `${lines.join("\n")}\n`);
}

/** `count` scheduled applies with nothing to do, every 5 minutes from `fromMinute`. */
function noOpApplies(fromMinute: number, count: number): void {
  for (let index = 0; index < count; index += 1) record(runIdAt(fromMinute + 5 * index), journalLines(runIdAt(fromMinute + 5 * index), {}));
}

describe("the open health gates an apply warns of", () => {
  it("still names a failed gate after a day of scheduled applies that did nothing on its host", () => {
    const failed = runIdAt(0);
    record(failed, journalLines(failed, { b: "unhealthy" }));
    noOpApplies(5, 288);
    expect(openHealthGates(dir, HOSTS)).toEqual([{ host: "b", runId: failed, status: "unhealthy", sandboxes: ["coder"] }]);
  });

  it("forgets it once a later run checked the host or ran steps there, however far back the failure is", () => {
    const failed = runIdAt(0);
    record(failed, journalLines(failed, { a: "interrupted", b: "unhealthy" }));
    noOpApplies(5, 60);
    record(runIdAt(400), journalLines(runIdAt(400), { b: "healthy" }));
    expect(openHealthGates(dir, HOSTS)).toEqual([{ host: "a", runId: failed, status: "interrupted", sandboxes: ["coder"] }]);
    record(runIdAt(405), journalLines(runIdAt(405), { a: "steps" }));
    noOpApplies(410, 60);
    expect(openHealthGates(dir, HOSTS)).toEqual([]);
  });

  it("is not settled by a backup run's steps, nor by a run that did something on another host", () => {
    const failed = runIdAt(0);
    record(failed, journalLines(failed, { b: "unhealthy" }));
    record(runIdAt(5, "backup"), journalLines(runIdAt(5, "backup"), { b: "steps" }, "backup"));
    record(runIdAt(10), journalLines(runIdAt(10), { a: "healthy" }));
    expect(openHealthGates(dir, ["b"])).toEqual([{ host: "b", runId: failed, status: "unhealthy", sandboxes: ["coder"] }]);
  });

  it("reads a journal whose first record is torn or damaged for the gates it still holds, and passes over one that cannot be read", () => {
    const failed = runIdAt(0);
    const lines = journalLines(failed, { b: "unhealthy" });
    record(failed, [lines[0]!.slice(0, 40), ...lines.slice(1)]);
    noOpApplies(5, 60);
    // Killed while writing its first record, and a journal that is a directory.
    writeFileSync(join(dir, `${runIdAt(500)}.jsonl`), '{"v":1,"type":"run-sta');
    mkdirSync(join(dir, `${runIdAt(505)}.jsonl`));
    writeFileSync(join(dir, `${runIdAt(510)}.jsonl`), "");
    expect(openHealthGates(dir, HOSTS)).toEqual([{ host: "b", runId: failed, status: "unhealthy", sandboxes: ["coder"] }]);
  });

  it("a torn later journal that passed the gate clears it; its steps alone, of a run of unknown kind, do not", () => {
    const failed = runIdAt(0);
    record(failed, journalLines(failed, { a: "unhealthy", b: "unhealthy" }));
    const later = journalLines(runIdAt(5), { a: "healthy", b: "steps" });
    record(runIdAt(5), ["{not json", ...later.slice(1)]);
    expect(openHealthGates(dir, HOSTS)).toEqual([{ host: "b", runId: failed, status: "unhealthy", sandboxes: ["coder"] }]);
  });
});

describe("history prune and an open health gate", () => {
  const runs = () => listJournalFiles(dir).map((path) => path.slice(dir.length + 1, -".jsonl".length));
  const prune = (bounds: Pick<PruneRequest, "keep" | "olderThanMs">, dryRun = false) =>
    pruneRuns(dir, { ...bounds, now: new Date("2026-12-09T00:00:00Z"), dryRun, stillRunning: () => false, remove: (path) => rmSync(path) });

  it("keeps the journal of a failed gate that no run has checked since, and says so, however old it is", () => {
    const failed = runIdAt(0);
    record(failed, journalLines(failed, { a: "unhealthy", b: "healthy" }));
    noOpApplies(5, 10);
    const result = prune({ olderThanMs: 3_600_000 });
    expect(result.openHealthGates).toEqual([{ runId: failed, hosts: ["a"] }]);
    expect(result.removed).toHaveLength(10);
    expect(runs()).toEqual([failed]);
    // The next apply still warns of it.
    expect(openHealthGates(dir, HOSTS).map((gate) => gate.runId)).toEqual([failed]);
  });

  it("`nemoclaw history prune` names the runs it keeps for it, with their hosts", async () => {
    const failed = runIdAt(0);
    record(failed, journalLines(failed, { a: "unhealthy", b: "interrupted" }));
    noOpApplies(5, 2);
    let out = "";
    const deps = { journalDir: dir, stdout: { write: (text: string) => (out += text) }, stderr: { write: () => true }, env: {}, now: () => new Date("2026-12-09T00:00:00Z"), identity: { user: "ops", machine: "ctl", pid: 1, pidScope: null }, pidAlive: () => false };
    await runHistoryPrune({ keep: 1, dryRun: false, json: false }, deps);
    expect(out).toBe(
      `Removed 1 run journal (${runIdAt(5)} … ${runIdAt(5)}); 2 run journals kept in ${dir}.\n` +
        `Kept 1 run journal of runs whose health gate failed and no run has checked the host since: ${failed} (a, b)\n`,
    );
  });

  it("lets it go once a later run checked the host, even when that run goes in the same prune", () => {
    const failed = runIdAt(0);
    record(failed, journalLines(failed, { a: "unhealthy" }));
    record(runIdAt(5), journalLines(runIdAt(5), { a: "healthy" }));
    noOpApplies(10, 3);
    const result = prune({ keep: 0 });
    expect(result).toMatchObject({ openHealthGates: [], kept: 0 });
    expect(runs()).toEqual([]);
  });

  it("keeps it when its own first record is torn", () => {
    const failed = runIdAt(0);
    const lines = journalLines(failed, { a: "interrupted" });
    record(failed, [lines[0]!.slice(0, 40), ...lines.slice(1)]);
    noOpApplies(5, 3);
    expect(prune({ keep: 1 }, true)).toMatchObject({ openHealthGates: [{ runId: failed, hosts: ["a"] }], kept: 2 });
  });
});

describe("the report's latest run of each kind", () => {
  it("reads in full only the newest journal of each kind, however many of one kind came since the other", () => {
    record(runIdAt(0, "backup"), journalLines(runIdAt(0, "backup"), { a: "steps" }, "backup"));
    noOpApplies(5, 100);
    const read: string[] = [];
    const latest = latestRunOfEachKind(dir, (path) => (read.push(path), summarizeJournal(path)));
    expect(latest.map(({ kind, summary }) => [kind, summary.runId])).toEqual([
      ["apply", runIdAt(500)],
      ["backup run", runIdAt(0, "backup")],
    ]);
    expect(read.map((path) => path.slice(dir.length + 1))).toEqual([`${runIdAt(500)}.jsonl`, `${runIdAt(0, "backup")}.jsonl`]);
  });

  it("reads a journal whose first record is torn in full, and passes over one without any", () => {
    const backup = journalLines(runIdAt(0, "backup"), { a: "steps" }, "backup");
    record(runIdAt(0, "backup"), backup);
    noOpApplies(5, 2);
    record(runIdAt(20), ["{torn", ...journalLines(runIdAt(20), {}).slice(1)]);
    expect(latestRunOfEachKind(dir).map(({ summary }) => summary.runId)).toEqual([runIdAt(10), runIdAt(0, "backup")]);
  });
});
