/**
 * Outputs never overwrite inputs: `plan -o`, `report --html`, `--metrics-file` on plan, report
 * and apply, `inventory --output` and `init -o` refuse (exit 1, naming the option and the file) a path that is the fleet file,
 * one of its inventories or variables files, or the plan file being applied — however the path is
 * spelled (relative, through a symbolic link) — before any host is contacted; the input is left
 * as it was.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadFleetFrom } from "../../../src/cli/fleet-input.js";
import { runPlanCommand, type PlanCommandDeps } from "../../../src/cli/plan.js";
import { runReportCommand, type ReportCommandDeps } from "../../../src/cli/report.js";
import { runApplySession, type SessionDeps } from "../../../src/cli/apply-session.js";
import { runInitCommand } from "../../../src/cli/init.js";
import { runInventoryCommand } from "../../../src/cli/inventory.js";
import { selectHosts } from "../../../src/config/selectors.js";
import { ExitCode } from "../../../src/exit-codes.js";
import { writePlanFile } from "../../../src/report/plan-file.js";
import { converged, NOW, planOf } from "../plan/builders.js";

let dir: string;
let fleetFile: string;
let inventory: string;
let vars: string;
const FLEET = `apiVersion: nemoclaw.dev/v1
kind: Fleet
metadata: { name: lab }
inventory: [hosts.ini]
gateways:
  - port: 8080
`;
const INVENTORY = "[lab]\nspark-01 ansible_host=127.0.0.1\n";
const VARS = "ansible_user: ops\n";

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "output-inputs-"));
  fleetFile = join(dir, "fleet.yaml");
  inventory = join(dir, "hosts.ini");
  vars = join(dir, "group_vars", "lab.yml");
  writeFileSync(fleetFile, FLEET);
  writeFileSync(inventory, INVENTORY);
  mkdirSync(join(dir, "group_vars"));
  writeFileSync(vars, VARS);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function unchanged(): void {
  expect(readFileSync(fleetFile, "utf8")).toBe(FLEET);
  expect(readFileSync(inventory, "utf8")).toBe(INVENTORY);
  expect(readFileSync(vars, "utf8")).toBe(VARS);
}

const noHosts = () => {
  throw new Error("no host may be contacted");
};

function planDeps() {
  let err = "";
  const deps: PlanCommandDeps = {
    load: loadFleetFrom,
    select: (fleet, limit) => selectHosts(fleet, limit),
    observe: noHosts,
    catalogue: noHosts,
    close: async () => undefined,
    now: () => NOW,
    stdout: { write: () => true },
    stderr: { write: (text: string) => (err += text) },
    env: {},
  };
  return { deps, err: () => err };
}

const planOptions = { inventory: [], json: false, detailedExitcode: false, prune: false, color: false };

describe("plan -o and --metrics-file never overwrite what the plan is made from", () => {
  it.each([
    ["the fleet file", () => fleetFile, /-o \S+fleet\.yaml: is the fleet file this command reads; refusing to overwrite it/],
    ["an inventory", () => inventory, /-o \S+hosts\.ini: is an inventory or variables file this command reads; refusing to overwrite it/],
    ["a variables file", () => vars, /-o \S+lab\.yml: is an inventory or variables file this command reads/],
    ["a symbolic link to the fleet file", () => link(fleetFile), /-o \S+link: is the fleet file \(\S+fleet\.yaml\) this command reads/],
  ])("-o %s: exit 1, nothing contacted or written", async (_what, out, message) => {
    const h = planDeps();
    expect(await runPlanCommand(fleetFile, { ...planOptions, out: out() }, h.deps)).toBe(ExitCode.Error);
    expect(h.err()).toMatch(message);
    unchanged();
  });

  it("--metrics-file a vault password file it was given: exit 1", async () => {
    const secret = join(dir, "vault-pass");
    writeFileSync(secret, "s3cret\n");
    process.env.ANSIBLE_VAULT_PASSWORD_FILE = secret;
    try {
      const h = planDeps();
      expect(await runPlanCommand(fleetFile, { ...planOptions, metricsFile: secret }, h.deps)).toBe(ExitCode.Error);
      expect(h.err()).toMatch(/--metrics-file \S+vault-pass: is a vault password file this command reads; refusing to overwrite it/);
      expect(readFileSync(secret, "utf8")).toBe("s3cret\n");
    } finally {
      delete process.env.ANSIBLE_VAULT_PASSWORD_FILE;
    }
  });

  it("--metrics-file the fleet file: exit 1", async () => {
    const h = planDeps();
    expect(await runPlanCommand(fleetFile, { ...planOptions, metricsFile: fleetFile }, h.deps)).toBe(ExitCode.Error);
    expect(h.err()).toMatch(/--metrics-file \S+fleet\.yaml: is the fleet file this command reads/);
    unchanged();
  });
});

function link(target: string): string {
  const path = join(dir, "link");
  symlinkSync(target, path);
  return path;
}

describe("report --html and --metrics-file never overwrite the fleet file or the saved plan it shows", () => {
  function reportDeps() {
    let err = "";
    const deps: ReportCommandDeps = {
      load: loadFleetFrom,
      select: (fleet, limit) => selectHosts(fleet, limit),
      observe: noHosts,
      readStores: noHosts,
      close: async () => undefined,
      now: () => NOW,
      journalDir: join(dir, "runs"),
      stdout: { write: () => true },
      stderr: { write: (text: string) => (err += text) },
      env: {},
    };
    return { deps, err: () => err };
  }

  it("--html the fleet file: exit 1", async () => {
    const h = reportDeps();
    expect(await runReportCommand(fleetFile, { inventory: [], json: false, runs: 10, html: fleetFile }, h.deps)).toBe(ExitCode.Error);
    expect(h.err()).toMatch(/nemoclaw report: --html \S+fleet\.yaml: is the fleet file this command reads; refusing to overwrite it/);
    unchanged();
  });

  it("--metrics-file the --from-plan file: exit 1", async () => {
    const plan = join(dir, "plan.json");
    writeFileSync(plan, "{}\n");
    const h = reportDeps();
    const options = { inventory: [], json: true, runs: 10, fromPlan: plan, metricsFile: plan };
    expect(await runReportCommand(fleetFile, options, h.deps)).toBe(ExitCode.Error);
    expect(h.err()).toMatch(/--metrics-file \S+plan\.json: is the plan file \(--from-plan\) this command reads/);
    expect(readFileSync(plan, "utf8")).toBe("{}\n");
  });
});

describe("apply --metrics-file never overwrites the fleet file or the plan being applied", () => {
  function applyDeps() {
    let err = "";
    const deps = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (err += text) },
      env: {},
      now: () => NOW,
      identity: { user: "ops", machine: "ctl", pid: process.pid, pidScope: "boot-1:4026531836" },
      journalDir: join(dir, "runs"),
      loadFleet: loadFleetFrom,
      selectHosts: (fleet, limit) => selectHosts(fleet, limit),
      openPool: noHosts,
      readCatalogue: noHosts,
    } as Partial<SessionDeps> as SessionDeps;
    return { deps, err: () => err };
  }
  const options = { inventory: [], json: false, yes: true, prune: false, color: false };

  it("applying the fleet file: exit 1", async () => {
    const h = applyDeps();
    expect(await runApplySession(fleetFile, { ...options, metricsFile: fleetFile }, h.deps)).toBe(ExitCode.Error);
    expect(h.err()).toMatch(/nemoclaw apply: --metrics-file \S+fleet\.yaml: is the fleet file this command reads; refusing to overwrite it/);
    unchanged();
  });

  it("applying a saved plan: neither the plan file nor the fleet file it names", async () => {
    const planFile = join(dir, "plan.json");
    const plan = planOf(converged());
    writePlanFile(planFile, { ...plan, fleet: { ...plan.fleet, file: fleetFile } });
    const saved = readFileSync(planFile, "utf8");
    for (const [target, what] of [
      [planFile, "the plan file"],
      [fleetFile, "the fleet file"],
      [inventory, "an inventory or variables file"],
    ] as const) {
      const h = applyDeps();
      expect(await runApplySession(planFile, { ...options, metricsFile: target }, h.deps)).toBe(ExitCode.Error);
      expect(h.err()).toContain(`--metrics-file ${target}: is ${what} this command reads; refusing to overwrite it`);
    }
    expect(readFileSync(planFile, "utf8")).toBe(saved);
    unchanged();
  });
});

describe("inventory --output and init -o never overwrite an inventory they read", () => {
  it("inventory --list --output the inventory: exit 1", async () => {
    const { inspectFleet } = await import("../../../src/config/load.js");
    let err = "";
    const writes: string[] = [];
    const code = await runInventoryCommand(undefined, undefined, { inventory: [inventory], list: true, output: inventory, color: false }, {
      inspect: inspectFleet,
      writeFile: async (path) => void writes.push(path),
      stdout: { write: () => true },
      stderr: { write: (text: string) => (err += text) },
      env: {},
    });
    expect(code).toBe(ExitCode.Error);
    expect(err).toMatch(/nemoclaw inventory: --output \S+hosts\.ini: is an inventory or variables file this command reads; refusing to overwrite it/);
    expect(writes).toEqual([]);
    unchanged();
  });

  it("init -o the inventory, even with --force: exit 1", async () => {
    let err = "";
    const code = await runInitCommand({ inventory: [inventory], out: inventory, force: true, openshell: "0.0.116", color: false, json: false }, {
      load: async (inventories) => {
        const { fleet, sources } = await loadFleetFrom(undefined, inventories);
        return { fleet, warnings: "", sources };
      },
      select: (fleet, limit) => selectHosts(fleet, limit),
      observe: noHosts,
      pinOf: () => ({ problem: "not used: --openshell is given" }),
      cwd: dir,
      exists: () => true,
      writeFile: () => {
        throw new Error("nothing may be written");
      },
      today: () => NOW,
      stdout: { write: () => true },
      stderr: { write: (text: string) => (err += text) },
      env: {},
    });
    expect(code).toBe(ExitCode.Error);
    expect(err).toMatch(/nemoclaw init: -o \S+hosts\.ini: is an inventory or variables file this command reads; refusing to overwrite it/);
    unchanged();
  });
});

describe('"-" as an output: stdout where a command prints there anyway, refused where it would be a file named "-"', () => {
  it("init -o - and inventory --output - print on stdout and write no file", async () => {
    const { inspectFleet } = await import("../../../src/config/load.js");
    let out = "";
    const writes: string[] = [];
    const init = await runInitCommand({ inventory: [inventory], out: "-", force: false, openshell: "0.0.116", color: false, json: false }, {
      load: async (inventories) => {
        const { fleet, sources } = await loadFleetFrom(undefined, inventories);
        return { fleet, warnings: "", sources };
      },
      select: (fleet, limit) => selectHosts(fleet, limit),
      observe: noHosts,
      pinOf: () => ({ problem: "not used: --openshell is given" }),
      cwd: dir,
      exists: () => true,
      writeFile: (path: string) => void writes.push(path),
      today: () => NOW,
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: () => true },
      env: {},
    });
    expect(init).toBe(ExitCode.Ok);
    expect(out).toContain("apiVersion: nemoclaw.dev/v1");
    out = "";
    const listed = await runInventoryCommand(undefined, undefined, { inventory: [inventory], list: true, output: "-", color: false }, {
      inspect: inspectFleet,
      writeFile: async (path) => void writes.push(path),
      stdout: { write: (text: string) => (out += text) },
      stderr: { write: () => true },
      env: {},
    });
    expect(listed).toBe(ExitCode.Ok);
    expect(JSON.parse(out)).toHaveProperty("_meta");
    expect(writes).toEqual([]);
  });

  it("plan -o - and --metrics-file - are refused (exit 1), saying what to write instead", async () => {
    const h = planDeps();
    expect(await runPlanCommand(fleetFile, { ...planOptions, out: "-" }, h.deps)).toBe(ExitCode.Error);
    expect(h.err()).toBe('nemoclaw plan: -o -: "-" is not stdout here: it would write a file named "-"; name a file (./- for one named so); --json prints the plan on stdout\n');
    const m = planDeps();
    expect(await runPlanCommand(fleetFile, { ...planOptions, metricsFile: "-" }, m.deps)).toBe(ExitCode.Error);
    expect(m.err()).toContain('--metrics-file -: "-" is not stdout here');
  });
});
