import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LockOptions } from "../../../src/apply/lock.js";
import { RefreshLocks } from "../../../src/apply/refresh-locks.js";
import { type RunAndObserve, runAndObserve } from "../../../src/apply/round-trip.js";
import { CountedConnection } from "../../../src/transport/counted.js";
import { LocalConnection } from "../../../src/transport/local.js";
import { createLockFile, parseLock, serializeLock } from "../../../src/host/system/fleet-lock.js";
import type { Connection } from "../../../src/transport/types.js";
import { fleet, observed } from "./fixtures.js";
import { LocalShell } from "./local-shell.js";

const T0 = new Date("2026-11-22T10:00:00.000Z");
const options: LockOptions = {
  identity: { user: "ops", machine: "controller-a", pid: 4242, pidScope: "boot-1:4026531836" },
  runId: "run-now",
  ttlMs: 3_000,
  clock: { now: () => T0 },
  pidAlive: () => true,
};

/** The round trip's lock part for real (the same script creates the lock), the observation faked. */
const createThenObserve: RunAndObserve = async (host, connection, request) => ({
  outcomes: [],
  observed: observed(host.name),
  lockCreated: request.createLock === undefined ? null : await createLockFile(connection, request.createLock, 10_000),
  lockReleased: null,
});

let home: string;
let connection: Connection;
const lockPath = () => join(home, ".nemoclaw-fleet", "lock.json");
const host = fleet(["spark-01"]).hosts[0]!;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "ncf-refresh-"));
  connection = new LocalShell("spark-01", home) as unknown as Connection;
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(home, { recursive: true, force: true });
});

