/**
 * `nemoclaw show <plan.json> [--json]`: a plan saved by `nemoclaw plan -o`, printed as `plan`
 * printed it (or as its JSON), with when and from what it was made. Reads only the file: no host
 * is contacted, nothing is re-planned (`terraform show plan.out`).
 */
import type { Command } from "commander";
import type { ExitCodeValue } from "../exit-codes.js";
import type { Plan } from "../plan/types.js";
import type { Output } from "./session-deps.js";

export interface ShowOptions {
  json: boolean;
  /** False with --no-color. */
  color: boolean;
}

export interface ShowDeps {
  /** The plan in the file; throws PlanFileError when it is not a usable plan file. */
  readPlan(path: string): Promise<Plan>;
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
}

const HELP_AFTER = `
The plan is checked as \`nemoclaw apply\` checks it (schema, format version, step order,
fingerprints) and printed as \`nemoclaw plan\` printed it, headed by when it was made, by which
nemoclaw, and from which fleet file. With --json, the plan file's own JSON (schemas/plan.schema.json).

Exit codes: 0 shown, 3 not a usable plan file (see docs/exit-codes.md).

Examples:
  nemoclaw plan fleet.yaml -o plan.json && nemoclaw show plan.json
  nemoclaw show plan.json --json | jq '.hosts[] | {host, steps: [.steps[].id]}'`;

export function register(program: Command): void {
  program
    .command("show")
    .argument("<plan>", "plan file saved by `nemoclaw plan -o`")
    .description("show a saved plan as `plan` printed it, or as JSON; contacts no host")
    .option("--json", "the plan file's JSON (see docs/json-output.md)", false)
    .option("--no-color", "no colours in the output")
    .addHelpText("after", HELP_AFTER)
    .action(async (file: string, options: ShowOptions) => {
      const { readPlanFile } = await import("../report/plan-file.js");
      process.exitCode = await runShowCommand(file, options, { readPlan: readPlanFile, stdout: process.stdout, stderr: process.stderr, env: process.env });
    });
}

export async function runShowCommand(file: string, options: ShowOptions, deps: ShowDeps): Promise<ExitCodeValue> {
  const [{ ExitCode }, { applyPlanCommand, PlanFileError, planDigest, planFromInventoriesAlone }, { renderPlanHuman }, { colorsFor }] = await Promise.all([
    import("../exit-codes.js"),
    import("../report/plan-file.js"),
    import("../report/plan-human.js"),
    import("../report/color.js"),
  ]);
  let plan: Plan;
  try {
    plan = await deps.readPlan(file);
  } catch (error) {
    if (!(error instanceof PlanFileError)) throw error;
    deps.stderr.write(`nemoclaw show: ${error.message}\n`);
    if (/\.ya?ml$/i.test(file)) deps.stderr.write(`hint: ${file} looks like a fleet file; \`nemoclaw plan ${file}\` shows what it would change\n`);
    return ExitCode.ValidationError;
  }
  if (options.json) {
    // The file as `plan -o` wrote it: the plan and the digest it was checked against.
    deps.stdout.write(`${JSON.stringify({ ...plan, planDigest: planDigest(plan) }, null, 2)}\n`);
    return ExitCode.Ok;
  }
  const colors = colorsFor(deps.stdout, options.color, deps.env);
  deps.stdout.write(`${colors.dim(`Saved plan ${file}: made ${plan.createdAt} by nemoclaw ${plan.toolVersion} from ${plan.fleet.file}`)}\n`);
  deps.stdout.write(renderPlanHuman(plan, { colors }));
  if (plan.summary.steps > 0) {
    const inventories = planFromInventoriesAlone(plan) ? " with the inventories it was made from (it has no fleet file)" : "";
    deps.stderr.write(`Run \`${applyPlanCommand(file, plan, null)}\`${inventories} to carry it out; hosts whose facts changed since are refused as stale.\n`);
  }
  return ExitCode.Ok;
}
