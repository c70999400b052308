import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { HostLockInfo } from "../../../src/observe/types.js";
import {
  acquireHostLock,
  assessHolder,
  readHostLock,
  removeHostLock,
  whileHolding,
  type HostLease,
  type LockOptions,
} from "../../../src/apply/lock.js";
import { parseLock, serializeLock } from "../../../src/host/system/fleet-lock.js";
import { LocalShell } from "./local-shell.js";

const T0 = new Date("2026-11-22T10:00:00.000Z");

function options(overrides: Partial<LockOptions> & { runId: string }): LockOptions {
  return {
    identity: { user: "ops", machine: "controller-a", pid: 4242, pidScope: "boot-1:4026531836" },
    ttlMs: 60_000,
    clock: { now: () => T0 },
    pidAlive: () => true,
    ...overrides,
  };
}

function holder(overrides: Partial<HostLockInfo> = {}): HostLockInfo {
  return {
    runId: "run-old",
    user: "alice",
    machine: "controller-b",
    pid: 777,
    startedAt: "2026-11-22T09:00:00.000Z",
    expiresAt: "2026-11-22T10:30:00.000Z",
    ...overrides,
  };
}

let home: string;
let shell: LocalShell;
const lockPath = () => join(home, ".nemoclaw-fleet", "lock.json");

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "ncf-lock-"));
  shell = new LocalShell("spark-01", home);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function plant(info: HostLockInfo): void {
  mkdirSync(join(home, ".nemoclaw-fleet"), { recursive: true });
  writeFileSync(lockPath(), `${serializeLock(info)}\n`);
}

describe("assessHolder", () => {
  const me = { user: "ops", machine: "controller-a", pid: 1, pidScope: "boot-1:4026531836" };
  it("reclaims at once when the holder ran in this controller's pid scope and its pid is gone", () => {
    const result = assessHolder(holder({ machine: "controller-a", pidScope: me.pidScope }), me, T0, () => false);
    expect(result).toEqual({ reclaimable: true, reason: "its run (pid 777 on controller-a) is no longer running" });
  });
  it("does not judge a pid on another machine; waits for the lease", () => {
    expect(assessHolder(holder({ pidScope: "boot-2:4026531836" }), me, T0, () => false).reclaimable).toBe(false);
  });
  it("does not judge a pid of another controller with the same hostname (a clone, a container)", () => {
    expect(assessHolder(holder({ machine: "controller-a", pidScope: "boot-1:4026532999" }), me, T0, () => false).reclaimable).toBe(false);
    expect(assessHolder(holder({ machine: "controller-a", pidScope: "boot-2:4026531836" }), me, T0, () => false).reclaimable).toBe(false);
  });
  it("does not judge a pid recorded without a scope (an older release) or when this controller has none", () => {
    expect(assessHolder(holder({ machine: "controller-a" }), me, T0, () => false).reclaimable).toBe(false);
    expect(assessHolder(holder({ machine: "controller-a", pidScope: me.pidScope }), { ...me, pidScope: null }, T0, () => false).reclaimable).toBe(false);
  });
  it("reclaims an expired lease from any machine", () => {
    const result = assessHolder(holder({ expiresAt: "2026-11-22T09:59:59.000Z" }), me, T0, () => true);
    expect(result.reclaimable).toBe(true);
    expect(result.reason).toContain("expired");
  });
  it("keeps a live lease of a live run on this machine", () => {
    expect(assessHolder(holder({ machine: "controller-a", pidScope: me.pidScope }), me, T0, () => true).reclaimable).toBe(false);
  });
});

