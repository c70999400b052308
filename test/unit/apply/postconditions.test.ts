import { describe, expect, it } from "vitest";
import { checkPostcondition } from "../../../src/apply/postconditions.js";
import type { ObservedHost } from "../../../src/observe/types.js";
import type { HostPlan, Step } from "../../../src/plan/types.js";
import { clusterGateway, converged, gateway, hostPlanOf, known, type Scenario, unknown } from "../plan/builders.js";

/** The in-era upgrade 0.0.72 → 0.0.85: backup, gateway-stop, openshell-install, gateway-start, restore. */
function upgrade(): { scenario: Scenario; plan: HostPlan; step: (kind: Step["kind"]) => Step } {
  const scenario = converged();
  scenario.host.openshell = { version: "0.0.85" };
  const plan = hostPlanOf(scenario);
  return { scenario, plan, step: (kind) => plan.steps.find((candidate) => candidate.kind === kind)! };
}

/** Re-observe and re-plan as apply does after a step. */
function after(scenario: Scenario, change: (observed: ObservedHost) => void): { observed: ObservedHost; replanned: HostPlan } {
  change(scenario.observed);
  return { observed: scenario.observed, replanned: hostPlanOf(scenario) };
}

describe("postconditions of the steps that only lead to a later step", () => {
  it("gateway-stop holds once its process is gone, although the stopped gateway's sandboxes can no longer be read", () => {
    const { scenario, step } = upgrade();
    const { observed, replanned } = after(scenario, (host) => {
      Object.assign(gateway(host), { pid: null, sandboxes: unknown("gateway is not running"), health: { status: "stopped", reason: "pid 4242 is gone", fatalMigration: null, protobufMismatch: null } });
    });
    expect(checkPostcondition(step("gateway-stop"), observed, replanned)).toEqual({ holds: true });
  });

  it("gateway-stop fails while the stopped pid still runs", () => {
    const { scenario, step } = upgrade();
    const { observed, replanned } = after(scenario, () => {});
    expect(checkPostcondition(step("gateway-stop"), observed, replanned)).toEqual({ holds: false, expected: "gateway nemoclaw process 4242 stopped", seen: "process 4242 still runs" });
  });

  it("openshell-install holds when the CLI reports the pinned version, and fails otherwise", () => {
    const { scenario, step } = upgrade();
    expect(checkPostcondition(step("openshell-install"), scenario.observed, null)).toMatchObject({ holds: false, seen: "openshell 0.0.72" });
    const { observed, replanned } = after(scenario, (host) => {
      host.openshell = known({ installed: true, version: "0.0.85", path: "/home/op/.local/bin/openshell" });
    });
    expect(checkPostcondition(step("openshell-install"), observed, replanned)).toEqual({ holds: true });
  });

  it("gateway-retire holds once the cluster gateway is neither registered nor healthy", () => {
    const scenario = converged();
    scenario.observed.openshell = known({ installed: true, version: "0.0.36", path: "/usr/local/bin/openshell" });
    scenario.observed.gatewayBinary = known({ installed: false, version: null, path: null });
    scenario.observed.gateways = known([clusterGateway("nemoclaw", "0.0.36")]);
    scenario.host.openshell = { version: "0.0.72" };
    const retire = hostPlanOf(scenario).steps.find((candidate) => candidate.kind === "gateway-retire")!;
    expect(checkPostcondition(retire, scenario.observed, null)).toMatchObject({ holds: false, expected: "gateway nemoclaw retired" });
    const { observed, replanned } = after(scenario, (host) => {
      Object.assign(gateway(host), { registered: false, health: { status: "stopped", reason: "container openshell-cluster-nemoclaw is gone", fatalMigration: null, protobufMismatch: null } });
    });
    expect(checkPostcondition(retire, observed, replanned)).toEqual({ holds: true });
  });
});

describe("postconditions by re-planning", () => {
  it("a step the planner would plan again has not done its job", () => {
    const scenario = converged();
    scenario.host.sandboxes[0]!.policy.presets = ["pypi"];
    const add = hostPlanOf(scenario).steps.find((candidate) => candidate.kind === "policy-add")!;
    const result = checkPostcondition(add, scenario.observed, hostPlanOf(scenario));
    expect(result).toMatchObject({ holds: false, expected: expect.stringContaining("policy.presets") });
  });
});
