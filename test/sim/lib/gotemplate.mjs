// @ts-check
// The subset of Go text/template that `docker --format` strings use: field paths
// (`{{.State.Health.Status}}`), `json`, `index`, `join`, `upper`, `lower`, `.Label "k"`,
// several actions in one string, and docker's `\t` / `\n` escapes.

export class TemplateError extends Error {}

/**
 * @param {string} format
 * @param {Record<string, unknown>} data
 * @param {Record<string, (...args: unknown[]) => unknown>} [methods] e.g. `Label` for `docker ps`
 */
export function renderTemplate(format, data, methods = {}) {
  const source = format.replace(/\\t/g, "\t").replace(/\\n/g, "\n");
  let out = "";
  let position = 0;
  for (const match of source.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/g)) {
    out += source.slice(position, match.index);
    out += goPrint(evaluate(/** @type {string} */ (match[1]), data, methods));
    position = /** @type {number} */ (match.index) + match[0].length;
  }
  return out + source.slice(position);
}

/**
 * @param {string} pipeline
 * @param {Record<string, unknown>} data
 * @param {Record<string, (...args: unknown[]) => unknown>} methods
 */
function evaluate(pipeline, data, methods) {
  const words = tokenize(pipeline);
  const [head, ...rest] = words;
  if (head === undefined) throw new TemplateError(`template: :1: missing value for command`);
  const args = () => rest.map((word) => operand(word, data));
  switch (head) {
    case "json":
      return new JsonText(JSON.stringify(args()[0] ?? null));
    case "index": {
      const [collection, key] = args();
      return /** @type {Record<string, unknown>} */ (collection ?? {})[String(key)] ?? "";
    }
    case "join": {
      const [list, separator] = args();
      return Array.isArray(list) ? list.join(String(separator)) : "";
    }
    case "upper":
      return String(args()[0] ?? "").toUpperCase();
    case "lower":
      return String(args()[0] ?? "").toLowerCase();
  }
  if (head.startsWith(".") && methods[head.slice(1)]) {
    return /** @type {(...args: unknown[]) => unknown} */ (methods[head.slice(1)])(...args());
  }
  return operand(head, data);
}

/** @param {string} word @param {Record<string, unknown>} data */
function operand(word, data) {
  if (word.startsWith('"')) return JSON.parse(word);
  if (word === ".") return data;
  if (!word.startsWith(".")) throw new TemplateError(`template: :1: function "${word}" not defined`);
  /** @type {unknown} */
  let value = data;
  for (const field of word.slice(1).split(".")) {
    if (value === null || typeof value !== "object" || !(field in value)) {
      throw new TemplateError(`template: :1:2: executing "" at <${word}>: can't evaluate field ${field}`);
    }
    value = /** @type {Record<string, unknown>} */ (value)[field];
  }
  return value;
}

/** @param {string} pipeline */
function tokenize(pipeline) {
  return [...pipeline.matchAll(/"(?:[^"\\]|\\.)*"|\S+/g)].map((m) => m[0]);
}

/** Output of `json`, printed verbatim. */
class JsonText {
  /** @param {string} text */
  constructor(text) {
    this.text = text;
  }
}

/**
 * Go's `fmt.Print` of a value: maps as `map[k:v]` (sorted keys), slices as `[a b]`,
 * nil as `<no value>`.
 * @param {unknown} value
 * @returns {string}
 */
function goPrint(value) {
  if (value instanceof JsonText) return value.text;
  if (value === null || value === undefined) return "<no value>";
  if (Array.isArray(value)) return `[${value.map(goPrint).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(/** @type {Record<string, unknown>} */ (value)).sort(([a], [b]) => (a < b ? -1 : 1));
    return `map[${entries.map(([k, v]) => `${k}:${goPrint(v)}`).join(" ")}]`;
  }
  return String(value);
}
