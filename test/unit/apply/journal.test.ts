import * as nodeFs from "node:fs";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventBus } from "../../../src/apply/events.js";
import { JournalWriter, journalDir, listJournalFiles, newRunId, parseJournal, readJournal, readJournalHead } from "../../../src/apply/journal.js";
import { Redactor } from "../../../src/apply/redact.js";
import { RunTally } from "../../../src/apply/tally.js";
import { command, hostPlan, plan, step } from "./fixtures.js";
import { harness } from "./harness.js";
import { recordingFs } from "../../support/recording-fs.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ncf-journal-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("journal location and run ids", () => {
  it("follows XDG_STATE_HOME, else ~/.local/state", () => {
    expect(journalDir({ XDG_STATE_HOME: "/var/state" }, "/home/u")).toBe("/var/state/nemoclaw-fleet/runs");
    expect(journalDir({}, "/home/u")).toBe("/home/u/.local/state/nemoclaw-fleet/runs");
    expect(journalDir({ XDG_STATE_HOME: "relative" }, "/home/u")).toBe("/home/u/.local/state/nemoclaw-fleet/runs");
  });
  it("makes sortable run ids from the start time", () => {
    expect(newRunId(new Date("2026-11-22T08:30:00.123Z"), () => "3fa2c1")).toBe("20261122T083000Z-3fa2c1");
  });
});

describe("JournalWriter", () => {
  it("writes one JSON line per event, file 0600 in a 0700 directory, readable back", () => {
    const runs = join(dir, "runs");
    const writer = JournalWriter.open(runs, "20261122T083000Z-3fa2c1", new Redactor());
    const bus = new EventBus("20261122T083000Z-3fa2c1");
    bus.subscribe((event) => writer.write(event));
    bus.emit({ type: "host-started", host: "a", steps: 2 });
    bus.emit({ type: "lock-released", host: "a" });
    writer.close();
    expect(statSync(writer.path).mode & 0o777).toBe(0o600);
    expect(statSync(runs).mode & 0o777).toBe(0o700);
    const { events, torn } = readJournal(writer.path);
    expect(torn).toBe(false);
    expect(events.map((event) => [event.seq, event.type])).toEqual([
      [1, "host-started"],
      [2, "lock-released"],
    ]);
    expect(listJournalFiles(runs)).toEqual([writer.path]);
  });

  it("flushes the directory after creating the journal, and each directory it made on the way, so a power cut cannot lose the journal's name", () => {
    const { fs, calls } = recordingFs((path) => (path === dir ? "<tmp>" : path.replace(`${dir}/`, "")));
    const runs = join(dir, "state", "nemoclaw-fleet", "runs");
    JournalWriter.open(runs, "20261122T083000Z-3fa2c1", new Redactor(), undefined, fs).close();
    expect(calls).toEqual([
      "mkdir state/nemoclaw-fleet/runs",
      "open state/nemoclaw-fleet/runs/20261122T083000Z-3fa2c1.jsonl",
      "open state/nemoclaw-fleet/runs",
      "fsync state/nemoclaw-fleet/runs",
      "open state/nemoclaw-fleet",
      "fsync state/nemoclaw-fleet",
      "open state",
      "fsync state",
      "open <tmp>",
      "fsync <tmp>",
    ]);
    // The directory there already: only it is flushed.
    calls.length = 0;
    JournalWriter.open(runs, "20261122T083500Z-3fa2c2", new Redactor(), undefined, fs).close();
    expect(calls.filter((call) => call.startsWith("fsync"))).toEqual(["fsync state/nemoclaw-fleet/runs"]);
  });

  it("starts on a file system that cannot flush a directory (fsync EINVAL), and leaves no empty journal when a flush fails", () => {
    const failingDirectoryFlush = (code: string) => {
      const directories = new Set<number>();
      return {
        ...nodeFs,
        openSync: ((path: string, flags: nodeFs.OpenMode, mode?: nodeFs.Mode) => {
          const fd = nodeFs.openSync(path, flags, mode);
          if (nodeFs.statSync(path).isDirectory()) directories.add(fd);
          return fd;
        }) as typeof nodeFs.openSync,
        fsyncSync: (fd: number) => {
          if (directories.has(fd)) throw Object.assign(new Error(`${code}: fsync`), { code });
          nodeFs.fsyncSync(fd);
        },
      };
    };
    const writer = JournalWriter.open(dir, "run-1", new Redactor(), undefined, failingDirectoryFlush("EINVAL"));
    writer.write({ type: "lock-released", host: "a" } as never);
    writer.close();
    expect(readJournal(writer.path).events.map((event) => event.type)).toEqual(["lock-released"]);
    expect(() => JournalWriter.open(dir, "run-2", new Redactor(), undefined, failingDirectoryFlush("EIO"))).toThrow(/EIO/);
    expect(nodeFs.readdirSync(dir)).toEqual(["run-1.jsonl"]);
  });

  it("never reuses a run's journal", () => {
    JournalWriter.open(dir, "run-1", new Redactor()).close();
    expect(() => JournalWriter.open(dir, "run-1", new Redactor())).toThrow();
  });

  it("tolerates a torn last line (a run killed while writing) and skips, and counts, damaged lines", () => {
    const path = join(dir, "run.jsonl");
    writeFileSync(path, `${JSON.stringify({ type: "lock-released", host: "a" })}\n{"type":"host-fin`);
    expect(readJournal(path)).toMatchObject({ torn: true, damagedLines: [], events: [{ type: "lock-released" }] });
    appendFileSync(path, `\n{}\n${JSON.stringify({ type: "lock-released", host: "b" })}\n`);
    expect(readJournal(path)).toMatchObject({ torn: false, damagedLines: [2, 3], events: [{ host: "a" }, { host: "b" }] });
    expect(parseJournal("")).toEqual({ events: [], torn: false, damagedLines: [] });
  });

  it("reads a journal's first record alone, however long its line; null when it is torn or no event", () => {
    const path = join(dir, "run.jsonl");
    const long = { type: "host-started", host: "h".repeat(200_000), steps: 1 };
    writeFileSync(path, `${JSON.stringify(long)}\n{"type":"host-fin`);
    expect(readJournalHead(path)).toEqual(long);
    writeFileSync(path, `{"type":"host-sta`);
    expect(readJournalHead(path)).toBeNull();
    writeFileSync(path, "");
    expect(readJournalHead(path)).toBeNull();
  });
});

