/**
 * `nemoclaw apply` against real sshd hosts with the OpenShell/NemoClaw simulator: every host that
 * can converge does (missing sandbox, missing guards and a stale lock, the arm64 image-tar upload
 * 404, a stale registry entry), the next plan is empty, the schema-drift host is refused with the
 * exact block and left byte-identical, and the journal holds every step and no secret.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostStateDigest, readSimState } from "../sim/index.mjs";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import type { ApplyEvent, EventOf } from "../../src/apply/events.js";
import { CliProcess, cliEnv, journalEvents, journalFiles, lockFile, planOf, planSteps, sandboxYaml, SECRET, writeFleetFile } from "./apply-support.js";

let fleet: TestFleet;
let dir: string;
let fleetFile: string;
let env: NodeJS.ProcessEnv;
let driftDigestBefore: string;
let first: { code: number | null; events: ApplyEvent[]; stdout: string; stderr: string };

const home = (name: string) => fleet.hosts.find((host) => host.name === name)!.home;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-apply-it-"));
  // The hosts' own users (when running as root) must reach their homes inside it.
  chmodSync(dir, 0o755);
  fleet = await startFleet({
    dir: join(dir, "fleet"),
    hosts: [
      { name: "spark-01", scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "alice" }] }] } },
      {
        name: "spark-02",
        scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "alice", guards: { missing: "all" }, staleLock: true, agentGateway: "stopped" }] }] },
      },
      { name: "spark-03", scenario: { gateways: [{ port: 8080, version: "0.0.71", sandboxes: [{ name: "alice" }] }] } },
      { name: "spark-04", scenario: { openshell: { version: "0.0.36" }, gateways: [{ port: 8080, sandboxes: [] }], faults: { arm64UploadFailure: true } } },
      { name: "spark-05", scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "dave", live: false, registered: true }] }], shields: { dave: "up" } } },
      // Guards lost while the agent gateway runs: NemoClaw's gateway restart, checked by reading alice again.
      // Its first try finds the gateway supervisor busy with another lifecycle request.
      { name: "spark-06", scenario: { gateways: [{ port: 8080, sandboxes: [{ name: "alice", guards: { missing: "all" } }] }], faults: { supervisorBusy: ["alice"] } } },
    ],
  });
  fleetFile = writeFleetFile(
    dir,
    "fleet.yaml",
    fleet.inventoryPath,
    [
      "sandboxes:",
      sandboxYaml("alice", 'hosts: "spark-01,spark-02,spark-03,spark-06"', "    policy: { presets: [npm] }\n"),
      sandboxYaml("bob", "host: spark-01"),
      // NemoClaw v0.0.38 (the cluster era) has no sandbox GPU setting: carol leaves it to NemoClaw.
      sandboxYaml("carol", "host: spark-04", "    imageRefWorkaround: true\n").replace('    gpu: "off"\n', ""),
      sandboxYaml("dave", "host: spark-05"),
      "",
    ].join("\n"),
  );
  env = cliEnv(join(dir, "state"));
  driftDigestBefore = await hostStateDigest({ home: home("spark-03") });
  const cli = new CliProcess(["apply", fleetFile, "--yes", "--json"], { cwd: dir, env });
  const run = await cli.finished();
  first = { code: run.code, events: cli.events, stdout: run.stdout, stderr: run.stderr };
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function hostFinished(host: string): EventOf<"host-finished"> {
  const event = first.events.find((candidate): candidate is EventOf<"host-finished"> => candidate.type === "host-finished" && candidate.host === host);
  if (!event) throw new Error(`no host-finished for ${host}\n${first.stderr}`);
  return event;
}

describe("apply converges the fleet", () => {
  it("converges every host that can converge; the drifted host is refused (exit 8)", () => {
    expect(first.code, first.stderr).toBe(8);
    expect(Object.fromEntries(["spark-01", "spark-02", "spark-03", "spark-04", "spark-05", "spark-06"].map((host) => [host, hostFinished(host).status]))).toEqual({
      "spark-01": "ok",
      "spark-02": "ok",
      "spark-03": "blocked",
      "spark-04": "ok",
      "spark-05": "ok",
      "spark-06": "ok",
    });
  });

  it("clears the stale lock before NemoClaw's recover restores the guards and relaunches, and creates from the image reference on arm64", () => {
    const order = first.events.filter((event): event is EventOf<"step-finished"> => event.type === "step-finished" && event.host === "spark-02").map((event) => event.step);
    expect(order).toEqual(["preflight:spark-02", "lock-clear:alice", "sandbox-recover:alice", "policy-add:alice"]);
    const carol = first.events.find((event): event is EventOf<"step-finished"> => event.type === "step-finished" && event.step === "sandbox-create:carol");
    expect(carol?.notes.join("\n")).toContain("with the image-reference workaround");
    const calls = readSimState({ home: home("spark-04") }).calls.map((call) => `${call.tool} ${call.argv.join(" ")}`);
    expect(calls.some((call) => /^docker push localhost:5000\//.test(call))).toBe(true);
    // NemoClaw's base policy, --gpu as v0.0.38 gives it on a GB10 host, and --no-bootstrap on the cluster driver (real-cli-2026-12 §11).
    expect(calls.some((call) => /^openshell sandbox create --policy \S+\/\.nemoclaw\/source\/nemoclaw-blueprint\/policies\/openclaw-sandbox\.yaml --from localhost:5000\/\S+ --name carol --gpu --no-bootstrap -- env /.test(call))).toBe(true);
  });

  it("relaunches a running agent gateway whose guards are gone with NemoClaw's gateway restart, its effect read back from the sandbox alone", () => {
    const restart = first.events.find((event): event is EventOf<"step-finished"> => event.type === "step-finished" && event.host === "spark-06" && event.kind === "sandbox-gateway-restart");
    expect(restart).toMatchObject({ status: "ok", attempts: 2 });
    // NemoClaw's SUPERVISOR_BUSY report is waited out and the restart tried again.
    expect(first.events.filter((event) => event.type === "step-retrying" && event.host === "spark-06")).toMatchObject([{ step: restart!.step, attempt: 2, reason: "SUPERVISOR_BUSY" }]);
    // Every full probe asks `openshell --version`; the restart's targeted check only lists the
    // gateway's sandboxes (and enters alice), once per round trip of the restart — so one listing
    // more than full probes for each of its two attempts.
    const calls = readSimState({ home: home("spark-06") }).calls.map((call) => `${call.tool} ${call.argv.join(" ")}`);
    const fullProbes = calls.filter((call) => call === "openshell --version").length;
    expect(calls.filter((call) => call === "nemoclaw alice gateway restart")).toHaveLength(2);
    expect(calls.filter((call) => call.startsWith("openshell sandbox list -g nemoclaw")).length).toBe(fullProbes + 2);
  });

  it("recovers the stale registry entry and says shields must be re-applied", () => {
    const note = first.events.find((event): event is EventOf<"host-note"> => event.type === "host-note" && event.host === "spark-05");
    expect(note?.message).toContain("must be re-applied");
  });

  it("leaves nothing to do: the next plan is empty for every host that converged", async () => {
    const plan = planSteps(await planOf(fleetFile, { cwd: dir, env }));
    expect(plan).toMatchObject({
      "spark-01": { status: "no-changes", steps: [] },
      "spark-02": { status: "no-changes", steps: [] },
      "spark-04": { status: "no-changes", steps: [] },
      "spark-05": { status: "no-changes", steps: [] },
      "spark-06": { status: "no-changes", steps: [] },
      "spark-03": { status: "blocked", steps: [] },
    });
  });

  it("refuses the schema-drift host with NemoClaw's exact block and leaves it byte-identical", async () => {
    const block = hostFinished("spark-03").block ?? [];
    expect(block).toEqual(
      expect.arrayContaining([
        "  OpenShell gateway schema preflight failed before applying fleet changes.",
        "  Installed OpenShell: 0.0.72",
        "  Refusing to trust OpenShell sandbox state while the host CLI and gateway schema may be out of sync.",
        "  No sandbox data was changed.",
        "    1. Run `nemoclaw onboard --resume` to repair or recreate the NemoClaw gateway with the installed OpenShell version.",
      ]),
    );
    expect(block.some((line) => /^ {2}Running gateway binary: .*openshell-gateway \(0\.0\.71\)$/.test(line))).toBe(true);
    expect(await hostStateDigest({ home: home("spark-03") })).toBe(driftDigestBefore);
    expect(existsSync(join(home("spark-03"), ".nemoclaw-fleet"))).toBe(false);
    expect(first.events.some((event) => event.type === "step-started" && event.host === "spark-03")).toBe(false);
  });

  it("prints JSON Lines events that all follow schemas/events.schema.json", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(new URL("../../schemas/events.schema.json", import.meta.url), "utf8")));
    expect(first.events.length).toBeGreaterThan(20);
    for (const event of first.events) expect(validate(event), `${event.type}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  });

  it("opens at most steps + 2 SSH sessions per changed host: the plan's observation takes the lock, each step is one round trip", () => {
    const changed = ["spark-01", "spark-02", "spark-04", "spark-05", "spark-06"];
    for (const host of changed) {
      const started = first.events.find((event): event is EventOf<"host-started"> => event.type === "host-started" && event.host === host);
      const { sessions } = hostFinished(host);
      expect(sessions, host).not.toBeNull();
      expect(sessions!, `${host}: ${sessions} sessions for ${started?.steps} steps`).toBeLessThanOrEqual(started!.steps + 2);
    }
    // The refused host was locked by the observation and unlocked in that same session.
    expect(hostFinished("spark-03").sessions).toBe(1);
  });

  it("releases every host lock", () => {
    for (const host of fleet.hosts) expect(existsSync(lockFile(host.home)), host.name).toBe(false);
    expect(first.events.filter((event) => event.type === "lock-acquired").length).toBe(first.events.filter((event) => event.type === "lock-released").length);
  });

  it("journals every step with its commands and result, and no secret value anywhere", () => {
    const [journal] = journalFiles(join(dir, "state"));
    expect(journal).toBeDefined();
    const text = readFileSync(journal!, "utf8");
    const events = journalEvents(journal!);
    expect(events).toEqual(first.events);
    const header = events[0] as EventOf<"run-started">;
    expect(header.type).toBe("run-started");
    const planned = Object.entries(header.steps).flatMap(([host, steps]) => steps.map((step) => `${host} ${step}`));
    const finished = events.filter((event): event is EventOf<"step-finished"> => event.type === "step-finished").map((event) => `${event.host} ${event.step}`);
    expect(finished.sort()).toEqual(planned.sort());
    const create = events.find((event): event is EventOf<"step-started"> => event.type === "step-started" && event.step === "sandbox-create:bob");
    expect(create?.commands[0]).toContain("NVIDIA_INFERENCE_API_KEY=<secret env:NV_KEY>");
    expect(text).not.toContain(SECRET);
    expect(first.stdout).not.toContain(SECRET);
    expect(first.stderr).not.toContain(SECRET);
    for (const host of fleet.hosts) {
      const calls = readFileSync(join(host.home, ".fleet-sim", "calls.log"), "utf8");
      expect(calls, host.name).not.toContain(SECRET);
    }
  });
});
