/** Rendering plans for people (grouped, coloured or not) and machines (JSON, exit codes), across hosts. */
import { describe, expect, it } from "vitest";
import { plannedCommand } from "../../../src/host/command.js";
import { planProblems } from "../../../src/report/plan-file.js";
import type { Plan } from "../../../src/plan/types.js";
import { createColors, shouldUseColor } from "../../../src/report/color.js";
import { ExitCode } from "../../../src/exit-codes.js";
import { renderPlanHuman } from "../../../src/report/plan-human.js";
import { planExitCode, renderPlanJson } from "../../../src/report/plan-json.js";
import { desiredHost, fleet, gateway, GUARD_PATHS, guardFile, known, liveSandbox, observedHost, planOf, safeGuards, type Scenario } from "./builders.js";

const plain = createColors(false);

/** 40 hosts that lost the same guard file, one drifted host and one unreachable host. */
function fleetScenario(): Scenario {
  const names = Array.from({ length: 42 }, (_, index) => `spark-${String(index + 1).padStart(2, "0")}`);
  const hosts = names.map((name) => desiredHost(name));
  const observedHosts = names.map((name) => observedHost(name));
  for (const observed of observedHosts.slice(0, 40)) {
    liveSandbox(observed).guards = known(safeGuards({ files: [guardFile(GUARD_PATHS.proxyEnv, { present: false }), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)] }));
  }
  gateway(observedHosts[40]!).runningVersion = known("0.0.71");
  observedHosts[41]!.unreachable = { kind: "timeout", message: "no answer within 30s" };
  return { fleet: fleet(hosts), host: hosts[0]!, observed: observedHosts[0]!, observedHosts };
}

describe("planning several hosts", () => {
  it("a blocked or unreachable host does not stop the others", () => {
    const plan = planOf(fleetScenario());
    expect(plan.hosts.map((host) => host.status)).toEqual([...Array(40).fill("changes"), "blocked", "unreachable"]);
    expect(plan.summary).toEqual({
      hosts: 42,
      hostsWithChanges: 40,
      blocked: 1,
      unreachable: 1,
      unknown: 0,
      steps: 80,
      byRisk: { safe: 40, disruptive: 40, destructive: 0 },
      byFidelity: { exact: 80, predicted: 0 },
    });
  });

  it("records the selection and is deterministic for the same inputs", () => {
    const scenario = fleetScenario();
    const options = { limit: "rack_a", hosts: ["spark-02", "spark-41"] };
    const first = planOf(scenario, options);
    expect(first.selection).toEqual({ limit: "rack_a", hosts: ["spark-02", "spark-41"] });
    expect(first.hosts.map((host) => host.host)).toEqual(["spark-02", "spark-41"]);
    expect(JSON.stringify(planOf(scenario, options))).toBe(JSON.stringify(first));
  });
});

