import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { hostProcessGateway, known, observedHost, observedSandbox, registryEntry, NOW } from "../plan/builders.js";
import { loadFleet } from "../../../src/config/load.js";
import { NEMOCLAW_RELEASE_RULES } from "../../../src/host/nemoclaw/release-rules.js";
import { planFleet } from "../../../src/plan/planner.js";
import { selectHosts } from "../../../src/config/selectors.js";
import type { DesiredFleet } from "../../../src/config/types.js";
import { validateFleet } from "../../../src/config/validate.js";
import type { ObservedFleet, ObservedHost } from "../../../src/observe/types.js";
import { fleetNameFrom, renderStarterFleet } from "../../../src/report/starter-fleet.js";
import { choosePins } from "../../../src/report/starter-import.js";
import { FLEET_SCHEMA_URL, runInitCommand, type InitCommandDeps, type InitCommandOptions } from "../../../src/cli/init.js";
import { registerCommands } from "../../../src/cli/commands.js";

const SCHEMA = fileURLToPath(new URL("../../../schemas/fleet.schema.json", import.meta.url));
const pinOf = (version: string) => NEMOCLAW_RELEASE_RULES.pinOf(version);

const INVENTORY = `[spark]
spark-01 ansible_host=10.0.0.11
spark-02 ansible_host=10.0.0.12
spark-04 ansible_host=10.0.0.14

[station]
station-01 ansible_host=10.0.0.21

[all:vars]
ansible_user=nvidia
`;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ncf-init-"));
  mkdirSync(join(dir, "inventory"));
  writeFileSync(join(dir, "inventory", "lab.ini"), INVENTORY);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A Spark on NemoClaw v0.0.83 (OpenShell 0.0.72) running assistant with two presets. */
function spark(name: string): ObservedHost {
  return observedHost(name, {
    nemoclaw: known({ installed: true, version: "0.0.83", path: "/home/nvidia/.local/bin/nemoclaw" }),
    registry: known({ defaultSandbox: "assistant", entries: [registryEntry("assistant", { policies: ["npm", "pypi"] })], locked: false }),
  });
}

/**
 * The lab as observed: two Sparks on NemoClaw v0.0.83, a Station still on v0.0.73 (OpenShell
 * 0.0.71) with a hermes agent and an OpenAI sandbox on a second gateway, a Spark without OpenShell.
 */
function lab(): ObservedHost[] {
  const onStation = { runningVersion: known("0.0.71"), binary: "/home/nvidia/.local/bin/openshell-gateway" };
  return [
    spark("spark-01"),
    spark("spark-02"),
    observedHost("station-01", {
      openshell: known({ installed: true, version: "0.0.71", path: "/home/nvidia/.local/bin/openshell" }),
      gatewayBinary: known({ installed: true, version: "0.0.71", path: "/home/nvidia/.local/bin/openshell-gateway" }),
      nemoclaw: known({ installed: true, version: "0.0.73", path: "/home/nvidia/.local/bin/nemoclaw" }),
      gateways: known([
        hostProcessGateway("nemoclaw", { ...onStation, sandboxes: known([observedSandbox("researcher"), observedSandbox("scratch")]) }),
        hostProcessGateway("nemoclaw-8081", { ...onStation, sandboxes: known([observedSandbox("coder")]) }),
      ]),
      registry: known({
        defaultSandbox: null,
        entries: [
          registryEntry("researcher", { agent: "hermes", policyTier: "restricted" }),
          registryEntry("coder", { gatewayName: "nemoclaw-8081", gatewayPort: 8081, provider: "openai-api", model: "gpt-5.1", endpointUrl: "https://api.openai.com/v1", credentialEnv: "OPENAI_API_KEY", fromDockerfile: "/srv/images/coder/Dockerfile" }),
        ],
        locked: false,
      }),
    }),
    observedHost("spark-04", { openshell: known({ installed: false, version: null, path: null }), gateways: known([]), registry: known({ defaultSandbox: null, entries: [], locked: false }) }),
  ];
}

function unreachable(name: string): ObservedHost {
  return { ...observedHost(name), unreachable: { kind: "connect-refused", message: `${name}: connection refused` } };
}

