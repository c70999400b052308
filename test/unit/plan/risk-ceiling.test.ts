import { describe, expect, it } from "vitest";
import { holdBackAbove, withRiskCeiling } from "../../../src/plan/risk-ceiling.js";
import { renderPlanHuman } from "../../../src/report/plan-human.js";
import { planExitCode } from "../../../src/report/plan-json.js";
import { colorsFor } from "../../../src/report/color.js";
import { hostPlan, plan, step } from "../apply/fixtures.js";
import { converged, GUARD_PATHS, guardFile, hostPlanOf, liveSandbox, known, planOf, safeGuards, type Scenario } from "./builders.js";

const NO_COLOR = colorsFor({ isTTY: false }, false, {});

/** spark-01's sandbox after a reboot: a guard gone, a stale lock, the agent down. */
function afterReboot(s: Scenario): void {
  liveSandbox(s.observed).guards = known(
    safeGuards({
      files: [guardFile(GUARD_PATHS.proxyEnv, { present: false, owner: null, group: null, mode: null, type: null }), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)],
      locks: [{ path: "/tmp/openclaw-1000/gateway.8f2a.lock", pid: 77, stale: true }],
      agentGatewayPids: [],
    }),
  );
}

function wrongModeWhileRunning(s: Scenario): void {
  liveSandbox(s.observed).guards = known(safeGuards({ files: [guardFile(GUARD_PATHS.proxyEnv, { mode: "644" }), guardFile(GUARD_PATHS.safetyNet), guardFile(GUARD_PATHS.ciao)] }));
}

