/**
 * One round trip per step, on a real shell: the step's commands in order with their own
 * environment, stopping at the first that fails, the host lock taken before and released after,
 * and the observation in the same exec.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAndObserve } from "../../../src/apply/round-trip.js";
import { plannedCommand } from "../../../src/host/command.js";
import { runChecked, runForOutcome } from "../../../src/host/run.js";
import { CountedConnection } from "../../../src/transport/counted.js";
import { LocalConnection } from "../../../src/transport/local.js";
import type { ObservedHost } from "../../../src/observe/types.js";
import { desiredHost } from "../plan/builders.js";

let home: string;
let connection: CountedConnection;
const host = desiredHost("spark-01");
const LOCK = '{"runId":"r1","user":"ops","machine":"ctl","pid":1,"startedAt":"t","expiresAt":"t"}';
/** The lock file's whole text, as the lock scripts write and compare it. */
const TEXT = `${LOCK}\n`;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "nemoclaw-round-trip-"));
  connection = new CountedConnection(new LocalConnection("spark-01", { environment: { HOME: home } }));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe("runAndObserve", () => {
  it("runs the commands in order with their outputs apart, stops at the first that fails, and observes, in one session", async () => {
    const answer = await runAndObserve(host, connection, {
      commands: [
        plannedCommand(["sh", "-c", "echo to-out; echo to-err >&2"]),
        plannedCommand(["sh", "-c", "exit 3"], {}, [0, 3]),
        plannedCommand(["sh", "-c", "echo failing; exit 7"]),
        plannedCommand(["touch", join(home, "never")]),
      ],
      secrets: new Map(),
      timeoutMs: 30_000,
    });
    expect(answer.outcomes.map((outcome) => [outcome.exitCode, outcome.ok, outcome.stdout, outcome.stderr])).toEqual([
      [0, true, "to-out\n", "to-err\n"],
      [3, true, "", ""],
      [7, false, "failing\n", ""],
    ]);
    expect(existsSync(join(home, "never"))).toBe(false);
    expect(answer.observed.unreachable).toBeNull();
    expect(answer.observed.system.state).toBe("known");
    expect(connection.sessions).toBe(1);
  });

  it("finds nemoclaw and openshell in ~/.local/bin, where NemoClaw's installer puts them off a non-login PATH, as the observation does", async () => {
    const bin = join(home, ".local", "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "nemoclaw"), "#!/bin/sh\necho \"nemoclaw v0.0.124 $*\"\n", { mode: 0o755 });
    writeFileSync(join(bin, "openshell"), "#!/bin/sh\necho 'openshell 0.0.116'\n", { mode: 0o755 });
    const answer = await runAndObserve(host, connection, {
      commands: [plannedCommand(["nemoclaw", "assistant", "recover"]), plannedCommand(["openshell", "--version"])],
      secrets: new Map(),
      timeoutMs: 30_000,
    });
    expect(answer.outcomes.map((outcome) => [outcome.exitCode, outcome.stdout])).toEqual([
      [0, "nemoclaw v0.0.124 assistant recover\n"],
      [0, "openshell 0.0.116\n"],
    ]);
    expect(await runChecked(connection, { argv: ["nemoclaw", "assistant", "snapshot", "list"] }, "listing")).toBe("nemoclaw v0.0.124 assistant snapshot list\n");
    const outcome = await runForOutcome(connection, plannedCommand(["openshell", "--version"]), { timeoutMs: 30_000 });
    expect([outcome.ok, outcome.stdout]).toEqual([true, "openshell 0.0.116\n"]);
  });

  it("hands a secret to exactly the command that names it, never to the others or the observation", async () => {
    const answer = await runAndObserve(host, connection, {
      commands: [
        plannedCommand(["sh", "-c", 'printf %s "${NV_KEY-unset}"'], { NV_KEY: { secret: { kind: "env", name: "SRC" } }, SITE: { value: "lab a" } }),
        plannedCommand(["sh", "-c", 'printf "%s %s" "${NV_KEY-unset}" "${SITE-unset}"']),
      ],
      secrets: new Map([["env:SRC", "nvapi-xyz"]]),
      timeoutMs: 30_000,
    });
    expect(answer.outcomes.map((outcome) => outcome.stdout)).toEqual(["nvapi-xyz\n", "unset unset\n"]);
  });

  it("takes the secret out of the environment before the probe's own first commands (timeout, id), not only before the step's", async () => {
    const bin = join(home, "spy");
    mkdirSync(bin, { recursive: true });
    for (const tool of ["id", "timeout", "mktemp", "date"]) {
      writeFileSync(join(bin, tool), `#!/bin/sh
printf '%s [%s] %s\\n' ${tool} "$*" "\${NV_KEY-unset}" >> ${join(home, "seen")}
PATH=${process.env.PATH}; exec ${tool} "$@"\n`, { mode: 0o755 });
    }
    const spied = new CountedConnection(new LocalConnection("spark-01", { environment: { HOME: home, PATH: `${bin}:${process.env.PATH}` } }));
    const answer = await runAndObserve(host, spied, {
      commands: [plannedCommand(["sh", "-c", 'printf %s "${NV_KEY-unset}"'], { NV_KEY: { secret: { kind: "env", name: "SRC" } } })],
      secrets: new Map([["env:SRC", "nvapi-xyz"]]),
      timeoutMs: 30_000,
    });
    expect(answer.outcomes.map((outcome) => outcome.stdout)).toEqual(["nvapi-xyz\n"]);
    const seen = readFileSync(join(home, "seen"), "utf8").trim().split("\n");
    expect(seen.some((line) => line.startsWith("id "))).toBe(true);
    // `timeout` starts the step's command itself, with the secret it hands on; no other process has it.
    expect(seen.filter((line) => line.endsWith("nvapi-xyz") && !line.includes("${NV_KEY-unset}"))).toEqual([]);
  });

  it("takes the host lock before observing, and a second taker finds it held", async () => {
    const first = await runAndObserve(host, connection, { commands: [], secrets: new Map(), createLock: TEXT, timeoutMs: 0 });
    expect(first.lockCreated).toEqual({ created: true });
    expect(readFileSync(join(home, ".nemoclaw-fleet", "lock.json"), "utf8")).toBe(`${LOCK}\n`);
    // Its own observation shows the host as it found it: not locked (so a plan made from it notes no lock).
    expect(first.observed.fleetLock).toEqual({ state: "known", value: null });
    const second = await runAndObserve(host, connection, { commands: [], secrets: new Map(), createLock: TEXT.replace("r1", "r2"), timeoutMs: 0 });
    expect(second.lockCreated).toEqual({ created: false, current: { present: true, text: TEXT, aged: false } });
    expect(second.observed.fleetLock).toEqual({ state: "known", value: JSON.parse(LOCK) });
  });

  it("releases the lock after the observation only when every command succeeded", async () => {
    await runAndObserve(host, connection, { commands: [], secrets: new Map(), createLock: TEXT, timeoutMs: 0 });
    const failed = await runAndObserve(host, connection, { commands: [plannedCommand(["false"])], secrets: new Map(), releaseLock: TEXT, timeoutMs: 30_000 });
    expect(failed.lockReleased).toBeNull();
    expect(existsSync(join(home, ".nemoclaw-fleet", "lock.json"))).toBe(true);
    const done = await runAndObserve(host, connection, { commands: [plannedCommand(["true"])], secrets: new Map(), releaseLock: TEXT, timeoutMs: 30_000 });
    expect(done.lockReleased).toBe("swapped");
    expect(existsSync(join(home, ".nemoclaw-fleet"))).toBe(false);
  });

  it("gives the lock it created back in the same session when the caller, having seen the whole observation, says so", async () => {
    const seen: ObservedHost[] = [];
    const answer = await runAndObserve(host, connection, {
      commands: [],
      secrets: new Map(),
      createLock: TEXT,
      timeoutMs: 0,
      releaseLockIf: async (observed) => {
        seen.push(observed);
        // The probe waits for the answer, the lock still in place.
        expect(readFileSync(join(home, ".nemoclaw-fleet", "lock.json"), "utf8")).toBe(`${LOCK}\n`);
        await new Promise((resolve) => setTimeout(resolve, 300));
        return true;
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.system.state).toBe("known");
    expect(seen[0]?.gateways.state).toBe("known");
    expect(seen[0]?.fleetLock).toEqual({ state: "known", value: null });
    expect(answer.lockCreated).toEqual({ created: true });
    expect(answer.lockReleased).toBe("swapped");
    expect(answer.observed.unreachable).toBeNull();
    expect(existsSync(join(home, ".nemoclaw-fleet"))).toBe(false);
    expect(connection.sessions).toBe(1);
  });

  it("keeps the lock when the caller says no or its answer fails, and never asks about a lock it did not create", async () => {
    const kept = await runAndObserve(host, connection, { commands: [], secrets: new Map(), createLock: TEXT, timeoutMs: 0, releaseLockIf: async () => false });
    expect(kept.lockReleased).toBeNull();
    expect(readFileSync(join(home, ".nemoclaw-fleet", "lock.json"), "utf8")).toBe(`${LOCK}\n`);
    let asked = false;
    const theirs = await runAndObserve(host, connection, {
      commands: [],
      secrets: new Map(),
      createLock: TEXT.replace("r1", "r2"),
      timeoutMs: 0,
      releaseLockIf: async () => {
        asked = true;
        return true;
      },
    });
    expect(asked).toBe(false);
    expect(theirs.lockCreated).toEqual({ created: false, current: { present: true, text: TEXT, aged: false } });
    expect(readFileSync(join(home, ".nemoclaw-fleet", "lock.json"), "utf8")).toBe(`${LOCK}\n`);
    rmSync(join(home, ".nemoclaw-fleet"), { recursive: true });
    const failed = await runAndObserve(host, connection, {
      commands: [],
      secrets: new Map(),
      createLock: TEXT,
      timeoutMs: 0,
      releaseLockIf: () => Promise.reject(new Error("no catalogue")),
    });
    expect(failed.lockCreated).toEqual({ created: true });
    expect(failed.lockReleased).toBeNull();
    expect(failed.observed.unreachable).toBeNull();
    expect(readFileSync(join(home, ".nemoclaw-fleet", "lock.json"), "utf8")).toBe(`${LOCK}\n`);
    expect(connection.sessions).toBe(3);
  });

  it("keeps the observation when the session is cancelled while the probe waits for its answer; the lock stays for a release of its own", async () => {
    const controller = new AbortController();
    const answer = await runAndObserve(host, connection, {
      commands: [],
      secrets: new Map(),
      createLock: TEXT,
      timeoutMs: 0,
      signal: controller.signal,
      releaseLockIf: async () => {
        controller.abort();
        await new Promise((resolve) => setTimeout(resolve, 200));
        return true;
      },
    });
    expect(answer.observed.unreachable).toBeNull();
    expect(answer.observed.system.state).toBe("known");
    expect(answer.lockCreated).toEqual({ created: true });
    expect(answer.lockReleased).toBeNull();
    expect(readFileSync(join(home, ".nemoclaw-fleet", "lock.json"), "utf8")).toBe(`${LOCK}\n`);
  });

  it("reports a command cut off by the round trip's deadline as timed out", async () => {
    const answer = await runAndObserve(host, connection, { commands: [plannedCommand(["sleep", "30"])], secrets: new Map(), timeoutMs: 200 });
    expect(answer.outcomes).toMatchObject([{ ok: false, exitCode: null }]);
  }, 60_000);
});