interface Captured {
  deps: InitCommandDeps;
  stdout: () => string;
  stderr: () => string;
  observed: string[][];
}

function harness(observe: (hosts: string[]) => ObservedHost[] = (hosts) => lab().filter((host) => hosts.includes(host.host))): Captured {
  let out = "";
  let err = "";
  const observed: string[][] = [];
  const deps: InitCommandDeps = {
    async load(inventories) {
      const { fleet } = await loadFleet({ inventories, cwd: dir });
      return { fleet, warnings: "" };
    },
    select: selectHosts,
    async observe(_fleet: DesiredFleet, hosts: string[]): Promise<ObservedFleet> {
      observed.push(hosts);
      return { hosts: observe(hosts) };
    },
    pinOf,
    cwd: dir,
    exists: existsSync,
    writeFile(path, text, replace) {
      if (!replace && existsSync(path)) throw new Error("exists");
      writeFileSync(path, text);
    },
    today: () => new Date("2026-11-22T09:30:00Z"),
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env: {},
  };
  return { deps, stdout: () => out, stderr: () => err, observed };
}

function options(overrides: Partial<InitCommandOptions> = {}): InitCommandOptions {
  return { inventory: ["inventory/lab.ini"], json: false, force: false, color: false, ...overrides };
}

describe("nemoclaw init", () => {
  it("imports what every host runs: releases, gateways, sandboxes with their settings", async () => {
    const run = harness();
    expect(await runInitCommand(options({ out: "fleet.yaml" }), run.deps)).toBe(0);
    const text = readFileSync(join(dir, "fleet.yaml"), "utf8");
    expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=${FLEET_SCHEMA_URL}`);
    expect(parse(text)).toEqual({
      apiVersion: "nemoclaw.dev/v1",
      kind: "Fleet",
      metadata: { name: "lab" },
      inventory: ["inventory/lab.ini"],
      defaults: { nemoclaw: { version: "0.0.83" } },
      hosts: [{ name: "station-01", nemoclaw: { version: "0.0.73" } }],
      gateways: [{ port: 8080 }, { port: 8081, hosts: "station-01" }],
      sandboxes: [
        {
          name: "assistant",
          hosts: { names: ["spark-01", "spark-02"] },
          provider: "build",
          model: "nvidia/nemotron-3-super-120b-a12b",
          credential: "env:NVIDIA_INFERENCE_API_KEY",
          policy: { tier: "balanced", presets: ["npm", "pypi"] },
        },
        {
          name: "coder",
          host: "station-01",
          gateway: "nemoclaw-8081",
          provider: "openai",
          model: "gpt-5.1",
          credential: "env:OPENAI_API_KEY",
          from: "/srv/images/coder/Dockerfile",
          policy: { tier: "balanced" },
        },
        {
          name: "researcher",
          host: "station-01",
          agent: "hermes",
          provider: "build",
          model: "nvidia/nemotron-3-super-120b-a12b",
          credential: "env:NVIDIA_INFERENCE_API_KEY",
          policy: { tier: "restricted" },
        },
      ],
    });

    const report = await validateFleet({ fleetFile: join(dir, "fleet.yaml"), cwd: dir, releaseRules: NEMOCLAW_RELEASE_RULES });
    expect(report.errors).toEqual([]);
    expect(report.valid).toBe(true);
    const { fleet } = await loadFleet({ fleetFile: join(dir, "fleet.yaml"), cwd: dir, releaseRules: NEMOCLAW_RELEASE_RULES });
    // OpenShell follows the NemoClaw release (v0.0.83 pins 0.0.72, v0.0.73 pins 0.0.71): no OpenShell pin is written.
    expect(Object.fromEntries(fleet.hosts.map((host) => [host.name, [host.nemoclaw?.version, host.openshell?.version]]))).toEqual({
      "spark-01": ["0.0.83", undefined],
      "spark-02": ["0.0.83", undefined],
      "spark-04": ["0.0.83", undefined],
      "station-01": ["0.0.73", undefined],
    });
  });

  it("the first plan of the file it writes changes nothing, except installing NemoClaw where it is missing", async () => {
    const run = harness();
    await runInitCommand(options({ out: "fleet.yaml" }), run.deps);
    const { fleet } = await loadFleet({ fleetFile: join(dir, "fleet.yaml"), cwd: dir, releaseRules: NEMOCLAW_RELEASE_RULES });
    const plan = planFleet(fleet, { hosts: lab() }, { limit: null, hosts: fleet.hosts.map((host) => host.name), pruneUnmanaged: false, now: NOW, toolVersion: "0.1.0" });
    const stepsOf = (host: string) => plan.hosts.find((candidate) => candidate.host === host)?.steps.map((step) => step.id);
    expect(stepsOf("spark-01")).toEqual([]);
    expect(stepsOf("spark-02")).toEqual([]);
    expect(stepsOf("station-01")).toEqual([]);
    expect(stepsOf("spark-04")).toContain("nemoclaw-install:spark-04");
  });

  it("says in comments where each part came from, what it did not import, and keeps the commented policy example", async () => {
    const run = harness();
    await runInitCommand(options({ out: "fleet.yaml" }), run.deps);
    const text = readFileSync(join(dir, "fleet.yaml"), "utf8");
    expect(text).toContain("# The releases 2 hosts run: spark-01, spark-02.");
    expect(text).toContain("# OpenShell is not installed on spark-04: plan installs this NemoClaw release there, which installs its OpenShell.");
    expect(text).toContain("#   scratch (gateway nemoclaw) on station-01");
    expect(text).toContain("# The sandboxes NemoClaw's registry records on the hosts (~/.nemoclaw/sandboxes.json)");
    // Uncommenting the policy example (an editor's toggle strips "# ") gives a nightly policy.
    const [head, example] = text.split(/^(?=# backupPolicies:)/m) as [string, string];
    writeFileSync(join(dir, "uncommented.yaml"), head + example.replace(/^# /gm, ""));
    const report = await validateFleet({ fleetFile: join(dir, "uncommented.yaml"), cwd: dir });
    expect(report.errors).toEqual([]);
    expect(report.summary).toMatchObject({ sandboxes: 4, backupPolicies: 1 });
    expect(run.stderr()).toContain("Wrote fleet.yaml: 4 hosts from inventory/lab.ini, NemoClaw 0.0.83, OpenShell 0.0.72 (observed), 4 sandboxes imported.");
  });

  it("leaves out, in a comment saying why, a registered sandbox whose name NemoClaw would read as its own command, so the file validates", async () => {
    const withGc = (hosts: string[]) =>
      lab()
        .filter((host) => hosts.includes(host.host))
        .map((host) => (host.host !== "spark-01" ? host : { ...host, registry: known({ defaultSandbox: "assistant", entries: [registryEntry("assistant"), registryEntry("gc")], locked: false }) }));
    const run = harness(withGc);
    expect(await runInitCommand(options({ out: "fleet.yaml" }), run.deps)).toBe(0);
    const text = readFileSync(join(dir, "fleet.yaml"), "utf8");
    expect(text).toContain('#   gc (gateway nemoclaw) on spark-01: "gc" is a NemoClaw command word and cannot name a sandbox');
    expect(parse(text).sandboxes.map((sandbox: { name: string }) => sandbox.name)).not.toContain("gc");
    const report = await validateFleet({ fleetFile: join(dir, "fleet.yaml"), cwd: dir });
    expect(report.errors).toEqual([]);
    const json = harness(withGc);
    await runInitCommand(options({ json: true }), json.deps);
    expect(JSON.parse(json.stdout()).unaddressable).toEqual([{ name: "gc", gateway: "nemoclaw", hosts: ["spark-01"], problem: '"gc" is a NemoClaw command word and cannot name a sandbox' }]);
  });

  it("with no sandbox registered, keeps a commented example that validates once uncommented", async () => {
    const bare = (host: ObservedHost): ObservedHost => ({ ...host, gateways: known([hostProcessGateway("nemoclaw", { sandboxes: known([]) })]), registry: known({ defaultSandbox: null, entries: [], locked: false }) });
    const run = harness((hosts) => lab().filter((host) => hosts.includes(host.host) && host.host.startsWith("spark-0") && host.host !== "spark-04").map(bare));
    await runInitCommand(options({ out: "fleet.yaml", limit: "spark-01,spark-02" }), run.deps);
    const text = readFileSync(join(dir, "fleet.yaml"), "utf8");
    expect(parse(text).sandboxes).toBeUndefined();
    writeFileSync(join(dir, "uncommented.yaml"), text.replace(/^# (sandboxes:|backupPolicies:|  )/gm, "$1"));
    const report = await validateFleet({ fleetFile: join(dir, "uncommented.yaml"), cwd: dir });
    expect(report.errors).toEqual([]);
    expect(report.summary).toMatchObject({ sandboxes: 4, backupPolicies: 1 });
  });

  it("pins only OpenShell when NemoClaw cannot be pinned on some host, saying why", async () => {
    const run = harness((hosts) => lab().map((host) => (host.host === "spark-02" ? { ...host, nemoclaw: known({ installed: true, version: "0.1.0", path: null }) } : host)).filter((host) => hosts.includes(host.host)));
    await runInitCommand(options({ out: "fleet.yaml" }), run.deps);
    const text = readFileSync(join(dir, "fleet.yaml"), "utf8");
    expect(parse(text).defaults).toEqual({ openshell: { version: "0.0.72" } });
    expect(text).toContain("# NemoClaw is not pinned (nemoclaw.version), because on some hosts it could not be:");
    expect(text).toMatch(/# {3}spark-02: .*0\.1\.0/);
    expect((await validateFleet({ fleetFile: join(dir, "fleet.yaml"), cwd: dir, releaseRules: NEMOCLAW_RELEASE_RULES })).errors).toEqual([]);
  });

  it("never copies credentials from an endpoint URL", async () => {
    const run = harness((hosts) =>
      lab()
        .filter((host) => hosts.includes(host.host))
        .map((host) =>
          host.host === "spark-01"
            ? { ...host, registry: known({ defaultSandbox: null, entries: [registryEntry("assistant", { provider: "compatible-endpoint", endpointUrl: "https://svc:hunter2@llm.internal/v1", credentialEnv: "COMPATIBLE_API_KEY" })], locked: false }) }
            : host,
        ),
    );
    await runInitCommand(options({ out: "fleet.yaml" }), run.deps);
    const text = readFileSync(join(dir, "fleet.yaml"), "utf8");
    expect(text).not.toContain("hunter2");
    expect(text).toContain("# its endpoint carries credentials in the URL and is not copied here; set endpoint yourself");
  });

  it("writes the schema's URL for editors, or the reference --schema gives (a path relative to the file)", async () => {
    await runInitCommand(options({ out: "fleet.yaml", schema: "https://example.com/fleet.schema.json" }), harness().deps);
    expect(readFileSync(join(dir, "fleet.yaml"), "utf8").split("\n")[0]).toBe("# yaml-language-server: $schema=https://example.com/fleet.schema.json");
    mkdirSync(join(dir, "fleet"));
    await runInitCommand(options({ out: "fleet/lab.yaml", schema: "schemas/fleet.schema.json" }), harness().deps);
    expect(readFileSync(join(dir, "fleet", "lab.yaml"), "utf8").split("\n")[0]).toBe("# yaml-language-server: $schema=../schemas/fleet.schema.json");
    expect(JSON.parse(readFileSync(SCHEMA, "utf8")).$id).toBe(FLEET_SCHEMA_URL);
  });

  it("pins the --openshell version without contacting any host", async () => {
    const run = harness(() => {
      throw new Error("observed a host");
    });
    expect(await runInitCommand(options({ out: "fleet.yaml", openshell: "0.0.80", name: "dgx" }), run.deps)).toBe(0);
    expect(run.observed).toEqual([]);
    const file = parse(readFileSync(join(dir, "fleet.yaml"), "utf8"));
    expect(file).toMatchObject({ metadata: { name: "dgx" }, defaults: { openshell: { version: "0.0.80" } } });
    expect(file.hosts).toBeUndefined();
  });

  it("warns, at the inventory variable, when the inventory pins hosts to another release than the file's defaults", async () => {
    writeFileSync(join(dir, "inventory", "lab.ini"), `${INVENTORY}\n[spark:vars]\nnemoclaw_openshell_version=0.0.44\n`);
    const flag = harness(() => {
      throw new Error("observed a host");
    });
    expect(await runInitCommand(options({ out: "fleet.yaml", openshell: "0.0.80" }), flag.deps)).toBe(0);
    expect(flag.stderr()).toContain(
      "warning: inventory/lab.ini:13:1: [spark:vars].nemoclaw_openshell_version pins OpenShell 0.0.44, not the 0.0.80 this file declares for spark-01, spark-02, spark-04; inventory variables win over the fleet file's defaults",
    );
    // Observed: the Sparks run NemoClaw v0.0.83, which does not run OpenShell 0.0.44.
    const observed = harness();
    expect(await runInitCommand(options({ out: "observed.yaml" }), observed.deps)).toBe(0);
    expect(observed.stderr()).toContain(
      "warning: inventory/lab.ini:13:1: [spark:vars].nemoclaw_openshell_version pins OpenShell 0.0.44, which NemoClaw v0.0.83 (declared by this file) does not run for spark-01, spark-02, spark-04;",
    );
    // Without the variable, no warning.
    writeFileSync(join(dir, "inventory", "lab.ini"), INVENTORY);
    const clean = harness();
    expect(await runInitCommand(options({ out: "clean.yaml" }), clean.deps)).toBe(0);
    expect(clean.stderr()).not.toContain("warning:");
  });

  it("prints to stdout with paths relative to the current directory, or a JSON summary", async () => {
    const plain = harness();
    expect(await runInitCommand(options(), plain.deps)).toBe(0);
    expect(parse(plain.stdout())).toMatchObject({ inventory: ["inventory/lab.ini"] });
    expect(existsSync(join(dir, "fleet.yaml"))).toBe(false);

    const json = harness();
    mkdirSync(join(dir, "fleet"));
    expect(await runInitCommand(options({ out: "fleet/lab.yaml", json: true }), json.deps)).toBe(0);
    const summary = JSON.parse(json.stdout());
    expect(summary).toMatchObject({
      fleetFile: join(dir, "fleet", "lab.yaml"),
      name: "lab",
      inventories: ["../inventory/lab.ini"],
      schema: FLEET_SCHEMA_URL,
      nemoclaw: { version: "0.0.83", source: "observed" },
      openshell: { version: "0.0.72", source: "observed" },
      overrides: [{ host: "station-01", nemoclaw: "0.0.73", openshell: "0.0.71" }],
      gateways: [
        { port: 8080, name: "nemoclaw", hosts: ["spark-01", "spark-02", "station-01"] },
        { port: 8081, name: "nemoclaw-8081", hosts: ["station-01"] },
      ],
      unregistered: [{ name: "scratch", gateway: "nemoclaw", hosts: ["station-01"] }],
    });
    expect(summary.sandboxes.map((sandbox: { name: string; hosts: string[] }) => [sandbox.name, sandbox.hosts])).toEqual([
      ["assistant", ["spark-01", "spark-02"]],
      ["coder", ["station-01"]],
      ["researcher", ["station-01"]],
    ]);
    expect(summary.hosts).toContainEqual({ host: "station-01", status: "installed", version: "0.0.71", nemoclaw: "0.0.73" });
    expect(summary.hosts).toContainEqual({ host: "spark-04", status: "not-installed", reason: "openshell is not installed" });
    expect(summary.yaml).toBe(readFileSync(join(dir, "fleet", "lab.yaml"), "utf8"));
    expect((await validateFleet({ fleetFile: join(dir, "fleet", "lab.yaml"), cwd: dir })).valid).toBe(true);
  });

  it("never replaces an existing file without --force", async () => {
    writeFileSync(join(dir, "fleet.yaml"), "mine\n");
    const refused = harness();
    expect(await runInitCommand(options({ out: "fleet.yaml" }), refused.deps)).toBe(1);
    expect(refused.stderr()).toContain("fleet.yaml exists; pass --force to replace it");
    expect(refused.observed).toEqual([]);
    expect(readFileSync(join(dir, "fleet.yaml"), "utf8")).toBe("mine\n");

    expect(await runInitCommand(options({ out: "fleet.yaml", force: true }), harness().deps)).toBe(0);
    expect(readFileSync(join(dir, "fleet.yaml"), "utf8")).toContain("apiVersion: nemoclaw.dev/v1");
  });

  it("writes the file from the hosts it reached and exits 4 when some were unreachable", async () => {
    const run = harness((hosts) => hosts.map((host) => (host === "spark-02" ? unreachable(host) : observedHost(host))));
    expect(await runInitCommand(options({ out: "fleet.yaml" }), run.deps)).toBe(4);
    expect(run.stderr()).toContain("warning: spark-02: unreachable: spark-02: connection refused");
    const text = readFileSync(join(dir, "fleet.yaml"), "utf8");
    expect(text).toContain("# Not observed: spark-02; run `nemoclaw facts` on them before relying on these pins.");
    expect(parse(text).defaults.nemoclaw.version).toBe("0.0.80");
  });

  it("writes nothing when no host reports a version, and says how to pin one", async () => {
    const run = harness((hosts) => hosts.map(unreachable));
    expect(await runInitCommand(options({ out: "fleet.yaml" }), run.deps)).toBe(4);
    expect(run.stderr()).toContain("pin one with --openshell <version>");
    expect(existsSync(join(dir, "fleet.yaml"))).toBe(false);
  });

  it("observes only the hosts --limit selects", async () => {
    const run = harness();
    expect(await runInitCommand(options({ out: "fleet.yaml", limit: "station" }), run.deps)).toBe(0);
    expect(run.observed).toEqual([["station-01"]]);
    expect(parse(readFileSync(join(dir, "fleet.yaml"), "utf8")).defaults.nemoclaw.version).toBe("0.0.73");
  });

  it("reports an invalid inventory with file and line, and needs -i", async () => {
    writeFileSync(join(dir, "inventory", "lab.ini"), "[spark:vars]\nansible_user nvidia\n");
    const run = harness();
    expect(await runInitCommand(options({ out: "fleet.yaml" }), run.deps)).toBe(3);
    expect(run.stderr()).toMatch(/lab\.ini:\d+:\d+/);
    expect(existsSync(join(dir, "fleet.yaml"))).toBe(false);
    expect(await runInitCommand(options({ inventory: [] }), harness().deps)).toBe(1);
  });
});

describe("the starter file's text", () => {
  it("quotes names that YAML would read as something else", () => {
    const hosts = [
      { host: "true", status: "installed" as const, version: "0.1", nemoclaw: null },
      { host: "1.5", status: "installed" as const, version: "0.2", nemoclaw: null },
    ];
    const text = renderStarterFleet(
      {
        name: "1.5",
        inventories: ["inventories/a b.ini"],
        schema: FLEET_SCHEMA_URL,
        pins: { ...choosePins(hosts, pinOf)!, source: "observed" },
        hosts,
        gateways: [{ port: 8081, name: "nemoclaw-8081", hosts: ["true", "1.5"] }],
        sandboxes: [{ name: "assistant", gateway: "nemoclaw", hosts: ["1.5"], settings: { model: "yes", presets: ["on"] }, notes: [] }],
        unregistered: [],
        unaddressable: [],
        groups: { all: ["true", "1.5", "no"], "1.5": ["true", "1.5"] },
        date: "2026-11-22",
        fileName: "fleet.yaml",
      },
      (value) => JSON.stringify(value),
    );
    expect(parse(text)).toMatchObject({
      metadata: { name: "1.5" },
      defaults: { openshell: { version: "0.2" } },
      hosts: [{ name: "true", openshell: { version: "0.1" } }],
      gateways: [{ port: 8080 }, { port: 8081, hosts: { names: ["true", "1.5"] } }],
      sandboxes: [{ name: "assistant", host: "1.5", model: "yes", policy: { presets: ["on"] } }],
    });
  });

  it("places a resource on all hosts, on the one group with exactly its hosts, or by name", () => {
    const hosts = [{ host: "a", status: "installed" as const, version: "0.0.72", nemoclaw: "0.0.83" }];
    const render = (gatewayHosts: string[]) =>
      parse(
        renderStarterFleet(
          {
            name: "lab",
            inventories: ["hosts.ini"],
            schema: FLEET_SCHEMA_URL,
            pins: { ...choosePins(hosts, pinOf)!, source: "observed" },
            hosts,
            gateways: [{ port: 8081, name: "nemoclaw-8081", hosts: gatewayHosts }],
            sandboxes: [],
            unregistered: [],
            unaddressable: [],
            groups: { all: ["a", "b", "c"], spark: ["a", "b"], rack: ["b", "c"] },
            date: "2026-11-22",
            fileName: "fleet.yaml",
          },
          (value) => JSON.stringify(value),
        ),
      ).gateways[1];
    expect(render(["c", "b", "a"])).toEqual({ port: 8081, hosts: "all" });
    expect(render(["b", "a"])).toEqual({ port: 8081, hosts: "spark" });
    expect(render(["a", "c"])).toEqual({ port: 8081, hosts: { names: ["a", "c"] } });
    expect(render(["c"])).toEqual({ port: 8081, hosts: "c" });
  });

  it("never lets a value end a comment line: line breaks and other control characters are written as escapes", () => {
    const evil = "x\nhosts: [{ name: evil, address: 6.6.6.6 }]\r\u2028";
    const hosts = [
      { host: "a", status: "installed" as const, version: "0.0.72", nemoclaw: null },
      { host: "b", status: "unknown" as const, reason: `nemoclaw --version said ${evil}` },
    ];
    const text = renderStarterFleet(
      {
        name: "lab",
        inventories: [`hosts${evil}.ini`],
        schema: `https://example.com/${evil}`,
        pins: { ...choosePins(hosts, pinOf)!, source: "observed" },
        hosts,
        gateways: [{ port: 8081, name: `gw${evil}`, hosts: ["a"] }],
        sandboxes: [{ name: "assistant", gateway: "nemoclaw", hosts: ["a"], settings: { presets: [] }, notes: [`note${evil}`] }],
        unregistered: [{ name: `scratch${evil}`, gateway: `gw${evil}`, hosts: ["a"] }],
        unaddressable: [{ name: `gc${evil}`, gateway: `gw${evil}`, hosts: ["a"], problem: `why${evil}` }],
        groups: { all: ["a", "b"] },
        date: "2026-11-22",
        fileName: `fleet${evil}.yaml`,
      },
      (value) => JSON.stringify(value),
    );
    expect(text).not.toMatch(/^hosts:/m);
    // Only the inventory's path keeps them, inside its quoted scalar.
    expect(text.replace(JSON.stringify(`hosts${evil}.ini`), "")).not.toMatch(/[\r\u2028]/);
    const file = parse(text);
    expect(file.hosts).toBeUndefined();
    expect(file.inventory).toEqual([`hosts${evil}.ini`]);
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=https://example.com/x\\nhosts: [{ name: evil, address: 6.6.6.6 }]\\r\\u2028");
  });

  it("refuses a --schema with a line break, which would add YAML to the file, as bad usage naming the option", async () => {
    const program = new Command("nemoclaw");
    await registerCommands(program, ["init"]);
    let message = "";
    for (const command of [program, ...program.commands]) {
      command.exitOverride().configureOutput({ writeErr: (text) => (message += text) });
      command.action(() => Promise.reject(new Error("init ran")));
    }
    const schema = "x\nhosts: [{ name: evil, address: 6.6.6.6 }]";
    const error = await program.parseAsync(["init", "-i", "inventory/lab.ini", "--schema", schema], { from: "user" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).exitCode).toBe(1);
    expect(message).toContain("option '--schema <url-or-path>' argument");
    expect(message).toContain('it has a control character ("\\n"), which cannot be written into the fleet file\'s comment line');
  });

  it("names the fleet after the inventory file", () => {
    expect(fleetNameFrom("dgx-lab.ini")).toBe("dgx-lab");
    expect(fleetNameFrom("prod hosts.yml")).toBe("prod-hosts");
    expect(fleetNameFrom("---.ini")).toBe("fleet");
  });
});
