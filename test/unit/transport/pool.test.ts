import { describe, expect, it } from "vitest";
import type { DesiredHost } from "../../../src/config/types.js";
import { Limiter } from "../../../src/transport/limiter.js";
import { ConnectionPool, mapHosts } from "../../../src/transport/pool.js";

function localHost(name: string, environment: Record<string, string> = {}): DesiredHost {
  return {
    name,
    connection: { kind: "local" },
    groups: [],
    labels: {},
    vars: {},
    environment,
    gateways: [],
    sandboxes: [],
    source: { file: "fleet.yaml", line: 1, column: 1, path: `hosts[${name}]` },
  };
}

describe("mapHosts", () => {
  it("keeps host order and records each host's failure without stopping the others", async () => {
    const results = await mapHosts(["a", "b", "c"], 2, async (host) => {
      if (host === "b") throw new Error("b is down");
      return host.toUpperCase();
    });
    expect([...results.keys()]).toEqual(["a", "b", "c"]);
    expect(results.get("a")).toEqual({ ok: true, value: "A" });
    expect(results.get("b")).toMatchObject({ ok: false, error: new Error("b is down") });
    expect(results.get("c")).toEqual({ ok: true, value: "C" });
  });

  it("lets the other hosts finish while one host hangs", async () => {
    let releaseSlow: () => void = () => undefined;
    const slowBlocked = new Promise<void>((resolve) => (releaseSlow = resolve));
    const finished: string[] = [];
    const hosts = ["slow", "h1", "h2", "h3", "h4"];
    const run = mapHosts(hosts, 2, async (host) => {
      if (host === "slow") await slowBlocked;
      finished.push(host);
      // The slow host is released only once every other host is done: a stall would deadlock.
      if (finished.length === hosts.length - 1) releaseSlow();
      return host;
    });
    const results = await run;
    expect(finished).toEqual(["h1", "h2", "h3", "h4", "slow"]);
    expect([...results.values()].every((r) => r.ok)).toBe(true);
  });

  it("never runs more than the cap at once", async () => {
    let running = 0;
    let peak = 0;
    await mapHosts(Array.from({ length: 12 }, (_, i) => `h${i}`), 3, async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
    });
    expect(peak).toBe(3);
  });

  it("rejects a nonsensical cap", async () => {
    await expect(mapHosts(["a"], 0, async () => 1)).rejects.toThrow("concurrency must be a positive integer, got 0");
  });
});

describe("Limiter", () => {
  it("serves waiters in order and tolerates a double release", async () => {
    const limiter = new Limiter(1);
    const order: number[] = [];
    const first = await limiter.acquire();
    const waiting = [1, 2].map((n) => limiter.acquire().then((release) => (order.push(n), release)));
    first();
    first();
    (await waiting[0])?.();
    (await waiting[1])?.();
    expect(order).toEqual([1, 2]);
  });
});

describe("ConnectionPool", () => {
  it("hands out one connection per host and refuses unknown hosts", async () => {
    const pool = new ConnectionPool([localHost("ctl", { NEMOCLAW_SITE: "lab" })]);
    const first = await pool.get("ctl");
    expect(await pool.get("ctl")).toBe(first);
    expect(pool.sessionsOpened("ctl")).toBe(0);
    expect((await first.run({ argv: ["sh", "-c", 'printf %s "$NEMOCLAW_SITE"'] })).stdout.toString()).toBe("lab");
    // Every command is one session on the host; the run counts them.
    await first.run({ argv: ["true"] });
    expect(pool.sessionsOpened("ctl")).toBe(2);
    expect(pool.sessionsOpened("nope")).toBe(0);
    await expect(pool.get("nope")).rejects.toThrow('unknown host "nope"');
    await pool.closeAll();
    await expect(pool.get("ctl")).rejects.toThrow("the connection pool is closed");
  });
});
