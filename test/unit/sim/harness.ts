// Runs the simulator's shims the way a host would: HOME and PATH set, output captured raw.

import { spawn } from "node:child_process";
import { afterEach } from "vitest";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { installSimulator, stopSimulator } from "../../sim/index.mjs";
import { nativeClient } from "../../sim/lib/native-client.mjs";

export type Scenario = NonNullable<Parameters<typeof installSimulator>[0]["scenario"]>;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface SimHost {
  home: string;
  binDir: string;
  /** Run a command line through `sh -c` on the simulated host. */
  sh(script: string, options?: { env?: Record<string, string>; input?: Buffer | string }): Promise<RunResult>;
  /** Run one program (found on the host's PATH) with arguments. */
  run(program: string, args: string[], options?: { env?: Record<string, string>; input?: Buffer | string }): Promise<RunResult>;
  stop(): Promise<void>;
}

/** Uid/gid the shims run as (a plain user when the tests run as root), undefined to keep ours. */
export interface AsUser {
  uid: number;
  gid: number;
}

/**
 * Install from a process running as `asUser` itself (not root handing over a uid), the way a
 * developer without privileges uses the simulator.
 */
async function installAsUser(home: string, scenario: Scenario, asUser: AsUser, mode: SimMode | undefined): Promise<{ binDir: string }> {
  // The resident mode's client is compiled into the checkout, which that user may not be able to write.
  if ((mode ?? process.env.FLEET_SIM_MODE) !== "process") await nativeClient();
  const script = `import(${JSON.stringify(INDEX)}).then(async (sim) => process.stdout.write(JSON.stringify(await sim.installSimulator(JSON.parse(process.argv[1])))))`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", script, JSON.stringify({ home, scenario, ...(mode ? { mode } : {}) })], { ...asUser, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`install as uid ${asUser.uid} failed: ${err}`))));
  });
}

const INDEX = fileURLToPath(new URL("../../sim/index.mjs", import.meta.url));

/** How each simulated command runs (test/sim/README.md, "Two modes"); by default FLEET_SIM_MODE's. */
export type SimMode = "resident" | "process";

export async function startHost(scenario: Scenario, asUser?: AsUser, options: { installUnprivileged?: boolean; mode?: SimMode } = {}): Promise<SimHost> {
  const home = mkdtempSync(join(tmpdir(), "fleet-sim-test-"));
  if (asUser && options.installUnprivileged) chownSync(home, asUser.uid, asUser.gid);
  const { binDir } =
    asUser && options.installUnprivileged
      ? await installAsUser(home, scenario, asUser, options.mode)
      : await installSimulator({ home, scenario, ...(asUser ?? {}), ...(options.mode ? { mode: options.mode } : {}) });
  let stopping: Promise<void> | undefined;
  const baseEnv = { HOME: home, PATH: `${binDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, LANG: "C.UTF-8" };
  const run = (program: string, args: string[], options: { env?: Record<string, string>; input?: Buffer | string } = {}) =>
    new Promise<RunResult>((resolve, reject) => {
      const child = spawn(program, args, { env: { ...baseEnv, ...(options.env ?? {}) }, cwd: home, ...(asUser ?? {}) });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
      child.on("error", reject);
      child.on("close", (code, signal) => {
        const stdoutBytes = Buffer.concat(out);
        resolve({ code: code ?? (signal ? 128 : 1), stdout: stdoutBytes.toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), stdoutBytes });
      });
      // A tool that exits without reading its input (a missing command, say) closes the pipe first.
      child.stdin.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") reject(error);
      });
      child.stdin.end(options.input ?? "");
    });
  return {
    home,
    binDir,
    run,
    sh: (script, options) => run("/bin/sh", ["-c", script], options),
    stop() {
      stopping ??= stopSimulator({ home }).then(() => rmSync(home, { recursive: true, force: true }));
      return stopping;
    },
  };
}

/**
 * `use(scenario)` starts a simulated host that is stopped after the test (hosts a test stops
 * itself are stopped once). Call at the top of a test file.
 */
export function hostsPerTest(): (scenario: Scenario) => Promise<SimHost> {
  const started: SimHost[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((host) => host.stop()));
  });
  return async (scenario) => {
    const host = await startHost(scenario);
    started.push(host);
    return host;
  };
}

/** Strip OpenShell's SGR colour codes the way NemoClaw's parsers do. */
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}