describe("RefreshLocks", () => {
  it("locks a host in the round trip that observes it, and hands lock and observation to the host's run once", async () => {
    const locks = new RefreshLocks(options, createThenObserve);
    const seen = await locks.observeHost(host, connection);
    expect(parseLock(readFileSync(lockPath(), "utf8"))?.runId).toBe("run-now");
    const taken = await locks.take("spark-01");
    expect(taken?.observed).toBe(seen);
    expect(taken?.lease.info.runId).toBe("run-now");
    expect(await locks.take("spark-01")).toBeUndefined();
    // Taken over: releasing the rest leaves it to the host's run.
    await locks.releaseRest();
    expect(existsSync(lockPath())).toBe(true);
  });

  it("gives back the lock of an observation that has not answered when the session cannot wait for it (an interrupted plan)", async () => {
    let answer: () => void = () => undefined;
    const hangs: RunAndObserve = async (h, c, request) => {
      const lockCreated = request.createLock === undefined ? null : await createLockFile(c, request.createLock, 10_000);
      await new Promise<void>((resolve) => (answer = resolve));
      return { outcomes: [], observed: observed(h.name), lockCreated, lockReleased: null };
    };
    const locks = new RefreshLocks(options, hangs);
    const seen = locks.observeHost(host, connection);
    await vi.waitFor(() => expect(existsSync(lockPath())).toBe(true));
    await locks.releaseInFlight();
    expect(existsSync(lockPath())).toBe(false);
    answer();
    await seen;
    expect(existsSync(lockPath())).toBe(false);
  });

  it("leaves another run's lock alone: that host's run goes the long way", async () => {
    mkdirSync(join(home, ".nemoclaw-fleet"));
    const theirs = `${serializeLock({ runId: "run-other", user: "bob", machine: "controller-b", pid: 7, startedAt: T0.toISOString(), expiresAt: "2026-11-22T11:00:00.000Z" })}\n`;
    writeFileSync(lockPath(), theirs);
    const locks = new RefreshLocks(options, createThenObserve);
    await locks.observeHost(host, connection);
    expect(await locks.take("spark-01")).toBeUndefined();
    await locks.releaseRest();
    expect(readFileSync(lockPath(), "utf8")).toBe(theirs);
  });

  it("releases at once the hosts with nothing to do, and the rest at the end", async () => {
    const other = mkdtempSync(join(tmpdir(), "ncf-refresh-"));
    try {
      const locks = new RefreshLocks(options, createThenObserve);
      const [quiet, busy] = fleet(["quiet", "busy"]).hosts;
      await locks.observeHost(quiet!, new LocalShell("quiet", home) as unknown as Connection);
      await locks.observeHost(busy!, new LocalShell("busy", other) as unknown as Connection);
      await locks.releaseUnless((name) => name === "busy");
      expect(existsSync(lockPath())).toBe(false);
      expect(existsSync(join(other, ".nemoclaw-fleet", "lock.json"))).toBe(true);
      await locks.releaseRest();
      expect(existsSync(join(other, ".nemoclaw-fleet", "lock.json"))).toBe(false);
      expect(await locks.take("busy")).toBeUndefined();
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("unlocks a host its own plan has nothing for as soon as it is observed; an unsure judgement keeps the lock for the plan", async () => {
    const other = mkdtempSync(join(tmpdir(), "ncf-refresh-"));
    const third = mkdtempSync(join(tmpdir(), "ncf-refresh-"));
    try {
      const judged: string[] = [];
      const locks = new RefreshLocks(options, createThenObserve, async (seen) => {
        judged.push(seen.host);
        if (seen.host === "unsure") throw new Error("no catalogue");
        return seen.host === "quiet";
      });
      const [quiet, busy, unsure] = fleet(["quiet", "busy", "unsure"]).hosts;
      await locks.observeHost(quiet!, new LocalShell("quiet", home) as unknown as Connection);
      expect(existsSync(lockPath())).toBe(false);
      await locks.observeHost(busy!, new LocalShell("busy", other) as unknown as Connection);
      await locks.observeHost(unsure!, new LocalShell("unsure", third) as unknown as Connection);
      expect(judged).toEqual(["quiet", "busy", "unsure"]);
      expect(await locks.take("quiet")).toBeUndefined();
      expect((await locks.take("busy"))?.lease.info.runId).toBe("run-now");
      expect(existsSync(join(third, ".nemoclaw-fleet", "lock.json"))).toBe(true);
      await locks.releaseRest();
      expect(existsSync(join(third, ".nemoclaw-fleet", "lock.json"))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
      rmSync(third, { recursive: true, force: true });
    }
  });

  it("with the real round trip, a host with nothing to do is unlocked in the session that observed it; one with work keeps its lock", async () => {
    const other = mkdtempSync(join(tmpdir(), "ncf-refresh-"));
    try {
      const locks = new RefreshLocks(options, runAndObserve, async (seen) => seen.host === "quiet");
      const [quiet, busy] = fleet(["quiet", "busy"]).hosts;
      const quietConnection = new CountedConnection(new LocalConnection("quiet", { environment: { HOME: home } }));
      const busyConnection = new CountedConnection(new LocalConnection("busy", { environment: { HOME: other } }));
      const seen = await locks.observeHost(quiet!, quietConnection);
      expect(seen.fleetLock).toEqual({ state: "known", value: null });
      expect(existsSync(lockPath())).toBe(false);
      expect(quietConnection.sessions).toBe(1);
      expect(await locks.take("quiet")).toBeUndefined();
      await locks.observeHost(busy!, busyConnection);
      expect(busyConnection.sessions).toBe(1);
      expect((await locks.take("busy"))?.lease.info.runId).toBe("run-now");
      expect(parseLock(readFileSync(join(other, ".nemoclaw-fleet", "lock.json"), "utf8"))?.runId).toBe("run-now");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("hands over a lease that may have run out only once it is renewed: a lock another run took while the plan waited goes the long way", async () => {
    let now = T0.getTime();
    const locks = new RefreshLocks({ ...options, clock: { now: () => new Date(now) } }, createThenObserve);
    await locks.observeHost(host, connection);
    // A live lease is handed over as it is.
    now += 1_000;
    const live = await locks.take("spark-01");
    expect(live).toBeDefined();
    await live!.lease.release();
    await locks.observeHost(host, connection);
    expect(parseLock(readFileSync(lockPath(), "utf8"))?.runId).toBe("run-now");
    now += 5_000;
    const thief = `${serializeLock({ runId: "run-thief", user: "eve", machine: "controller-c", pid: 9, startedAt: T0.toISOString(), expiresAt: "2026-11-22T11:00:00.000Z" })}\n`;
    writeFileSync(lockPath(), thief);
    expect(await locks.take("spark-01")).toBeUndefined();
    await locks.releaseRest();
    expect(readFileSync(lockPath(), "utf8")).toBe(thief);
  });

  it("an observation still under way when the session ends gives its lock straight back", async () => {
    let proceed: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (proceed = resolve));
    const slow: RunAndObserve = async (h, conn, request) => {
      await gate;
      return createThenObserve(h, conn, request);
    };
    const locks = new RefreshLocks(options, slow);
    const observing = locks.observeHost(host, connection);
    const ending = locks.releaseRest();
    proceed();
    await Promise.all([observing, ending]);
    expect(existsSync(lockPath())).toBe(false);
    expect(await locks.take("spark-01")).toBeUndefined();
  });

  it("renews the leases it holds, and forgets one another run took over meanwhile", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let now = T0.getTime();
    const locks = new RefreshLocks({ ...options, clock: { now: () => new Date(now) } }, createThenObserve);
    await locks.observeHost(host, connection);
    now += 2_000;
    vi.advanceTimersByTime(1_000);
    const renewed = await locks.take("spark-01");
    expect(parseLock(readFileSync(lockPath(), "utf8"))?.expiresAt).toBe(new Date(now + 3_000).toISOString());

    const again = new RefreshLocks(options, createThenObserve);
    await renewed!.lease.release();
    await again.observeHost(host, connection);
    writeFileSync(lockPath(), `${serializeLock({ runId: "run-thief", user: "eve", machine: "controller-c", pid: 9, startedAt: T0.toISOString(), expiresAt: "2026-11-22T11:00:00.000Z" })}\n`);
    vi.advanceTimersByTime(1_000);
    expect(await again.take("spark-01")).toBeUndefined();
    expect(parseLock(readFileSync(lockPath(), "utf8"))?.runId).toBe("run-thief");
  });
});
