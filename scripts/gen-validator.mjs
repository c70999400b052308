#!/usr/bin/env node
// Generates ajv's standalone code for each schema nemoclaw checks files against (the fleet file,
// saved plans, backup manifests), so no run compiles a schema: ajv's compiler and its modules cost
// every command about 0.1 s before (docs/performance.md). The options are the ones each reader's
// messages rely on. A unit test regenerates every file and compares it with the committed one
// (npm run gen:types).
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { _, Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import standaloneCode from "ajv/dist/standalone/index.js";

const root = new URL("../", import.meta.url);
const inRepo = (path) => fileURLToPath(new URL(path, root));

// ajv-formats is CommonJS: its default import is the module object.
const withFormats = (formats) => (ajv) => addFormats.default(ajv, formats);

/** Each validator: its schema, the module written, and the ajv the reader used to compile at run time. */
export const VALIDATORS = [
  {
    schema: "schemas/fleet.schema.json",
    output: "src/config/fleet-validator.generated.js",
    options: { allErrors: true, verbose: true, strict: true, allowUnionTypes: true },
    prepare: (ajv) => {
      withFormats(["uri"])(ajv);
      // VS Code's keyword for a readable pattern error; ajv only needs to know it exists.
      ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
    },
  },
  { schema: "schemas/plan.schema.json", output: "src/report/plan-validator.generated.js", options: { allErrors: true, strict: true }, prepare: withFormats(undefined) },
  {
    schema: "schemas/backup-manifest.schema.json",
    output: "src/backup/manifest-validator.generated.js",
    draft2020: true,
    options: { allErrors: true, strict: true },
    prepare: withFormats(["date-time"]),
  },
];

const header = (schema) => `// @ts-nocheck
/* eslint-disable */
// Generated from ${schema} by scripts/gen-validator.mjs (npm run gen:types).
// Do not edit by hand: change the schema and regenerate.
// ajv's standalone code loads its runtime helpers and formats with require(), even as an ES module.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
`;

/** The ES module source of one validator. */
export async function generateValidator(spec) {
  const schema = JSON.parse(await readFile(inRepo(spec.schema), "utf8"));
  const code = { source: true, esm: true, lines: true, formats: _`require("ajv-formats/dist/formats").fullFormats` };
  const ajv = spec.draft2020 ? new Ajv2020({ ...spec.options, code }) : new Ajv({ ...spec.options, code });
  spec.prepare(ajv);
  return `${header(spec.schema)}${standaloneCode.default(ajv, ajv.compile(schema)).replace(/^"use strict";\s*/, "")}\n`;
}

export const outputPath = (spec) => inRepo(spec.output);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const spec of VALIDATORS) {
    await writeFile(outputPath(spec), await generateValidator(spec));
    process.stdout.write(`wrote ${spec.output}\n`);
  }
}