describe("acquireHostLock (real sh)", () => {
  it("creates the lock with holder details, mode 0600 in a 0700 directory", async () => {
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-1" }));
    expect(result.acquired).toBe(true);
    const written = parseLock(readFileSync(lockPath(), "utf8"));
    expect(written).toEqual({
      runId: "run-1",
      user: "ops",
      machine: "controller-a",
      pid: 4242,
      startedAt: "2026-11-22T10:00:00.000Z",
      expiresAt: "2026-11-22T10:01:00.000Z",
      pidScope: "boot-1:4026531836",
    });
    expect(statSync(lockPath()).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, ".nemoclaw-fleet")).mode & 0o777).toBe(0o700);
  });

  it("refuses a host whose lock is held by a live run, naming the holder, and leaves the lock alone", async () => {
    plant(holder());
    const before = readFileSync(lockPath(), "utf8");
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-2" }));
    expect(result).toMatchObject({ acquired: false, holder: holder() });
    expect(readFileSync(lockPath(), "utf8")).toBe(before);
  });

  it("reclaims a lock whose holder pid on this machine is dead", async () => {
    plant(holder({ machine: "controller-a", pidScope: "boot-1:4026531836" }));
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-3", pidAlive: (pid) => pid !== 777 }));
    expect(result.acquired).toBe(true);
    if (!result.acquired) return;
    expect(result.reclaimed?.holder?.runId).toBe("run-old");
    expect(parseLock(readFileSync(lockPath(), "utf8"))?.runId).toBe("run-3");
  });

  it("reclaims an expired lease", async () => {
    plant(holder({ expiresAt: "2026-11-22T09:00:01.000Z" }));
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-4" }));
    expect(result.acquired && result.reclaimed?.reason).toContain("expired");
  });

  it("lets exactly one of many concurrent reclaimers win (compare-and-swap)", async () => {
    plant(holder({ expiresAt: "2026-11-22T09:00:01.000Z" }));
    const contenders = Array.from({ length: 6 }, (_, index) =>
      acquireHostLock(new LocalShell("spark-01", home).asConnection(), options({ runId: `run-c${index}`, identity: { user: "ops", machine: `m${index}`, pid: 100 + index, pidScope: null } })),
    );
    const results = await Promise.all(contenders);
    const winners = results.filter((result) => result.acquired);
    expect(winners).toHaveLength(1);
    const final = parseLock(readFileSync(lockPath(), "utf8"));
    expect(winners[0]?.acquired && winners[0].lease.info.runId).toBe(final?.runId);
    for (const loser of results.filter((result) => !result.acquired)) {
      expect(loser.acquired === false && loser.holder?.runId).toBe(final?.runId);
    }
  });

  it("lets exactly one of many concurrent creators win on a free host", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) => acquireHostLock(new LocalShell("spark-01", home).asConnection(), options({ runId: `run-n${index}` }))),
    );
    expect(results.filter((result) => result.acquired)).toHaveLength(1);
  });

  it("refuses (without touching it) a lock file that is not a valid lock", async () => {
    mkdirSync(join(home, ".nemoclaw-fleet"));
    writeFileSync(lockPath(), "garbage\n");
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-5" }));
    expect(result).toMatchObject({ acquired: false, holder: null });
    expect(readFileSync(lockPath(), "utf8")).toBe("garbage\n");
  });
});

describe("acquireHostLock on a damaged lock file (real sh)", () => {
  const expired = serializeLock(holder({ expiresAt: "2026-11-22T09:00:01.000Z" }));
  /** Write the lock file exactly as given, last changed `ageMs` ago (host time). */
  function plantText(text: string, ageMs = 0): void {
    mkdirSync(join(home, ".nemoclaw-fleet"), { recursive: true });
    writeFileSync(lockPath(), text);
    const at = (Date.now() - ageMs) / 1000;
    utimesSync(lockPath(), at, at);
  }

  it.each([
    ["without its trailing newline", expired],
    ["followed by a blank line", `${expired}\n\n`],
    ["with a trailing space", `${expired} \n`],
  ])("reclaims an expired lease written %s", async (_shape, text) => {
    plantText(text);
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-d" }));
    expect(result.acquired && result.reclaimed?.reason).toContain("expired");
    expect(readFileSync(lockPath(), "utf8")).toBe(`${serializeLock({ ...holder(), runId: "run-d", user: "ops", machine: "controller-a", pid: 4242, startedAt: "2026-11-22T10:00:00.000Z", expiresAt: "2026-11-22T10:01:00.000Z", pidScope: "boot-1:4026531836" })}\n`);
  });

  it.each([
    ["without its trailing newline", serializeLock(holder())],
    ["followed by a blank line", `${serializeLock(holder())}\n\n`],
    ["with a trailing space", `${serializeLock(holder())} \n`],
  ])("still refuses a live lease written %s, and leaves it alone", async (_shape, text) => {
    plantText(text);
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-d" }));
    expect(result).toMatchObject({ acquired: false, holder: holder() });
    expect(readFileSync(lockPath(), "utf8")).toBe(text);
  });

  it("reclaims an empty lock file (a crash right after the lock was created) once it is older than the lease", async () => {
    plantText("", 3_600_000);
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-e" }));
    expect(result).toMatchObject({ acquired: true, reclaimed: { holder: null, reason: expect.stringContaining("empty") } });
    expect(parseLock(readFileSync(lockPath(), "utf8"))?.runId).toBe("run-e");
  });

  it("refuses a recent empty lock file, saying what it is and how to remove it, without touching it", async () => {
    plantText("");
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-e" }));
    expect(result).toMatchObject({ acquired: false, holder: null });
    expect(!result.acquired && result.reason).toMatch(/empty.*nemoclaw unlock --force/);
    expect(readFileSync(lockPath(), "utf8")).toBe("");
  });

  it("refuses multi-line garbage at once (no retries), pointing to `nemoclaw unlock --force`, however old it is", async () => {
    plantText("{\"runId\":\nnot a lock\n\n", 3_600_000);
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-g" }));
    expect(result).toMatchObject({ acquired: false, holder: null });
    expect(!result.acquired && result.reason).toContain("nemoclaw unlock --force");
    expect(shell.runs).toHaveLength(1);
  });
});

