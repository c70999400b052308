/**
 * `npm run demo` (scripts/demo.mjs) as a newcomer runs it: every stage does what the demo says,
 * over real sshd hosts and over local hosts, it ends by writing the fleet report page, and it
 * leaves nothing else behind — also when interrupted with Ctrl-C in the middle of apply.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const DEMO = fileURLToPath(new URL("../../scripts/demo.mjs", import.meta.url));
/** Where the demos leave their report pages (the demo's own directory is gone when it ends). */
const PAGES = mkdtempSync(join(tmpdir(), "ncf-demo-pages-"));
afterAll(() => rmSync(PAGES, { recursive: true, force: true }));

interface DemoRun {
  code: number | null;
  output: string;
  dir: string;
}

function demoEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  return env;
}

/** Run the demo; `interruptWhen` sends one SIGINT the first time the output matches. */
function runDemo(args: string[], interruptWhen?: RegExp): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO, ...args], { env: demoEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let interrupted = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (interruptWhen && !interrupted && interruptWhen.test(output)) {
        interrupted = true;
        child.kill("SIGINT");
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output, dir: /the fleet file is (\S+)\/fleet\.yaml/.exec(output)?.[1] ?? "" }));
  });
}

/** Processes whose command line mentions the demo's directory (its sshds, simulated gateways, sandboxes). */
function processesUnder(dir: string): string[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
        return cmdline.includes(dir) ? [`${pid}: ${cmdline}`] : [];
      } catch {
        return [];
      }
    });
}

function expectEveryStageAsExpected(run: DemoRun): void {
  expect(run.code, run.output).toBe(0);
  for (const stage of ["[1/5] nemoclaw validate fleet.yaml", "[2/5] nemoclaw plan fleet.yaml -o plan.json", "[3/5] nemoclaw apply plan.json", "[4/5] nemoclaw backup run fleet.yaml", "[5/5] nemoclaw plan fleet.yaml"]) {
    expect(run.output).toContain(stage);
  }
  expect(run.output.match(/^✓ as expected: /gm)).toHaveLength(4);
  expect(run.output).toContain("OpenShell gateway schema preflight failed before applying fleet changes.");
  expect(run.output).toContain("No changes: 3 hosts match the fleet file. 1 blocked (station-01).");
  expect(run.output).not.toContain("nvapi-demo-not-a-real-key");
}

/** The demo ends by writing the fleet report page and saying where it is. */
function expectReportPage(run: DemoRun, page: string): void {
  expect(run.output).toContain(`✓ the fleet report is ${page} — open ${pathToFileURL(page).href} in a browser`);
  const html = readFileSync(page, "utf8");
  for (const host of ["spark-01", "spark-02", "spark-03"]) expect(html).toContain(`data-host="${host}" data-state="ok"`);
  expect(html).toContain('data-host="station-01" data-state="blocked"');
}

function expectNothingLeft(run: DemoRun): void {
  expect(run.dir).toMatch(/nemoclaw-demo-/);
  expect(existsSync(run.dir)).toBe(false);
  expect(processesUnder(run.dir)).toEqual([]);
}

describe.concurrent("npm run demo", () => {
  it("runs the main job on real sshd hosts, checks each stage, writes the report page and stops everything", async () => {
    const page = join(PAGES, "sshd.html");
    const run = await runDemo(["--report", page]);
    expectEveryStageAsExpected(run);
    expect(run.output).toContain("real OpenSSH sshd hosts on 127.0.0.1");
    expectReportPage(run, page);
    expectNothingLeft(run);
  }, 600_000);

  it("runs the same job on local hosts when asked (as it does without sshd)", async () => {
    const page = join(PAGES, "local.html");
    const run = await runDemo(["--local", "--report", page]);
    expectEveryStageAsExpected(run);
    expect(run.output).toContain("local hosts (connection: local), each with its own HOME and PATH");
    expectReportPage(run, page);
    expectNothingLeft(run);
  }, 600_000);

  it("stops the run and everything it started on Ctrl-C, exiting 130", async () => {
    const run = await runDemo(["--report", join(PAGES, "interrupted.html")], /\[3\/5\] nemoclaw apply/);
    expect(run.code, run.output).toBe(130);
    expect(run.output).toContain("Interrupted: stopping the demo and everything it started");
    expect(run.output).not.toContain("[4/5]");
    expect(existsSync(join(PAGES, "interrupted.html"))).toBe(false);
    expectNothingLeft(run);
  }, 600_000);
});
