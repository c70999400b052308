/** `nemoclaw show <plan.json>`: a saved plan printed as `plan` printed it, or as its JSON. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runPlanCommand, type PlanCommandDeps } from "../../../src/cli/plan.js";
import { runShowCommand } from "../../../src/cli/show.js";
import { ExitCode } from "../../../src/exit-codes.js";
import { readPlanFile } from "../../../src/report/plan-file.js";
import { converged, NOW } from "../plan/builders.js";

function streams() {
  let out = "";
  let err = "";
  return {
    stdout: { write: (text: string) => (out += text), isTTY: false },
    stderr: { write: (text: string) => (err += text), isTTY: false },
    env: {},
    out: () => out,
    err: () => err,
  };
}

/**
 * Save a plan with one pending change the way `nemoclaw plan -o` does; returns it as plan printed
 * it. `inventories`: planned from those inventories alone (`-i`, no fleet file).
 */
async function savedPlan(file: string, inventories: string[] = [], planned = streams()): Promise<string> {
  const scenario = converged();
  scenario.host.sandboxes[0]!.policy = { presets: ["pypi"] };
  if (inventories.length > 0) scenario.fleet.sourceFile = "<inventory>";
  const s = planned;
  const deps: PlanCommandDeps = {
    load: async () => ({ fleet: scenario.fleet, warnings: [] }),
    select: (fleet) => fleet.hosts.map((host) => host.name),
    observe: async () => ({ hosts: scenario.observedHosts }),
    catalogue: async () => ({}),
    close: async () => undefined,
    now: () => NOW,
    ...s,
  };
  expect(await runPlanCommand(inventories.length > 0 ? undefined : "fleet.yaml", { inventory: inventories, json: false, detailedExitcode: false, prune: false, color: false, out: file }, deps)).toBe(ExitCode.Ok);
  return s.out();
}

describe("nemoclaw show", () => {
  const dir = mkdtempSync(join(tmpdir(), "nemoclaw-show-"));

  it("prints the saved plan exactly as plan printed it, headed by when and from what it was made", async () => {
    const file = join(dir, "plan.json");
    const printed = await savedPlan(file);
    const s = streams();
    expect(await runShowCommand(file, { json: false, color: false }, { readPlan: readPlanFile, ...s })).toBe(ExitCode.Ok);
    const plan = await readPlanFile(file);
    expect(s.out()).toBe(`Saved plan ${file}: made ${plan.createdAt} by nemoclaw ${plan.toolVersion} from ${plan.fleet.file}\n${printed}`);
    expect(printed).toContain("policy-add  sandbox assistant @ nemoclaw");
    expect(s.err()).toBe(`Run \`nemoclaw apply ${file}\` to carry it out; hosts whose facts changed since are refused as stale.\n`);
  });

  it("a plan made from inventories alone is applied with them again, and plan and show say so", async () => {
    const file = join(dir, "inventory plan.json");
    const planned = streams();
    await savedPlan(file, ["lab/hosts.ini", "extra.ini"], planned);
    expect(planned.err()).toContain(`Saved the plan to ${file}; run \`nemoclaw apply '${file}' -i lab/hosts.ini -i extra.ini\` to carry it out.\n`);
    const s = streams();
    expect(await runShowCommand(file, { json: false, color: false }, { readPlan: readPlanFile, ...s })).toBe(ExitCode.Ok);
    expect(s.err()).toBe(
      `Run \`nemoclaw apply '${file}' -i <inventory>\` with the inventories it was made from (it has no fleet file) to carry it out; hosts whose facts changed since are refused as stale.\n`,
    );
  });

  it("--json prints the plan file's JSON", async () => {
    const file = join(dir, "plan-json.json");
    await savedPlan(file);
    const s = streams();
    expect(await runShowCommand(file, { json: true, color: false }, { readPlan: readPlanFile, ...s })).toBe(ExitCode.Ok);
    expect(JSON.parse(s.out())).toEqual(JSON.parse(readFileSync(file, "utf8")));
    expect(s.err()).toBe("");
  });

  it("a file that is not a usable plan exits 3 naming the problem; a fleet file gets a hint", async () => {
    const broken = join(dir, "broken.json");
    writeFileSync(broken, JSON.stringify({ kind: "nemoclaw-fleet-plan", formatVersion: 99 }));
    const s = streams();
    expect(await runShowCommand(broken, { json: false, color: false }, { readPlan: readPlanFile, ...s })).toBe(ExitCode.ValidationError);
    expect(s.err()).toContain(`nemoclaw show: ${broken}: not a usable plan file:\n  formatVersion 99 is not supported`);
    expect(s.out()).toBe("");

    const fleetFile = join(dir, "fleet.yaml");
    writeFileSync(fleetFile, "apiVersion: nemoclaw.dev/v1\n");
    const y = streams();
    expect(await runShowCommand(fleetFile, { json: false, color: false }, { readPlan: readPlanFile, ...y })).toBe(ExitCode.ValidationError);
    expect(y.err()).toContain(`hint: ${fleetFile} looks like a fleet file; \`nemoclaw plan ${fleetFile}\` shows what it would change`);
  });
});
