#!/usr/bin/env node
// @ts-check
// Generates docs/fleet-file.md from schemas/fleet.schema.json, docs/exit-codes.md from
// src/exit-codes.ts and docs/cli.md from the commander program the CLI runs (dist/cli/run.js, so
// build first: `npm run gen:docs` does), so the reference pages cannot drift from what the code
// accepts and returns. Unit tests regenerate them and compare them with the committed files.
//   npm run gen:docs
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const at = (/** @type {string} */ relative) => fileURLToPath(new URL(relative, root));

export const FLEET_DOC = at("docs/fleet-file.md");
export const EXIT_CODES_DOC = at("docs/exit-codes.md");
export const CLI_DOC = at("docs/cli.md");

/* ------------------------------------------------------------------ fleet file */

/** @typedef {Record<string, any>} Schema */

/** @type {[string, string][]} */
const SECTIONS = [
  ["metadata", "metadata"],
  ["hostSettings", "Host settings: `defaults`, `groups.<name>`"],
  ["host", "hosts[]"],
  ["nemoclaw", "nemoclaw"],
  ["openshell", "openshell"],
  ["gateway", "gateways[]"],
  ["sandbox", "sandboxes[]"],
  ["backupPolicy", "backupPolicies[]"],
  ["applySettings", "apply"],
  ["notifySettings", "notify"],
  ["selector", "Host selectors"],
];

