import { describe, expect, it } from "vitest";
import { checkPostcondition } from "../../../src/apply/postconditions.js";
import type { ObservedHost } from "../../../src/observe/types.js";
import type { HostPlan, Step } from "../../../src/plan/types.js";
import {
  asCluster,
  choose,
  converged,
  gateway,
  GUARD_PATHS,
  guardFile,
  hostPlanOf,
  hostProcessGateway,
  known,
  liveSandbox,
  observedSandbox,
  runs,
  safeGuards,
  type Scenario,
} from "../plan/builders.js";

/** The in-era upgrade v0.0.80 → v0.0.90 (OpenShell 0.0.72 → 0.0.85): backup, nemoclaw-install, restore, release-verify. */
function upgrade(): { scenario: Scenario; plan: HostPlan; step: (kind: Step["kind"]) => Step } {
  const scenario = converged();
  choose(scenario, "0.0.90");
  const plan = hostPlanOf(scenario);
  return { scenario, plan, step: (kind) => plan.steps.find((candidate) => candidate.kind === kind)! };
}

/** Re-observe and re-plan as apply does after a step. */
function after(scenario: Scenario, change: (observed: ObservedHost) => void): { observed: ObservedHost; replanned: HostPlan } {
  change(scenario.observed);
  return { observed: scenario.observed, replanned: hostPlanOf(scenario) };
}

