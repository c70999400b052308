/**
 * Checks a fleet file against schemas/fleet.schema.json (the same schema editors use), turning
 * ajv's errors into positioned, human messages, and prunes the invalid parts so the rest of
 * the file can still be checked in the same run: every error is reported at once.
 */
import type { ErrorObject, ValidateFunction } from "ajv";
import type { FleetFile } from "./fleet-file.generated.js";
import generatedValidator from "./fleet-validator.generated.js";
import type { Path, PathSegment, Target } from "./source.js";
import { literalSecret } from "./secrets.js";
import { didYouMean } from "./suggest.js";
import { byCodeUnits } from "./order.js";

export interface SchemaIssue {
  path: Path;
  target: Target;
  keyword: string;
  message: string;
  /** A value to keep out of excerpts: what was written where only a secret reference belongs. */
  mask?: string;
}

const SECRET_DEFINITIONS = new Set(["SecretReference", "Passphrase"]);

/** The schema compiled ahead of time by scripts/gen-validator.mjs (all errors, verbose). */
const validate = generatedValidator as unknown as ValidateFunction;

/**
 * The fleet file after schema checking. Invalid values were removed (and list items whose
 * required fields were invalid), so its shape matches the generated types; `items` gives each
 * surviving list entry with its index in the file as written.
 */
export class CheckedFleet {
  constructor(
    readonly data: FleetFile,
    private readonly originalIndices: WeakMap<object, number[]>,
  ) {}

  items<T>(list: T[] | undefined): [number, T][] {
    if (list === undefined) return [];
    const indices = this.originalIndices.get(list);
    return list.map((item, i) => [indices?.[i] ?? i, item]);
  }
}

/** Keywords whose failure leaves a value the loader cannot use (wrong type, missing field, unknown enum value). */
const PRUNING = new Set(["type", "required", "enum", "const"]);

export function checkFleetSchema(data: unknown): { issues: SchemaIssue[]; checked?: CheckedFleet } {
  validate(data);
  const issues = (validate.errors ?? []).flatMap((e) => toIssue(e, data));
  const originalIndices = new WeakMap<object, number[]>();
  let errors = validate.errors ?? [];
  // Not a mapping at all: nothing to salvage.
  if (errors.some((e) => e.keyword === "type" && e.instancePath === "")) return { issues };
  // Pruning one value can invalidate its parent (a required field gone), so repeat until nothing
  // more can be pruned. The root stays even when apiVersion or kind is wrong: the rest is still checked.
  for (let round = 0; errors.length > 0 && round < 20; round++) {
    const targets = errors
      .filter((e) => PRUNING.has(e.keyword))
      .map((e) => pointerToPath(e.instancePath, data))
      .filter((t) => t.length > 0);
    if (targets.length === 0) break;
    for (const target of sortForRemoval(targets)) remove(data, target, originalIndices);
    validate(data);
    errors = validate.errors ?? [];
  }
  return { issues, checked: new CheckedFleet(data as FleetFile, originalIndices) };
}

