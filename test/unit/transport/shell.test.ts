import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PROCESS_GROUP_MARKER, renderArgv, renderForLoginShell, renderKillProcessGroup, renderSecretPrelude, encodeSecretLines, renderSupervised } from "../../../src/transport/shell.js";

const run = promisify(execFile);

function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** The pids the command prints on its first line after the supervisor's marker line. */
function printedPids(stdout: NodeJS.ReadableStream): Promise<number[]> {
  return new Promise((resolve) => {
    let text = "";
    stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split("\n").find((candidate, index, lines) => index < lines.length - 1 && !candidate.startsWith(PROCESS_GROUP_MARKER));
      if (line !== undefined) resolve(line.trim().split(" ").map(Number));
    });
  });
}

describe("renderSupervised", () => {
  it("reports the command's own pid as a marker line on stderr and keeps stdout and the exit status", async () => {
    const text = renderSupervised(renderArgv(["sh", "-c", 'printf "%s" $$; echo oops >&2; exit 3']));
    const outcome = await run("setsid", ["sh", "-c", text]).catch((error: { stdout: string; stderr: string; code: number }) => error);
    const marker = new RegExp(`^${PROCESS_GROUP_MARKER}(\\d+)\\n`).exec(outcome.stderr);
    expect(outcome.stdout).toBe(`${marker?.[0]}${marker?.[1]}`);
    expect(outcome.stderr.slice(marker?.[0].length)).toBe("oops\n");
    expect((outcome as { code?: number }).code).toBe(3);
  });

  it("kills the process group once the parent (the sshd session) is gone", async () => {
    const text = renderSupervised(renderArgv(["sh", "-c", "sleep 300 & echo $! $$; wait"]), 1);
    // The outer sh plays the sshd session process; setsid makes the command a session leader as sshd does.
    const parent = spawn("sh", ["-c", 'setsid sh -c "$1" & wait', "sh", text], { stdio: ["ignore", "pipe", "ignore"] });
    const pids = await printedPids(parent.stdout);
    expect(pids.every(alive)).toBe(true);
    parent.kill("SIGKILL");
    const deadline = Date.now() + 10_000;
    while (pids.some(alive) && Date.now() < deadline) await sleep(50);
    expect(pids.filter(alive)).toEqual([]);
  });

  it("kills what `timeout` started in a process group of its own, once the parent is gone", async () => {
    // A step's commands run under `timeout` (src/host/batch.ts), which leaves the session leader's group.
    const inner = "sleep 300 & echo $! $$; wait";
    const text = renderSupervised(renderArgv(["sh", "-c", `timeout -k 2 300 sh -c '${inner}'; echo done`]), 1);
    const parent = spawn("sh", ["-c", 'setsid sh -c "$1" & wait', "sh", text], { stdio: ["ignore", "pipe", "ignore"] });
    const pids = await printedPids(parent.stdout);
    expect(pids.every(alive)).toBe(true);
    parent.kill("SIGKILL");
    const deadline = Date.now() + 4_000;
    while (pids.some(alive) && Date.now() < deadline) await sleep(50);
    const left = pids.filter(alive);
    for (const pid of left) process.kill(pid, "SIGKILL");
    expect(left).toEqual([]);
  });

  it("renders a group kill only for a real process group, reaching the whole session too", () => {
    expect(renderKillProcessGroup(4242, "TERM")).toBe("pkill -TERM -s 4242 2>/dev/null; kill -s TERM -- -4242");
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

describe("renderForLoginShell", () => {
  // sshd runs a command as `<login shell> -c TEXT`; each of these must hand sh exactly TEXT.
  const shells = ["/bin/sh", "/bin/bash", "/usr/bin/zsh", "/usr/bin/fish", "/usr/bin/tcsh", "/bin/ksh"];
  const text = [
    `printf '%s|' "it's" 'a\\\\b' 'c\\' '!x' 'y!' "$((1+2))" '~' '*' "\\$HOME"`,
    "printf '%s\\n' 'two",
    "lines'; echo \"bang!\" \\",
    "  continued",
    'echo "$#:$1"',
  ].join("\n");

  for (const shell of shells) {
    it.skipIf(!existsSync(shell))(`runs sh's reading of the text under ${shell} (skipped where ${shell} is missing)`, async () => {
      const expected = await run("sh", ["-c", text]);
      const got = await run(shell, ["-c", renderForLoginShell(text)]);
      expect(got).toEqual(expected);
    });
  }
});
