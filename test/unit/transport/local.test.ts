import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { LocalConnection } from "../../../src/transport/local.js";

const connection = new LocalConnection("ctl", { environment: { FLEET_SITE: "lab" }, killGraceMs: 500 });

function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("LocalConnection", () => {
  it("runs argv directly, without a shell", async () => {
    const result = await connection.run({ argv: ["printf", "%s|%s", "$HOME", "a b; echo injected"] });
    expect(result.stdout.toString()).toBe("$HOME|a b; echo injected");
    expect(result.exitCode).toBe(0);
  });

  it("runs a script through sh with env, secret env and the host environment", async () => {
    const result = await connection.run({
      script: 'printf "%s %s %s" "$FLEET_SITE" "$MODE" "$TOKEN"\nexit 4\n',
      env: { MODE: "dry run" },
      secretEnv: { TOKEN: "t0k3n" },
    });
    expect(result.stdout.toString()).toBe("lab dry run t0k3n");
    expect(result.exitCode).toBe(4);
  });

  it("feeds stdin and streams binary output exactly", async () => {
    const input = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const chunks: Buffer[] = [];
    const result = await connection.run({ argv: ["cat"] }, { stdin: input, onStdout: (chunk) => chunks.push(chunk) });
    expect(result.stdout.equals(input)).toBe(true);
    expect(Buffer.concat(chunks).equals(input)).toBe(true);
  });

  it("reports a missing command the way a shell would", async () => {
    const result = await connection.run({ argv: ["nemoclaw-no-such-binary", "--version"] });
    expect(result.exitCode).toBe(127);
    expect(result.stderr.toString()).toBe("nemoclaw-no-such-binary: command not found\n");
  });

  it("kills the whole process tree on timeout", async () => {
    let printed = "";
    const result = await connection.run({ argv: ["sh", "-c", 'sleep 300 & echo "$! $$"; wait'] }, { timeoutMs: 300, onStdout: (c) => (printed += c.toString()) });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe("SIGTERM");
    const pids = (printed.match(/\d+/g) ?? []).map(Number);
    expect(pids).toHaveLength(2);
    expect(pids.filter(alive)).toEqual([]);
  });

  it("rejects with a cancelled error when the signal aborts", async () => {
    const controller = new AbortController();
    const running = connection.run({ argv: ["sleep", "300"] }, { signal: controller.signal });
    controller.abort();
    await expect(running).rejects.toMatchObject({ kind: "cancelled", host: "ctl" });
  });

  it("refuses a script with separate stdin", async () => {
    await expect(connection.run({ script: "cat" }, { stdin: "x" })).rejects.toMatchObject({ kind: "command-failed" });
  });

  it("uploads atomically with a mode and downloads the bytes back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "local-upload-"));
    const target = join(dir, "secret.env");
    await connection.upload(Readable.from([Buffer.from("KEY=1\n")]), target, { mode: 0o600 });
    expect(readFileSync(target, "utf8")).toBe("KEY=1\n");
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const chunks: Buffer[] = [];
    for await (const chunk of await connection.download(target)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe("KEY=1\n");
  });

  it("keeps the old file when the upload source fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "local-upload-"));
    const target = join(dir, "config.json");
    writeFileSync(target, "old");
    const failing = new Readable({
      read() {
        this.push("partial");
        this.destroy(new Error("source broke"));
      },
    });
    await expect(connection.upload(failing, target)).rejects.toMatchObject({ kind: "command-failed" });
    expect(readFileSync(target, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["config.json"]);
  });

  it("keeps the old file when fewer bytes arrive than the upload announced", async () => {
    const dir = mkdtempSync(join(tmpdir(), "local-upload-"));
    const target = join(dir, "manifest.json");
    writeFileSync(target, "old");
    await expect(connection.upload(Readable.from([Buffer.from("new con")]), target, { bytes: 13 })).rejects.toThrow(/only 7 of 13 bytes arrived/);
    expect(readFileSync(target, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["manifest.json"]);
  });

  it("never writes through a symbolic link at the target", async () => {
    const dir = mkdtempSync(join(tmpdir(), "local-upload-"));
    mkdirSync(join(dir, "victim-dir"));
    writeFileSync(join(dir, "victim-file"), "keep");
    symlinkSync("victim-dir", join(dir, "to-dir"));
    symlinkSync("victim-file", join(dir, "to-file"));
    for (const name of ["to-dir", "to-file"]) await connection.upload(Readable.from([Buffer.from("new")]), join(dir, name), { mode: 0o600 });
    expect(readdirSync(join(dir, "victim-dir"))).toEqual([]);
    expect(readFileSync(join(dir, "victim-file"), "utf8")).toBe("keep");
    expect(["to-dir", "to-file"].map((name) => [lstatSync(join(dir, name)).isFile(), readFileSync(join(dir, name), "utf8")])).toEqual([
      [true, "new"],
      [true, "new"],
    ]);
  });

  it("gives commands a minimal environment: never the controller's other secrets, only the step's own", async () => {
    const traced = { AWS_SECRET_ACCESS_KEY: "controller-aws-secret-7f3a", GITHUB_TOKEN: "ghp_controller_token_91c2", OPENAI_API_KEY: "sk-controller-key-55d1" };
    const saved = { ...process.env };
    Object.assign(process.env, traced, { LC_TIME: "C", TMPDIR: "/tmp" });
    try {
      const environ = async (command: Parameters<LocalConnection["run"]>[0]) => {
        const result = await connection.run(command);
        return Object.fromEntries(
          result.stdout
            .toString()
            .split("\0")
            .filter(Boolean)
            .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
        );
      };
      const direct = await environ({ argv: ["cat", "/proc/self/environ"], env: { STEP_SETTING: "x" }, secretEnv: { NVIDIA_API_KEY: "nvapi-the-step-secret" } });
      const scripted = await environ({ script: "exec cat /proc/$$/environ\n" });
      for (const seen of [direct, scripted]) {
        expect(Object.keys(seen).filter((name) => !/^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_\w+|TERM|TMPDIR|XDG_\w+|FLEET_SITE|STEP_SETTING|NVIDIA_API_KEY|PWD|SHLVL|_)$/.test(name))).toEqual([]);
        for (const value of Object.values(traced)) expect(Object.values(seen)).not.toContain(value);
        expect(seen).toMatchObject({ FLEET_SITE: "lab", PATH: process.env.PATH, LC_TIME: "C", TMPDIR: "/tmp" });
      }
      expect(direct).toMatchObject({ NVIDIA_API_KEY: "nvapi-the-step-secret", STEP_SETTING: "x" });
      expect(scripted.NVIDIA_API_KEY).toBeUndefined();
    } finally {
      for (const name of [...Object.keys(traced), "LC_TIME", "TMPDIR"]) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it("reports a missing file on download", async () => {
    await expect(connection.download("/nonexistent/nemoclaw")).rejects.toMatchObject({ kind: "command-failed", host: "ctl" });
  });
});