function toIssue(error: ErrorObject, data: unknown): SchemaIssue[] {
  const path = pointerToPath(error.instancePath, data);
  const params = error.params as Record<string, unknown>;
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  const value = error.data;
  // propertyNames reports the inner failure with the offending key; the wrapper adds nothing.
  if (error.keyword === "propertyNames") return [];
  if (error.propertyName !== undefined) {
    const message = schema.patternErrorMessage ?? `"${error.propertyName}" is not allowed as a name here`;
    return [{ path: [...path, error.propertyName], target: "key", keyword: "pattern", message: String(message) }];
  }
  switch (error.keyword) {
    case "additionalProperties": {
      const field = String(params.additionalProperty);
      const known = Object.keys((schema.properties ?? {}) as object);
      return [{ path: [...path, field], target: "key", keyword: error.keyword, message: `unknown field "${field}"${didYouMean(field, known)}` }];
    }
    case "required": {
      const missing = String(params.missingProperty);
      // NemoClaw refuses to build from a Dockerfile without an explicit sandbox name.
      const fromDockerfile = path[0] === "sandboxes" && path.length === 2 && missing === "name" && isRecord(value) && value.from !== undefined;
      const hint = fromDockerfile ? " (NemoClaw needs a sandbox name to build from a Dockerfile)" : "";
      return [{ path, target: "value", keyword: error.keyword, message: `missing required field "${missing}"${hint}` }];
    }
    case "type":
      return [{ path, target: "value", keyword: error.keyword, message: typeMessage(schema.type, value) }];
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return [
        {
          path,
          target: "value",
          keyword: error.keyword,
          message: `${JSON.stringify(value)} is not one of ${allowed.map((a) => `"${a}"`).join(", ")}${typeof value === "string" ? didYouMean(value, allowed) : ""}`,
        },
      ];
    }
    case "pattern": {
      const secret = SECRET_DEFINITIONS.has(String(schema.title)) && typeof value === "string" ? literalSecret(value) : undefined;
      const shown = secret === undefined ? JSON.stringify(value) : "the value";
      const message = String(schema.patternErrorMessage ?? `${shown} does not match ${String(params.pattern)}`);
      return [{ path, target: "value", keyword: error.keyword, message, ...(secret === undefined ? {} : { mask: secret }) }];
    }
    case "format":
      return [{ path, target: "value", keyword: error.keyword, message: `${JSON.stringify(value)} is not a valid ${params.format === "uri" ? "URL" : String(params.format)}` }];
    case "minimum":
    case "maximum":
      return [{ path, target: "value", keyword: error.keyword, message: rangeMessage(schema, value) }];
    case "minLength":
      return [{ path, target: "value", keyword: error.keyword, message: "must not be empty" }];
    case "minItems":
      return [{ path, target: "value", keyword: error.keyword, message: `must list at least ${String(params.limit)} item${params.limit === 1 ? "" : "s"}` }];
    default:
      return [{ path, target: "value", keyword: error.keyword, message: error.message ?? "is invalid" }];
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function typeMessage(expected: unknown, value: unknown): string {
  const names = (Array.isArray(expected) ? expected : [expected]).map((t) => TYPE_NAMES[String(t)] ?? String(t));
  const wanted = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
  const numeric = typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value) && names.some((n) => n.includes("number") || n.includes("integer"));
  // YAML 1.1 read yes/no/on/off as booleans; fleet files are YAML 1.2, where they are strings.
  const yaml11Boolean = typeof value === "string" && /^(yes|no|on|off|y|n)$/i.test(value) && names.includes(TYPE_NAMES.boolean!);
  const hint = numeric ? " (remove the quotes)" : yaml11Boolean ? " (write true or false)" : "";
  return `must be ${wanted}, not ${describeJsonType(value)}${hint}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  null: "empty",
};

function describeJsonType(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return `${value}`;
  return `the string ${JSON.stringify(value)}`;
}

function rangeMessage(schema: Record<string, unknown>, value: unknown): string {
  const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
  if (minimum !== undefined && maximum !== undefined) return `${String(value)} is out of range ${minimum}-${maximum}`;
  if (minimum !== undefined) return `must be at least ${minimum}, not ${String(value)}`;
  return `must be at most ${String(maximum)}, not ${String(value)}`;
}

/** JSON pointer to path segments, with list indices as numbers (so they print as `[2]`). */
function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === "") return [];
  const segments: PathSegment[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const segment: PathSegment = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key;
    segments.push(segment);
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[String(segment)] : undefined;
  }
  return segments;
}

/** Later list items first and children before parents, so earlier removals do not shift later targets. */
function sortForRemoval(paths: PathSegment[][]): PathSegment[][] {
  const compare = (a: PathSegment[], b: PathSegment[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const [x, y] = [a[i]!, b[i]!];
      if (x === y) continue;
      if (typeof x === "number" && typeof y === "number") return y - x;
      return byCodeUnits(String(y), String(x));
    }
    return b.length - a.length;
  };
  const unique = new Map(paths.map((p) => [JSON.stringify(p), p]));
  return [...unique.values()].sort(compare);
}

function remove(data: unknown, path: PathSegment[], originalIndices: WeakMap<object, number[]>): void {
  let parent: unknown = data;
  for (const segment of path.slice(0, -1)) {
    parent = parent !== null && typeof parent === "object" ? (parent as Record<string, unknown>)[String(segment)] : undefined;
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof last === "number") {
    const indices = originalIndices.get(parent) ?? parent.map((_, i) => i);
    indices.splice(last, 1);
    parent.splice(last, 1);
    originalIndices.set(parent, indices);
  } else if (parent !== null && typeof parent === "object") {
    delete (parent as Record<string, unknown>)[String(last)];
  }
}
