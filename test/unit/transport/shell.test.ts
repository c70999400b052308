import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PROCESS_GROUP_MARKER, renderArgv, renderKillProcessGroup, renderSecretPrelude, encodeSecretLines, renderSupervised } from "../../../src/transport/shell.js";

const run = promisify(execFile);

function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("renderSupervised", () => {
  it("reports the command's own pid as a marker line on stderr and keeps stdout and the exit status", async () => {
    const text = renderSupervised(renderArgv(["sh", "-c", 'printf "%s" $$; echo oops >&2; exit 3']));
    const outcome = await run("setsid", ["sh", "-c", text]).catch((error: { stdout: string; stderr: string; code: number }) => error);
    const marker = new RegExp(`^${PROCESS_GROUP_MARKER}(\\d+)\\n`).exec(outcome.stderr);
    expect(marker?.[1]).toBe(outcome.stdout);
    expect(outcome.stderr.slice(marker?.[0].length)).toBe("oops\n");
    expect((outcome as { code?: number }).code).toBe(3);
  });

  it("kills the process group once the parent (the sshd session) is gone", async () => {
    const text = renderSupervised(renderArgv(["sh", "-c", "sleep 300 & echo $! $$; wait"]), 1);
    // The outer sh plays the sshd session process; setsid makes the command a session leader as sshd does.
    const parent = spawn("sh", ["-c", 'setsid sh -c "$1" & wait', "sh", text], { stdio: ["ignore", "pipe", "ignore"] });
    const pids = await new Promise<number[]>((resolve) => parent.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim().split(" ").map(Number))));
    expect(pids.every(alive)).toBe(true);
    parent.kill("SIGKILL");
    const deadline = Date.now() + 10_000;
    while (pids.some(alive) && Date.now() < deadline) await sleep(50);
    expect(pids.filter(alive)).toEqual([]);
  });

  it("renders a group kill only for a real process group", () => {
    expect(renderKillProcessGroup(4242, "TERM")).toBe("kill -s TERM -- -4242");
    expect(() => renderKillProcessGroup(1, "KILL")).toThrow("invalid process group id: 1");
  });

  it("delivers secrets through stdin into the environment of the command", async () => {
    const text = renderSecretPrelude(["API_KEY"], ["sh", "-c", 'printf "%s/" "$API_KEY"; cat']);
    const child = execFile("sh", ["-c", text]);
    child.stdin?.end(`${encodeSecretLines(["k3y with 'quotes' $x"])}rest of input`);
    const output = await new Promise<string>((resolve) => {
      let text = "";
      child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString()));
      child.on("close", () => resolve(text));
    });
    expect(output).toBe("k3y with 'quotes' $x/rest of input");
  });
});
