/**
 * Plan files: `plan -o plan.json` writes the Plan (fingerprints included) atomically, with
 * `planDigest`, the sha256 of everything else in it; `apply plan.json` reads it back through the
 * same JSON Schema users can validate against, plus the checks a schema cannot express (step
 * order, fingerprints for every fact a step names), and refuses a file whose content no longer
 * matches its digest. Each command's `display` is derived again from its argv and environment
 * (src/host/command.ts), so what is shown and journaled is what runs, whatever the file says.
 * The plan itself is made in src/plan, which does no I/O.
 */
import { createHash } from "node:crypto";
import type { ErrorObject, ValidateFunction } from "ajv";
import { MAX_SOURCE_BYTES, readTextFile, SourceReadError } from "../config/source.js";
import { plannedCommand } from "../host/command.js";
import { PLAN_FORMAT_VERSION, type Plan } from "../plan/types.js";
import { renderArgv } from "../transport/shell.js";
import { writeFileAtomically } from "./output-file.js";
import generatedValidator from "./plan-validator.generated.js";

export const PLAN_KIND = "nemoclaw-fleet-plan";

/** A plan file that cannot be carried out; commands report it as a validation error (exit 3). */
export class PlanFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: not a usable plan file:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
    this.name = "PlanFileError";
  }
}

/** schemas/plan.schema.json, compiled ahead of time by scripts/gen-validator.mjs. */
const validate = generatedValidator as unknown as ValidateFunction;

/** The problems that make `value` not a Plan (empty when it is one). */
export function planProblems(value: unknown): string[] {
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof value === "object" && value !== null && version !== undefined && version !== PLAN_FORMAT_VERSION) {
    return [`formatVersion ${JSON.stringify(version)} is not supported (this nemoclaw reads ${PLAN_FORMAT_VERSION})`];
  }
  if (!validate(value)) return (validate.errors ?? []).map(describeSchemaError);
  return consistencyProblems(value as Plan);
}

/** JSON with every object's keys sorted, so the digest does not depend on how the file was laid out. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    field !== null && typeof field === "object" && !Array.isArray(field) ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : field,
  );
}

/** `sha256:<hex>` of a plan's content (everything but the digest itself). */
export function planDigest(plan: Plan): string {
  return `sha256:${createHash("sha256").update(canonical(plan)).digest("hex")}`;
}

/** The plan with each command's display rendered again from its argv and environment. */
function withDerivedDisplays(plan: Plan): Plan {
  for (const host of plan.hosts) {
    for (const step of host.steps) {
      step.commands = step.commands.map((command) => ({ ...command, display: plannedCommand(command.argv, command.env ?? {}, command.okExitCodes).display }));
    }
  }
  return plan;
}

/**
 * A plan file, checked (a regular file of at most MAX_PLAN_BYTES: a FIFO, a device or a directory
 * is refused without being read). `apply` needs the digest `plan -o` writes; a reader that only shows a plan
 * (`report --from-plan`) also takes `plan --json` output, which has none. A digest that does not
 * match is refused either way: an edited plan is not the plan that was made.
 */
