/**
 * A reader of Prometheus text exposition, written from the format's description
 * (https://prometheus.io/docs/instrumenting/exposition_formats/) independently of the writer in
 * src/report/metrics.ts, so the tests check what a scraper would read, not what the writer meant.
 */

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  help: string;
  type: string;
  samples: ParsedSample[];
}

function unescape(text: string, quotes: boolean): string {
  return text.replace(quotes ? /\\(["\\n])/g : /\\([\\n])/g, (_match, char: string) => (char === "n" ? "\n" : char));
}

function parseLabels(text: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let at = 0;
  for (;;) {
    if (text[at] === "}") return { labels, rest: text.slice(at + 1) };
    const name = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(text.slice(at));
    if (!name) throw new Error(`bad label at ${JSON.stringify(text.slice(at))} in ${line}`);
    at += name[0].length;
    let raw = "";
    while (text[at] !== '"') {
      if (at >= text.length) throw new Error(`unterminated label value in ${line}`);
      if (text[at] === "\\") {
        raw += text.slice(at, at + 2);
        at += 2;
      } else {
        raw += text[at];
        at += 1;
      }
    }
    if (name[1]! in labels) throw new Error(`label ${name[1]} twice in ${line}`);
    labels[name[1]!] = unescape(raw, true);
    at += 1;
    if (text[at] === ",") at += 1;
  }
}

function parseValue(text: string, line: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value ${JSON.stringify(text)} in ${line}`);
  return Number(text);
}

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith("\n")) throw new Error("the exposition does not end with a newline");
  const families = new Map<string, ParsedFamily>();
  const family = (name: string) => {
    let found = families.get(name);
    if (!found) {
      found = { help: "", type: "untyped", samples: [] };
      families.set(name, found);
    }
    return found;
  };
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === "HELP") family(meta[2]!).help = unescape(meta[3]!, false);
      else family(meta[2]!).type = meta[3]!;
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{)?/.exec(line);
    if (!sample) throw new Error(`not a sample: ${line}`);
    const { labels, rest } = sample[2] ? parseLabels(line.slice(sample[0].length), line) : { labels: {}, rest: line.slice(sample[0].length) };
    const fields = rest.trim().split(/\s+/);
    if (fields.length !== 1) throw new Error(`a sample with a timestamp or trailing text: ${line}`);
    const name = sample[1]!;
    if (!families.has(name)) throw new Error(`sample before its TYPE: ${line}`);
    family(name).samples.push({ name, labels, value: parseValue(fields[0]!, line) });
  }
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`; throws when there is not exactly one. */
export function valueOf(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number {
  const matches = (families.get(name)?.samples ?? []).filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  if (matches.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${matches.length} samples`);
  return matches[0]!.value;
}

/** For a state set: the state whose sample is 1 among those matching `labels`. */
export function stateOf(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string>, stateLabel = "state"): string | undefined {
  const set = (families.get(name)?.samples ?? []).filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  const on = set.filter((sample) => sample.value === 1);
  if (on.length > 1) throw new Error(`${name}${JSON.stringify(labels)}: ${on.length} states at 1`);
  return on[0]?.labels[stateLabel];
}
