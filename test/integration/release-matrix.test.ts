/**
 * Every kind of change the planner makes, on one host per NemoClaw release band, against the
 * strict simulator of that release: it accepts only what the real release accepts, so an apply
 * that succeeds shows every command was one the release takes and honours; the plan after it is
 * empty (each change converges in one apply). The releases span the cluster era (v0.0.38 with
 * OpenShell 0.0.36) to the newest (v0.0.124 with OpenShell 0.0.116). Beside each, a host of the
 * same release whose gateway drifted from the CLI is refused with NemoClaw's block and left as it was.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostStateDigest, readSimState } from "../sim/index.mjs";
import { startFleet, type TestFleet } from "../fleet/index.mjs";
import type { EventOf } from "../../src/apply/events.js";
import { CliProcess, cliEnv, planOf, planSteps, writeFleetFile } from "./apply-support.js";
import { compareVersions } from "../../src/plan/versions.js";

interface Band {
  host: string;
  nemoclaw: string;
  /** The releases that have `<sb> shields` (up to v0.0.116). */
  shields: boolean;
  /** The releases with `nemoclaw inference set` (from v0.0.39); before, a model change is a recreate. */
  inferenceSet: boolean;
  /** An older gateway than the OpenShell the release pins: the schema drift of design scenario 1. */
  driftedGateway: string;
}

const BANDS: Band[] = [
  { host: "r038", nemoclaw: "0.0.38", shields: true, inferenceSet: false, driftedGateway: "0.0.35" },
  { host: "r060", nemoclaw: "0.0.60", shields: true, inferenceSet: true, driftedGateway: "0.0.43" },
  { host: "r080", nemoclaw: "0.0.80", shields: true, inferenceSet: true, driftedGateway: "0.0.71" },
  { host: "r110", nemoclaw: "0.0.110", shields: true, inferenceSet: true, driftedGateway: "0.0.100" },
  { host: "r124", nemoclaw: "0.0.124", shields: false, inferenceSet: true, driftedGateway: "0.0.115" },
];

const NEW_MODEL = "nvidia/llama-3.3-nemotron-super-49b-v1";

let fleet: TestFleet;
let dir: string;
let env: NodeJS.ProcessEnv;
let fleetFile: string;
let apply: { code: number | null; stderr: string; steps: EventOf<"step-finished">[]; hosts: EventOf<"host-finished">[] };
const driftDigests = new Map<string, string>();

const drifted = (band: Band) => `${band.host}-drift`;

/** The same release with its gateway still on an older OpenShell, and a sandbox the fleet file changes. */
function driftScenario(band: Band): Record<string, unknown> {
  return { nemoclaw: { version: band.nemoclaw }, gateways: [{ port: 8080, version: band.driftedGateway, sandboxes: [{ name: "presets", presets: ["npm"] }] }] };
}

/** What each host runs before the apply: one sandbox per kind of change, on NemoClaw's default gateway. */
function scenario(band: Band): Record<string, unknown> {
  return {
    nemoclaw: { version: band.nemoclaw },
    gateways: [
      {
        port: 8080,
        sandboxes: [
          { name: "presets", presets: ["npm"] },
          { name: "rebooted", guards: { missing: "all" }, staleLock: true, agentGateway: "stopped" },
          { name: "lost", live: false, registered: true },
          { name: "agent" },
        ],
      },
    ],
  };
}

/** A gateway per port, `nemoclaw-8081` beside `nemoclaw`, from v0.0.57 (#4645); before, NemoClaw has only `nemoclaw`. */
const perPortGateways = (band: Band) => compareVersions(band.nemoclaw, "0.0.57") >= 0;

/** What the fleet file wants on every host. */
function sandboxes(band: Band): string {
  const entry = (name: string, extra: string[] = [], gateway = "nemoclaw") =>
    [
      `  - name: ${name}`,
      `    host: ${band.host}`,
      `    gateway: ${gateway}`,
      "    provider: build",
      ...(band.inferenceSet ? [`    model: ${NEW_MODEL}`] : []),
      "    credential: env:NV_KEY",
      ...extra.map((line) => `    ${line}`),
    ].join("\n");
  return [
    entry("presets", ["policy: { presets: [pypi] }", ...(band.shields ? ["shields: up"] : [])]),
    entry("rebooted"),
    entry("lost"),
    entry("agent", ["agent: hermes"]),
    entry("extra"),
    ...(perPortGateways(band) ? [entry("first", [], "nemoclaw-8081")] : []),
  ].join("\n");
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ncf-release-matrix-"));
  chmodSync(dir, 0o755);
  fleet = await startFleet({
    dir: join(dir, "fleet"),
    hosts: BANDS.flatMap((band) => [
      { name: band.host, scenario: scenario(band) },
      { name: drifted(band), scenario: driftScenario(band) },
    ]),
  });
  for (const band of BANDS) driftDigests.set(band.host, await hostStateDigest({ home: home(drifted(band)) }));
  const hosts = BANDS.flatMap((band) => [band.host, drifted(band)].map((name) => [`  - name: ${name}`, `    nemoclaw: { version: "${band.nemoclaw}" }`].join("\n"))).join("\n");
  const driftSandboxes = BANDS.map((band) => [`  - name: presets`, `    host: ${drifted(band)}`, "    provider: build", "    credential: env:NV_KEY", "    policy: { presets: [pypi] }"].join("\n"));
  const withoutPerPort = BANDS.filter((band) => !perPortGateways(band)).flatMap((band) => [`!${band.host}`, `!${drifted(band)}`]);
  const gateways = ["gateways:", "  - port: 8080", "  - port: 8081", `    hosts: "${["all", ...withoutPerPort].join(":")}"`].join("\n");
  fleetFile = writeFleetFile(dir, "fleet.yaml", fleet.inventoryPath, `hosts:\n${hosts}\n${gateways}\nsandboxes:\n${[...BANDS.map(sandboxes), ...driftSandboxes].join("\n")}\n`);
  env = cliEnv(join(dir, "state"));
  const cli = new CliProcess(["apply", fleetFile, "--yes", "--json"], { cwd: dir, env });
  const run = await cli.finished();
  apply = { code: run.code, stderr: run.stderr, steps: cli.ofType("step-finished"), hosts: cli.ofType("host-finished") };
}, 900_000);

