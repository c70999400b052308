#!/usr/bin/env node
// Generates src/config/fleet-file.generated.ts from schemas/fleet.schema.json, so the loader's
// view of the raw fleet file can never drift from the schema users edit against.
// A unit test regenerates it and compares with the committed file.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const root = new URL("../", import.meta.url);
export const SCHEMA_PATH = fileURLToPath(new URL("schemas/fleet.schema.json", root));
export const OUTPUT_PATH = fileURLToPath(new URL("src/config/fleet-file.generated.ts", root));

const BANNER = `/* eslint-disable */
/**
 * Generated from schemas/fleet.schema.json by scripts/gen-types.mjs (npm run gen:types).
 * Do not edit by hand: change the schema and regenerate.
 */`;

/** The TypeScript source for the fleet file's raw (as-written) shape. */
export async function generateFleetTypes() {
  const schema = JSON.parse(await readFile(SCHEMA_PATH, "utf8"));
  return compile(schema, "FleetFile", {
    bannerComment: BANNER,
    additionalProperties: false,
    unreachableDefinitions: false,
    format: true,
    style: { printWidth: 110 },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(OUTPUT_PATH, await generateFleetTypes());
  process.stdout.write(`wrote ${OUTPUT_PATH}\n`);
}
