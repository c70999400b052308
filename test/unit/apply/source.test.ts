import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { confirmationFor, narrowPlan } from "../../../src/apply/source.js";
import { isPlanFile } from "../../../src/report/plan-file.js";
import { hostPlan, plan, step } from "./fixtures.js";

describe("isPlanFile", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ncf-source-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("tells a saved plan from a fleet file by its kind", () => {
    const saved = join(dir, "plan.json");
    writeFileSync(saved, JSON.stringify(plan([])));
    const fleet = join(dir, "fleet.yaml");
    writeFileSync(fleet, "apiVersion: nemoclaw.dev/v1\nkind: Fleet\n");
    const jsonFleet = join(dir, "fleet.json");
    writeFileSync(jsonFleet, '{"apiVersion":"nemoclaw.dev/v1","kind":"Fleet"}');
    expect(isPlanFile(saved)).toBe(true);
    expect(isPlanFile(fleet)).toBe(false);
    expect(isPlanFile(jsonFleet)).toBe(false);
    expect(isPlanFile(join(dir, "missing.json"))).toBe(false);
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
