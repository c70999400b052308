#!/usr/bin/env node
// @ts-check
// Generates docs/fleet-file.md from schemas/fleet.schema.json and docs/exit-codes.md from
// src/exit-codes.ts, so the reference pages cannot drift from what the code accepts and
// returns. Unit tests regenerate both and compare them with the committed files.
//   node scripts/gen-docs.mjs
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const at = (/** @type {string} */ relative) => fileURLToPath(new URL(relative, root));

export const FLEET_DOC = at("docs/fleet-file.md");
export const EXIT_CODES_DOC = at("docs/exit-codes.md");

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

/* ------------------------------------------------------------------ main */

export async function renderDocs() {
  const schema = JSON.parse(await readFile(at("schemas/fleet.schema.json"), "utf8"));
  const exitCodes = await readFile(at("src/exit-codes.ts"), "utf8");
  return { [FLEET_DOC]: renderFleetFileDoc(schema), [EXIT_CODES_DOC]: renderExitCodesDoc(exitCodes) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, text] of Object.entries(await renderDocs())) {
    await writeFile(file, text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