describe("secrets never reach the journal", () => {
  it("records every step of a run and no resolved secret value, even when a tool echoes it", async () => {
    const secret = "nvapi-TOP-SECRET-42";
    const h = harness({
      hosts: ["a"],
      secrets: { NV_KEY: secret },
      respond: (call) => (call.argv[1] === "onboard" ? { stdout: `using key ${call.secretEnv.NVIDIA_INFERENCE_API_KEY}\n` } : { exitCode: 2, stderr: `bad ${secret}` }),
    });
    const writer = JournalWriter.open(dir, "run-test", h.deps.redactor);
    h.deps.events.subscribe((event) => writer.write(event));
    await h.run(
      plan([
        hostPlan("a", [
          step("sandbox-create:alice", [], {
            commands: [
              command(["nemoclaw", "onboard", "--non-interactive"], {
                env: { NVIDIA_INFERENCE_API_KEY: { secret: { kind: "env", name: "NV_KEY" } } },
                display: "env NVIDIA_INFERENCE_API_KEY=<secret env:NV_KEY> nemoclaw onboard --non-interactive",
              }),
            ],
          }),
          step("policy-add:alice", ["sandbox-create:alice"]),
          step("shields:alice", ["policy-add:alice"]),
        ]),
      ]),
    );
    writer.close();
    const text = readFileSync(writer.path, "utf8");
    expect(text).not.toContain(secret);
    expect(text).toContain("<secret env:NV_KEY>");
    expect(text).toContain("using key [REDACTED]");
    const tally = RunTally.fromEvents("run-test", readJournal(writer.path).events).summary();
    expect(tally.hosts[0]?.steps.map((s) => [s.id, s.status])).toEqual([
      ["sandbox-create:alice", "ok"],
      ["policy-add:alice", "failed"],
      ["shields:alice", "skipped"],
    ]);
    expect(tally.complete).toBe(true);
  });
});
