/**
 * Health gates on the sshd test fleet with the strict simulator of NemoClaw v0.0.124: a rollout in
 * waves of one adds a policy preset to every host; the second host's sandbox stops answering
 * inference once it is changed (the simulator's inferenceBreaksOnChange fault), so NemoClaw's own
 * `status` fails it, and the rollout stops there — the third host is never touched. A webhook on a
 * local HTTP server hears of the stopped rollout at once and of the run at its end, with no secret.
 * The next apply has nothing to do on the failed host, and says before it runs that its gate is
 * still open and that the rollout will not wait for it — still after 60 no-op runs, and after
 * `history prune`, which keeps the journal the warning names.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import { hostStateDigest, readSimState } from "../sim/index.mjs";
import { CliProcess, cliEnv, runCli, SECRET, writeFleetFile } from "./apply-support.js";

let fleet: TestFleet;
let dir: string;
let server: Server;
const received: { path: string; body: Record<string, unknown> }[] = [];
let run: CliProcess;
let ended: { code: number | null; stderr: string; stdout: string };
let untouched: string;
let fleetFile: string;
let hook: string;

const home = (name: string) => fleet.hosts.find((host) => host.name === name)!.home;
const HOOK_PATH = "/hooks/T0001/B0002/tokenFROMtheURL";
const UNREACHABLE = "Inference gateway unreachable on https://inference.local/v1/models from inside the sandbox. DNS may have failed or the openclaw gateway / auth proxy is not running.";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-health-gate-"));
  chmodSync(dir, 0o755);
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      received.push({ path: request.url ?? "", body: JSON.parse(body) as Record<string, unknown> });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}${HOOK_PATH}`;
  const scenario = (faulty: boolean) => ({
    nemoclaw: { version: "0.0.124" },
    gateways: [{ port: 8080, sandboxes: [{ name: "alpha", presets: ["npm"] }] }],
    ...(faulty ? { faults: { inferenceBreaksOnChange: ["alpha"] } } : {}),
  });
  fleet = await startFleet({ dir: join(dir, "fleet"), hosts: [{ name: "g1", scenario: scenario(false) }, { name: "g2", scenario: scenario(true) }, { name: "g3", scenario: scenario(false) }] });
  untouched = await hostStateDigest({ home: home("g3") });
  fleetFile = writeFleetFile(
    dir,
    "fleet.yaml",
    fleet.inventoryPath,
    [
      "hosts:",
      ...["g1", "g2", "g3"].map((name) => `  - { name: ${name}, nemoclaw: { version: "0.0.124" } }`),
      "sandboxes:",
      "  - name: alpha",
      '    hosts: "g1,g2,g3"',
      "    provider: build",
      "    credential: env:NV_KEY",
      "    policy: { presets: [npm, pypi] }",
      "apply:",
      "  waves: [1]",
      "  maxFailPercentage: 0",
      "  healthGate: { timeout: 15s }",
      "notify: { webhook: env:HOOK_URL, format: json, when: always }",
      "",
    ].join("\n"),
  );
  run = new CliProcess(["apply", fleetFile, "--yes", "--json"], { cwd: dir, env: { ...cliEnv(join(dir, "state")), HOOK_URL: hook } });
  ended = await run.finished();
}, 600_000);

afterAll(async () => {
  await fleet?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a rollout whose second host fails its health gate", () => {
  it("stops there: the first host is ok, the second failed, the third is never started (exit 5)", async () => {
    expect(ended.code, ended.stderr).toBe(5);
    expect(run.ofType("wave-started").map((event) => event.hosts)).toEqual([["g1"], ["g2"]]);
    expect(Object.fromEntries(run.ofType("host-finished").map((event) => [event.host, event.status]))).toEqual({ g1: "ok", g2: "failed", g3: "skipped" });
    expect(run.ofType("threshold-exceeded")).toMatchObject([{ wave: 2, skipped: ["g3"] }]);
    expect(run.events.some((event) => "host" in event && event.host === "g3" && event.type !== "host-finished")).toBe(false);
    expect(await hostStateDigest({ home: home("g3") })).toBe(untouched);
  });

  it("the change itself succeeded on the second host; NemoClaw's own status of the sandbox failed it", () => {
    expect(run.ofType("step-finished").filter((event) => event.host === "g2").map((event) => `${event.step} ${event.status}`)).toEqual(["preflight:g2 ok", "policy-add:alpha ok"]);
    const gate = run.ofType("health-gate-finished").find((event) => event.host === "g2")!;
    expect(gate).toMatchObject({
      status: "unhealthy",
      sandboxes: [{ sandbox: "alpha", gateway: "nemoclaw", healthy: false, check: "`nemoclaw alpha status --json` (phase and the in-sandbox inference route)", detail: `inference: ${UNREACHABLE}` }],
    });
    expect(gate.sandboxes[0]!.output).toContain('"failureLabel": "unreachable"');
    const calls = readSimState({ home: home("g2") }).calls.map((call: { tool: string; argv: string[] }) => `${call.tool} ${call.argv.join(" ")}`);
    expect(calls.filter((call: string) => call === "nemoclaw alpha status --json").length).toBe(gate.attempts);
    const message = run.ofType("host-finished").find((event) => event.host === "g2")!.message!;
    expect(message).toContain(`health gate: after 15s, alpha (gateway nemoclaw) is not healthy by \`nemoclaw alpha status --json\` (phase and the in-sandbox inference route): inference: ${UNREACHABLE} No backup`);
  });

  it("the first host passed its gate by the same check", () => {
    expect(run.ofType("health-gate-finished").find((event) => event.host === "g1")).toMatchObject({ status: "healthy", attempts: 1, sandboxes: [{ sandbox: "alpha", healthy: true }] });
  });

  it("the webhook heard of the stopped rollout at once, then of the run, and never of a secret or of its own URL", () => {
    expect(received.map((request) => [request.path, request.body.event])).toEqual([
      [HOOK_PATH, "rollout-stopped"],
      [HOOK_PATH, "run-finished"],
    ]);
    expect(received[1]!.body).toMatchObject({ kind: "nemoclaw-fleet-run", exitCode: 5, hosts: { ok: ["g1"], failed: ["g2"], skipped: ["g3"] }, stopped: { wave: 2, skipped: ["g3"] } });
    const bodies = JSON.stringify(received.map((request) => request.body));
    expect(bodies).not.toContain(SECRET);
    expect(bodies).not.toContain("tokenFROMtheURL");
    expect(ended.stderr).not.toContain("tokenFROMtheURL");
  });
});

describe("the next apply after a failed gate", () => {
  it("has nothing to do on the failed host, and warns first that its gate failed and nothing checked it since", async () => {
    const again = new CliProcess(["apply", fleetFile, "--yes", "--json", "--limit", "g1,g2"], { cwd: dir, env: { ...cliEnv(join(dir, "state")), HOOK_URL: hook } });
    const done = await again.finished();
    expect(done.code, done.stderr).toBe(0);
    expect(Object.fromEntries(again.ofType("host-finished").map((event) => [event.host, event.status]))).toEqual({ g1: "no-changes", g2: "no-changes" });
    const runId = run.ofType("run-started")[0]!.runId;
    expect(done.stderr).toContain(
      `warning: g2: the health gate of run ${runId} failed (alpha not healthy), and no run has checked it since; this run has nothing to do there and checks nothing, and does not hold the other hosts back for it: check it first (\`nemoclaw history ${runId}\`)`,
    );
    expect(done.stderr).not.toContain("warning: g1:");
  });

  it("is not told of past gates by a fleet file without a gate, which reads no past journals", async () => {
    const ungated = join(dir, "ungated.yaml");
    writeFileSync(ungated, readFileSync(fleetFile, "utf8").replace("  healthGate: { timeout: 15s }\n", ""));
    const again = new CliProcess(["apply", ungated, "--yes", "--json", "--limit", "g1,g2"], { cwd: dir, env: { ...cliEnv(join(dir, "state")), HOOK_URL: hook } });
    const done = await again.finished();
    expect(done.code, done.stderr).toBe(0);
    expect(readFileSync(ungated, "utf8")).not.toContain("healthGate");
    expect(done.stderr).not.toContain("health gate of run");
  });

  it("still warns after more no-op runs than it once looked back over, and `history prune` keeps the journal it names", async () => {
    const runs = join(dir, "state", "nemoclaw-fleet", "runs");
    const failedRun = run.ofType("run-started")[0]!.runId;
    // A schedule's no-op applies since the failure: the last one's journal, again and again.
    const last = readdirSync(runs).sort().at(-1)!.slice(0, -".jsonl".length);
    const noOp = readFileSync(join(runs, `${last}.jsonl`), "utf8");
    for (let index = 0; index < 60; index += 1) {
      const runId = `${last.slice(0, -6)}${(0xa00000 + index).toString(16)}`;
      writeFileSync(join(runs, `${runId}.jsonl`), noOp.replaceAll(last, runId), { mode: 0o600 });
    }
    const env = { ...cliEnv(join(dir, "state")), HOOK_URL: hook };
    const warning = `warning: g2: the health gate of run ${failedRun} failed (alpha not healthy), and no run has checked it since`;
    const again = await runCli(["apply", fleetFile, "--yes", "--limit", "g1,g2"], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(warning);

    const pruned = await runCli(["history", "prune", "--keep", "1"], { cwd: dir, env });
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain(`Kept 1 run journal of runs whose health gate failed and no run has checked the host since: ${failedRun} (g2)`);
    expect(readdirSync(runs)).toHaveLength(2);
    const afterPrune = await runCli(["apply", fleetFile, "--yes", "--limit", "g1,g2"], { cwd: dir, env });
    expect(afterPrune.stderr).toContain(warning);
  });
});