describe("renderPlanHuman", () => {
  const text = renderPlanHuman(planOf(fleetScenario()), { colors: plain });

  it("shows one identical change on 40 hosts once, with its host list", () => {
    expect(text.match(/sandbox-gateway-restart {2}sandbox assistant @ nemoclaw/g)).toHaveLength(1);
    expect(text).toContain("on 40 hosts: spark-01, spark-02, spark-03, spark-04, spark-05, spark-06, spark-07, spark-08 … and 32 more");
    expect(text).toContain("why: /tmp/nemoclaw-proxy-env.sh is missing");
    expect(text).toContain("[safe · exact]");
  });

  it("prints the preflight block verbatim and groups notes", () => {
    const block = planOf(fleetScenario()).hosts[40]!.block!.lines.join("\n");
    expect(text).toContain(`Blocked by the schema preflight: spark-41\n${block}\n`);
    expect(text).toContain("warning spark-42: unreachable (timeout): no answer within 30s");
  });

  it("ends with one summary line: counts by risk and fidelity, blocked and unreachable hosts", () => {
    expect(text.trimEnd().split("\n").at(-1)).toBe("Plan: 80 steps on 40 of 42 hosts — 40 safe, 40 disruptive; 80 exact. 1 blocked (spark-41), 1 unreachable (spark-42).");
    expect(text).not.toContain("\x1b[");
  });

  it("shows settings diffs as +/- lines", () => {
    const scenario = fleetScenario();
    scenario.host.sandboxes[0]!.agent = "hermes";
    const rendered = renderPlanHuman(planOf(scenario, { hosts: ["spark-01"] }), { colors: plain });
    expect(rendered).toContain("       - agent: openclaw\n       + agent: hermes");
    expect(rendered).toContain("[disruptive · exact]");
  });

  it("shows the first line of a command that spans lines, and how many more there are", () => {
    const plan = planOf(fleetScenario(), { hosts: ["spark-01"] });
    plan.hosts[0]!.steps[1]!.commands = [plannedCommand(["sh", "-c", "set -e\necho one\necho two"])];
    expect(renderPlanHuman(plan, { colors: plain })).toMatch(/\$ sh -c 'set -e\n {7}… 2 more lines \(see --json\)\n/);
  });

  it("says so when there is nothing to do", () => {
    const scenario = fleetScenario();
    const rendered = renderPlanHuman(planOf(scenario, { hosts: ["spark-41", "spark-42"] }), { colors: plain });
    expect(rendered.trimEnd().split("\n").at(-1)).toBe("No changes planned. 1 blocked (spark-41), 1 unreachable (spark-42).");
  });

  it("colours risk when colours are on", () => {
    const coloured = renderPlanHuman(planOf(fleetScenario()), { colors: createColors(true) });
    expect(coloured).toContain("\x1b[32msafe\x1b[39m");
    expect(coloured).toContain("\x1b[31m1 blocked (spark-41)\x1b[39m");
  });
});

describe("shouldUseColor", () => {
  it.each([
    { flag: true, env: {}, isTTY: true, expected: true },
    { flag: true, env: {}, isTTY: false, expected: false },
    { flag: false, env: { FORCE_COLOR: "1" }, isTTY: true, expected: false },
    { flag: true, env: { NO_COLOR: "1" }, isTTY: true, expected: false },
    { flag: true, env: { NO_COLOR: "" }, isTTY: true, expected: true },
    { flag: true, env: { FORCE_COLOR: "1" }, isTTY: false, expected: true },
    { flag: true, env: { FORCE_COLOR: "0" }, isTTY: true, expected: false },
    { flag: true, env: { FORCE_COLOR: "1", NO_COLOR: "1" }, isTTY: false, expected: true },
    { flag: true, env: { TERM: "dumb" }, isTTY: true, expected: false },
  ])("flag=$flag env=$env tty=$isTTY → $expected", ({ flag, env, isTTY, expected }) => {
    expect(shouldUseColor({ flag, env, isTTY })).toBe(expected);
  });
});

describe("JSON output and exit codes", () => {
  it("--json is the Plan object, valid against the schema", () => {
    const plan = planOf(fleetScenario());
    const parsed = JSON.parse(renderPlanJson(plan)) as Plan;
    expect(parsed).toEqual(plan);
    expect(planProblems(parsed)).toEqual([]);
  });

  it("maps hosts to exit codes, most severe first", () => {
    const scenario = fleetScenario();
    const all = planOf(scenario);
    expect(planExitCode(all, { detailed: false })).toBe(ExitCode.PreflightRefused);
    expect(planExitCode(planOf(scenario, { hosts: ["spark-01", "spark-42"] }), { detailed: true })).toBe(ExitCode.Unreachable);
    expect(planExitCode(planOf(scenario, { hosts: ["spark-01"] }), { detailed: true })).toBe(ExitCode.Changes);
    expect(planExitCode(planOf(scenario, { hosts: ["spark-01"] }), { detailed: false })).toBe(ExitCode.Ok);
    const clean = { ...scenario, observedHosts: [observedHost("spark-01")] };
    expect(planExitCode(planOf(clean, { hosts: ["spark-01"] }), { detailed: true })).toBe(ExitCode.Ok);
  });
});