export async function readPlanFile(path: string, options: { requireDigest: boolean } = { requireDigest: true }): Promise<Plan> {
  let text: string;
  try {
    text = await readPlanText(path);
  } catch (error) {
    if (!(error instanceof SourceReadError)) throw error;
    throw new PlanFileError(path, [/^(is|cannot) /.test(error.message) ? error.message : `cannot be read: ${error.message}`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(path, [`is not JSON (damaged or cut short?): ${(error as Error).message}`]);
  }
  const recorded = typeof value === "object" && value !== null ? (value as { planDigest?: unknown }).planDigest : undefined;
  if (recorded !== undefined) delete (value as { planDigest?: unknown }).planDigest;
  const problems = planProblems(value);
  if (problems.length > 0) throw new PlanFileError(path, problems);
  const plan = value as Plan;
  if (recorded === undefined && options.requireDigest) {
    throw new PlanFileError(path, ["has no planDigest: only a plan saved with `nemoclaw plan -o` can be applied (make the plan again with -o)"]);
  }
  if (recorded !== undefined && recorded !== planDigest(plan)) {
    throw new PlanFileError(path, [
      "does not match its planDigest: the plan was changed after `nemoclaw plan -o` wrote it (steps, commands, hosts or facts edited); nothing is applied from an edited plan — make the plan again",
    ]);
  }
  return withDerivedDisplays(plan);
}

/** Writes the plan, with its digest, through a temporary file in the same directory and a rename. */
export function writePlanFile(path: string, plan: Plan): void {
  writeFileAtomically(path, `${JSON.stringify({ ...plan, planDigest: planDigest(plan) }, null, 2)}\n`);
}

/** One schema error as `<JSON pointer>: <what is wrong>`. */
export function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "(top level)" : error.instancePath;
  const detail =
    error.keyword === "additionalProperties"
      ? `unexpected property ${JSON.stringify((error.params as { additionalProperty: string }).additionalProperty)}`
      : error.keyword === "enum"
        ? `${error.message}: ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`
        : (error.message ?? error.keyword);
  return `${where}: ${detail}`;
}

function consistencyProblems(plan: Plan): string[] {
  const problems: string[] = [];
  const selected = new Set(plan.selection.hosts);
  plan.hosts.forEach((host, hostIndex) => {
    const at = `/hosts/${hostIndex}`;
    if (!selected.has(host.host)) problems.push(`${at}: host ${host.host} is not in selection.hosts`);
    const seen = new Set<string>();
    host.steps.forEach((step, stepIndex) => {
      const where = `${at}/steps/${stepIndex}`;
      if (seen.has(step.id)) problems.push(`${where}: duplicate step id ${step.id}`);
      for (const dependency of step.dependsOn) {
        if (!seen.has(dependency)) problems.push(`${where}: depends on ${dependency}, which is not an earlier step of ${host.host}`);
      }
      for (const fact of step.facts) {
        if (host.fingerprints[fact] === undefined) problems.push(`${where}: fact ${fact} has no fingerprint`);
      }
      seen.add(step.id);
    });
  });
  return problems;
}

/**
 * Whether `path` is meant as a saved plan rather than a fleet file (YAML): JSON with the plan's
 * kind, or with a plan's formatVersion and no fleet apiVersion — and, when it is not even JSON,
 * text that names the plan's kind or starts like a JSON object without a fleet's apiVersion. So
 * a damaged or cut-short plan is reported as a broken plan file, not read as a fleet file. A file
 * that exists but cannot be read (no permission, not a regular file, too large) counts as a plan
 * when its name ends in .json, so the error names a plan file; otherwise the fleet loader says why.
 */
export async function isPlanFile(path: string): Promise<boolean> {
  let text: string;
  try {
    text = await readPlanText(path);
  } catch (error) {
    if (!(error instanceof SourceReadError)) throw error;
    // What cannot be read cannot tell; a .json file is taken for a plan so its reader names it one.
    return error.code !== "ENOENT" && /\.json$/i.test(path);
  }
  if (!text.trimStart().startsWith("{")) return false;
  try {
    const value = JSON.parse(text) as Record<string, unknown> | null;
    if (typeof value !== "object" || value === null) return false;
    return value.kind === PLAN_KIND || ("formatVersion" in value && !("apiVersion" in value));
  } catch {
    return text.includes(`"${PLAN_KIND}"`) || !/\bapiVersion\b/.test(text);
  }
}

/** Plan files are read whole, as fleet files are; anything larger is refused. */
export const MAX_PLAN_BYTES = MAX_SOURCE_BYTES;

/** The text of a plan file, read as fleet files are read (src/config/source.ts): a regular file, not too large, UTF-8. */
function readPlanText(path: string): Promise<string> {
  return readTextFile(path, MAX_PLAN_BYTES);
}

/** Whether the plan was made from inventories alone (`-i`, no fleet file): its fleet file is a label, `<inventory>`. */
export function planFromInventoriesAlone(plan: Pick<Plan, "fleet">): boolean {
  return plan.fleet.file.startsWith("<");
}

/**
 * The command that carries out a saved plan. apply reads the plan's fleet file again for the
 * hosts' settings; a plan made from inventories alone has none, so apply needs the inventories
 * again: those given (`inventories`), or `-i <inventory>` to fill in when they are not known.
 */
export function applyPlanCommand(planFile: string, plan: Pick<Plan, "fleet">, inventories: readonly string[] | null): string {
  const apply = renderArgv(["nemoclaw", "apply", planFile]);
  if (!planFromInventoriesAlone(plan)) return apply;
  return inventories === null || inventories.length === 0 ? `${apply} -i <inventory>` : `${apply} ${renderArgv(inventories.flatMap((inventory) => ["-i", inventory]))}`;
}
