import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { hostProcessGateway, known, observedHost, observedSandbox, registryEntry } from "../plan/builders.js";
import { loadFleet } from "../../../src/config/load.js";
import { selectHosts } from "../../../src/config/selectors.js";
import type { DesiredFleet } from "../../../src/config/types.js";
import { validateFleet } from "../../../src/config/validate.js";
import type { ObservedFleet, ObservedHost } from "../../../src/observe/types.js";
import { fleetNameFrom, renderStarterFleet } from "../../../src/report/starter-fleet.js";
import { runInitCommand, type InitCommandDeps, type InitCommandOptions } from "../../../src/cli/init.js";

const SCHEMA = fileURLToPath(new URL("../../../schemas/fleet.schema.json", import.meta.url));

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

/** The lab as observed: two Sparks on 0.0.72, a Station still on 0.0.71, a Spark without OpenShell. */
function lab(): ObservedHost[] {
  return [
    observedHost("spark-01"),
    observedHost("spark-02"),
    observedHost("station-01", {
      openshell: known({ installed: true, version: "0.0.71", path: "/home/nvidia/.local/bin/openshell" }),
      gateways: known([hostProcessGateway("nemoclaw", { sandboxes: known([observedSandbox("researcher")]) }), hostProcessGateway("nemoclaw-8081", { sandboxes: known([observedSandbox("coder")]) })]),
      registry: known({ defaultSandbox: null, entries: [registryEntry("researcher"), registryEntry("coder", { gatewayName: "nemoclaw-8081", gatewayPort: 8081 })], locked: false }),
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
    schemaPath: SCHEMA,
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
  it("writes a fleet file that validates, references the inventory and pins what every host runs", async () => {
    const run = harness();
    expect(await runInitCommand(options({ out: "fleet.yaml" }), run.deps)).toBe(0);
    const text = readFileSync(join(dir, "fleet.yaml"), "utf8");
    expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=${SCHEMA}`);
    expect(existsSync(SCHEMA)).toBe(true);
    expect(parse(text)).toEqual({
      apiVersion: "nemoclaw.dev/v1",
      kind: "Fleet",
      metadata: { name: "lab" },
      inventory: ["inventory/lab.ini"],
      defaults: { openshell: { version: "0.0.72" } },
      hosts: [{ name: "station-01", openshell: { version: "0.0.71" } }],
      gateways: [{ port: 8080 }],
    });

    const report = await validateFleet({ fleetFile: join(dir, "fleet.yaml"), cwd: dir });
    expect(report.errors).toEqual([]);
    expect(report.valid).toBe(true);
    // Each host keeps the release it runs (the one without OpenShell gets the default).
    const { fleet } = await loadFleet({ fleetFile: join(dir, "fleet.yaml"), cwd: dir });
    expect(Object.fromEntries(fleet.hosts.map((host) => [host.name, host.openshell?.version]))).toEqual({
      "spark-01": "0.0.72",
      "spark-02": "0.0.72",
      "spark-04": "0.0.72",
      "station-01": "0.0.71",
    });
    expect(fleet.hosts.every((host) => host.gateways.map((gateway) => gateway.name).join() === "nemoclaw")).toBe(true);
  });

  it("says in comments where the pin came from and which sandboxes it found, with commented examples", async () => {
    const run = harness();
    await runInitCommand(options({ out: "fleet.yaml" }), run.deps);
    const text = readFileSync(join(dir, "fleet.yaml"), "utf8");
    expect(text).toContain("# The release 2 hosts run: spark-01, spark-02.");
    expect(text).toContain("# Not installed on spark-04: plan installs this release there.");
    expect(text).toContain("#   coder (gateway nemoclaw-8081) on station-01");
    expect(text).toContain("#   researcher (gateway nemoclaw) on station-01");
    expect(text).toContain("#   assistant (gateway nemoclaw) on spark-01, spark-02");
    // Uncommenting the examples (an editor's toggle strips "# ") gives a sandbox and a nightly policy.
    const [head, examples] = text.split(/^(?=# sandboxes:)/m) as [string, string];
    const uncommented = head + examples.replace(/^# /gm, "");
    writeFileSync(join(dir, "uncommented.yaml"), uncommented);
    const report = await validateFleet({ fleetFile: join(dir, "uncommented.yaml"), cwd: dir });
    expect(report.errors).toEqual([]);
    expect(report.summary).toMatchObject({ sandboxes: 4, backupPolicies: 1 });
    expect(report.valid).toBe(true);
    expect(run.stderr()).toContain("Wrote fleet.yaml: 4 hosts from inventory/lab.ini, OpenShell 0.0.72 (observed).");
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
      schemaPath: SCHEMA,
      openshell: { version: "0.0.72", source: "observed" },
    });
    expect(summary.hosts).toContainEqual({ host: "station-01", status: "installed", version: "0.0.71" });
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
    expect(text).toContain("# Not observed: spark-02; run `nemoclaw facts` on them before relying on this pin.");
    expect(parse(text).defaults.openshell.version).toBe("0.0.72");
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
    expect(parse(readFileSync(join(dir, "fleet.yaml"), "utf8")).defaults.openshell.version).toBe("0.0.71");
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
    const text = renderStarterFleet(
      {
        name: "1.5",
        inventories: ["inventories/a b.ini"],
        schemaPath: SCHEMA,
        openshell: { version: "0.1", source: "observed" },
        hosts: [
          { host: "true", status: "installed", version: "0.1" },
          { host: "1.5", status: "installed", version: "0.2" },
        ],
        sandboxes: [],
        date: "2026-11-22",
        fileName: "fleet.yaml",
      },
      (value) => JSON.stringify(value),
    );
    expect(parse(text)).toMatchObject({ metadata: { name: "1.5" }, defaults: { openshell: { version: "0.1" } }, hosts: [{ name: "1.5", openshell: { version: "0.2" } }] });
  });

  it("names the fleet after the inventory file", () => {
    expect(fleetNameFrom("dgx-lab.ini")).toBe("dgx-lab");
    expect(fleetNameFrom("prod hosts.yml")).toBe("prod-hosts");
    expect(fleetNameFrom("---.ini")).toBe("fleet");
  });
});