/** @param {Schema} schema */
export function renderFleetFileDoc(schema) {
  const defs = schema.definitions;
  const out = [];
  out.push("# The fleet file");
  out.push("");
  out.push("<!-- Generated from schemas/fleet.schema.json by scripts/gen-docs.mjs; edit the schema, not this page. -->");
  out.push("");
  out.push(schema.description);
  out.push("");
  out.push(INTRO);
  out.push(section("Top level", schema, defs, ""));
  for (const [name, title] of SECTIONS) out.push(section(title, defs[name], defs, anchorOf(name)));
  out.push(EPILOGUE);
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

/**
 * @param {string} title
 * @param {Schema} node
 * @param {Schema} defs
 * @param {string} anchor
 */
function section(title, node, defs, anchor) {
  const lines = [...(anchor === "" ? [] : [`<a id="${anchor}"></a>`, ""]), `## ${title}`, ""];
  if (node.description && title !== "Top level") lines.push(node.description, "");
  /** @type {[string, Schema][]} */
  const nested = [];
  if (node.properties) {
    lines.push("| Field | Type | Default | Description |", "| --- | --- | --- | --- |");
    const required = new Set(node.required ?? []);
    for (const [field, raw] of Object.entries(node.properties)) {
      const property = resolve(raw, defs);
      const description = `${raw.description ?? property.description ?? ""}${examplesText(raw, property)}`.replace(/\|/g, "\\|").replace(/\n/g, " ");
      const fieldText = `\`${field}\`${required.has(field) ? " (required)" : ""}`;
      lines.push(`| ${fieldText} | ${typeText(raw, defs)} | ${defaultText(raw, property)} | ${description} |`);
      if (!raw.$ref && property.type === "object" && property.properties) nested.push([field, property]);
    }
    lines.push("");
  } else {
    lines.push(`Type: ${typeText(node, defs)}.`, "");
  }
  for (const [field, property] of nested) {
    lines.push(`### ${title}.${field}`, "");
    lines.push("| Field | Type | Default | Description |", "| --- | --- | --- | --- |");
    const required = new Set(property.required ?? []);
    for (const [sub, raw] of Object.entries(property.properties)) {
      const resolved = resolve(raw, defs);
      const description = `${raw.description ?? resolved.description ?? ""}${examplesText(raw, resolved)}`.replace(/\|/g, "\\|");
      lines.push(`| \`${sub}\`${required.has(sub) ? " (required)" : ""} | ${typeText(raw, defs)} | ${defaultText(raw, resolved)} | ${description} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

/** @param {Schema} node @param {Schema} defs @returns {Schema} */
function resolve(node, defs) {
  if (!node.$ref) return node;
  const target = defs[node.$ref.replace("#/definitions/", "")];
  return { ...target, ...node, $ref: undefined };
}

/** @param {string} definition */
function anchorOf(definition) {
  return definition.toLowerCase();
}

const LINKED = new Set(["hostSettings", "host", "nemoclaw", "openshell", "gateway", "sandbox", "backupPolicy", "applySettings", "notifySettings", "selector", "metadata"]);

/** @param {Schema} node @param {Schema} defs @returns {string} */
function typeText(node, defs) {
  if (node.$ref) {
    const name = node.$ref.replace("#/definitions/", "");
    if (LINKED.has(name)) return `[${defs[name].title ?? name}](#${anchorOf(name)})`;
    return typeText(defs[name], defs);
  }
  if (node.enum) return node.enum.map((/** @type {unknown} */ v) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  const types = Array.isArray(node.type) ? node.type : [node.type ?? "any"];
  return types
    .map((/** @type {string} */ t) => {
      if (t === "array") return `list of ${node.items ? typeText(node.items, defs) : "values"}`;
      if (t === "object" && node.additionalProperties && typeof node.additionalProperties === "object") {
        return `map of name → ${typeText(node.additionalProperties, defs)}`;
      }
      if (t === "object") return "mapping";
      if (t === "string" && (node.title === "SecretReference" || node.title === "Passphrase")) return "secret reference";
      return t;
    })
    .join(" or ");
}

/** The schema's examples (what editors offer as you type), a few of them, after the description. */
/** @param {Schema} raw @param {Schema} resolved */
function examplesText(raw, resolved) {
  const items = raw.items ?? resolved.items;
  const examples = raw.examples ?? resolved.examples ?? (items ? resolve(items, {}).examples : undefined);
  if (!Array.isArray(examples) || examples.length === 0) return "";
  const shown = examples.slice(0, 6).map((/** @type {unknown} */ value) => `\`${typeof value === "string" ? value : JSON.stringify(value)}\``);
  return ` Examples: ${shown.join(", ")}${examples.length > 6 ? ", …" : "."}`;
}

/** @param {Schema} raw @param {Schema} resolved */
function defaultText(raw, resolved) {
  const value = raw.default ?? resolved.default;
  return value === undefined ? "" : `\`${JSON.stringify(value)}\``;
}

const INTRO = `A fleet file is YAML (1.2: \`yes\`/\`no\` are strings; write \`true\`/\`false\`; a \`%YAML 1.1\` directive
is refused at its line). Start it with the modeline below and editors that use
yaml-language-server complete and check it as you type:

\`\`\`yaml
# yaml-language-server: $schema=../schemas/fleet.schema.json
apiVersion: nemoclaw.dev/v1
kind: Fleet
metadata: { name: dgx-lab }
inventory: [../inventory/dgx-lab.ini]
\`\`\`

\`playbooks/dgx-lab.yaml\` is a complete example. \`nemoclaw validate <file>\` checks a fleet file and its
inventories without contacting any host and reports every problem at once, as
\`file:line:col: path: message\`.

Lists and mappings may nest at most 100 levels deep, counting aliases as expanded (deeper is an
error at the first level too deep; real fleet files use a handful).
`;

const EPILOGUE = `## Where host settings come from

Hosts are the inventories' hosts plus the fleet file's \`hosts:\`, merged by name. For each setting the
last of these that sets it wins (Ansible's order):

1. \`defaults\`
2. inventory \`all\` variables
3. inventory group variables, parents before children, then by group name
4. the fleet file's \`groups.<name>\` (same order)
5. inventory host variables
6. the host's \`hosts:\` entry

\`environment\`, \`labels\` and \`vars\` merge key by key. Relative paths (identity files, known_hosts
files, \`file:\` secrets, a local backup destination) are relative to the file that wrote them; \`~\` is
the home directory of the user running nemoclaw. See [inventories.md](inventories.md) for the
inventory variables nemoclaw reads.

## Names

- Sandbox names follow NemoClaw: 1-63 characters, lowercase letters, digits and \`-\`, starting with a
  letter and ending with a letter or digit, and not a NemoClaw command word (\`status\`, \`list\`,
  \`onboard\`, \`backup-all\`, …), because \`nemoclaw <name> …\` would run that command instead.
- NemoClaw keeps one registry entry per sandbox name on a host, so a name can be used once per host,
  whatever the gateway.
- Gateway names follow their port: 8080 is \`nemoclaw\`, any other port P is \`nemoclaw-P\`. Give a
  \`port\`, a \`name\`, or both (then they must agree). One gateway per port per host.
- Without a \`gateways:\` key, every host that carries a sandbox gets the default gateway
  (\`nemoclaw\`, port 8080). With one, sandboxes may only use the gateways it places on their host.
- Host, group, policy and preset names, models, paths and devices reach NemoClaw's command line as
  single arguments: control characters and a leading \`-\` are refused.
- A \`model\` is a model id as NemoClaw takes it: letters, digits and \`.\`, \`_\`, \`:\`, \`/\`, \`-\` only
  (NemoClaw's onboard exits with \`Invalid NEMOCLAW_MODEL for provider …\` otherwise). \`provider:
  routed\` takes no model: NemoClaw's router always serves \`nvidia-routed\`.

## Secrets

Provider keys and passphrases are written as references, never as values: \`env:NAME\` (an
environment variable of the nemoclaw process) or \`file:PATH\`. They are read only when \`apply\` needs
them, handed to the host on stdin or in the environment of the one command that uses them, and never
printed, planned, journaled or backed up. A literal key (\`nvapi-…\`, \`sk-…\`, …) is an error, and the
error message does not repeat it.

## Older files: nemoclaw.dev/v1alpha1

\`apiVersion: nemoclaw.dev/v1alpha1\` files are still read, with a warning for each difference, and
errors keep pointing at the file as written:

| v1alpha1 | v1 |
| --- | --- |
| \`backups:\` | \`backupPolicies:\` |
| \`sandboxes[].credentialEnv: NAME\` (the key's variable) | \`credential: env:NAME\` (\`credentialEnv\` now names the variable NemoClaw reads on the host) |
| \`sandboxes[].gpu: true\` / \`false\` | \`gpu: on\` / \`off\` |
| \`sandboxes[].host\` only | \`host\` or a \`hosts\` selector |
`;

/* ------------------------------------------------------------------ exit codes */

/** @param {string} source text of src/exit-codes.ts */
export function renderExitCodesDoc(source) {
  const codes = [...source.matchAll(/\/\*\*\s*((?:(?!\*\/)[\s\S])*?)\s*\*\/\s*(\w+):\s*(\d+),/g)].map((m) => ({
    meaning: oneLine(m[1] ?? ""),
    name: m[2] ?? "",
    code: Number(m[3]),
  }));
  const severityComment = /\*\s*(When a run ends[\s\S]*?)\s*\*\/\s*const SEVERITY/.exec(source)?.[1];
  const severity = severityComment === undefined ? undefined : oneLine(severityComment);
  const out = [
    "# Exit codes",
    "",
    "<!-- Generated from src/exit-codes.ts by scripts/gen-docs.mjs; edit the source, not this page. -->",
    "",
    "Every nemoclaw command exits with one of these codes, so scripts and CI can tell \"the file is",
    "wrong\" from \"a host is down\" from \"someone else holds the lock\".",
    "",
    "| Code | Name | Meaning |",
    "| --- | --- | --- |",
    ...codes.map((c) => `| ${c.code} | \`${c.name}\` | ${c.meaning.replace(/\|/g, "\\|")} |`),
    "",
  ];
  if (severity) out.push("## Several kinds of trouble at once", "", severity, "");
  return out.join("\n");
}

/** A JSDoc comment's text on one line. @param {string} text */
function oneLine(text) {
  return text.replace(/\s*\n\s*\*\s*/g, " ").trim();
}

/* ------------------------------------------------------------------ command reference */

/** @typedef {import("commander").Command} Command */
/** @typedef {import("commander").Option} Option */

/**
 * The narrative page (under docs/) that explains each top-level command; its subcommands share it.
 * test/unit/cli/help-docs.test.ts holds each page to naming every option of its commands.
 * @type {Record<string, string>}
 */
export const COMMAND_PAGES = {
  validate: "getting-started.md",
  plan: "plan.md",
  show: "plan.md",
  apply: "apply.md",
  unlock: "apply.md",
  facts: "facts.md",
  backup: "backups.md",
  report: "monitoring.md",
  history: "journal.md",
  schedule: "recipes/unattended-operation.md",
  inventory: "inventories.md",
  init: "recipes/ansible-inventory.md",
  completion: "getting-started.md",
};

/** @param {Command} command */
const isHidden = (command) => /** @type {{ _hidden?: boolean }} */ (/** @type {unknown} */ (command))._hidden === true;

/** Every visible command under `command`, depth first, in the order --help lists them. @param {Command} command @returns {Command[]} */
function visibleCommands(command) {
  return command.commands.filter((sub) => !isHidden(sub)).flatMap((sub) => [sub, ...visibleCommands(sub)]);
}

/** `nemoclaw backup run`. @param {Command} command */
function pathOf(command) {
  /** @type {string[]} */
  const names = [];
  for (let at = /** @type {Command | null} */ (command); at; at = at.parent) names.unshift(at.name());
  return names.join(" ");
}

/** GitHub's anchor for a heading. @param {string} heading */
function anchor(heading) {
  return heading.toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-");
}

/**
 * Text from --help for a Markdown table cell or paragraph: `<`, `*` and `|` outside code spans
 * would become HTML, emphasis or a column break.
 * @param {string} text
 */
function inline(text) {
  return text
    .split(/(`[^`]*`)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/[\\*|]/g, (c) => `\\${c}`).replace(/</g, "&lt;")))
    .join("");
}

/** What --help gives as an option's default, by commander's own rule (Help.optionDescription). @param {Option} option */
function optionDefault(option) {
  if (option.defaultValue === undefined) return "";
  const shown = option.required || option.optional || (option.isBoolean() && typeof option.defaultValue === "boolean");
  return shown ? `\`${option.defaultValueDescription ?? JSON.stringify(option.defaultValue)}\`` : "";
}

/**
 * A command's text after its options (`addHelpText("after", …)`), as written: taken from the help
 * event commander writes it on, so no terminal width wraps it.
 * @param {Command} command
 */
function helpAfter(command) {
  let text = "";
  // A Command is an EventEmitter (commander's lib/command.js), which its typings leave out.
  const events = /** @type {import("node:events").EventEmitter} */ (/** @type {unknown} */ (command));
  events.emit("afterHelp", { error: false, command, write: (/** @type {string} */ chunk) => (text += chunk) });
  return text;
}

/**
 * The help's closing text in Markdown: prose paragraphs (with their `  - item` and `  term  text`
 * lists), the exit codes and the examples.
 * @param {string} text
 */
function renderHelpAfter(text) {
  const out = [];
  for (const block of text.trim().split(/\n\s*\n/)) {
    if (block.startsWith("Examples:")) {
      const examples = block.split("\n").slice(1).map((line) => line.replace(/^ {2}/, ""));
      out.push("**Examples:**", "", "```sh", ...examples, "```", "");
    } else if (block.startsWith("Exit codes:")) {
      out.push(`**Exit codes:** ${inline(block.slice("Exit codes:".length).replace(/\s+/g, " ").trim())}`, "");
    } else {
      // Paragraphs and list items, each joined onto one line before escaping: a code span may
      // run over the help's line break.
      /** @type {{ item: boolean, text: string }[]} */
      const parts = [];
      for (const line of block.split("\n")) {
        const last = parts[parts.length - 1];
        const term = /^ {2}(\S+) {2,}(.*)$/.exec(line);
        if (line.startsWith("  - ")) parts.push({ item: true, text: line.slice(4).trim() });
        else if (term !== null) parts.push({ item: true, text: `\`${term[1]}\`: ${term[2]}` });
        else if (last !== undefined && (last.item ? line.startsWith("    ") : true)) last.text += ` ${line.trim()}`;
        else parts.push({ item: false, text: line.trim() });
      }
      parts.forEach((part, index) => {
        const previous = parts[index - 1];
        if (previous !== undefined && !(previous.item && part.item)) out.push("");
        out.push(`${part.item ? "- " : ""}${inline(part.text)}`);
      });
      out.push("");
    }
  }
  return out;
}

/** @param {Command} command @param {Command} program */
function commandSection(command, program) {
  const help = command.createHelp();
  const path = pathOf(command);
  const top = command.parent === program ? command : /** @type {Command} */ (command.parent);
  const page = command === program ? "../README.md" : COMMAND_PAGES[top.name()];
  if (page === undefined) throw new Error(`scripts/gen-docs.mjs: COMMAND_PAGES has no page for \`${path}\``);
  const out = [`## ${path}`, "", inline(command.description()), "", "```sh", help.commandUsage(command), "```", ""];
  out.push(`Explained in [${page.replace(/^\.\.\//, "")}](${page}).`, "");
  const args = help.visibleArguments(command);
  if (args.length > 0) {
    out.push("| Argument | Description | Default |", "| --- | --- | --- |");
    for (const argument of args) {
      const fallback = argument.defaultValue === undefined ? "" : `\`${argument.defaultValueDescription ?? JSON.stringify(argument.defaultValue)}\``;
      out.push(`| \`${help.argumentTerm(argument)}\` | ${inline(argument.description)} | ${fallback} |`);
    }
    out.push("");
  }
  out.push("| Option | Description | Default |", "| --- | --- | --- |");
  for (const option of help.visibleOptions(command)) out.push(`| \`${option.flags}\` | ${inline(option.description)} | ${optionDefault(option)} |`);
  out.push("");
  const subcommands = command.commands.filter((sub) => !isHidden(sub));
  if (subcommands.length > 0) {
    out.push("| Command | Description |", "| --- | --- |");
    for (const sub of subcommands) out.push(`| [${sub.name()}](#${anchor(pathOf(sub))}) | ${inline(sub.description())} |`);
    out.push("");
  }
  out.push(...renderHelpAfter(helpAfter(command)));
  return out.join("\n");
}

/**
 * docs/cli.md: every visible command of `program` (the CLI's, src/cli/run.ts buildProgram), one
 * section each, from the command and option objects rather than --help's text, which commander
 * wraps to the terminal's width.
 * @param {Command} program
 */
export function renderCliDoc(program) {
  const commands = [program, ...visibleCommands(program)];
  const out = [
    "# Command reference",
    "",
    "<!-- Generated from the CLI's commands (src/cli/) by scripts/gen-docs.mjs; edit the commands, not this page. -->",
    "",
    "Every `nemoclaw` command and subcommand with its arguments, options and defaults, exit codes and",
    "examples, as its `--help` gives them, and the page that explains it. Options many commands share",
    "(`-i`, `--limit`, `--list-hosts`, the vault options, `--json`) are described in the",
    "[README](../README.md#commands); every exit code in [exit-codes.md](exit-codes.md).",
    "",
    ...commands.slice(1).map((command) => `${"  ".repeat(pathOf(command).split(" ").length - 2)}- [${pathOf(command)}](#${anchor(pathOf(command))})`),
    "",
    ...commands.map((command) => commandSection(command, program)),
  ];
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

/* ------------------------------------------------------------------ main */

/** @param {Command} program the CLI's (src/cli/run.ts buildProgram([])) */
export async function renderDocs(program) {
  const schema = JSON.parse(await readFile(at("schemas/fleet.schema.json"), "utf8"));
  const exitCodes = await readFile(at("src/exit-codes.ts"), "utf8");
  return { [FLEET_DOC]: renderFleetFileDoc(schema), [EXIT_CODES_DOC]: renderExitCodesDoc(exitCodes), [CLI_DOC]: renderCliDoc(program) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = at("dist/cli/run.js");
  /** @type {{ buildProgram(args: string[]): Promise<Command> }} */
  const cli = await import(built).catch(() => {
    process.stderr.write(`gen-docs: cannot load ${built}: run \`npm run build\` first (\`npm run gen:docs\` does)\n`);
    process.exit(1);
  });
  for (const [file, text] of Object.entries(await renderDocs(await cli.buildProgram([])))) {
    await writeFile(file, text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
