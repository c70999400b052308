/**
 * The fleet schema's examples and enums are what editors offer as you type (yaml-language-server
 * completes from both), so each example must be a value the schema and the release rules accept.
 */
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { NEMOCLAW_RELEASE_RULES } from "../../../src/host/nemoclaw/release-rules.js";
import { desiredSandbox } from "../plan/builders.js";

type Schema = Record<string, unknown> & { examples?: unknown[]; properties?: Record<string, Schema>; items?: Schema; definitions?: Record<string, Schema> };

const schema = JSON.parse(readFileSync(new URL("../../../schemas/fleet.schema.json", import.meta.url), "utf8")) as Schema;

/** Every subschema that has examples, with its JSON path in the schema. */
function withExamples(node: Schema, path: string): [string, Schema][] {
  const here: [string, Schema][] = Array.isArray(node.examples) ? [[path, node]] : [];
  const children = [
    ...Object.entries(node.properties ?? {}).map(([key, child]) => [`${path}/properties/${key}`, child] as const),
    ...(node.items && typeof node.items === "object" ? [[`${path}/items`, node.items] as const] : []),
    ...Object.entries(node.definitions ?? {}).map(([key, child]) => [`${path}/definitions/${key}`, child] as const),
  ];
  return [...here, ...children.flatMap(([childPath, child]) => withExamples(child, childPath))];
}

describe("the fleet schema for editors", () => {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  addFormats.default(ajv, ["uri"]);
  ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
  ajv.addSchema(schema);
  const examples = withExamples(schema, "#");

  it("has examples for the fields a person types: names, versions, selectors, providers, presets, schedules", () => {
    const paths = examples.map(([path]) => path);
    for (const field of ["hostName", "selector", "secretRef", "nemoclaw/properties/version", "sandbox/properties/provider", "sandbox/properties/model", "presets/items", "backupPolicy/properties/schedule", "applySettings/properties/waves"]) {
      expect(paths.some((path) => path.includes(field)), field).toBe(true);
    }
  });

  it.each(examples.map(([path, node]) => [path, node] as const))("every example of %s is valid there", (path, node) => {
    const validate = ajv.getSchema(`${schema.$id as string}${path}`);
    expect(validate, path).toBeDefined();
    for (const example of node.examples ?? []) expect(validate!(example), `${path}: ${JSON.stringify(example)} ${ajv.errorsText(validate!.errors)}`).toBe(true);
  });

  it("offers only providers and presets NemoClaw takes (no release-rule warning)", () => {
    const sandbox = (schema.definitions?.sandbox?.properties ?? {}) as Record<string, Schema>;
    const providers = sandbox.provider?.examples as string[];
    const presets = (sandbox.policy?.properties?.presets?.items?.examples ?? []) as string[];
    // No model: `routed` serves NemoClaw's own model and refuses another.
    for (const provider of providers) expect(NEMOCLAW_RELEASE_RULES.sandboxProblems(desiredSandbox("a", { provider, model: undefined }), undefined, undefined), provider).toEqual([]);
    expect(NEMOCLAW_RELEASE_RULES.sandboxProblems(desiredSandbox("a", { policy: { presets } }), undefined, undefined)).toEqual([]);
  });
});
