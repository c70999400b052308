/** observeHost and observeFleet over fake connections: one exec per host, and every failure classified. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { DesiredFleet, DesiredHost } from "../../../src/config/types.js";
import { observeFleet } from "../../../src/observe/fleet.js";
import { observeHost } from "../../../src/observe/host.js";
import { type Connection, type RemoteCommand, type RunResult, TransportError } from "../../../src/transport/types.js";

const home = mkdtempSync(join(tmpdir(), "ncf-observe-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

function desiredHost(name: string, gateways: string[] = []): DesiredHost {
  const source = { file: "fleet.yaml", line: 1, column: 1, path: `hosts.${name}` };
  return {
    name,
    connection: { kind: "local" },
    groups: [],
    labels: {},
    vars: {},
    environment: {},
    gateways: gateways.map((gateway) => ({ name: gateway, port: 8080, bind: "127.0.0.1", source })),
    sandboxes: [],
    source,
  };
}

function result(stdout: string, overrides: Partial<RunResult> = {}): RunResult {
  return { exitCode: 0, signal: null, stdout: Buffer.from(stdout), stderr: Buffer.alloc(0), durationMs: 1, timedOut: false, ...overrides };
}

/** A connection whose `run` is given; everything else is not part of observing. */
function connection(host: string, run: (command: RemoteCommand) => Promise<RunResult>): Connection & { commands: RemoteCommand[] } {
  const commands: RemoteCommand[] = [];
  const unused = () => Promise.reject(new Error("not used by observe"));
  return {
    host,
    commands,
    run: (command) => {
      commands.push(command);
      return run(command);
    },
    spawn: unused,
    upload: unused,
    download: unused,
    close: () => Promise.resolve(),
  };
}

/** Runs the probe with the machine's real sh in an empty home. */
function localSh(host: string) {
  return connection(host, async (command) => {
    if (!("script" in command)) throw new Error("observe must send a script");
    const ran = spawnSync("/bin/sh", ["-s"], { input: command.script, env: { HOME: home, PATH: "/usr/bin:/bin" } });
    return result(ran.stdout.toString(), { exitCode: ran.status, stderr: ran.stderr });
  });
}

describe("observeHost", () => {
  it("observes a host in exactly one exec", async () => {
    const conn = localSh("h1");
    const observed = await observeHost(desiredHost("h1", ["nemoclaw"]), conn, { now: () => new Date("2026-07-08T00:00:00Z") });
    expect(conn.commands).toHaveLength(1);
    expect(conn.commands[0]).toEqual({ script: expect.stringContaining("NCF_DESIRED=nemoclaw") });
    expect(observed).toMatchObject({
      host: "h1",
      unreachable: null,
      observedAt: "2026-07-08T00:00:00.000Z",
      system: { state: "known" },
      openshell: { state: "known", value: { installed: false } },
      nemoclaw: { state: "known", value: { installed: false } },
      registry: { state: "known", value: { entries: [] } },
      gateways: { state: "known", value: [] },
      fleetLock: { state: "known", value: null },
    });
  });

  it("an unreachable host is reported with its classified cause, never thrown", async () => {
    const conn = connection("h2", () => Promise.reject(new TransportError("host-key-changed", "h2", "host key for h2 changed (SHA256:aaa → SHA256:bbb)")));
    const observed = await observeHost(desiredHost("h2"), conn);
    expect(observed.unreachable).toEqual({ kind: "host-key-changed", message: "host key for h2 changed (SHA256:aaa → SHA256:bbb)" });
    expect(observed.gateways).toMatchObject({ state: "unknown", reason: expect.stringMatching(/host-key-changed/) });
    expect(observed.system.state).toBe("unknown");
  });

  it("a probe past its deadline is a timeout; what it did report is kept", async () => {
    const conn = connection("h3", async (command) => {
      const script = "script" in command ? command.script : "";
      const nonce = /NCF_NONCE=(\w+)/.exec(script)![1]!;
      return result(`@@NCF ${nonce} BEGIN uname-m\naarch64\n@@NCF ${nonce} END uname-m rc=0\n`, { exitCode: null, signal: "SIGKILL", timedOut: true });
    });
    const observed = await observeHost(desiredHost("h3"), conn, { timeoutMs: 5000 });
    expect(observed.unreachable).toEqual({ kind: "timeout", message: "the probe did not finish within 5000 ms" });
    expect(observed.system).toMatchObject({ state: "known", value: { arch: "aarch64" } });
    expect(observed.gateways.state).toBe("unknown");
  });

  it("a host without a usable sh reports the probe failure", async () => {
    const conn = connection("h4", async () => result("", { exitCode: 127, stderr: Buffer.from("sh: command not found\n") }));
    const observed = await observeHost(desiredHost("h4"), conn);
    expect(observed.unreachable).toEqual({ kind: "probe-failed", message: "the probe exited 127 before it finished: sh: command not found" });
  });
});

describe("observeFleet", () => {
  it("observes every selected host, in order, unreachable ones included", async () => {
    const hosts = ["a", "b", "c"].map((name) => desiredHost(name));
    const fleet = { hosts } as DesiredFleet;
    const seen: string[] = [];
    const observed = await observeFleet(fleet, ["c", "a", "b"], {
      concurrency: 2,
      pool: {
        get: async (name) => {
          if (name === "b") throw new TransportError("unreachable", "b", "connect ECONNREFUSED 10.0.0.2:22");
          return localSh(name);
        },
      },
      onHost: (host) => seen.push(host.host),
    });
    expect(observed.hosts.map((host) => [host.host, host.unreachable?.kind ?? null])).toEqual([
      ["c", null],
      ["a", null],
      ["b", "unreachable"],
    ]);
    expect(observed.hosts[2]!.unreachable?.message).toBe("connect ECONNREFUSED 10.0.0.2:22");
    expect(seen.sort()).toEqual(["a", "b", "c"]);
  });

  it("reports each host's connection, open or failed, before the host's probe runs", async () => {
    const hosts = ["a", "b"].map((name) => desiredHost(name));
    const events: string[] = [];
    await observeFleet({ hosts } as DesiredFleet, ["a", "b"], {
      concurrency: 1,
      pool: {
        get: async (name) => {
          if (name === "b") throw new TransportError("unreachable", "b", "connect ECONNREFUSED 10.0.0.2:22");
          return localSh(name);
        },
      },
      onConnectionSettled: (name) => events.push(`connection ${name}`),
      observeHost: async (host, connection, options) => {
        events.push(`probe ${host.name}`);
        return observeHost(host, connection, options);
      },
    });
    expect(events).toEqual(["connection a", "probe a", "connection b"]);
  });
});