describe("acquireHostLock with a wait (--lock-timeout)", () => {
  /** A clock that only moves when the lock sleeps: each sleep advances it by what was asked. */
  function waiting(timeoutMs: number, during: (sleptMs: number[]) => void = () => {}) {
    let now = T0.getTime();
    const slept: number[] = [];
    const seen: string[] = [];
    let stopped = false;
    return {
      slept,
      seen,
      stop: () => (stopped = true),
      clock: { now: () => new Date(now) },
      wait: {
        timeoutMs,
        sleep: async (ms: number) => {
          slept.push(ms);
          now += ms;
          during(slept);
        },
        stopped: () => stopped,
        onWait: (info: HostLockInfo) => seen.push(info.runId),
      },
    };
  }

  it("takes the lock as soon as the holder releases it, polling with backoff", async () => {
    plant(holder());
    const w = waiting(60_000, (slept) => {
      if (slept.length === 3) rmSync(lockPath());
    });
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-w", clock: w.clock, wait: w.wait }));
    expect(result.acquired).toBe(true);
    expect(w.slept).toEqual([1_000, 2_000, 4_000]);
    expect(w.seen).toEqual(["run-old"]);
    expect(parseLock(readFileSync(lockPath(), "utf8"))?.runId).toBe("run-w");
  });

  it("gives up after the timeout as it refuses without one, saying how long it waited", async () => {
    plant(holder({ expiresAt: "2026-11-22T12:00:00.000Z" }));
    const w = waiting(20_000);
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-w", clock: w.clock, wait: w.wait }));
    expect(result).toMatchObject({ acquired: false, holder: { runId: "run-old" }, waitedMs: 20_000 });
    expect(w.slept).toEqual([1_000, 2_000, 4_000, 8_000, 5_000]);
    expect(parseLock(readFileSync(lockPath(), "utf8"))?.runId).toBe("run-old");
  });

  it("polls at most every 15 s, and reclaims the lease once it expires while waiting", async () => {
    plant(holder({ expiresAt: "2026-11-22T10:01:00.000Z" }));
    const w = waiting(300_000);
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-w", clock: w.clock, wait: w.wait }));
    expect(result.acquired && result.reclaimed?.reason).toContain("expired");
    expect(w.slept).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
  });

  it("stops waiting when the run stops (Ctrl-C), and never waits for a lock file that is not a lock", async () => {
    plant(holder());
    const w = waiting(600_000, (slept) => {
      if (slept.length === 2) w.stop();
    });
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-w", clock: w.clock, wait: w.wait }));
    expect(result).toMatchObject({ acquired: false, waitedMs: 3_000 });

    writeFileSync(lockPath(), "garbage\n");
    const garbage = waiting(600_000);
    expect(await acquireHostLock(shell.asConnection(), options({ runId: "run-g", clock: garbage.clock, wait: garbage.wait }))).toMatchObject({ acquired: false, holder: null });
    expect(garbage.slept).toEqual([]);
  });
});

describe("Lease", () => {
  it("renews its own lease and extends expiresAt", async () => {
    let now = T0;
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-r", clock: { now: () => now } }));
    if (!result.acquired) throw new Error("expected the lock");
    now = new Date(T0.getTime() + 30_000);
    expect(await result.lease.renew()).toBe(true);
    expect(parseLock(readFileSync(lockPath(), "utf8"))?.expiresAt).toBe("2026-11-22T10:01:30.000Z");
  });

  it("notices when another run took the lock over and never overwrites it", async () => {
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-x" }));
    if (!result.acquired) throw new Error("expected the lock");
    plant(holder({ runId: "run-thief" }));
    expect(await result.lease.renew()).toBe(false);
    await result.lease.release();
    expect(parseLock(readFileSync(lockPath(), "utf8"))?.runId).toBe("run-thief");
  });

  it("release removes the lock and the directory it created", async () => {
    const result = await acquireHostLock(shell.asConnection(), options({ runId: "run-y" }));
    if (!result.acquired) throw new Error("expected the lock");
    await result.lease.release();
    expect(existsSync(join(home, ".nemoclaw-fleet"))).toBe(false);
  });
});

