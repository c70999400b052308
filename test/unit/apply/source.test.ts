import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { confirmationFor, explainChange, narrowPlan, stepDrift } from "../../../src/apply/source.js";
import { compactValue, recordedFact } from "../../../src/plan/fact-values.js";
import type { Step } from "../../../src/plan/types.js";
import { isPlanFile } from "../../../src/report/plan-file.js";
import { converged, registryEntries } from "../plan/builders.js";
import { command, hostPlan, plan, step } from "./fixtures.js";

describe("isPlanFile", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ncf-source-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("tells a saved plan from a fleet file by its kind", async () => {
    const saved = join(dir, "plan.json");
    writeFileSync(saved, JSON.stringify(plan([])));
    const fleet = join(dir, "fleet.yaml");
    writeFileSync(fleet, "apiVersion: nemoclaw.dev/v1\nkind: Fleet\n");
    const jsonFleet = join(dir, "fleet.json");
    writeFileSync(jsonFleet, '{"apiVersion":"nemoclaw.dev/v1","kind":"Fleet"}');
    expect(await isPlanFile(saved)).toBe(true);
    expect(await isPlanFile(fleet)).toBe(false);
    expect(await isPlanFile(jsonFleet)).toBe(false);
    expect(await isPlanFile(join(dir, "missing.json"))).toBe(false);
  });
});

describe("narrowPlan", () => {
  const saved = () => plan([hostPlan("a", [step("x")]), hostPlan("b", [step("y")]), hostPlan("c", [])]);

  it("keeps only the plan's hosts the limit also selects", () => {
    const { plan: narrowed, outside } = narrowPlan(saved(), ["b", "c"], "b,c");
    expect(narrowed.hosts.map((host) => host.host)).toEqual(["b", "c"]);
    expect(narrowed.selection).toEqual({ limit: "b,c", hosts: ["b", "c"] });
    expect(outside).toEqual([]);
  });

  it("can never widen the selection: hosts outside the plan are reported, not added", () => {
    const original = saved();
    original.selection = { limit: "a,b,c", hosts: ["a", "b", "c"] };
    const { plan: narrowed, outside } = narrowPlan(original, ["a", "d", "e"], "a,d,e");
    expect(narrowed.hosts.map((host) => host.host)).toEqual(["a"]);
    expect(outside).toEqual(["d", "e"]);
    expect(narrowed.selection.limit).toBe("a,b,c:&a,d,e");
  });
});

describe("confirmationFor", () => {
  const base = { steps: 3, savedPlan: false, yes: false, json: false, interactive: true };
  it("asks on a terminal", () => {
    expect(confirmationFor(base)).toEqual({ kind: "ask" });
  });
  it("refuses clearly without a terminal and without --yes", () => {
    expect(confirmationFor({ ...base, interactive: false })).toEqual({ kind: "refuse", reason: "stdin is not a terminal, so there is no one to ask; pass --yes to apply unattended" });
    expect(confirmationFor({ ...base, json: true }).kind).toBe("refuse");
  });
  it("takes --yes, and needs nothing for a saved plan or for nothing to do", () => {
    expect(confirmationFor({ ...base, interactive: false, yes: true })).toEqual({ kind: "given" });
    expect(confirmationFor({ ...base, interactive: false, savedPlan: true })).toEqual({ kind: "not-needed" });
    expect(confirmationFor({ ...base, interactive: false, steps: 0 })).toEqual({ kind: "not-needed" });
  });
});

describe("explaining a stale host", () => {
  it("names the fields that changed since the plan recorded the fact, old → new", () => {
    const before = converged().observed;
    const after = converged().observed;
    registryEntries(after)[0]!.policies = ["npm", "pypi"];
    expect(explainChange(after, "registry:assistant", recordedFact(before, "registry:assistant"))).toEqual({
      key: "registry:assistant",
      fields: [{ field: "policies", before: "[]", after: '["npm","pypi"]' }],
    });
  });

  it("says which masked field must have changed when no visible one did", () => {
    const before = converged().observed;
    registryEntries(before)[0]!.endpointUrl = "https://svc:old-pass@llm.internal/v1";
    const after = converged().observed;
    registryEntries(after)[0]!.endpointUrl = "https://svc:new-pass@llm.internal/v1";
    expect(explainChange(after, "registry:assistant", recordedFact(before, "registry:assistant"))).toEqual({ key: "registry:assistant", fields: [], masked: ["endpointUrl"] });
  });

  it("shows the current value when the plan recorded none (plans made before values were kept)", () => {
    const observed = converged().observed;
    expect(explainChange(observed, "registry:assistant", undefined)).toEqual({ key: "registry:assistant", now: compactValue(recordedFact(observed, "registry:assistant")) });
  });
});

describe("stepDrift", () => {
  const withReason = (id: string, summary: string, extra: Partial<Step> = {}) => step(id, [], { reason: { summary }, ...extra });

  it("lists only the steps that really differ: added, dropped, and the same step done differently", () => {
    const saved = hostPlan("a", [withReason("preflight:a", "re-check"), withReason("policy-add:alice", "add policy preset npm"), withReason("guards-reemit:alice", "guards missing")]);
    const fresh = hostPlan("a", [withReason("preflight:a", "re-check"), withReason("policy-add:alice", "add policy presets npm, pypi"), withReason("policy-remove:alice", "remove policy preset old")]);
    expect(stepDrift(saved, fresh)).toEqual({
      added: [{ id: "policy-remove:alice", summary: "remove policy preset old" }],
      removed: [{ id: "guards-reemit:alice", summary: "guards missing" }],
      changed: [{ id: "policy-add:alice", before: "add policy preset npm", after: "add policy presets npm, pypi" }],
    });
  });

  it("compares what the step changes, not its time-stamped command lines", () => {
    const at = (label: string) => withReason("backup:alice", "backup before a disruptive change", { commands: [command(["nemoclaw", "alice", "snapshot", "create", "--name", label])], params: { snapshot: label } });
    expect(stepDrift(hostPlan("a", [at("fleet-20261122T1000")]), hostPlan("a", [at("fleet-20261122T1130")]))).toEqual({ added: [], removed: [], changed: [] });
    const rebuild = (after: string) => withReason("sandbox-rebuild:alice", "only a rebuild applies this", { diff: [{ label: "settings", before: "agent: openclaw\n", after }] });
    expect(stepDrift(hostPlan("a", [rebuild("agent: hermes\n")]), hostPlan("a", [rebuild("agent: hermes\ngpu: 1\n")])).changed).toEqual([
      { id: "sandbox-rebuild:alice", before: "only a rebuild applies this; settings: agent: hermes", after: "only a rebuild applies this; settings: agent: hermes, gpu: 1" },
    ]);
  });
});
