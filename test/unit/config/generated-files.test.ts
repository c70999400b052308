/**
 * Files generated from a single source of truth must match a fresh generation: the fleet file
 * types and the compiled validators (from the schemas), docs/fleet-file.md (from the schema), docs/exit-codes.md (from
 * src/exit-codes.ts) and docs/cli.md (from the CLI's commands). Regenerate with `npm run gen:types` and `npm run gen:docs`.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../../src/exit-codes.js";
import type { Command } from "commander";
import { buildProgram } from "../../../src/cli/run.js";
import { CLI_DOC, EXIT_CODES_DOC, FLEET_DOC, renderCliDoc, renderDocs } from "../../../scripts/gen-docs.mjs";
import { generateFleetTypes, OUTPUT_PATH } from "../../../scripts/gen-types.mjs";
import { generateValidator, outputPath, VALIDATORS } from "../../../scripts/gen-validator.mjs";

describe("generated files", () => {
  // json-schema-to-typescript formats with prettier, which takes seconds on a busy machine.
  it("src/config/fleet-file.generated.ts matches the schema", { timeout: 60_000 }, async () => {
    expect(readFileSync(OUTPUT_PATH, "utf8")).toBe(await generateFleetTypes());
  });

  it.each(VALIDATORS.map((spec) => [spec.output, spec]))("%s matches its schema", async (_output, spec) => {
    expect(readFileSync(outputPath(spec), "utf8")).toBe(await generateValidator(spec));
  });

  it("docs/fleet-file.md, docs/exit-codes.md and docs/cli.md match their sources", async () => {
    const docs = await renderDocs(await buildProgram([]));
    expect(readFileSync(FLEET_DOC, "utf8")).toBe(docs[FLEET_DOC]);
    expect(readFileSync(EXIT_CODES_DOC, "utf8")).toBe(docs[EXIT_CODES_DOC]);
    expect(readFileSync(CLI_DOC, "utf8"), "docs/cli.md is stale: run `npm run gen:docs`").toBe(docs[CLI_DOC]);
  });

  it("docs/cli.md does not depend on the width of the terminal it is generated in", async () => {
    const narrow = await buildProgram([]);
    const everyCommand = (command: Command): Command[] => [command, ...command.commands.flatMap(everyCommand)];
    for (const command of everyCommand(narrow)) command.configureOutput({ getOutHelpWidth: () => 40, getErrHelpWidth: () => 40 });
    expect(renderCliDoc(narrow)).toBe(readFileSync(CLI_DOC, "utf8"));
  });

  it("docs/cli.md has a section for every visible command with each of its options and its examples", async () => {
    const doc = readFileSync(CLI_DOC, "utf8");
    const program = await buildProgram([]);
    const visible = (command: Command): Command[] =>
      command.commands.filter((sub) => !(sub as unknown as { _hidden?: boolean })._hidden).flatMap((sub) => [sub, ...visible(sub)]);
    for (const command of visible(program)) {
      const path = [command.name(), ...(command.parent === program ? [] : [command.parent!.name()])].reverse().join(" ");
      const start = doc.indexOf(`\n## nemoclaw ${path}\n`);
      expect(start, `a section for nemoclaw ${path}`).toBeGreaterThan(-1);
      const next = doc.indexOf("\n## ", start + 1);
      const section = doc.slice(start, next === -1 ? undefined : next);
      for (const option of command.options) expect(section, `nemoclaw ${path} ${option.flags}`).toContain(`| \`${option.flags}\` |`);
      expect(section, `nemoclaw ${path}: examples`).toMatch(/\*\*Examples:\*\*\n\n```sh\nnemoclaw /);
      expect(section, `nemoclaw ${path}: exit codes`).toContain("**Exit codes:** 0 ");
    }
  });

  it("docs/exit-codes.md lists every exit code with its meaning", () => {
    const doc = readFileSync(EXIT_CODES_DOC, "utf8");
    for (const [name, code] of Object.entries(ExitCode)) expect(doc).toMatch(new RegExp(`^\\| ${code} \\| \`${name}\` \\| \\S`, "m"));
  });

  it("docs/fleet-file.md documents every field of the schema", () => {
    const doc = readFileSync(FLEET_DOC, "utf8");
    const schema = JSON.parse(readFileSync(new URL("../../../schemas/fleet.schema.json", import.meta.url), "utf8")) as {
      properties: Record<string, unknown>;
      definitions: Record<string, { properties?: Record<string, unknown> }>;
    };
    const fields = [...Object.keys(schema.properties), ...Object.values(schema.definitions).flatMap((d) => Object.keys(d.properties ?? {}))];
    for (const field of fields) expect(doc).toContain(`| \`${field}\``);
  });

  it("docs/fleet-file.md gives every mapping of the schema its own section listing its fields", () => {
    const doc = readFileSync(FLEET_DOC, "utf8");
    const schema = JSON.parse(readFileSync(new URL("../../../schemas/fleet.schema.json", import.meta.url), "utf8")) as {
      definitions: Record<string, { properties?: Record<string, unknown> }>;
    };
    for (const [name, definition] of Object.entries(schema.definitions)) {
      if (definition.properties === undefined) continue;
      const start = doc.indexOf(`<a id="${name.toLowerCase()}"></a>`);
      expect(start, `a section for ${name}`).toBeGreaterThan(-1);
      const next = doc.indexOf("<a id=", start + 1);
      const section = doc.slice(start, next === -1 ? undefined : next);
      for (const field of Object.keys(definition.properties)) expect(section, `${name}.${field}`).toContain(`| \`${field}\``);
    }
  });
});