describe("readHostLock / removeHostLock", () => {
  it("reads and removes exactly the lock that was shown", async () => {
    plant(holder());
    const read = await readHostLock(shell.asConnection());
    expect(read).toMatchObject({ present: true, holder: holder() });
    if (!read.present) return;
    plant(holder({ runId: "run-newer" }));
    expect(await removeHostLock(shell.asConnection(), read.raw)).toBe(false);
    expect(existsSync(lockPath())).toBe(true);
    const again = await readHostLock(shell.asConnection());
    if (!again.present) throw new Error("expected a lock");
    expect(await removeHostLock(shell.asConnection(), again.raw)).toBe(true);
    expect(await readHostLock(shell.asConnection())).toEqual({ present: false });
  });

  it("removes a lock only while its file is byte for byte what was read: a newline, blank line or space more or less is another lock", async () => {
    const line = serializeLock(holder());
    const shapes = [`${line}\n`, `${line}\nextra\n`, `${line}\n\n`, line, `${line} \n`, `x${line}\n`, ""];
    for (const text of shapes) {
      mkdirSync(join(home, ".nemoclaw-fleet"), { recursive: true });
      writeFileSync(lockPath(), text);
      for (const other of shapes.filter((shape) => shape !== text)) {
        expect(await removeHostLock(shell.asConnection(), other), `${JSON.stringify(other)} on ${JSON.stringify(text)}`).toBe(false);
        expect(readFileSync(lockPath(), "utf8")).toBe(text);
      }
      const read = await readHostLock(shell.asConnection());
      expect(read).toMatchObject({ present: true, raw: text });
      expect(await removeHostLock(shell.asConnection(), text), JSON.stringify(text)).toBe(true);
      expect(existsSync(lockPath())).toBe(false);
    }
  });
});

describe("whileHolding", () => {
  function fakeLease(renewals: boolean[]) {
    const calls: string[] = [];
    const lease: HostLease = {
      info: holder(),
      content: "",
      renew: async () => {
        calls.push("renew");
        return renewals.shift() ?? true;
      },
      release: async () => void calls.push("release"),
      released: () => undefined,
    };
    return { lease, calls };
  }

  it("renews the lease every third of it while the work runs, and releases it after, also on failure", async () => {
    vi.useFakeTimers();
    try {
      const { lease, calls } = fakeLease([]);
      const work = whileHolding(lease, 30_000, () => new Promise<string>((resolve) => setTimeout(() => resolve("done"), 25_000)));
      await vi.advanceTimersByTimeAsync(25_000);
      await expect(work).resolves.toBe("done");
      expect(calls).toEqual(["renew", "renew", "release"]);

      const failing = fakeLease([]);
      await expect(whileHolding(failing.lease, 30_000, () => Promise.reject(new Error("restore failed")))).rejects.toThrow("restore failed");
      expect(failing.calls).toEqual(["release"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("renews one at a time, and releases only after the renewal in flight has ended", async () => {
    vi.useFakeTimers();
    try {
      const calls: string[] = [];
      let inFlight = 0;
      const lease: HostLease = {
        info: holder(),
        content: "",
        renew: async () => {
          inFlight += 1;
          calls.push(`renew (${inFlight} in flight)`);
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          inFlight -= 1;
          calls.push("renewed");
          return true;
        },
        release: async () => void calls.push(inFlight === 0 ? "release" : "release while renewing"),
        released: () => undefined,
      };
      const work = whileHolding(lease, 3_000, () => new Promise<string>((resolve) => setTimeout(() => resolve("done"), 4_500)));
      await vi.advanceTimersByTimeAsync(8_000);
      await expect(work).resolves.toBe("done");
      expect(calls.filter((call) => call.startsWith("renew ("))).toEqual(calls.filter((call) => call === "renew (1 in flight)"));
      expect(calls.at(-1)).toBe("release");
      expect(calls.at(-2)).toBe("renewed");
    } finally {
      vi.useRealTimers();
    }
  });

  it("aborts the work when another run took the lease over", async () => {
    vi.useFakeTimers();
    try {
      const { lease, calls } = fakeLease([false]);
      const work = whileHolding(lease, 30_000, (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))));
      const settled = expect(work).rejects.toThrow("the host lock was taken over by another run");
      await vi.advanceTimersByTimeAsync(10_000);
      await settled;
      expect(calls).toEqual(["renew", "release"]);
    } finally {
      vi.useRealTimers();
    }
  });
});
