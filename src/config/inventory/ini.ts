/**
 * Ansible INI inventories: hosts at the top (ungrouped), `[group]`, `[group:vars]`,
 * `[group:children]`, `host key=value …` lines, `#`/`;` comments.
 */
import type { DiagnosticBag } from "../diagnostics.js";
import type { SourceFile } from "../source.js";
import { parseHostEntry } from "./host-pattern.js";
import { parseIniValue, shlexSplit } from "./ini-values.js";
import type { Inventory } from "./model.js";

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:[#;].*)?$/;

export function readIniInventory(source: SourceFile, inventory: Inventory, bag: DiagnosticBag): void {
  let group = "ungrouped";
  let mode: "hosts" | "vars" | "children" = "hosts";
  const varsOnlyGroups = new Map<string, { line: number; column: number }>();
  const declared = new Set<string>(["all", "ungrouped"]);

  source.lines.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    const column = rawLine.indexOf(line) + 1;
    const at = (col: number, pathText: string) => source.ref(lineNumber, col, pathText);

    if (line.startsWith("[")) {
      const match = SECTION.exec(line);
      if (match === null) {
        bag.error(at(column, ""), `invalid section header ${JSON.stringify(line)}; expected [group], [group:vars] or [group:children]`);
        group = "";
        return;
      }
      group = match[1]!;
      const kind = match[2] ?? "hosts";
      if (kind !== "hosts" && kind !== "vars" && kind !== "children") {
        bag.error(at(column, `[${line.slice(1, -1)}]`), `unknown section type ":${kind}"; expected :vars or :children`);
        group = "";
        return;
      }
      mode = kind;
      inventory.group(group, at(column + 1, `[${group}]`));
      if (mode === "vars" && !declared.has(group)) varsOnlyGroups.set(group, { line: lineNumber, column: column + 1 });
      else declared.add(group);
      return;
    }
    if (group === "") return; // inside a section whose header was already reported

    if (mode === "children") {
      const child = line.split(/\s+/)[0]!;
      inventory.addChild(group, child, at(column, `[${group}:children].${child}`));
      declared.add(child);
      varsOnlyGroups.delete(child);
      return;
    }

    if (mode === "vars") {
      const equals = line.indexOf("=");
      if (equals <= 0) {
        bag.error(at(column, `[${group}:vars]`), `expected key=value in [${group}:vars], got ${JSON.stringify(line)}`);
        return;
      }
      const key = line.slice(0, equals).trim();
      inventory.group(group, at(column, `[${group}:vars]`)).vars.set(key, {
        value: parseIniValue(line.slice(equals + 1).trim()),
        source: at(column, `[${group}:vars].${key}`),
      });
      return;
    }

    const tokens = shlexSplit(line);
    if (typeof tokens === "string") {
      bag.error(at(column, `[${group}]`), `cannot split host line: ${tokens}`);
      return;
    }
    const [pattern, ...assignments] = tokens;
    if (pattern === undefined) return;
    const entry = parseHostEntry(pattern);
    if (typeof entry === "string") {
      bag.error(at(column, `[${group}]`), `invalid host ${entry}`);
      return;
    }
    for (const name of entry.names) {
      const hostPath = `[${group}].${name}`;
      const host = inventory.host(name, at(column, hostPath));
      inventory.addHostToGroup(name, group, at(column, hostPath));
      if (entry.port !== undefined) host.vars.set("ansible_port", { value: entry.port, source: at(column, `${hostPath}.ansible_port`) });
      let cursor = column - 1 + pattern.length;
      for (const assignment of assignments) {
        const equals = assignment.indexOf("=");
        const assignmentColumn = locateToken(rawLine, assignment.split("=")[0]!, cursor);
        cursor = assignmentColumn;
        if (equals <= 0) {
          bag.error(at(assignmentColumn, hostPath), `expected key=value after the host name, got ${JSON.stringify(assignment)}`);
          continue;
        }
        const key = assignment.slice(0, equals);
        host.vars.set(key, { value: parseIniValue(assignment.slice(equals + 1)), source: at(assignmentColumn, `${hostPath}.${key}`) });
      }
    }
  });

  // Ansible refuses [x:vars] for a group that no section or :children ever declares: a typo.
  for (const [name, position] of varsOnlyGroups) {
    if (declared.has(name)) continue;
    bag.error(
      source.ref(position.line, position.column, `[${name}:vars]`),
      `[${name}:vars] sets variables for group "${name}", which this inventory never declares`,
    );
  }
}

/** 1-based column of `text` in the raw line, searching from character offset `from`. */
function locateToken(rawLine: string, text: string, from: number): number {
  const found = rawLine.indexOf(text, from);
  return found < 0 ? from + 1 : found + 1;
}
