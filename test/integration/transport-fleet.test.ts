/**
 * The SSH transport against a real fleet of OpenSSH hosts: fleet-wide concurrency over one
 * connection per host, bastions, unreachable hosts, timeouts and cancellation that really end
 * the remote process, binary streams, secrets, atomic uploads.
 */
import { createHash, randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { PassThrough, Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DesiredHost } from "../../src/config/types.js";
import { openConnection, routeResolverFor } from "../../src/transport/connect.js";
import { runAnswering } from "../../src/transport/execution.js";
import { JumpHosts } from "../../src/transport/jump-hosts.js";
import { IdentityKeys } from "../../src/transport/ssh-auth.js";
import { ConnectionPool, mapHosts } from "../../src/transport/pool.js";
import { TransportError } from "../../src/transport/types.js";
import { startFleet, type TestFleet } from "../fleet/index.mjs";

const PARALLEL_HOSTS = Array.from({ length: 20 }, (_, i) => `node-${String(i + 1).padStart(2, "0")}`);
const HIDDEN_HOSTS = ["hidden-1", "hidden-2", "hidden-3"];

let fleet: TestFleet;
let pool: ConnectionPool;

function host(name: string): DesiredHost {
  return fleet.fleetHost(name) as DesiredHost;
}

/** Whether a process exists (zombies count as gone: they have ended). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\S+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

async function gone(pids: number[], withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!pids.some(alive)) return true;
    await sleep(50);
  }
  return !pids.some(alive);
}

function pidsIn(text: string): number[] {
  return (text.match(/\d+/g) ?? []).map(Number);
}

beforeAll(async () => {
  fleet = await startFleet({
    hosts: [
      ...PARALLEL_HOSTS.map((name) => ({ name, groups: ["parallel"] })),
      ...HIDDEN_HOSTS.map((name) => ({ name, behindBastion: true })),
      { name: "work-1" },
      { name: "work-2" },
      { name: "rooty", loginAsRoot: true },
    ],
    bastion: true,
    closedPortHosts: ["dead-1"],
  });
  const hosts = fleet.hosts.map((h) => fleet.fleetHost(h.name) as DesiredHost);
  hosts.find((h) => h.name === "work-2")!.environment = { FLEET_SITE: "lab one" };
  pool = new ConnectionPool(hosts, { killGraceMs: 1000 });
});

afterAll(async () => {
  await pool?.closeAll();
  await fleet?.stop();
});

describe("fleet concurrency", () => {
  it("runs many commands on 20 hosts in parallel over exactly one SSH connection per host", async () => {
    const commandsPerHost = 15;
    const results = await mapHosts(PARALLEL_HOSTS, 20, async (name) => {
      const connection = await pool.get(name);
      const outputs = await Promise.all(
        Array.from({ length: commandsPerHost }, (_, i) => connection.run({ argv: ["sh", "-c", 'printf "%s %s" "$(id -un)" "$1"', "sh", String(i)] })),
      );
      return outputs.map((r) => r.stdout.toString());
    });
    for (const name of PARALLEL_HOSTS) {
      const outcome = results.get(name);
      expect(outcome?.ok ? "ok" : String((outcome as { error: unknown }).error)).toBe("ok");
      const user = fleet.hosts.find((h) => h.name === name)!.user;
      expect(outcome?.ok && outcome.value).toEqual(Array.from({ length: commandsPerHost }, (_, i) => `${user} ${i}`));
      expect(await fleet.connectionCount(name)).toBe(1);
      expect(await fleet.execCount(name)).toBe(commandsPerHost);
    }
  });

  it("reports a closed-port host as unreachable while the others succeed", async () => {
    const results = await mapHosts(["dead-1", "work-1", "work-2"], 3, async (name) => {
      const connection = await pool.get(name);
      return (await connection.run({ argv: ["true"] })).exitCode;
    });
    const dead = results.get("dead-1");
    expect(dead?.ok).toBe(false);
    const error = !dead?.ok ? dead?.error : undefined;
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).kind).toBe("unreachable");
    expect((error as TransportError).host).toBe("dead-1");
    expect((error as TransportError).message).toMatch(/dead-1: unreachable: .*connection refused/);
    expect(results.get("work-1")).toEqual({ ok: true, value: 0 });
    expect(results.get("work-2")).toEqual({ ok: true, value: 0 });
  });
});

describe("bastion", () => {
  it("reaches hosts behind the bastion over one shared bastion connection", async () => {
    const results = await mapHosts(HIDDEN_HOSTS, 3, async (name) => (await (await pool.get(name)).run({ argv: ["id", "-un"] })).stdout.toString().trim());
    for (const name of HIDDEN_HOSTS) {
      expect(results.get(name)).toEqual({ ok: true, value: fleet.hosts.find((h) => h.name === name)!.user });
      expect(await fleet.connectionCount(name)).toBe(1);
    }
    expect(await fleet.connectionCount("bastion")).toBe(1);
    expect(await fleet.forwardCount()).toBe(HIDDEN_HOSTS.length);
  });

  it("sets up at most the per-bastion limit of forwarded connections at once", async () => {
    const jumps = new JumpHosts({ concurrency: 2, retry: { retries: 0, backoffMs: 0 }, identities: new IdentityKeys(async () => "") });
    const routes = routeResolverFor({ fleetHosts: fleet.hosts.map((h) => host(h.name)) });
    let active = 0;
    let peak = 0;
    try {
      await Promise.all(
        [...HIDDEN_HOSTS, ...HIDDEN_HOSTS].map(async (name) => {
          const settings = host(name).connection;
          if (settings.kind !== "ssh") throw new Error("expected ssh");
          const route = await routes.resolve(name, settings);
          await jumps.through(name, route.jumps, route.target, async (sock) => {
            active++;
            peak = Math.max(peak, active);
            await sleep(50); // a handshake in progress
            sock?.destroy();
            active--;
          });
        }),
      );
    } finally {
      await jumps.closeAll();
    }
    expect(peak).toBe(2);
  });

  it("cannot reach a hidden host without the bastion", async () => {
    const direct = host("hidden-1");
    if (direct.connection.kind !== "ssh") throw new Error("expected ssh");
    direct.connection.proxyJump = [];
    direct.connection.connectTimeoutMs = 2000;
    const attempt = openConnection(direct, { retries: 0 });
    if (process.getuid?.() === 0) {
      // As root the hidden hosts live in a network namespace only the bastion can reach.
      await expect(attempt).rejects.toMatchObject({ kind: "unreachable", host: "hidden-1" });
    } else {
      // Without namespaces everything is on loopback; the jump was proven from the bastion's log above.
      await (await attempt).close();
    }
  });
});

describe("timeouts and cancellation", () => {
  it.each(["work-1", "rooty"])("kills a command past its timeout, remote processes included (%s)", async (name) => {
    const connection = await pool.get(name);
    let printed = "";
    const result = await connection.run(
      { argv: ["sh", "-c", 'sleep 300 & echo "$! $$"; wait'] },
      { timeoutMs: 800, onStdout: (chunk) => (printed += chunk.toString()) },
    );
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    const pids = pidsIn(printed);
    expect(pids).toHaveLength(2);
    expect(await gone(pids, 5000)).toBe(true);
  });

  it("cancels a running command through its AbortSignal and ends the remote process", async () => {
    const connection = await pool.get("work-2");
    const controller = new AbortController();
    let printed = "";
    const running = connection.run(
      { argv: ["sh", "-c", "echo $$; exec sleep 300"] },
      {
        signal: controller.signal,
        onStdout: (chunk) => {
          printed += chunk.toString();
          controller.abort(new Error("operator pressed ctrl-c"));
        },
      },
    );
    await expect(running).rejects.toMatchObject({ kind: "cancelled", host: "work-2" });
    expect(await gone(pidsIn(printed), 5000)).toBe(true);
  });

  it("reports a connection lost mid-command as a possibly-run failure, and dials again for the next command", async () => {
    const connection = await pool.get("work-1");
    const connectionsBefore = await fleet.connectionCount("work-1");
    let sessionProcess = 0;
    const running = connection.run(
      { argv: ["sh", "-c", "echo $PPID; exec sleep 300"] },
      {
        onStdout: (chunk) => {
          // The command's parent is the sshd process serving this connection: end it, as a crash would.
          sessionProcess = Number(chunk.toString().trim());
          process.kill(sessionProcess, "SIGKILL");
        },
      },
    );
    await expect(running).rejects.toMatchObject({ kind: "command-failed", host: "work-1", cause_: expect.stringContaining("may or may not have completed") });
    expect(sessionProcess).toBeGreaterThan(1);
    expect((await connection.run({ argv: ["true"] })).exitCode).toBe(0);
    expect(await fleet.connectionCount("work-1")).toBe(connectionsBefore + 1);
  });

  it("ends the remote process when the connection drops", async () => {
    const connection = await openConnection(host("work-2"));
    const child = await connection.spawn({ argv: ["sh", "-c", "echo $$; exec sleep 300"] });
    child.stdin.end();
    const pid = await new Promise<number>((resolve) => child.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    expect(alive(pid)).toBe(true);
    await connection.close();
    // The watchdog polls every few seconds.
    expect(await gone([pid], 15_000)).toBe(true);
  });
});

describe("streams, files and secrets", () => {
  it("streams 50 MB of binary data through a remote cat byte-exact", async () => {
    const connection = await pool.get("work-1");
    const data = randomBytes(50 * 1024 * 1024);
    const child = await connection.spawn({ argv: ["cat"] });
    const hash = createHash("sha256");
    let received = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      received += chunk.length;
    });
    Readable.from((function* () {
      for (let offset = 0; offset < data.length; offset += 1 << 20) yield data.subarray(offset, offset + (1 << 20));
    })()).pipe(child.stdin);
    const outcome = await child.done;
    await new Promise((resolve) => (child.stdout.readableEnded ? resolve(null) : child.stdout.once("end", resolve)));
    expect(outcome.exitCode).toBe(0);
    expect(received).toBe(data.length);
    expect(hash.digest("hex")).toBe(createHash("sha256").update(data).digest("hex"));
  });

  it("delivers secretEnv through the environment, never in any process's argv", async () => {
    const connection = await pool.get("work-2");
    const secret = `s3cr3t-${randomBytes(12).toString("hex")}`;
    const controller = new AbortController();
    let pid = 0;
    const seen = new Promise<void>((resolve) => {
      void connection
        .run(
          { argv: ["sh", "-c", 'echo $$; exec sleep 300'], secretEnv: { API_TOKEN: secret } },
          {
            signal: controller.signal,
            onStdout: (chunk) => {
              pid = Number(chunk.toString().trim());
              resolve();
            },
          },
        )
        .catch(() => undefined);
    });
    await seen;
    const argvHolders = readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .filter((entry) => {
        try {
          return readFileSync(`/proc/${entry}/cmdline`).includes(secret);
        } catch {
          return false;
        }
      });
    expect(argvHolders).toEqual([]);
    expect(readFileSync(`/proc/${pid}/environ`).toString().split("\0")).toContain(`API_TOKEN=${secret}`);
    controller.abort();
  });

  it("answers a script's question over SSH in the same session, after its secret prelude; a script that never asks is not waited on", async () => {
    const connection = await pool.get("work-2");
    const script = 'echo "seen=$FLEET_SITE"\n{ echo ASKING; IFS= read -r answer || answer=none; echo "answer=$answer token=$TOKEN"; }\n';
    let heard = "";
    const result = await runAnswering(connection, { script, secretEnv: { TOKEN: "t-1" } }, { timeoutMs: 20_000 }, {
      asked: "ASKING\n",
      answer: async (soFar) => {
        heard = soFar.toString();
        await sleep(200);
        return "ok";
      },
    });
    expect(heard).toBe("seen=lab one\nASKING\n");
    expect(result.stdout.toString()).toBe("seen=lab one\nASKING\nanswer=ok token=t-1\n");
    expect(result.exitCode).toBe(0);
    const never = await runAnswering(connection, { script: "echo done; exit 4\n" }, { timeoutMs: 20_000 }, { asked: "ASKING\n", answer: async () => "unused" });
    expect([never.exitCode, never.timedOut, never.stdout.toString()]).toEqual([4, false, "done\n"]);
  });

  it("applies the host environment to every command", async () => {
    const result = await (await pool.get("work-2")).run({ script: 'printf "%s|%s" "$FLEET_SITE" "$EXTRA"\n', env: { EXTRA: "it's here" } });
    expect(result.stdout.toString()).toBe("lab one|it's here");
  });

  it("uploads atomically with a mode and downloads the same bytes", async () => {
    const connection = await pool.get("work-1");
    const home = fleet.hosts.find((h) => h.name === "work-1")!.home;
    const content = randomBytes(300_000);
    await connection.upload(Readable.from([content]), `${home}/payload.bin`, { mode: 0o640 });
    const listing = await connection.run({ argv: ["sh", "-c", 'stat -c %a "$1"; ls -a "$2"', "sh", `${home}/payload.bin`, home] });
    const [mode, ...entries] = listing.stdout.toString().trim().split("\n");
    expect(mode).toBe("640");
    expect(entries.filter((entry) => entry.includes("nemoclaw-tmp"))).toEqual([]);
    const chunks: Buffer[] = [];
    for await (const chunk of await connection.download(`${home}/payload.bin`)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
  });

  it("leaves the old file in place when the upload source fails", async () => {
    const connection = await pool.get("work-1");
    const home = fleet.hosts.find((h) => h.name === "work-1")!.home;
    await connection.upload(Readable.from([Buffer.from("old contents\n")]), `${home}/config.txt`);
    const failing = new Readable({
      read() {
        this.push(Buffer.from("partial new contents"));
        this.destroy(new Error("disk read error"));
      },
    });
    await expect(connection.upload(failing, `${home}/config.txt`)).rejects.toMatchObject({ kind: "command-failed" });
    const after = await connection.run({ argv: ["sh", "-c", 'cat "$1"; ls -a "$2"', "sh", `${home}/config.txt`, home] });
    expect(after.stdout.toString()).toContain("old contents\n");
    expect(after.stdout.toString()).not.toContain("nemoclaw-tmp");
  });

  it("removes the temporary file of a failed upload it had to kill, when no trap could remove it", async () => {
    // A grace of 1 ms: the TERM is followed by KILL at once, as on a host too loaded to honour TERM in time.
    const hurried = new ConnectionPool([fleet.fleetHost("work-1") as DesiredHost], { killGraceMs: 1 });
    try {
      const connection = await hurried.get("work-1");
      const home = fleet.hosts.find((h) => h.name === "work-1")!.home;
      await connection.upload(Readable.from([Buffer.from("old contents\n")]), `${home}/hurried.txt`);
      const stalled = new PassThrough();
      const uploading = connection.upload(stalled, `${home}/hurried.txt`);
      stalled.write(Buffer.from("partial new contents"));
      await new Promise((resolve) => setTimeout(resolve, 300)); // the temporary file is there and being written
      stalled.destroy(new Error("disk read error"));
      await expect(uploading).rejects.toMatchObject({ kind: "command-failed" });
      const after = await connection.run({ argv: ["sh", "-c", 'cat "$1"; ls -a "$2"', "sh", `${home}/hurried.txt`, home] });
      expect(after.stdout.toString()).toContain("old contents\n");
      expect(after.stdout.toString()).not.toContain("hurried.txt.nemoclaw-tmp");
    } finally {
      await hurried.closeAll();
    }
  });

  it("fails, leaving the old file, when the source is closed before its end without an error", { timeout: 30_000 }, async () => {
    const connection = await pool.get("work-1");
    const home = fleet.hosts.find((h) => h.name === "work-1")!.home;
    await connection.upload(Readable.from([Buffer.from("old contents\n")]), `${home}/quiet.txt`);
    const source = new PassThrough();
    const uploading = connection.upload(source, `${home}/quiet.txt`);
    source.write(Buffer.from("partial new contents"));
    setTimeout(() => source.destroy(), 200);
    await expect(uploading).rejects.toMatchObject({ kind: "command-failed", message: expect.stringMatching(/reading the source failed: Premature close/) });
    const after = await connection.run({ argv: ["sh", "-c", 'cat "$1"; ls -a "$2"', "sh", `${home}/quiet.txt`, home] });
    expect(after.stdout.toString()).toContain("old contents\n");
    expect(after.stdout.toString()).not.toContain("nemoclaw-tmp");
  });

  it("leaves no temporary file on the host when the controller is SIGKILLed mid-upload", async () => {
    const home = fleet.hosts.find((h) => h.name === "work-1")!.home;
    const target = `${home}/killed.json`;
    const temporaries = () => readdirSync(home).filter((name) => name.startsWith(".killed.json.nemoclaw-tmp."));
    // A controller of its own, killed while its upload of a known size is half sent.
    const controller = [
      `import { ConnectionPool } from ${JSON.stringify(new URL("../../dist/transport/pool.js", import.meta.url).href)};`,
      'import { PassThrough } from "node:stream";',
      `const connection = await new ConnectionPool([${JSON.stringify(fleet.fleetHost("work-1"))}]).get("work-1");`,
      "const source = new PassThrough();",
      `connection.upload(source, ${JSON.stringify(target)}, { bytes: 100 }).catch(() => undefined);`,
      'source.write("{\\"half\\":");',
    ].join("\n");
    const child = spawn(process.execPath, ["--input-type=module", "-e", controller], { stdio: "ignore" });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const until = async (condition: () => boolean): Promise<boolean> => {
      for (let waited = 0; waited < 300 && !condition(); waited += 1) await sleep(100);
      return condition();
    };
    expect(await until(() => temporaries().length === 1)).toBe(true);
    child.kill("SIGKILL");
    await exited;
    // sshd ends the upload's input and nothing reads its output any more: the host cleans up on its own.
    expect(await until(() => temporaries().length === 0)).toBe(true);
    expect(existsSync(target)).toBe(false);
  });

  it("keeps the old file when fewer bytes arrive than the upload announced", async () => {
    const connection = await pool.get("work-1");
    const home = fleet.hosts.find((h) => h.name === "work-1")!.home;
    await connection.upload(Readable.from([Buffer.from("old contents\n")]), `${home}/sized.txt`);
    // What a controller killed mid-upload leaves: the input simply ends early.
    await expect(connection.upload(Readable.from([Buffer.from("new con")]), `${home}/sized.txt`, { bytes: 13 })).rejects.toMatchObject({
      kind: "command-failed",
      message: expect.stringMatching(/only 7 of 13 bytes arrived/),
    });
    await connection.upload(Readable.from([Buffer.from("new contents\n")]), `${home}/sized.txt`, { bytes: 13 });
    const after = await connection.run({ argv: ["sh", "-c", 'cat "$1"; ls -a "$2"', "sh", `${home}/sized.txt`, home] });
    expect(after.stdout.toString()).toContain("new contents\n");
    expect(after.stdout.toString()).not.toContain("nemoclaw-tmp");
  });

  it("never writes through a symbolic link at the target", async () => {
    const connection = await pool.get("work-1");
    const home = fleet.hosts.find((h) => h.name === "work-1")!.home;
    const setup = await connection.run({
      script: `set -e; cd "$HOME"; mkdir -p victim-dir; printf 'keep\\n' > victim-file; ln -sfn victim-dir to-dir; ln -sfn victim-file to-file\n`,
    });
    expect(setup.exitCode, setup.stderr.toString()).toBe(0);
    await connection.upload(Readable.from([Buffer.from("new\n")]), `${home}/to-dir`, { mode: 0o600 });
    await connection.upload(Readable.from([Buffer.from("new\n")]), `${home}/to-file`, { mode: 0o600 });
    const after = await connection.run({ script: 'cd "$HOME"; ls -A victim-dir; cat victim-file; for f in to-dir to-file; do [ -L "$f" ] && echo "$f is a link"; cat "$f"; done; ls -a | grep -c nemoclaw-tmp\n' });
    expect(after.stdout.toString()).toBe("keep\nnew\nnew\n0\n");
  });

  it("reports a download of a missing file as a failed command", async () => {
    const connection = await pool.get("work-1");
    await expect(connection.download("/nonexistent/file")).rejects.toMatchObject({ kind: "command-failed", host: "work-1" });
  });
});
