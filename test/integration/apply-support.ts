/**
 * Running the real CLI (dist/cli/main.js, built by `npm run build`) against a test fleet: fleet
 * files next to the fleet's inventory, JSON Lines events read as they arrive, plans as JSON,
 * journals, and the host lock files.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ApplyEvent, EventOf } from "../../src/apply/events.js";
import type { Plan } from "../../src/plan/types.js";

/** The built CLI; NEMOCLAW_TEST_CLI points the tests at another build. */
export const CLI = process.env.NEMOCLAW_TEST_CLI ?? fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** A provider key the journal, plans and output must never contain. */
export const SECRET = "nvapi-it-SECRET-7f3a9c";

export function cliEnv(stateDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NV_KEY: SECRET, XDG_STATE_HOME: stateDir, NO_COLOR: "1" };
  // The test fleet's key is named in its inventory; never fall back to a developer's agent.
  delete env.SSH_AUTH_SOCK;
  delete env.FORCE_COLOR;
  return env;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = "";
  stderr = "";
  private readonly done: Promise<CliRun>;
  private readonly waiters: { test: (event: ApplyEvent) => boolean; resolve: (event: ApplyEvent) => void }[] = [];
  readonly events: ApplyEvent[] = [];

  /** `fileSizeBlocks`: no file the CLI writes may grow past that many 512-byte blocks (`ulimit -f`), a full disk's stand-in. */
  constructor(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; fileSizeBlocks?: number }) {
    const [command, argv] =
      options.fileSizeBlocks === undefined ? [process.execPath, [CLI, ...args]] : ["/bin/sh", ["-c", `ulimit -f ${options.fileSizeBlocks} && exec "$0" "$@"`, process.execPath, CLI, ...args]];
    this.child = spawn(command, argv, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdin.end();
    let pending = "";
    this.child.stdout.on("data", (chunk: Buffer) => {
      this.stdout += chunk.toString("utf8");
      pending += chunk.toString("utf8");
      let newline = pending.indexOf("\n");
      while (newline !== -1) {
        this.onLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
      }
    });
    this.child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("utf8")));
    this.done = new Promise((resolve) => {
      this.child.on("close", (code, signal) => resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  private onLine(line: string): void {
    if (!line.startsWith("{")) return;
    let event: ApplyEvent;
    try {
      event = JSON.parse(line) as ApplyEvent;
    } catch {
      return;
    }
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (waiter.test(event)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  }

  /** The first event (seen or to come) that matches. */
  waitFor<T extends ApplyEvent["type"]>(type: T, test: (event: EventOf<T>) => boolean = () => true): Promise<EventOf<T>> {
    const match = (event: ApplyEvent): event is EventOf<T> => event.type === type && test(event as EventOf<T>);
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.waiters.push({ test: match, resolve: (event) => resolve(event as EventOf<T>) });
      void this.done.then((run) => reject(new Error(`the CLI ended (exit ${run.code ?? run.signal}) before a ${type} event\n${run.stderr}`)));
    });
  }

  finished(): Promise<CliRun> {
    return this.done;
  }

  ofType<T extends ApplyEvent["type"]>(type: T): EventOf<T>[] {
    return this.events.filter((event): event is EventOf<T> => event.type === type);
  }
}

export function runCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliRun> {
  return new CliProcess(args, options).finished();
}

export async function planOf(fleetFile: string, options: { cwd: string; env: NodeJS.ProcessEnv }, extra: string[] = []): Promise<Plan> {
  const run = await runCli(["plan", fleetFile, "--json", ...extra], options);
  if (run.code !== 0 && run.code !== 8 && run.code !== 4) throw new Error(`plan failed (exit ${run.code}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as Plan;
}

/** Per host: its plan status and step ids. */
export function planSteps(plan: Plan): Record<string, { status: string; steps: string[] }> {
  return Object.fromEntries(plan.hosts.map((host) => [host.host, { status: host.status, steps: host.steps.map((step) => step.id) }]));
}

export function journalFiles(stateDir: string): string[] {
  const dir = join(stateDir, "nemoclaw-fleet", "runs");
  return existsSync(dir) ? readdirSync(dir).sort().map((name) => join(dir, name)) : [];
}

export function journalEvents(path: string): ApplyEvent[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as ApplyEvent];
      } catch {
        return [];
      }
    });
}

export function lockFile(home: string): string {
  return join(home, ".nemoclaw-fleet", "lock.json");
}

export function writeFleetFile(dir: string, name: string, inventory: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `apiVersion: nemoclaw.dev/v1\nkind: Fleet\nmetadata: { name: it }\ninventory: [${inventory}]\n${body}`);
  return path;
}

/** A sandbox entry for the fleet file, settings that match what the simulator creates. */
export function sandboxYaml(name: string, placement: string, extra = ""): string {
  return `  - name: ${name}\n    ${placement}\n    provider: build\n    credential: env:NV_KEY\n    gpu: "off"\n${extra}`;
}