describe("--max-risk in the planner", () => {
  it("a reboot's repair is safe: everything runs under --max-risk safe, nothing is held back", () => {
    const s = converged();
    afterReboot(s);
    const host = hostPlanOf(s, { maxRisk: "safe" });
    expect(host.steps.map((candidate) => candidate.id)).toEqual(["preflight:spark-01", "lock-clear:assistant", "sandbox-recover:assistant"]);
    expect(host.heldBack).toBeUndefined();
  });

  it("a disruptive repair is held back with why, the preflight is not run for nothing, and the plan records the ceiling", () => {
    const s = converged();
    wrongModeWhileRunning(s);
    const whole = planOf(s, { maxRisk: "safe" });
    const host = whole.hosts[0]!;
    expect(host.steps).toEqual([]);
    expect(host.status).toBe("changes");
    expect(host.heldBack).toEqual([
      {
        id: "sandbox-gateway-restart:assistant",
        kind: "sandbox-gateway-restart",
        risk: "disruptive",
        summary: expect.stringMatching(/^\/tmp\/nemoclaw-proxy-env.sh has mode 644/),
        because: "disruptive is above --max-risk safe",
        sandbox: "assistant",
      },
    ]);
    expect(host.fingerprints).toEqual({});
    expect(whole.options.maxRisk).toBe("safe");
    expect(whole.summary).toMatchObject({ steps: 0, heldBack: 1, hostsWithChanges: 1 });
    expect(planExitCode(whole, { detailed: true })).toBe(2);
    const text = renderPlanHuman(whole, { colors: NO_COLOR });
    expect(text).toContain("Held back by --max-risk safe (pending)");
    expect(text).toContain("sandbox-gateway-restart:assistant  [disruptive] on spark-01");
    expect(text).toContain("held back: disruptive is above --max-risk safe");
    expect(text).toContain("Nothing to run within the risk ceiling. 1 step held back by --max-risk safe.");
  });

  it("a recreate held back leaves the shields of its sandbox alone: no shields down for its backup, nothing to put back up", () => {
    const s = converged();
    Object.assign(s.host.sandboxes[0]!, { provider: "openai", model: "gpt-5.4", endpoint: undefined });
    s.observed.shields = known([{ sandbox: "assistant", mode: "locked" }]);
    const host = hostPlanOf(s, { maxRisk: "safe" });
    expect(host.steps).toEqual([]);
    expect(host.heldBack?.map((entry) => entry.id)).toEqual(["shields:assistant@backup", "backup:assistant", "sandbox-recreate:assistant", "shields:assistant@after-backup"]);
  });

  it("a recreate held back still lowers the shields the fleet file wants down", () => {
    const s = converged();
    Object.assign(s.host.sandboxes[0]!, { provider: "openai", model: "gpt-5.4", endpoint: undefined, shields: "down" });
    s.observed.shields = known([{ sandbox: "assistant", mode: "locked" }]);
    const host = hostPlanOf(s, { maxRisk: "safe" });
    expect(host.steps.map((candidate) => candidate.id)).toEqual(["preflight:spark-01", "shields:assistant@backup"]);
    expect(host.steps[1]!.reason).toMatchObject({ summary: expect.stringMatching(/^shields up → down \(the fleet file wants them down/), desired: { field: "shields", value: "down" } });
    expect(host.heldBack?.map((entry) => entry.id)).toEqual(["backup:assistant", "sandbox-recreate:assistant"]);
  });

  it("--max-risk disruptive lets the same repair run", () => {
    const s = converged();
    wrongModeWhileRunning(s);
    const host = hostPlanOf(s, { maxRisk: "disruptive" });
    expect(host.steps.map((candidate) => candidate.id)).toEqual(["preflight:spark-01", "sandbox-gateway-restart:assistant"]);
    expect(host.heldBack).toBeUndefined();
  });
});

describe("holdBackAbove", () => {
  const preflight = step("preflight:h", [], { kind: "preflight" });
  const backup = step("backup:alice", ["preflight:h"], { kind: "backup", params: { purposes: ["before-disruptive"] } });
  const recreate = step("sandbox-recreate:alice", ["backup:alice"], { kind: "sandbox-recreate", risk: "disruptive" });
  const presets = step("policy-add:alice", ["sandbox-recreate:alice"]);
  const other = step("policy-add:bob", ["preflight:h"]);

  it("holds back what needs a held-back step, and a backup taken only for it", () => {
    const { kept, held } = holdBackAbove([preflight, backup, recreate, presets, other], "safe");
    expect([...kept]).toEqual(["preflight:h", "policy-add:bob"]);
    expect(held.map((entry) => [entry.id, entry.because])).toEqual([
      ["backup:alice", "only needed by steps that are held back"],
      ["sandbox-recreate:alice", "disruptive is above --max-risk safe"],
      ["policy-add:alice", "needs sandbox-recreate:alice, which is held back"],
    ]);
  });

  it("keeps a backup that is due by schedule although the change it was also for is held back", () => {
    const due = { ...backup, params: { purposes: ["due", "before-disruptive"] } };
    const { kept } = holdBackAbove([preflight, due, recreate], "safe");
    expect([...kept]).toEqual(["preflight:h", "backup:alice"]);
  });

  it("holds back the preflight when every step it guards is held back", () => {
    const { kept, held } = holdBackAbove([preflight, backup, recreate], "safe");
    expect([...kept]).toEqual([]);
    expect(held.map((entry) => entry.id)).toEqual(["preflight:h", "backup:alice", "sandbox-recreate:alice"]);
  });

  it("holds back shields lowered only for a held-back backup, and the step that would put them back up", () => {
    const down = step("shields:alice@backup", ["preflight:h"], { kind: "shields", params: { sandbox: "alice", posture: "down", temporary: true } });
    const shielded = { ...backup, dependsOn: ["preflight:h", down.id] };
    const up = step("shields:alice@after-backup", [down.id], { kind: "shields", params: { sandbox: "alice", posture: "up", undoes: down.id } });
    const { kept, held } = holdBackAbove([preflight, down, shielded, recreate, up], "safe");
    expect([...kept]).toEqual([]);
    expect(held.map((entry) => [entry.id, entry.because])).toEqual([
      ["preflight:h", "only needed by steps that are held back"],
      ["shields:alice@backup", "only needed by steps that are held back"],
      ["backup:alice", "only needed by steps that are held back"],
      ["sandbox-recreate:alice", "disruptive is above --max-risk safe"],
      ["shields:alice@after-backup", "only undoes shields:alice@backup, which is held back"],
    ]);
    // A due backup keeps them: lowered, backed up, put back up.
    const due = { ...shielded, params: { purposes: ["due", "before-disruptive"] } };
    expect([...holdBackAbove([preflight, down, due, recreate, up], "safe").kept]).toEqual(["preflight:h", "shields:alice@backup", "backup:alice", "shields:alice@after-backup"]);
  });

  it("a destructive ceiling holds nothing back", () => {
    const retire = step("gateway-retire:nemoclaw", ["preflight:h"], { kind: "gateway-retire", risk: "destructive" });
    expect(holdBackAbove([preflight, retire, recreate], "destructive").held).toEqual([]);
  });
});

describe("withRiskCeiling on a saved plan", () => {
  it("drops the held-back steps from the run, lists them, keeps the tighter ceiling and recounts", () => {
    const saved = plan([
      hostPlan("a", [step("preflight:a", [], { kind: "preflight" }), step("sandbox-rebuild:alice", ["preflight:a"], { kind: "sandbox-rebuild", risk: "disruptive" }), step("policy-add:bob", ["preflight:a"])]),
      hostPlan("b", [step("policy-add:carol")]),
    ]);
    const narrowed = withRiskCeiling({ ...saved, options: { ...saved.options, maxRisk: "disruptive" } }, "safe");
    expect(narrowed.options.maxRisk).toBe("safe");
    expect(narrowed.hosts[0]!.steps.map((candidate) => candidate.id)).toEqual(["preflight:a", "policy-add:bob"]);
    expect(narrowed.hosts[0]!.heldBack?.map((entry) => entry.id)).toEqual(["sandbox-rebuild:alice"]);
    expect(narrowed.hosts[1]).toBe(saved.hosts[1]);
    expect(narrowed.summary).toMatchObject({ steps: 3, heldBack: 1 });
    expect(withRiskCeiling(narrowed, "destructive").options.maxRisk).toBe("safe");
  });

  it("keeps only the fingerprints of facts the steps that still run depend on", () => {
    const rebuild = step("sandbox-rebuild:alice", [], { kind: "sandbox-rebuild", risk: "disruptive", facts: ["sandbox:nemoclaw/alice"] });
    const add = step("policy-add:bob", [], { facts: ["registry:bob"] });
    const saved = plan([hostPlan("a", [rebuild, add], { fingerprints: { "sandbox:nemoclaw/alice": "1", "registry:bob": "2" }, factValues: { "sandbox:nemoclaw/alice": {}, "registry:bob": {} } })]);
    const narrowed = withRiskCeiling(saved, "safe").hosts[0]!;
    expect(narrowed.fingerprints).toEqual({ "registry:bob": "2" });
    expect(Object.keys(narrowed.factValues ?? {})).toEqual(["registry:bob"]);
  });
});