describe("postconditions of the steps that only lead to a later step", () => {
  it("nemoclaw-install is judged by the releases the host runs afterwards, never by the installer's exit code", () => {
    const { scenario, step } = upgrade();
    const install = step("nemoclaw-install");
    expect(checkPostcondition(install, scenario.observed, null)).toEqual({ holds: false, expected: "NemoClaw v0.0.90 with OpenShell 0.0.85", seen: "NemoClaw v0.0.80 with OpenShell 0.0.72" });
    const half = after(scenario, (host) => {
      host.nemoclaw = known({ installed: true, version: "0.0.90", path: "/home/op/.local/bin/nemoclaw" });
    });
    expect(checkPostcondition(install, half.observed, half.replanned)).toMatchObject({ holds: false, seen: "NemoClaw v0.0.90 with OpenShell 0.0.72" });
    const { observed, replanned } = after(scenario, (host) => runs({ ...scenario, observed: host }, "0.0.90-3-g1a2b3c4", "0.0.85"));
    expect(checkPostcondition(install, observed, replanned)).toEqual({ holds: true });
  });

  it("nemoclaw-install on a fresh host holds only once the sandbox its onboard made is Ready", () => {
    const scenario = converged();
    choose(scenario, "0.0.124");
    scenario.observed.nemoclaw = known({ installed: false, version: null, path: null });
    scenario.observed.openshell = known({ installed: false, version: null, path: null });
    scenario.observed.gateways = known([]);
    const install = hostPlanOf(scenario).steps.find((candidate) => candidate.kind === "nemoclaw-install")!;
    expect(checkPostcondition(install, scenario.observed, null)).toMatchObject({ holds: false, seen: "nemoclaw not installed" });
    const { observed } = after(scenario, (host) => {
      host.gateways = known([hostProcessGateway("nemoclaw", { sandboxes: known([]) })]);
      runs({ ...scenario, observed: host }, "0.0.124", "0.0.116");
    });
    expect(checkPostcondition(install, observed, null)).toEqual({ holds: false, expected: "sandbox assistant Ready on gateway nemoclaw", seen: "sandbox assistant not present" });
    gateway(observed).sandboxes = known([observedSandbox("assistant")]);
    expect(checkPostcondition(install, observed, null)).toEqual({ holds: true });
  });

  it("release-verify needs the planned releases, every gateway healthy on the new OpenShell, every sandbox Ready with nothing to repair", () => {
    const { scenario, step } = upgrade();
    const verify = step("release-verify");
    const upgraded = after(scenario, (host) => runs({ ...scenario, observed: host }, "0.0.90", "0.0.85"));
    expect(checkPostcondition(verify, upgraded.observed, upgraded.replanned)).toEqual({ holds: true });

    gateway(upgraded.observed).runningVersion = known("0.0.72");
    expect(checkPostcondition(verify, upgraded.observed, null)).toEqual({ holds: false, expected: "gateway nemoclaw healthy on OpenShell 0.0.85", seen: "gateway nemoclaw runs OpenShell 0.0.72" });
    gateway(upgraded.observed).runningVersion = known("0.0.85");

    // The old gateway still running from the binary the installer replaced (NC#10541): not proven upgraded.
    const replaced = "the running gateway (pid 4242) was started from a binary that has since been replaced; its version cannot be read";
    gateway(upgraded.observed).runningVersion = { state: "unknown", reason: replaced, excerpt: "" };
    expect(checkPostcondition(verify, upgraded.observed, null)).toEqual({ holds: false, expected: "gateway nemoclaw healthy on OpenShell 0.0.85", seen: `gateway nemoclaw: ${replaced}` });
    gateway(upgraded.observed).runningVersion = known("0.0.85");

    liveSandbox(upgraded.observed).phase = "Provisioning";
    expect(checkPostcondition(verify, upgraded.observed, null)).toEqual({ holds: false, expected: "sandbox assistant Ready on gateway nemoclaw", seen: "sandbox assistant is Provisioning" });
    liveSandbox(upgraded.observed).phase = "Ready";

    const unguarded = after(scenario, (host) => {
      liveSandbox(host).guards = known(safeGuards({ files: [guardFile(GUARD_PATHS.proxyEnv, { present: false }), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)] }));
    });
    expect(checkPostcondition(verify, unguarded.observed, unguarded.replanned)).toMatchObject({
      holds: false,
      expected: "sandbox assistant with its guards and agent gateway intact",
      seen: expect.stringMatching(/\/tmp\/nemoclaw-proxy-env.sh is missing/),
    });
  });

  it("release-verify holds when NemoClaw's installer kept an OpenShell the target's pin accepts (v0.0.25 → v0.0.38 on 0.0.32)", () => {
    const scenario = converged();
    asCluster(scenario, "0.0.32", "0.0.25");
    choose(scenario, "0.0.38");
    const verify = hostPlanOf(scenario).steps.find((candidate) => candidate.kind === "release-verify")!;
    // nemoclaw-install already holds here (its check takes the pin); so must the verify.
    const upgraded = after(scenario, (host) => runs({ ...scenario, observed: host }, "0.0.38", "0.0.32"));
    expect(checkPostcondition(verify, upgraded.observed, upgraded.replanned)).toEqual({ holds: true });
    const outside = after(scenario, (host) => runs({ ...scenario, observed: host }, "0.0.38", "0.0.29"));
    expect(checkPostcondition(verify, outside.observed, outside.replanned)).toEqual({ holds: false, expected: "NemoClaw v0.0.38 with OpenShell 0.0.32–0.0.36", seen: "NemoClaw v0.0.38 with OpenShell 0.0.29" });
  });

  it("openshell-install on a host without NemoClaw holds when the CLI reports the pinned version", () => {
    const scenario = converged();
    scenario.host.sandboxes = [];
    scenario.host.openshell = { version: "0.0.85" };
    scenario.observed.nemoclaw = known({ installed: false, version: null, path: null });
    scenario.observed.gateways = known([]);
    const install = hostPlanOf(scenario).steps.find((candidate) => candidate.kind === "openshell-install")!;
    expect(checkPostcondition(install, scenario.observed, null)).toMatchObject({ holds: false, seen: "openshell 0.0.72" });
    const { observed, replanned } = after(scenario, (host) => {
      host.openshell = known({ installed: true, version: "0.0.85", path: "/home/op/.local/bin/openshell" });
    });
    expect(checkPostcondition(install, observed, replanned)).toEqual({ holds: true });
  });

  it("gateway-retire holds once the cluster gateway is neither registered nor healthy", () => {
    const scenario = converged();
    asCluster(scenario, "0.0.36");
    choose(scenario, "0.0.80");
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
