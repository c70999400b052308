import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Duplex, type Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "ssh2";
import { describe, expect, it } from "vitest";
import { atomicWriteCommand, renderRemoteCommand, SshConnection } from "../../../src/transport/ssh.js";

describe("renderRemoteCommand", () => {
  it("renders argv with the host environment and the command's env", () => {
    expect(renderRemoteCommand({ argv: ["openshell", "sandbox", "list"], env: { NO_COLOR: "1" } }, { SITE: "lab one" })).toEqual({
      text: "env 'SITE=lab one' NO_COLOR=1 openshell sandbox list",
      stdinPrefix: "",
    });
  });

  it("sends a script on stdin to sh -s", () => {
    expect(renderRemoteCommand({ script: "echo hi\n" }, {})).toEqual({ text: "sh -s", stdinPrefix: "echo hi\n" });
  });

  it("keeps secret values out of the command text and puts them first on stdin", () => {
    const rendered = renderRemoteCommand({ script: "run\n", secretEnv: { NVIDIA_API_KEY: "nvapi-secret" } }, { SITE: "lab" });
    expect(rendered.text).not.toContain("nvapi-secret");
    expect(rendered.text).toContain("NVIDIA_API_KEY");
    expect(rendered.stdinPrefix).toBe("nvapi-secret\nrun\n");
  });
});

describe("atomicWriteCommand", () => {
  /**
   * Run the upload's command here with a `sync` on PATH that records, for each operand, what it
   * was asked to flush and what the target was at that moment.
   */
  function upload(durable: boolean): { log: string[]; target: string; content: string } {
    const dir = mkdtempSync(join(tmpdir(), "atomic-write-"));
    try {
      const bin = join(dir, "bin");
      const store = join(dir, "store");
      mkdirSync(bin);
      mkdirSync(store);
      const log = join(dir, "sync.log");
      writeFileSync(
        join(bin, "sync"),
        `#!/bin/sh\nfor a in "$@"; do\n  [ "$a" = -- ] && continue\n  if [ -d "$a" ]; then echo "dir \${a#${store}} holds $(ls -A "$a")" >> ${log}\n  else echo "file \${a#${store}/} of $(wc -c < "$a") bytes, target $(cat ${store}/manifest.json 2>/dev/null || echo absent)" >> ${log}; fi\ndone\n`,
        { mode: 0o755 },
      );
      const target = join(store, "manifest.json");
      const [file, ...args] = atomicWriteCommand(target, { mode: 0o600, bytes: 7, durable }).argv;
      const result = spawnSync(file!, args, { input: '{"a":1}', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: "utf8" });
      expect(result.status).toBe(0);
      return { log: existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [], target, content: readFileSync(target, "utf8") };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("durable: flushes the whole file before the rename that shows it, and its directory after", () => {
    const { log, content } = upload(true);
    expect(content).toBe('{"a":1}');
    expect(log).toEqual([expect.stringMatching(/^file \.manifest\.json\.nemoclaw-tmp\.\w{8} of 7 bytes, target absent$/), "dir / holds manifest.json"]);
  });

  it("flushes nothing otherwise", () => {
    expect(upload(false).log).toEqual([]);
  });

  it("removes its temporary file when the controller vanishes mid-upload: input cut short, nobody reading its output", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atomic-write-"));
    try {
      const target = join(dir, "manifest.json");
      writeFileSync(target, "old\n");
      const [file, ...args] = atomicWriteCommand(target, { mode: 0o600, bytes: 100, durable: true }).argv;
      const child = spawn(file!, args, { stdio: ["pipe", "pipe", "pipe"] });
      // What sshd leaves the command of a controller that was SIGKILLed: the temporary file is
      // made and announced, then the input ends early and the output pipes have no reader.
      await new Promise((resolve) => child.stdout.once("data", resolve));
      child.stdout.destroy();
      child.stderr.destroy();
      child.stdin.end('{"half":');
      await new Promise((resolve) => child.once("close", resolve));
      expect(readdirSync(dir)).toEqual(["manifest.json"]);
      expect(readFileSync(target, "utf8")).toBe("old\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * An ssh2 session channel played by a local process: sshd's `<login shell> -c TEXT` in a session
 * of its own, as sshd starts it (setsid), the login shell here being sh after `startup` ran.
 */
class LocalChannel extends Duplex {
  readonly stderr: Readable;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    super({ emitClose: false }); // 'close' is the command's end, with its status, as ssh2 reports it
    this.stderr = child.stderr;
    child.stdin.on("error", () => undefined);
    child.stdout.on("data", (chunk: Buffer) => this.push(chunk));
    child.stdout.on("end", () => this.push(null));
    child.on("close", (code, signal) => this.emit("close", code ?? undefined, signal?.replace(/^SIG/, "")));
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.child.stdin.write(chunk, () => callback());
  }

  override _final(callback: () => void): void {
    this.child.stdin.end();
    callback();
  }

  signal(name: string): void {
    this.child.kill(`SIG${name}` as NodeJS.Signals);
  }

  close(): void {}
}

function localClient(startup: string): Client {
  const client = {
    exec(text: string, callback: (error: Error | undefined, channel: LocalChannel) => void): void {
      callback(undefined, new LocalChannel(spawn("sh", ["-c", `${startup}\neval "$1"`, "sh", text], { detached: true })));
    },
    on: () => client,
    once: () => client,
    end: () => undefined,
  };
  return client as unknown as Client;
}

function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("SshConnection past the login shell's startup output", () => {
  // More than the 64 KiB after which the filter once gave up and passed the banner on.
  const banner = 'i=0; while [ $i -lt 5000 ]; do echo "Welcome to DGX, message of the day line $i"; echo "startup warning $i" >&2; i=$((i+1)); done';

  it("drops any amount of it from stdout and stderr, and still finds the process group to kill", async () => {
    const connection = new SshConnection("spark-1", localClient(banner), () => Promise.reject(new Error("no redial")), { killGraceMs: 200 });
    const home = await connection.run({ argv: ["sh", "-c", 'printf "%s" "$HOME"; echo oops >&2'] });
    expect(home.stdout.toString()).toBe(process.env.HOME ?? "");
    expect(home.stderr.toString()).toBe("oops\n");

    let printed = "";
    const timedOut = await connection.run({ argv: ["sh", "-c", "sleep 300 & echo $!; wait"] }, { timeoutMs: 500, onStdout: (chunk) => (printed += chunk.toString()) });
    expect(timedOut.timedOut).toBe(true);
    const background = Number(printed.trim());
    expect(background).toBeGreaterThan(1);
    try {
      for (let waited = 0; alive(background) && waited < 3000; waited += 50) await sleep(50);
      expect(alive(background)).toBe(false);
    } finally {
      if (alive(background)) process.kill(background, "SIGKILL");
    }
  });
});
