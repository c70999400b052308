/** `/etc/os-release` (freedesktop format: KEY=value, values optionally quoted). */
import type { SystemFacts } from "./facts.js";

export function parseShellAssignments(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*?)\s*$/.exec(line);
    if (!match) continue;
    values.set(match[1]!, unquote(match[2]!));
  }
  return values;
}

function unquote(value: string): string {
  const quoted = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value);
  return quoted ? quoted[1]!.replace(/\\(["\\$`])/g, "$1") : value;
}

/** Null when the file says nothing recognisable (then the report shows no OS rather than a wrong one). */
export function parseOsRelease(text: string): SystemFacts["os"] {
  const values = parseShellAssignments(text);
  const id = values.get("ID");
  if (id === undefined) return null;
  return {
    id,
    versionId: values.get("VERSION_ID") ?? "",
    prettyName: values.get("PRETTY_NAME") ?? values.get("NAME") ?? id,
  };
}