afterAll(async () => {
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const home = (host: string) => fleet.hosts.find((candidate) => candidate.name === host)!.home;

describe.each(BANDS)("NemoClaw v$nemoclaw", (band) => {
  const steps = () => apply.steps.filter((event) => event.host === band.host);

  it("carries out every change with commands the release accepts", () => {
    const failed = steps().filter((event) => event.status !== "ok");
    expect(failed.map((event) => `${event.step}: ${event.error}\n${event.output}`), apply.stderr).toEqual([]);
    expect(apply.hosts.find((event) => event.host === band.host)?.status).toBe("ok");
  });

  it("plans each kind of change the way that release supports", () => {
    const kinds = new Set(steps().map((event) => event.kind));
    for (const kind of ["lock-clear", "sandbox-recreate", "policy-add", "policy-remove", "sandbox-create"]) {
      expect(kinds, kind).toContain(kind);
    }
    // Onboarding on port 8081 makes gateway nemoclaw-8081 from v0.0.57; before, the file cannot place it there.
    if (perPortGateways(band)) expect(kinds).toContain("gateway-start");
    else expect(kinds).not.toContain("gateway-start");
    // A sandbox registered but absent from its gateway: NemoClaw's rebuild recreates it from the
    // registry from v0.0.63 (#5034); before, that rebuild refuses it, so nothing is planned.
    if (compareVersions(band.nemoclaw, "0.0.63") >= 0) expect(kinds).toContain("sandbox-stale-recover");
    else expect(kinds).not.toContain("sandbox-stale-recover");
    if (band.inferenceSet) expect(kinds).toContain("inference-set");
    if (band.shields) expect(kinds).toContain("shields");
    // A stopped agent with its guards gone: NemoClaw's recover where it restores them, else a backed-up rebuild.
    expect(kinds).toContain(band.nemoclaw === "0.0.38" || band.nemoclaw === "0.0.60" ? "sandbox-rebuild" : "sandbox-recover");
  });

  it("refuses the host whose gateway drifted from the CLI with NemoClaw's block, and leaves it byte-identical", async () => {
    const finished = apply.hosts.find((event) => event.host === drifted(band));
    expect(finished?.status).toBe("blocked");
    expect(finished?.block).toEqual(expect.arrayContaining(["  Refusing to trust OpenShell sandbox state while the host CLI and gateway schema may be out of sync.", "  No sandbox data was changed."]));
    expect(apply.steps.filter((event) => event.host === drifted(band))).toEqual([]);
    expect(await hostStateDigest({ home: home(drifted(band)) })).toBe(driftDigests.get(band.host));
  });

  it("never sends a command the release would ignore or refuse", () => {
    const calls = readSimState({ home: home(band.host) }).calls.map((call: { tool: string; argv: string[] }) => `${call.tool} ${call.argv.join(" ")}`);
    expect(calls.filter((call: string) => call.startsWith("nemoclaw") && call.includes(" rebuild") && /NEMOCLAW_AGENT|NEMOCLAW_SANDBOX_GPU/.test(call))).toEqual([]);
    if (!band.shields) expect(calls.filter((call: string) => / shields /.test(call))).toEqual([]);
  });
});

describe("after the apply", () => {
  it("exits 8 (the drifted hosts), and the next plan has nothing left to do on any release", async () => {
    expect(apply.code, apply.stderr).toBe(8);
    const plan = planSteps(await planOf(fleetFile, { cwd: dir, env }));
    expect(plan).toEqual(
      Object.fromEntries(BANDS.flatMap((band) => [[band.host, { status: "no-changes", steps: [] }], [drifted(band), { status: "blocked", steps: [] }]])),
    );
  });
});
