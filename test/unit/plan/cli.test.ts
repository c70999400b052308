/** `nemoclaw plan` wiring, with the loader and observation injected. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { type PlanCommandDeps, type PlanCommandOptions, register, runPlanCommand } from "../../../src/cli/plan.js";
import { FleetValidationError } from "../../../src/config/diagnostics.js";
import { planDigest, readPlanFile } from "../../../src/report/plan-file.js";
import type { Plan } from "../../../src/plan/types.js";
import { ExitCode } from "../../../src/exit-codes.js";
import { converged, NOW, policy, type Scenario } from "./builders.js";

function harness(scenario: Scenario, overrides: Partial<PlanCommandDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const observedFor: string[][] = [];
  const deps: PlanCommandDeps = {
    load: async () => ({ fleet: scenario.fleet, warnings: [] }),
    select: (fleet) => fleet.hosts.map((host) => host.name),
    observe: async (_fleet, hosts) => {
      observedFor.push(hosts);
      return { hosts: scenario.observedHosts.filter((host) => hosts.includes(host.host)) };
    },
    catalogue: async () => ({}),
    close: async () => undefined,
    now: () => NOW,
    stdout: { write: (text: string) => out.push(text), isTTY: false },
    stderr: { write: (text: string) => err.push(text), isTTY: false },
    env: {},
    ...overrides,
  };
  return { deps, out, err, observedFor };
}

function options(overrides: Partial<PlanCommandOptions> = {}): PlanCommandOptions {
  return { inventory: [], json: false, detailedExitcode: false, prune: false, color: true, ...overrides };
}

function withPendingChange(): Scenario {
  const scenario = converged();
  scenario.host.sandboxes[0]!.policy = { presets: ["pypi"] };
  return scenario;
}

describe("nemoclaw plan --replace and --target", () => {
  function twoHosts(): Scenario {
    const scenario = converged();
    const second = { ...scenario.host, name: "spark-02", sandboxes: scenario.host.sandboxes.map((sandbox) => ({ ...sandbox, host: "spark-02" })) };
    scenario.fleet.hosts.push(second);
    scenario.observedHosts.push({ ...structuredClone(scenario.observed), host: "spark-02" });
    return scenario;
  }

  it("--replace recreates the named sandbox, and the plan file records it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nemoclaw-plan-replace-"));
    const { deps, out } = harness(twoHosts());
    expect(await runPlanCommand("fleet.yaml", options({ replace: ["assistant@spark-02"], out: join(dir, "plan.json"), json: true }), deps)).toBe(ExitCode.Ok);
    const plan = JSON.parse(out.join("")) as Plan;
    expect(plan.hosts.map((host) => [host.host, host.steps.map((step) => step.id)])).toEqual([
      ["spark-01", []],
      ["spark-02", ["preflight:spark-02", "backup:assistant", "sandbox-recreate:assistant"]],
    ]);
    expect((await readPlanFile(join(dir, "plan.json"))).options).toMatchObject({ replace: ["assistant@spark-02"], targets: null });
  });

  it("--target observes only the hosts it names and plans only that sandbox's steps", async () => {
    const scenario = twoHosts();
    for (const host of scenario.fleet.hosts) host.sandboxes[0]!.policy = { presets: ["pypi"] };
    const { deps, out, observedFor } = harness(scenario);
    expect(await runPlanCommand("fleet.yaml", options({ target: ["assistant@spark-01"], json: true }), deps)).toBe(ExitCode.Ok);
    expect(observedFor).toEqual([["spark-01"]]);
    const plan = JSON.parse(out.join("")) as Plan;
    expect(plan.hosts.map((host) => host.host)).toEqual(["spark-01"]);
    expect(plan.options.targets).toEqual(["assistant@spark-01"]);
  });

  it("refuses an address that names no sandbox of the fleet file on a selected host, before observing (exit 3)", async () => {
    const { deps, err, observedFor } = harness(twoHosts());
    expect(await runPlanCommand("fleet.yaml", options({ replace: ["asistant@spark-02", "x@spark-9"], target: ["nohost"] }), deps)).toBe(ExitCode.ValidationError);
    expect(err.join("")).toContain("nemoclaw plan: --replace asistant@spark-02: the fleet file puts no sandbox asistant on spark-02; did you mean assistant@spark-02?");
    expect(err.join("")).toContain("nemoclaw plan: --replace x@spark-9: host spark-9 is not in the fleet; did you mean spark-01?");
    expect(err.join("")).toContain('nemoclaw plan: --target nohost: "nohost" is not <sandbox>@<host>');
    expect(observedFor).toEqual([]);
  });
});

describe("nemoclaw plan", () => {
  it("prints the grouped plan and exits 0 without --detailed-exitcode", async () => {
    const { deps, out, err } = harness(withPendingChange());
    expect(await runPlanCommand("fleet.yaml", options(), deps)).toBe(ExitCode.Ok);
    expect(out.join("")).toContain("policy-add  sandbox assistant @ nemoclaw");
    expect(err.join("")).toContain("Observing 1 host…");
  });

  it("--detailed-exitcode: 2 with changes, 0 without", async () => {
    expect(await runPlanCommand("fleet.yaml", options({ detailedExitcode: true }), harness(withPendingChange()).deps)).toBe(ExitCode.Changes);
    expect(await runPlanCommand("fleet.yaml", options({ detailedExitcode: true }), harness(converged()).deps)).toBe(ExitCode.Ok);
  });

  it("-o says how to carry the plan out, or that it has nothing to do; the summary counts in-sync hosts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nemoclaw-plan-cli-"));
    const pending = harness(withPendingChange());
    await runPlanCommand("fleet.yaml", options({ out: join(dir, "pending.json") }), pending.deps);
    expect(pending.err.join("")).toContain(`run \`nemoclaw apply ${join(dir, "pending.json")}\` to carry it out`);
    const idle = harness(converged());
    await runPlanCommand("fleet.yaml", options({ out: join(dir, "idle.json") }), idle.deps);
    expect(idle.err.join("")).toContain(`Saved the plan to ${join(dir, "idle.json")}; it has nothing to do.`);
    expect(idle.out.join("")).toContain("No changes: 1 host matches the fleet file.");
  });

  it("--json prints the Plan; -o saves it for apply", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nemoclaw-plan-cli-"));
    const file = join(dir, "plan.json");
    const { deps, out } = harness(withPendingChange());
    await runPlanCommand("fleet.yaml", options({ json: true, out: file, limit: "spark-*" }), deps);
    const printed = JSON.parse(out.join("")) as Plan;
    expect(printed.selection).toEqual({ limit: "spark-*", hosts: ["spark-01"] });
    expect(await readPlanFile(file)).toEqual(printed);
    expect(readFileSync(file, "utf8")).toBe(`${JSON.stringify({ ...printed, planDigest: planDigest(printed) }, null, 2)}\n`);
  });

  it("--prune and the fleet's apply.pruneUnmanaged both prune", async () => {
    const scenario = converged();
    const { deps, out } = harness(scenario);
    await runPlanCommand("fleet.yaml", options({ json: true, prune: true }), deps);
    expect((JSON.parse(out.join("")) as Plan).options.pruneUnmanaged).toBe(true);
    scenario.fleet.apply.pruneUnmanaged = true;
    const second = harness(scenario);
    await runPlanCommand("fleet.yaml", options({ json: true }), second.deps);
    expect((JSON.parse(second.out.join("")) as Plan).options.pruneUnmanaged).toBe(true);
  });

  it("observes only the selected hosts", async () => {
    const { deps, observedFor } = harness(converged(), { select: () => ["spark-01"] });
    await runPlanCommand(undefined, options({ limit: "spark-01" }), deps);
    expect(observedFor).toEqual([["spark-01"]]);
  });

  it("a bad fleet file or --limit exits 3 with the diagnostics, observing nothing", async () => {
    const failing = harness(converged(), {
      select: () => {
        throw new FleetValidationError([{ file: "<command line>", line: 1, column: 1, path: "--limit", message: "--limit 'gpu-*' matches no host", severity: "error" }]);
      },
    });
    expect(await runPlanCommand("fleet.yaml", options({ limit: "gpu-*" }), failing.deps)).toBe(ExitCode.ValidationError);
    expect(failing.err.join("")).toContain("--limit 'gpu-*' matches no host");
    expect(failing.observedFor).toEqual([]);
  });

  it("plans scheduled backups from the stores' catalogue, and without it when a store is unreadable", async () => {
    const scenario = converged();
    scenario.fleet.backupPolicies.push(policy("nightly", { schedule: "0 2 * * *" }));
    const due = harness(scenario);
    await runPlanCommand("fleet.yaml", options({ json: true }), due.deps);
    expect((JSON.parse(due.out.join("")) as Plan).hosts[0]!.steps.map((step) => step.id)).toEqual(["preflight:spark-01", "backup:assistant@nightly"]);
    let closed = false;
    const unreadable = harness(scenario, {
      catalogue: async () => {
        throw new Error("backup store unreadable: /backups: EACCES");
      },
      close: async () => {
        closed = true;
      },
    });
    await runPlanCommand("fleet.yaml", options({ json: true }), unreadable.deps);
    expect((JSON.parse(unreadable.out.join("")) as Plan).hosts[0]!.steps).toEqual([]);
    expect(unreadable.err.join("")).toContain("warning: no backups are planned as due: backup store unreadable: /backups: EACCES");
    expect(closed).toBe(true);
  });

  it("registers its options", () => {
    const program = new Command("nemoclaw");
    register(program);
    const plan = program.commands.find((command) => command.name() === "plan")!;
    expect(plan.options.map((option) => option.long)).toEqual(["--inventory", "--limit", "--list-hosts", "--json", "--vault-password-file", "--vault-id", "--metrics-file", "--out", "--detailed-exitcode", "--prune", "--replace", "--target", "--max-risk", "--no-color"]);
  });
});
