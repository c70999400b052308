/**
 * Plan files: `plan -o plan.json` writes the Plan (fingerprints included) atomically;
 * `apply plan.json` reads it back through the same JSON Schema users can validate against, plus
 * the checks a schema cannot express (step order, fingerprints for every fact a step names).
 * The plan itself is made in src/plan, which does no I/O.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { PLAN_FORMAT_VERSION, type Plan } from "../plan/types.js";

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

let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(new URL("../../schemas/plan.schema.json", import.meta.url), "utf8")) as object;
    const ajv = new Ajv({ allErrors: true, strict: true });
    addFormats.default(ajv);
    validator = ajv.compile(schema);
  }
  return validator;
}

/** The problems that make `value` not a Plan (empty when it is one). */
export function planProblems(value: unknown): string[] {
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof value === "object" && value !== null && version !== undefined && version !== PLAN_FORMAT_VERSION) {
    return [`formatVersion ${JSON.stringify(version)} is not supported (this nemoclaw reads ${PLAN_FORMAT_VERSION})`];
  }
  const validate = schemaValidator();
  if (!validate(value)) return (validate.errors ?? []).map(describeSchemaError);
  return consistencyProblems(value as Plan);
}

export function readPlanFile(path: string): Plan {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new PlanFileError(path, [`cannot be read: ${(error as Error).message}`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(path, [`is not JSON: ${(error as Error).message}`]);
  }
  const problems = planProblems(value);
  if (problems.length > 0) throw new PlanFileError(path, problems);
  return value as Plan;
}

/** Writes the plan through a temporary file in the same directory and a rename. */
export function writePlanFile(path: string, plan: Plan): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, `${JSON.stringify(plan, null, 2)}\n`, { flag: "wx" });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

function describeSchemaError(error: ErrorObject): string {
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

/** A saved plan is JSON with the plan's kind; anything else is a fleet file (YAML). */
export function isPlanFile(path: string): boolean {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return false;
  }
  if (!text.trimStart().startsWith("{")) return false;
  try {
    return (JSON.parse(text) as { kind?: unknown }).kind === "nemoclaw-fleet-plan";
  } catch {
    return false;
  }
}
