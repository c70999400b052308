/**
 * The test fleet cleans up after a crashed run: the next fleets to start stop what it left —
 * sshd processes, users and network namespace — even when several start at the same moment
 * (as test files do), each sweeping the same leftovers.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { sweepStaleFleets } from "../fleet/index.mjs";
import { execFileAsync, isRunning } from "../fleet/proc.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Bring a fleet up in a child process and SIGKILL that process once the fleet is up. */
async function crashedFleet(): Promise<{ users: string[]; sshd: { pid: number; start: string }[]; namespace: string | null; runId: string }> {
  const dir = await mkdtemp(join(tmpdir(), "nemoclaw-crashed-fleet-"));
  dirs.push(dir);
  const child = spawn(process.execPath, ["scripts/test-fleet.mjs", "up", "--hosts", "3", "--bastion", "--dir", dir], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`test fleet exited (${code}) before it was up: ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  const state = JSON.parse(await readFile(join(dir, "fleet.json"), "utf8"));
  return { users: state.users, sshd: Object.values(state.sshd), namespace: state.network?.namespace ?? null, runId: state.runId };
}

describe("sweeping a crashed run's test fleet", () => {
  it("stops its sshd processes and removes its users and namespace, with three sweeps at once", async () => {
    const crashed = await crashedFleet();
    expect(crashed.sshd.length).toBe(4);
    const runningBefore = await Promise.all(crashed.sshd.map(isRunning));
    expect(runningBefore.every(Boolean)).toBe(true);
    if (process.getuid?.() === 0) expect(crashed.users.length).toBe(4);

    await Promise.all([sweepStaleFleets(), sweepStaleFleets(), sweepStaleFleets()]);

    const runningAfter = await Promise.all(crashed.sshd.map(isRunning));
    expect(runningAfter.some(Boolean)).toBe(false);
    const passwd = await readFile("/etc/passwd", "utf8");
    for (const user of crashed.users) expect(passwd).not.toContain(`${user}:`);
    if (crashed.namespace) {
      const { stdout } = await execFileAsync("ip", ["netns", "list"]);
      expect(stdout).not.toContain(crashed.namespace);
    }
    const registry = join(tmpdir(), `nemoclaw-test-fleets-${process.getuid?.() ?? 0}`, `${crashed.runId}.json`);
    await expect(readFile(registry)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
